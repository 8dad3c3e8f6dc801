#!/bin/bash
# headless-sigterm: `systemctl stop` of a station (SIGTERM) while a card is at the printer's contact station.
#
#   test-headless-sigterm.sh CARDLINE CARDLINE-ADMIN CARDLINE-VCARD PRINTER-SIM
#   (under rig-run --readers 1 --parts pcsc,hsm,cups)
#
# The line stops cleanly: exit status 0 (Restart=on-failure does not restart it), "batch ... stopped", the card in
# progress finished and disposed (in the output or reject folder, its attempt ended in the store, none left open),
# no further card fed, the batch ABORTED in the store; started again (as the service would be), the same batch goes
# on to completion with every card good once.
set -eu

cardline=$1
admin=$2
vcard=$3
sim=$4
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
work=$(mktemp -d)
sim_pid=""
line_pid=""
cleanup ()
{
  for pid in $line_pid $sim_pid; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in $line_pid $sim_pid; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "FAIL: $*" >&2
  [ -f "$work/line.out" ] && tail -n 30 "$work/line.out" >&2
  [ -f "$work/line.err" ] && tail -n 10 "$work/line.err" >&2
  exit 1
}
sql ()
{
  python3 -c 'import sqlite3,sys; print("\n".join("|".join(str(c) for c in r) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$work/station.db" "$1"
}

export CARDLINE_PKI_DIR=$work/pki
# shellcheck source=../rig/station-accounts.sh
. "$source_dir/tests/rig/station-accounts.sh"
station_accounts "$admin" "$work/station.db" "$work" || fail "station accounts"
"$admin" demo-setup --keys "$keys" >/dev/null || fail "demo-setup"
# shellcheck source=printer-station.sh
. "$(dirname "$0")/printer-station.sh"
manufacture_cards "$work/hopper" 3
# --timing keeps the card at the contact station for seconds: long enough to stop the line there
start_printer_sim "$work/hopper" --timing
export CARDLINE_PRINTER=$printer
export CARDLINE_PRINTER_READER=${CARDLINE_READER_NAMES%%,*}

run_line ()
{
  "$cardline" --headless "${operator_auth[@]}" --profile smartcard-hsm --batch sigterm --quantity 3 --store "$work/station.db" \
    --duration 240 >"$work/line.out" 2>"$work/line.err" &
  line_pid=$!
}
run_line
for _ in $(seq 1200); do
  grep -q "card at the contact station" "$work/line.out" && break
  kill -0 "$line_pid" 2>/dev/null || break
  sleep 0.05
done
grep -q "card at the contact station" "$work/line.out" || fail "the first card never reached the contact station"
kill -TERM "$line_pid"
# bounded like the unit's TimeoutStopSec: the card job is bounded by the profile's card-timeout
for _ in $(seq 1500); do kill -0 "$line_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$line_pid" 2>/dev/null && fail "cardline still running 150 s after SIGTERM"
status=0
wait "$line_pid" || status=$?
line_pid=""
[ "$status" = 0 ] || fail "cardline exited $status after SIGTERM (the service would be restarted)"
grep -q "^batch sigterm stopped" "$work/line.out" || fail "no 'batch sigterm stopped'"

disposed=$(($(find "$work/output" "$work/reject" -name '*.vcard' | wc -l)))
[ "$disposed" -ge 1 ] || fail "the card in progress was not disposed"
[ "$(find "$work/hopper" -name '*.vcard' | wc -l)" = $((3 - disposed)) ] || fail "cards fed after SIGTERM"
[ "$(sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" = 0 ] || fail "an attempt left open by the stop"
[ "$(sql "SELECT count(*) FROM attempts")" = "$disposed" ] || fail "attempts and disposed cards disagree"
[ "$(sql "SELECT state FROM batches WHERE name = 'sigterm'")" = ABORTED ] \
  || fail "batch state $(sql "SELECT state FROM batches WHERE name = 'sigterm'")"
echo "headless-sigterm: stopped with status 0, $disposed card(s) in progress finished and disposed, none open"

run_line
status=0
wait "$line_pid" || status=$?
line_pid=""
[ "$status" = 0 ] || fail "the restarted line exited $status"
grep -q "^batch sigterm complete" "$work/line.out" || fail "the restarted batch did not complete"
[ "$(sql "SELECT count(DISTINCT chip_id) FROM attempts WHERE result = 'GOOD'")" = 3 ] || fail "not every card good once"
echo "headless-sigterm: restarted, batch complete, 3 cards good"
