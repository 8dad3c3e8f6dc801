#!/bin/bash
# remote-hsm: the production service's HSM goes away and comes back (DESIGN §8: a failing part of the station pauses
# it with an instruction and is never blamed on the card). With the service's SoftHSM2 token gone, a client's card:
#   - is not rejected: its session ends with "the production service failed", its attempt is RETAINED (the card
#     keeps its place's worth: the place goes back), nothing goes to a reject bin;
#   - puts the service in FAULT in the fleet's records with the HSM's instruction.
# With the token back, the same card comes back through the same URL: the service reconnects the HSM by itself, the
# card is made GOOD, and the fleet shows the service RUNNING again with its fault cleared.
#
#   test-remote-hsm.sh CARDLINE-SERVER CARDLINE-ADMIN CARDLINE-VCARD RAM-CLIENT.PY
#   (under rig-run --readers 1 --parts pcsc,hsm)
set -eu

server=$1
admin=$2
vcard=$3
client=$4
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
tokens=${CARDLINE_RIG_DIR:?}/hsm/tokens
# shellcheck source-path=SCRIPTDIR source=line-customer.sh
. "$(dirname "$0")/line-customer.sh"
# shellcheck source-path=SCRIPTDIR source=fleet-json.sh
. "$(dirname "$0")/fleet-json.sh"

store=$work/service.db
# shellcheck source-path=SCRIPTDIR source=remote-service.sh
. "$(dirname "$0")/remote-service.sh"
remote_service_setup
manufacture_images 1
server_pid=""
# the token goes back whatever happens: the rig's other users need it
trap '[ -d "$tokens.away" ] && mv "$tokens.away" "$tokens"; stop_service; cleanup' EXIT
start_service 0
url=$("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch remote-hsm --profile "$profile" --quantity 1 \
  --cards 1 --base "$base") || fail "produce-url"
wait_for "the service is not in the fleet's records" 300 fleet_json 's["remote-service"]["state"] == "RUNNING"'
show ()
{
  cat "$work/client.out"
  tail -n 5 "$work/server.log"
}

# --- the HSM goes away: SoftHSM2 finds its token gone at its next call, as when a token is pulled out ---
insert_card "${images[0]}"
chip=$(chip_of "${images[0]}")
mv "$tokens" "$tokens.away"
ram "$url"
grep -q "^notify [0-9-]*: The production service failed" "$work/client.out" ||
  fail "the client was not told the service failed: $(show)"
! grep -q "Card rejected" "$work/client.out" || fail "the card was blamed for the HSM: $(show)"
[ "$(service_sql "SELECT count(*) FROM attempts WHERE chip_id = '$chip' AND result = 'GOOD'")" = 0 ] ||
  fail "a GOOD attempt without the HSM"
[ "$(service_sql "SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id
  WHERE a.chip_id = '$chip' AND d.destination <> 'RETAINED'")" = 0 ] ||
  fail "the card's attempt was disposed: $(service_sql "SELECT a.result, a.reject_reason, d.destination FROM attempts a
    JOIN dispositions d ON d.attempt_id = a.id WHERE a.chip_id = '$chip'")"
[ "$(service_sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" = 0 ] || fail "an attempt left open"
wait_for "the service is not in FAULT with the HSM's instruction" 100 \
  fleet_json 's["remote-service"]["state"] == "FAULT" and "HSM" in s["remote-service"].get("instruction", "")'
echo "ok: without its HSM the service ends the card's session, the card RETAINED, not rejected; the fleet shows FAULT"

# --- the HSM is back: the same card through the same URL is made, the fault clears ---
mv "$tokens.away" "$tokens"
ram "$url"
[ "$rc" = 0 ] || fail "the card once the HSM is back: $(show)"
grep -q "^notify [0-9]*: Card good: serial DE" "$work/client.out" || fail "the card once the HSM is back: $(show)"
[ "$(service_sql "SELECT count(*) FROM attempts WHERE chip_id = '$chip' AND result = 'GOOD'")" = 1 ] ||
  fail "the card's GOOD attempt: $(service_sql "SELECT result, reject_reason FROM attempts WHERE chip_id = '$chip'")"
wait_for "the service's fault did not clear" 100 \
  fleet_json 's["remote-service"]["state"] == "RUNNING" and s["remote-service"]["good"] == 1'
grep -q "HSM" "$work/server.log" || fail "the service's log does not name the HSM"
pull_card
echo "ok: the HSM back, the service reconnected it by itself: the card is GOOD and the fault cleared"
