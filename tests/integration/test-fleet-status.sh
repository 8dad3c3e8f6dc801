#!/bin/bash
# fleet-status: two station processes on one store show in `cardline-admin fleet status`; one SIGKILLed with a card
# in production is shown LOST at once (its process on this host is gone), and the live station closes its open
# attempt and expires its claims by the killed-station rule (RETAINED, audited "station-recovered" by the live
# station) without the killed one restarting; the audit chain still verifies (issue 18 items 3, 4).
# Station rack-a runs with no PC/SC service (idle, beating); rack-b produces on the rig's readers.
#
#   test-fleet-status.sh CARDLINE CARDLINE-ADMIN CARDLINE-VCARD RACK-FEEDER    (rig-run --readers 2 --parts pcsc,hsm)
set -eu

cardline=$1
admin=$2
vcard=$3
feeder=$4
source_dir=${CARDLINE_SOURCE_DIR:?}
work=$(mktemp -d "${TMPDIR:-/tmp}/cardline-fleet.XXXXXX")
station_pid=""
feeder_pid=""
idle_pid=""
cards=24

# shellcheck source-path=SCRIPTDIR source=station-procs.sh
. "$(dirname "$0")/station-procs.sh"
stop_all ()
{
  [ -z "$idle_pid" ] || { kill -TERM "$idle_pid" 2>/dev/null || true; wait "$idle_pid" 2>/dev/null || true; }
  stop_station_procs
}
trap stop_all EXIT

fail ()
{
  echo "FAIL: $*" >&2
  for log in "$work"/*.log; do
    [ -e "$log" ] && { echo "--- $log" >&2; tail -n 25 "$log" >&2; }
  done
  exit 1
}

sql ()
{
  python3 -c 'import sqlite3, sys; print(sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute(
    sys.argv[2]).fetchone()[0])' "$store" "$1"
}

# shellcheck source-path=SCRIPTDIR source=fleet-json.sh
. "$(dirname "$0")/fleet-json.sh"

export CARDLINE_PKI_DIR="$work/pki"
keys="$source_dir/data/demo/demo-keys.ini"
profile="$source_dir/data/profiles/smartcard-hsm.profile"
store="$work/station.db"
. "${CARDLINE_SOURCE_DIR:?}/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"
"$admin" demo-setup --keys "$keys" >"$work/demo-setup.log" 2>&1 || fail "demo-setup"
kst ()
{
  sed -n "/^\[KST\]/,/^\[/s/^$1=//p" "$keys"
}
"$vcard" manufacture --out "$work/cards" --count "$cards" --seed 18 --kst-type "$(kst type)" \
  --kst-version "$(kst version)" --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null

PCSCLITE_CSOCK_NAME="$work/no-pcscd.comm" "$cardline" --headless "${operator_auth[@]}" --station rack-a \
  --profile "$profile" --batch fleet-a --quantity 1 --store "$store" --duration 300 >"$work/station-a.log" 2>&1 &
idle_pid=$!
"$cardline" --headless "${operator_auth[@]}" --station rack-b --profile "$profile" --batch fleet-b \
  --quantity "$cards" --store "$store" --duration 300 >"$work/station-b.log" 2>&1 &
station_pid=$!
wait_for "both stations registered" 1200 fleet_json '"rack-a" in s and "rack-b" in s'
# rack-b lists the rig's two readers (from its line's reader list), before any card
wait_for "rack-b does not list its readers" 600 fleet_json 'len(s["rack-b"]["readers"]) >= 2'
fleet_json 'not s["rack-a"]["lost"] and not s["rack-b"]["lost"] and s["rack-b"]["feeder"] == "RACK"' \
  || fail "a live station is shown lost: $(cat "$work/status.json")"
"$admin" fleet status --store "$store" >"$work/status.txt" || fail "fleet status"
{ grep -q "^rack-a: " "$work/status.txt" && grep -q "^rack-b: " "$work/status.txt"; } \
  || fail "the text status does not list both stations: $(cat "$work/status.txt")"
grep -q '^fleet: 2 stations, 0 lost' "$work/status.txt" || fail "fleet totals: $(cat "$work/status.txt")"

# a card in production at rack-b: its attempt is open, and the status shows the chip at a step
"$feeder" --vcard "$vcard" --store "$store" "$work"/cards/*.vcard >"$work/feeder.log" 2>&1 &
feeder_pid=$!
# Frozen (SIGSTOP) with an attempt open, then killed: the kill cannot race the attempt's end. Frozen between two
# cards, it is let go on and tried again.
open=0
until=$((SECONDS + 120))
while [ "$open" = 0 ] && [ "$SECONDS" -le "$until" ]; do
  kill -0 "$station_pid" 2>/dev/null || fail "rack-b ended before a card could be caught in production"
  kill -STOP "$station_pid"
  open=$(sql "SELECT count(*) FROM attempts WHERE station = 'rack-b' AND ended IS NULL" 2>/dev/null) || open=0
  if [ "$open" = 0 ]; then
    kill -CONT "$station_pid"
    sleep 0.05
  fi
done
[ "$open" -gt 0 ] || fail "rack-b never had a card in production"
kill -KILL "$station_pid"
kill -CONT "$station_pid" 2>/dev/null || true
wait "$station_pid" 2>/dev/null || true
station_pid=""
echo "fleet-status: rack-b killed with $open attempt(s) open" >&2
fleet_json 's["rack-b"]["lost"] and not s["rack-a"]["lost"]' || fail "the killed station is not shown lost: $(cat "$work/status.json")"
"$admin" fleet status --store "$store" >"$work/status.txt" || fail "fleet status"
grep -q '^rack-b: LOST' "$work/status.txt" || fail "the text status does not mark rack-b lost: $(cat "$work/status.txt")"
grep -q '^fleet: 2 stations, 1 lost' "$work/status.txt" || fail "fleet totals: $(cat "$work/status.txt")"

# rack-a's heartbeat (every third of the lease) recovers it
wait_for "rack-a did not recover rack-b" 600 fleet_json 's["rack-b"]["recovered_by"] == "rack-a"'
kill -TERM "$feeder_pid" 2>/dev/null || true
wait "$feeder_pid" 2>/dev/null || true
feeder_pid=""
[ "$(sql "SELECT count(*) FROM attempts WHERE station = 'rack-b' AND ended IS NULL")" = 0 ] \
  || fail "rack-b's open attempts were not closed"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'attempt-abandoned' AND actor = 'rack-b'")" -ge "$open" ] \
  || fail "the closed attempts are not audited"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'station-recovered' AND actor = 'rack-a' AND subject = 'rack-b'")" = 1 ] \
  || fail "the recovery is not audited once"
[ "$(sql "SELECT count(*) FROM chip_claims WHERE owner LIKE 'rack-b/%'")" = 0 ] || fail "rack-b's claims did not expire"
[ "$(sql "SELECT count(*) FROM attempts a LEFT JOIN dispositions d ON d.attempt_id = a.id
  WHERE a.station = 'rack-b' AND a.ended IS NOT NULL AND d.attempt_id IS NULL")" = 0 ] \
  || fail "an ended attempt of rack-b has no disposition"
"$admin" fleet status --store "$store" >"$work/status.txt"
grep -q 'open attempts closed and claims expired by rack-a' "$work/status.txt" \
  || fail "the status does not say who recovered rack-b: $(cat "$work/status.txt")"
cat "$work/status.txt" >&2

kill -TERM "$idle_pid"
wait "$idle_pid" 2>/dev/null || true
idle_pid=""
fleet_json 's["rack-a"]["state"] == "STOPPED" and not s["rack-a"]["lost"]' \
  || fail "a station that stopped is not STOPPED: $(cat "$work/status.json")"
"$admin" store verify --store "$store" >"$work/verify.log" 2>&1 || fail "store verify: $(cat "$work/verify.log")"
echo "fleet-status: ok" >&2
