#!/bin/bash
# bench-printer-line: the printer-fed line against the limit its mechanics and the chip allow (issue 14; measured,
# never asserted).
#
#   tests/rig/rig-run --readers 1 --parts pcsc,hsm,cups -- tests/bench/bench-printer-line.sh BUILDDIR [CARDS]
#   (or tests/bench/run BUILDDIR printer-line)
#
# `cardline --headless --printer` produces CARDS demo cards through cardline-printer-sim --timing (its mechanical
# delays, and the cards run with the chip timing model) and prints each good card's face on the rig's ippeveprinter.
# The limit per card is feed + card + face + eject: feed and eject from the sim's timing model (--print-timing),
# the card's own time from the chip timing model over the same sequence (bench-rack --model), the face as the line
# recorded it (its FACE step: the print service's time). The measured rate is over the cards' cycles, eject to
# eject, from the store; the first card's cycle (pcscd's and the printer's first connection) is left out.
set -eu

builddir=$(cd "${1:?usage: bench-printer-line.sh BUILDDIR [CARDS]}" && pwd -P)
cards=${2:-12}
source_dir=${CARDLINE_SOURCE_DIR:?}
: "${CARDLINE_VPCD_PORTS:?run under tests/rig/rig-run --readers 1 --parts pcsc,hsm,cups}"
cardline=$builddir/app/cardline
admin=$builddir/app/cardline-admin
vcard=$builddir/tests/sim/vcard/cardline-vcard
sim=$builddir/tests/sim/printer/cardline-printer-sim
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
work=$(mktemp -d)
sim_pid=""
cleanup ()
{
  [ -z "$sim_pid" ] || { kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "bench-printer-line: $*" >&2
  for f in line.out line.err sim.err; do [ -s "$work/$f" ] && tail -n 20 "$work/$f" >&2; done
  exit 1
}

export CARDLINE_PKI_DIR=$work/pki
store=$work/station.db
. "$source_dir/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"
"$admin" demo-setup --keys "$keys" >/dev/null || fail "demo-setup"
. "$source_dir/tests/integration/printer-station.sh"
manufacture_cards "$work/hopper" "$cards"

model=$("$builddir/tests/bench/bench-rack" "$vcard" --model) || fail "bench-rack --model"
card_ms=${model#card_model_ms=}
eval "$("$sim" --print-timing | tr ' ' '\n' | grep -E '^(feed|eject)_ms=[0-9]+$')"
start_printer_sim "$work/hopper" --timing
load_before=$(cat /proc/loadavg)
"$cardline" --headless "${operator_auth[@]}" --printer "$printer" --printer-reader "${CARDLINE_READER_NAMES%%,*}" \
  --profile "$profile" --batch bench-printer-line --quantity "$cards" --store "$store" --duration 600 \
  >"$work/line.out" 2>"$work/line.err" || fail "cardline --headless exited $?"
load_after=$(cat /proc/loadavg)
grep -q "batch bench-printer-line complete" "$work/line.out" || fail "the batch did not complete"

python3 - "$store" "$feed_ms" "$eject_ms" "$card_ms" "$load_before" "$load_after" <<'EOF'
import sqlite3, statistics, sys

store, feed_ms, eject_ms, card_ms = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
db = sqlite3.connect(store)
rows = db.execute("SELECT id, started, ended, result FROM attempts WHERE kind = 'PRODUCTION' ORDER BY ended").fetchall()
good = sum(1 for r in rows if r[3] == 'GOOD')
steps = {}
for attempt, step, duration in db.execute("SELECT attempt_id, step, duration_us FROM steps"):
    steps.setdefault(attempt, {})[step] = steps.get(attempt, {}).get(step, 0) + duration / 1000.0
chip_steps = ('IDENTIFY', 'OPEN_KST', 'CONFIGURE', 'ROTATE_KEYS', 'LOAD_APPLET', 'INIT_APPLET', 'CERTIFY', 'VERIFY')
later = rows[1:]
cycles = [(b[2] - a[2]) / 1000.0 for a, b in zip(rows, rows[1:])]
face = statistics.mean(steps.get(r[0], {}).get('FACE', 0) for r in later)
chip = statistics.mean(sum(steps.get(r[0], {}).get(s, 0) for s in chip_steps) for r in later)
dispose = statistics.mean(steps.get(r[0], {}).get('DISPOSE', 0) for r in later)
attempt = statistics.mean((r[2] - r[1]) / 1000.0 for r in later)
cycle = statistics.mean(cycles)
limit = feed_ms + card_ms + face + eject_ms
print(f"printer-fed line, {len(rows)} cards ({good} good), printer sim --timing, card timing model on")
print(f"  limit per card: feed {feed_ms:.0f} + card {card_ms:.0f} (chip timing model) + face {face:.0f} (FACE step) "
      f"+ eject {eject_ms:.0f} = {limit:.0f} ms: {3600e3 / limit:.0f} cards/h")
print(f"  measured: {cycle:.0f} ms per card (eject to eject, mean of {len(cycles)}; min {min(cycles):.0f}, "
      f"max {max(cycles):.0f}): {3600e3 / cycle:.0f} cards/h; ratio to the limit {limit / cycle:.3f}")
print(f"  where a card's cycle went: attempt {attempt:.0f} ms (chip steps {chip:.0f}, face {face:.0f}, dispose "
      f"{dispose:.0f}); the rest of the cycle {cycle - attempt:.0f} ms (the feed, {feed_ms:.0f}, and the wait for "
      f"the reader to report the card)")
print(f"  load: loadavg before {sys.argv[5]}, after {sys.argv[6]}")
EOF
