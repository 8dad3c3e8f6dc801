#!/bin/bash
# remote-fleet: the production service as a station of the fleet (issue 18 items 2, 3), on the rig's PostgreSQL.
#   - One batch of 6 produced at once by a local headless station (rack 2, fed by the rack feeder) and by
#     cardline-server for the independent RAMOverHTTP client (rack 1's reader): the service takes a batch place for
#     each card as the station does, so the batch ends at exactly its quantity disposed, one disposition per attempt
#     (check-store-records.py, SQL), store verify passes. The service's first card waits mid-production until the
#     local station has made one, so both make cards. A card the batch has no place for is refused with notify -2
#     (no place), nothing recorded for it.
#   - The service registers in the fleet's records: `fleet status --json` shows it REMOTE with its counters (its GOOD
#     attempts), a session's reader ("remote session 1") with the chip while a card is in production (never its
#     cookie), STOPPED after SIGTERM; SIGKILLed with a card in production it is LOST, and a live station recovers it:
#     its open attempt RETAINED and its place in the batch given back.
#
#   test-remote-fleet.sh CARDLINE CARDLINE-SERVER CARDLINE-ADMIN CARDLINE-VCARD RACK-FEEDER RAM-CLIENT.PY
#                        CHECK-STORE-RECORDS.PY        (under rig-run --racks 1,2 --parts pcsc,hsm,pg)
set -eu

cardline=$1
server=$2
admin=$3
vcard=$4
feeder=$5
client=$6
records=$7
source_dir=${CARDLINE_SOURCE_DIR:?}
rig=$source_dir/tests/rig/rig
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
store=${CARDLINE_TEST_PG_URI:?run under rig-run --parts pg}
psql=${CARDLINE_PG_BIN:-/usr/lib/postgresql/15/bin}/psql
quantity=6
# shellcheck source-path=SCRIPTDIR source=line-customer.sh
. "$(dirname "$0")/line-customer.sh"
# shellcheck source-path=SCRIPTDIR source=remote-service.sh
. "$(dirname "$0")/remote-service.sh"

server_pid=""
station_pid=""
feeder_pid=""
idle_pid=""
stop_all ()
{
  local p
  stop_service
  [ -n "$feeder_pid" ] || [ ! -s "$work/feeder.pid" ] || feeder_pid=$(cat "$work/feeder.pid")
  for p in $station_pid $feeder_pid $idle_pid; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $station_pid $feeder_pid $idle_pid; do wait "$p" 2>/dev/null || true; done
  cleanup
}
trap stop_all EXIT
fail ()
{
  for log in "$work"/*.log "$work/client.out"; do
    [ -e "$log" ] && { echo "--- $log" >&2; tail -n 12 "$log" >&2; }
  done
  echo "--- places and attempts" >&2
  sql "SELECT p.batch_id, p.place, p.station, p.attempt_id, a.chip_id, a.result, d.destination FROM batch_places p
    LEFT JOIN attempts a ON a.id = p.attempt_id LEFT JOIN dispositions d ON d.attempt_id = a.id ORDER BY 1, 2" >&2 || true
  echo "FAIL: $*" >&2
  exit 1
}

sql ()
{
  "$psql" -X -tA -v ON_ERROR_STOP=1 "$store" -c "$1"
}

# shellcheck source-path=SCRIPTDIR source=fleet-json.sh
. "$(dirname "$0")/fleet-json.sh"

remote_service_setup
[ "$(sql "SELECT count(*) FROM users")" = 2 ] || fail "the accounts are not in the PostgreSQL database"
"$vcard" manufacture --out "$work/local" --count 8 --seed 181 --kst-type "$(kst type)" --kst-version "$(kst version)" \
  --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null
"$vcard" manufacture --out "$work/remote" --count 7 --seed 182 --kst-type "$(kst type)" \
  --kst-version "$(kst version)" --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null
mapfile -t remote_cards < <(ls "$work"/remote/*.vcard)

# SoftHSM2 rewrites its token file on every login: one process opens the token at a time
start_service 0
wait_for "the service is not in the fleet's records" 300 \
  fleet_json 's["remote-service"]["feeder"] == "REMOTE" and s["remote-service"]["state"] == "RUNNING" and not s["remote-service"]["lost"]'
echo "ok: the service registered as a REMOTE station" >&2

# A station with no PC/SC service: idle, beating (it recovers lost stations)
PCSCLITE_CSOCK_NAME="$work/no-pcscd.comm" "$cardline" --headless "${operator_auth[@]}" --station idle \
  --profile "$profile" --batch idle --quantity 1 --store "$store" --duration 600 >"$work/idle.log" 2>&1 &
idle_pid=$!
wait_for "the idle station did not register" 1200 fleet_json '"idle" in s and not s["idle"]["lost"]'

# The batch: a URL for 4 of its cards (the client's stack: 7); the local station's stack is larger than the batch (a
# station waiting for a card holds a place meanwhile: a starved one would keep the batch from completing)
url=$("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch mixed --profile "$profile" \
  --quantity "$quantity" --cards 4 --base "$base") || fail "produce-url"
(exec "$rig" rack-exec "$CARDLINE_RIG_DIR" 2 "$cardline" --headless "${operator_auth[@]}" --station rack-a \
  --profile "$profile" --batch mixed --quantity "$quantity" --store "$store" --output lines --duration 600) \
  >"$work/station.log" 2>&1 &
station_pid=$!
for _ in $(seq 1 1200); do
  grep -q '^production batch=' "$work/station.log" && break
  kill -0 "$station_pid" 2>/dev/null || fail "the local station ended"
  sleep 0.1
done
grep -q '^production batch=' "$work/station.log" || fail "the local station did not start"

# The client's cards, one after the other. The first one's session, after its 6th round trip, waits until it shows in
# the fleet's records with its chip; then the local station's feeder starts and the session waits on until the local
# station has made a card: both produce the batch at once, whatever the machine's speed.
export admin store work rig feeder vcard psql
cat >"$work/seen.sh" <<'SEEN'
for _ in $(seq 300); do
  "$admin" fleet status --store "$store" --json >"$work/mid.json" 2>/dev/null &&
    /usr/bin/python3 -c 'import json, sys
s = {x["name"]: x for x in json.load(open(sys.argv[1]))["stations"]}["remote-service"]
r = [x for x in s["readers"] if x["name"] == "remote session 1" and x["card_present"] and x.get("chip_id")]
sys.exit(0 if r else 1)' "$work/mid.json" && { touch "$work/seen"; break; }
  sleep 0.1
done
[ -e "$work/seen" ] || exit 1
(exec "$rig" rack-exec "$CARDLINE_RIG_DIR" 2 "$feeder" --vcard "$vcard" --store "$store" --station rack-a \
  "$work"/local/*.vcard) >"$work/feeder.log" 2>&1 </dev/null &
echo $! >"$work/feeder.pid"
for _ in $(seq 600); do
  [ "$("$psql" -X -tA "$store" -c "SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id
    WHERE a.station = 'rack-a' AND d.destination IN ('OUTPUT', 'REJECT_BIN')")" -ge 1 ] && exit 0
  sleep 0.1
done
exit 1
SEEN
made=0
refused=""
for image in "${remote_cards[@]}"; do
  insert_card "$image"
  if [ "$made" = 0 ]; then ram "$url" --after 6 --run "sh '$work/seen.sh'"; else ram "$url"; fi
  cp "$work/client.out" "$work/client-$(basename "$image").out"
  [ -n "$feeder_pid" ] || [ ! -s "$work/feeder.pid" ] || feeder_pid=$(cat "$work/feeder.pid")
  pull_card
  if [ "$rc" = 0 ]; then
    made=$((made + 1))
    continue
  fi
  refused=$image
  break
done
[ "$made" -ge 1 ] || fail "the service made no card of the batch: $(cat "$work/client.out")"
[ -n "$refused" ] || fail "the client's stack was never refused (the URL admits 4 cards)"
chip=$(chip_of "$refused")
if grep -q "^notify -2: " "$work/client.out"; then
  # no place (or the batch's chips taken): nothing recorded for the card
  [ "$(sql "SELECT count(*) FROM attempts WHERE chip_id = '$chip'")" = 0 ] || fail "the refused card has an attempt"
  [ "$(sql "SELECT count(*) FROM production_url_cards WHERE chip_id = '$chip'")" = 0 ] ||
    fail "the refused card was admitted"
  echo "ok: a card the batch had no place for was refused with notify -2: $(grep '^notify -2' "$work/client.out")" >&2
else
  grep -qE "^(notify -1: The production URL has been used for all its cards|end: 504 the (batch is complete|production URL has been used))" \
    "$work/client.out" || fail "the client's card $made was refused for another reason: $(cat "$work/client.out")"
fi
[ -e "$work/seen" ] || fail "the session's reader with its chip was not seen: $(cat "$work/mid.json" 2>/dev/null)"
echo "ok: a session in the fleet's records: $(cat "$work/mid.json")" >&2

# The batch's end: the local station sees it complete (its own cards or the service's) and ends
for _ in $(seq 1 1800); do kill -0 "$station_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$station_pid" 2>/dev/null && fail "the local station did not see the batch complete within 180 s"
wait "$station_pid" || fail "the local station failed"
station_pid=""
grep -q "^batch mixed complete$" "$work/station.log" || fail "the local station ended before the batch was complete"
kill -TERM "$feeder_pid" 2>/dev/null || true
wait "$feeder_pid" 2>/dev/null || true
feeder_pid=""

disposed=$(sql "SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id JOIN batches b ON
  b.id = a.batch_id WHERE b.name = 'mixed' AND d.destination IN ('OUTPUT', 'REJECT_BIN', 'UNKNOWN')")
[ "$disposed" = "$quantity" ] || fail "batch mixed has $disposed cards disposed, not $quantity"
service_cards=$(sql "SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id JOIN batches b ON
  b.id = a.batch_id WHERE b.name = 'mixed' AND a.station = 'remote-service' AND d.destination <> 'RETAINED'")
local_cards=$(sql "SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id JOIN batches b ON
  b.id = a.batch_id WHERE b.name = 'mixed' AND a.station = 'rack-a' AND d.destination <> 'RETAINED'")
if [ "$service_cards" -lt 1 ] || [ "$local_cards" -lt 1 ]; then
  fail "both sides make cards: the service $service_cards, the station $local_cards"
fi
[ "$(sql "SELECT count(*) FROM attempts a LEFT JOIN dispositions d ON d.attempt_id = a.id WHERE d.attempt_id IS NULL")" = 0 ] ||
  fail "an attempt without its disposition"
[ "$(sql "SELECT count(*) FROM batch_places p JOIN batches b ON b.id = p.batch_id WHERE b.name = 'mixed'
  AND p.station IS NOT NULL")" = "$quantity" ] || fail "the batch's places: $(sql "SELECT * FROM batch_places")"
"$records" remote-fleet "$store" --batch-quantity mixed --fleet 2 2>"$work/records.log" ||
  fail "the records break the rules: $(cat "$work/records.log")"
"$admin" store verify --store "$store" >"$work/verify.log" 2>&1 || fail "store verify: $(cat "$work/verify.log")"
echo "ok: batch mixed ended at exactly $quantity disposed: $service_cards by the service, $local_cards by rack-a" >&2

good=$(sql "SELECT count(*) FROM attempts WHERE station = 'remote-service' AND result = 'GOOD'")
rejected=$(sql "SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id WHERE a.station =
  'remote-service' AND a.result = 'REJECTED' AND d.destination <> 'RETAINED'")
wait_for "the service's counters" 100 \
  fleet_json "s['remote-service']['good'] == $good and s['remote-service']['rejected'] == $rejected"
fleet_json '[r["name"] for r in s["remote-service"]["readers"]] == ["remote session 1"] and not s["remote-service"]["readers"][0]["card_present"]' ||
  fail "the service's readers once its sessions ended: $(cat "$work/status.json")"
# no cookie in the records: the readers are named by number only
[ "$(sql "SELECT count(*) FROM fleet_readers WHERE reader LIKE 'remote/%'")" = 0 ] || fail "a cookie in a reader's name"
echo "ok: fleet status shows the service REMOTE with good=$good rejected=$rejected" >&2

stop_service
fleet_json 's["remote-service"]["state"] == "STOPPED" and not s["remote-service"]["lost"]' ||
  fail "the service is not STOPPED after SIGTERM: $(cat "$work/status.json")"
echo "ok: STOPPED after SIGTERM" >&2

# Killed with a card in production: LOST; the idle station recovers it, and its place in the batch goes back
url2=$("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch spare --profile "$profile" --quantity 2 \
  --cards 2 --base "$base") || fail "produce-url spare"
start_service "$service_port"
wait_for "the restarted service is not RUNNING" 300 fleet_json 's["remote-service"]["state"] == "RUNNING"'
insert_card "${remote_cards[6]}"
# Killed from the 6th round trip on, once its card's attempt is open: the store's record, not a count of round trips
# (under load the service answers some round trips with a notify alone while its store is slow).
killed_chip=$(chip_of "${remote_cards[6]}")
export killed_chip
cat >"$work/open.sh" <<'OPEN'
[ "$("$psql" -X -tA "$store" -c "SELECT count(*) FROM attempts WHERE station = 'remote-service'
  AND chip_id = '$killed_chip' AND ended IS NULL")" = 1 ]
OPEN
ram "$url2" --after 6 --run-when "sh '$work/open.sh'" --run "kill -KILL $server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
pull_card
[ "$(sql "SELECT count(*) FROM attempts WHERE station = 'remote-service' AND chip_id = '$killed_chip'")" = 1 ] ||
  fail "the killed service's card has no attempt: $(cat "$work/client.out")"
# The idle station may already have recovered the killed service (its process is gone from this host: no lease to
# wait for): then the attempt is closed and its place given back, as checked below. Until then, in the same
# snapshot, the open attempt holds its place.
[ "$(sql "SELECT count(*) FROM attempts a WHERE a.chip_id = '$killed_chip' AND a.ended IS NULL AND NOT EXISTS
  (SELECT 1 FROM batch_places p WHERE p.attempt_id = a.id AND p.station = 'remote-service')")" = 0 ] ||
  fail "the open attempt holds no place"
fleet_json 's["remote-service"]["lost"]' || fail "the killed service is not LOST: $(cat "$work/status.json")"
"$admin" fleet status --store "$store" >"$work/status.txt" || fail "fleet status"
grep -q '^remote-service: LOST' "$work/status.txt" || fail "the text status: $(cat "$work/status.txt")"
wait_for "the idle station did not recover the service" 600 fleet_json 's["remote-service"]["recovered_by"] == "idle"'
[ "$(sql "SELECT count(*) FROM attempts WHERE station = 'remote-service' AND ended IS NULL")" = 0 ] ||
  fail "the service's open attempt was not closed"
[ "$(sql "SELECT count(*) FROM batch_places p JOIN batches b ON b.id = p.batch_id WHERE b.name = 'spare'
  AND p.station IS NOT NULL")" = 0 ] || fail "the killed service's place was not given back"
"$admin" store verify --store "$store" >"$work/verify.log" 2>&1 || fail "store verify: $(cat "$work/verify.log")"
echo "ok: SIGKILLed with a card in production: LOST, recovered by idle, its place given back" >&2
echo "remote-fleet: ok" >&2
