#!/bin/bash
# bench-printer-line: the printer-fed line against the limit its mechanics and the chip allow (issue 14; measured,
# never asserted).
#
#   tests/rig/rig-run --readers 1 --parts pcsc,hsm,cups -- tests/bench/bench-printer-line.sh BUILDDIR [CARDS]
#   (or tests/bench/run BUILDDIR printer-line)
#
# `cardline --headless --printer` produces CARDS demo cards through cardline-printer-sim --timing (its mechanical
# delays, and the cards run with the chip timing model) and prints each good card's face on the rig's ippeveprinter,
# twice in the same run: each face rendered at FACE (CARDLINE_FACE_AHEAD=0, as before issue 14) and each face
# rendered while its chip is produced (the default). The limit per card is feed + card + face + eject: feed and
# eject from the sim's timing model (--print-timing), the card's own time from the chip timing model over the same
# sequence (bench-rack --model), the face as the print service's time: the FACE step of the faces rendered ahead,
# where it holds only sending the job and its completion (rendering is the host's work, not the printer's). The
# measured rate is over the cards' cycles, eject to eject, from the store; the first card's cycle (pcscd's and the
# printer's first connection) is left out. What the rig adds on top, pcscd noticing the card that the printer
# parked (it polls a vpcd reader every 400 ms), is printed apart.
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

model=$("$builddir/tests/bench/bench-rack" "$vcard" --model) || fail "bench-rack --model"
card_ms=${model#card_model_ms=}
eval "$("$sim" --print-timing | tr ' ' '\n' | grep -E '^(feed|eject)_ms=[0-9]+$')"
load_before=$(cat /proc/loadavg)

# run_batch NAME [ENV...]: CARDS fresh cards through the line as batch NAME
run_batch ()
{
  local name=$1
  shift
  manufacture_cards "$work/hopper-$name" "$cards"
  start_printer_sim "$work/hopper-$name" --timing
  env "$@" "$cardline" --headless "${operator_auth[@]}" --printer "$printer" \
    --printer-reader "${CARDLINE_READER_NAMES%%,*}" --profile "$profile" --batch "$name" --quantity "$cards" \
    --store "$store" --duration 600 >"$work/line.out" 2>"$work/line.err" || fail "cardline --headless exited $?"
  grep -q "batch $name complete" "$work/line.out" || fail "batch $name did not complete"
  kill "$sim_pid" 2>/dev/null || true
  wait "$sim_pid" 2>/dev/null || true
  sim_pid=""
}
run_batch bench-face-at-face CARDLINE_FACE_AHEAD=0
run_batch bench-face-ahead
load_after=$(cat /proc/loadavg)

python3 - "$store" "$feed_ms" "$eject_ms" "$card_ms" "$load_before" "$load_after" <<'PY'
import math, sqlite3, statistics, sys

store, feed_ms, eject_ms, card_ms = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
db = sqlite3.connect(store)
chip_steps = ('IDENTIFY', 'OPEN_KST', 'CONFIGURE', 'ROTATE_KEYS', 'LOAD_APPLET', 'INIT_APPLET', 'CERTIFY', 'VERIFY')


def batch(name):
    rows = db.execute("SELECT a.id, a.started, a.ended, a.result FROM attempts a JOIN batches b ON b.id = a.batch_id "
                      "WHERE a.kind = 'PRODUCTION' AND b.name = ? ORDER BY a.ended", (name,)).fetchall()
    steps = {}
    for attempt, step, duration in db.execute(
            "SELECT s.attempt_id, s.step, s.duration_us FROM steps s JOIN attempts a ON a.id = s.attempt_id "
            "JOIN batches b ON b.id = a.batch_id WHERE b.name = ?", (name,)):
        steps.setdefault(attempt, {})[step] = steps.get(attempt, {}).get(step, 0) + duration / 1000.0
    later = rows[1:]
    cycles = [(b[2] - a[2]) / 1000.0 for a, b in zip(rows, rows[1:])]
    return {
        'n': len(rows), 'good': sum(1 for r in rows if r[3] == 'GOOD'), 'cycles': cycles,
        'cycle': statistics.mean(cycles),
        'face': statistics.mean(steps.get(r[0], {}).get('FACE', 0) for r in later),
        'chip': statistics.mean(sum(steps.get(r[0], {}).get(s, 0) for s in chip_steps) for r in later),
        'dispose': statistics.mean(steps.get(r[0], {}).get('DISPOSE', 0) for r in later),
        'attempt': statistics.mean((r[2] - r[1]) / 1000.0 for r in later),
    }


behind, ahead = batch('bench-face-at-face'), batch('bench-face-ahead')
face = ahead['face']
limit = feed_ms + card_ms + face + eject_ms
print(f"printer-fed line, printer sim --timing, card timing model on")
print(f"  limit per card: feed {feed_ms:.0f} + card {card_ms:.0f} (chip timing model) + face {face:.0f} (the print "
      f"service: FACE with the face rendered ahead) + eject {eject_ms:.0f} = {limit:.0f} ms: {3600e3 / limit:.0f} cards/h")
for label, b in (('face rendered at FACE (before)', behind), ('face rendered during the chip (after)', ahead)):
    wait = b['cycle'] - b['attempt'] - feed_ms
    print(f"  {label}: {b['n']} cards ({b['good']} good), {b['cycle']:.0f} ms per card (eject to eject, mean of "
          f"{len(b['cycles'])}; min {min(b['cycles']):.0f}, max {max(b['cycles']):.0f}): {3600e3 / b['cycle']:.0f} "
          f"cards/h; ratio to the limit {limit / b['cycle']:.3f}")
    print(f"    where a card's cycle went: attempt {b['attempt']:.0f} ms (chip steps {b['chip']:.0f}, FACE "
          f"{b['face']:.0f}, dispose {b['dispose']:.0f}), feed {feed_ms:.0f}, waiting for pcscd to report the parked "
          f"card {wait:.0f}; ratio without that wait {limit / (b['cycle'] - wait):.3f}")
# pcscd learns of the parked card only at its next poll of the vpcd reader (every 400 ms; Debian 12's vpcd has no
# event thread) and the line waits for that report once a card, so its cycles lock to the poll: each takes a whole
# number of polls, at best the first whole number that holds the limit's work.
poll_ms = 400.0
rig_cycle = math.ceil(limit / poll_ms) * poll_ms
print(f"  on this rig's readers (pcscd polls vpcd every {poll_ms:.0f} ms): a cycle is a whole number of polls, at best "
      f"{rig_cycle:.0f} ms, ratio {limit / rig_cycle:.3f} to the limit; measured against that: "
      f"{rig_cycle / behind['cycle']:.3f} (face at FACE), {rig_cycle / ahead['cycle']:.3f} (face ahead)")
print(f"  after/before: {behind['cycle'] / ahead['cycle']:.3f}x the rate; FACE {behind['face']:.0f} -> "
      f"{ahead['face']:.0f} ms")
print(f"  load: loadavg before {sys.argv[5]}, after {sys.argv[6]}")
PY
