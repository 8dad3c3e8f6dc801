#!/bin/bash
# headless-events: `cardline --headless` on the rig prints one line per reader and card event, then a summary.
#
#   test-headless-events.sh CARDLINE TESTCARD      (run under rig-run --readers 1)
set -eu

cardline=$1
testcard=$2
port=${CARDLINE_VPCD_PORTS%% *}
reader=${CARDLINE_READER_NAMES%%,*}
atr=3B8A80010031C173C8400000900090
out=$(mktemp)
trap 'rm -f "$out"' EXIT

fail ()
{
  echo "FAIL: $*" >&2
  echo "--- cardline output:" >&2
  cat "$out" >&2
  exit 1
}

# Polls the output for a line; the deadline only guards a hang, it is not a timing assertion.
wait_for_line ()
{
  local pattern=$1 i
  for i in $(seq 1 100); do
    grep -Eq "$pattern" "$out" && return 0
    sleep 0.1
  done
  fail "no line matching '$pattern'"
}

t='^[0-9]{2}:[0-9]{2}:[0-9]{2}'

"$cardline" --headless --duration 8 >"$out" &
pid=$!

wait_for_line "$t reader-added $reader\$"
"$testcard" --port "$port" --atr "$atr" --seconds 1 &
card=$!
wait_for_line "$t card-inserted $reader ATR $atr\$"
wait "$card" || fail "cardline-testcard failed"
wait_for_line "$t card-removed $reader\$"

status=0
wait "$pid" || status=$?
[ "$status" = 0 ] || fail "cardline exited with $status"

grep -Eq "$t summary events=[0-9]+ readers-added=2 readers-removed=0 cards-inserted=1 cards-removed=1 service-lost=0\$" \
  "$out" || fail "summary line"
[ "$(tail -n 1 "$out" | cut -d' ' -f2)" = summary ] || fail "summary is not the last line"
# Every line is "HH:MM:SS event ...": nothing else goes to stdout.
if grep -Evq "$t [a-z-]+( |\$)" "$out"; then
  fail "unexpected line format"
fi
cat "$out"
echo "PASS"
