#!/bin/bash
# printer-line: the printer-fed line end to end on the rig (DESIGN §6).
#
#   test-printer-line.sh CARDLINE CARDLINE-ADMIN CARDLINE-VCARD PRINTER-SIM
#   (under rig-run --readers 1 --parts pcsc,hsm,cups)
#
# cardline-printer-sim's contact station is the rig's vpcd reader; `cardline --headless --printer` feeds 8 virtual
# cards (card 3 with a key-generation defect) through it while the sim's script injects, one each:
#   a jam at the 2nd feed and a cover opened at the 3rd eject (both cleared 1.5 s later, by the "operator"),
#   a dropped connection at the 5th eject (that card is inside: it must be rejected on recovery),
#   and the hopper runs empty after 6 cards until this script loads the last 2 (feeder empty).
# Checked: each fault paused the line and it resumed; no card lost (hopper empty, output + reject = 8); output
# and reject folders agree with the store's GOOD/REJECTED attempts; the dropped card is REJECTED with a reason at
# DISPOSE; every GOOD card's face reached ippeveprinter and its PDF text (pdftotext) holds that card's serial.
# A second batch sends faces to a dead IPP port: the line pauses (printer-queue), the card waits and is never
# rejected; stopped, its attempt ends RETAINED. A third batch's card is a broken image the reader never sees:
# CARD_NOT_PRESENT, rejected and recorded NO_ATR.
# A third batch is killed (SIGKILL) with its card at the contact station: the restarted line sends that card to the
# reject bin and records it (PROTOCOL_ERROR at IDENTIFY), so the reject bin and the store still agree.
# A last batch loses the printer's power while a good card is ejected: the printer ejects it on power-up, the
# recovery finds no card inside, and the attempt ends UNKNOWN (not REJECT_BIN); store verify passes.
set -eu

cardline=$1
admin=$2
vcard=$3
sim=$4
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
work=$(mktemp -d)
sim_pid=""
line_pid=""
cleanup ()
{
  for pid in $line_pid $sim_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $line_pid $sim_pid; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${CARDLINE_KEEP_WORK:-}" ]; then cp -r "$work" "$CARDLINE_KEEP_WORK"; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "FAIL: $*" >&2
  [ -f "$work/line.out" ] && tail -n 40 "$work/line.out" >&2
  [ -f "$work/sim.err" ] && tail -n 20 "$work/sim.err" >&2
  exit 1
}
command -v pdftotext >/dev/null || fail "pdftotext not found (Debian package poppler-utils, in .ci/packages)"

export CARDLINE_PKI_DIR=$work/pki
store=$work/station.db
. "${CARDLINE_SOURCE_DIR:?}/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"
"$admin" demo-setup --keys "$keys" >/dev/null || fail "demo-setup"
kst ()
{
  sed -n "/^\[KST\]/,/^\[/s/^$1=//p" "$keys"
}
"$vcard" manufacture --out "$work/cards" --count 9 --kst-type "$(kst type)" --kst-version "$(kst version)" \
  --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null
printf '\n[defects]\nkeygen_fail=true\n' >>"$work/cards/card-0003.vcard"
mkdir -p "$work/hopper" "$work/output" "$work/reject" "$work/later"
mv "$work"/cards/card-000[1-6].vcard "$work/hopper/"
mv "$work"/cards/card-000[78].vcard "$work/later/"

port=${CARDLINE_VPCD_PORTS%%,*}
reader=${CARDLINE_READER_NAMES%%,*}
start_sim ()
{
  # a stale port file from the previous sim would be read before the new one truncates it
  rm -f "$work/sim.port"
  "$sim" --listen 127.0.0.1:0 --hopper "$work/hopper" --output "$work/output" --reject "$work/reject" \
    --vpcd-port "$port" --vcard "$vcard" "$@" >"$work/sim.port" 2>>"$work/sim.err" &
  sim_pid=$!
  for _ in $(seq 50); do [ -s "$work/sim.port" ] && break; sleep 0.1; done
  [ -s "$work/sim.port" ] || fail "printer sim did not start"
  sim_port=$(head -n 1 "$work/sim.port")
}
start_sim --at 'Sis#2=jam/1500' --at 'Se#3=cover-open/1500' --at 'Se#5=drop'

"$cardline" --headless "${operator_auth[@]}" --printer "tcp://127.0.0.1:$sim_port" --printer-reader "$reader" --profile "$profile" \
  --batch printer-line --quantity 8 --store "$store" --summary-json "$work/summary.json" --duration 240 \
  >"$work/line.out" 2>"$work/line.err" &
line_pid=$!
# The operator: when the feeder runs empty, load the last cards.
for _ in $(seq 1200); do
  grep -q "fault=feeder-empty" "$work/line.out" && break
  kill -0 "$line_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q "fault=feeder-empty" "$work/line.out" || fail "no feeder-empty fault after 6 cards"
mv "$work"/later/*.vcard "$work/hopper/"
status=0
wait "$line_pid" || status=$?
line_pid=""
[ "$status" = 0 ] || { cat "$work/line.err" >&2; fail "cardline --headless --printer exited $status"; }
grep -q "batch printer-line complete" "$work/line.out" || fail "batch not complete"

for fault in jam cover-open feeder-empty; do
  grep -q "fault fault=$fault" "$work/line.out" || fail "no $fault fault reported"
  grep -q "resumed fault=$fault" "$work/line.out" || fail "the line did not resume after $fault"
done
grep -q "fault fault=communication-lost card-inside=yes" "$work/line.out" || fail "the dropped connection not seen"
grep -q "recovered card-rejected=yes" "$work/line.out" || fail "the card inside was not rejected on recovery"
grep -q "instruction=Load blank cards" "$work/line.out" || fail "no operator instruction for the empty feeder"

# No card lost: every card is in the output or the reject folder, none left in the hopper.
out=$(find "$work/output" -name '*.vcard' | wc -l)
rej=$(find "$work/reject" -name '*.vcard' | wc -l)
left=$(find "$work/hopper" -name '*.vcard' | wc -l)
[ "$left" = 0 ] || fail "$left cards left in the hopper"
[ $((out + rej)) = 8 ] || fail "output $out + reject $rej != 8 cards"
sql ()
{
  python3 -c 'import sqlite3,sys; print("\n".join("|".join(str(c) for c in r) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$store" "$1"
}
good=$(sql "SELECT count(*) FROM attempts WHERE result = 'GOOD'")
bad=$(sql "SELECT count(*) FROM attempts WHERE result = 'REJECTED'")
[ "$good" = "$out" ] || fail "store has $good GOOD attempts, output folder $out cards"
[ "$bad" = "$rej" ] || fail "store has $bad REJECTED attempts, reject folder $rej cards"
[ "$good" = 6 ] && [ "$bad" = 2 ] || fail "expected 6 good, 2 rejected; store $good/$bad"
[ -f "$work/reject/card-0003.vcard" ] || fail "the defective card 3 is not in the reject folder"
[ -f "$work/reject/card-0005.vcard" ] || fail "card 5 (inside when the connection dropped) is not in the reject folder"
reasons=$(sql "SELECT reject_reason || '@' || failed_step FROM attempts WHERE result = 'REJECTED' ORDER BY id" | tr '\n' ' ')
case $reasons in
  *KEYGEN_FAILED@INIT_APPLET*PROTOCOL_ERROR@DISPOSE*) ;;
  *) fail "reject reasons: $reasons" ;;
esac

# A face per good card, holding its serial (the dropped card got its face before the drop: one more document).
docs=$(find "$CARDLINE_PRINTED_DIR" -type f ! -name '*.part' | wc -l)
[ "$docs" = $((good + 1)) ] || fail "$docs face documents for $good good cards (+1 dropped)"
for f in "$CARDLINE_PRINTED_DIR"/*; do pdftotext "$f" - 2>/dev/null; done >"$work/faces.txt"
serials=$(sed -n 's/.* good chip=[^ ]* serial=\([^ ]*\) .*/\1/p' "$work/line.out")
[ "$(echo "$serials" | wc -l)" = "$good" ] || fail "good lines: $(echo "$serials" | wc -l), store $good"
for serial in $serials; do
  grep -q "$serial" "$work/faces.txt" || fail "no face document shows serial $serial"
done
echo "printer-line: $good good with faces, $bad rejected; jam, cover-open, feeder-empty, dropped connection recovered"

# A dead card-face queue (a port nobody listens on): the certified card is not rejected; the line pauses with a
# printer-queue fault and the card waits at the contact station. Stopped while it waits, the card's attempt ends
# RETAINED (it is still in the printer), never REJECT_BIN.
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=""
mv "$work"/cards/card-0009.vcard "$work/hopper/"
start_sim
"$cardline" --headless "${operator_auth[@]}" --printer "tcp://127.0.0.1:$sim_port" --printer-reader "$reader" \
  --profile "$profile" --batch printer-face-fails --quantity 1 --store "$store" --face-printer ipp://127.0.0.1:9/ipp/print \
  --duration 8 >"$work/line.out" 2>"$work/line.err" || fail "second batch exited non-zero"
grep -q "fault fault=printer-queue card-inside=yes" "$work/line.out" || fail "no printer-queue fault"
! grep -q "reason=PRINT_FAILED" "$work/line.out" || fail "a card was rejected for the dead queue"
[ ! -f "$work/reject/card-0009.vcard" ] || fail "the card whose queue was dead is in the reject folder"
[ "$(sql "SELECT d.destination FROM attempts a JOIN dispositions d ON d.attempt_id = a.id WHERE a.id > 8")" \
  = RETAINED ] || fail "store: $(sql "SELECT a.id, a.result, d.destination FROM attempts a
                                      LEFT JOIN dispositions d ON d.attempt_id = a.id WHERE a.id > 8")"
[ "$(sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" = 0 ] || fail "store: an attempt without an end"
echo "printer-line: a dead face queue paused the line; the waiting card was not rejected"

# A card the reader never sees: CARD_NOT_PRESENT, rejected and recorded NO_ATR.
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=""
rm -f "$work"/hopper/*
echo "not a card image" >"$work/hopper/card-0010.vcard"
start_sim
"$cardline" --headless "${operator_auth[@]}" --printer "tcp://127.0.0.1:$sim_port" --printer-reader "$reader" \
  --profile "$profile" --batch printer-unseen --quantity 1 --store "$store" --duration 120 >"$work/line.out" 2>"$work/line.err" \
  || fail "third batch exited non-zero"
grep -q "fault fault=card-not-present" "$work/line.out" || fail "no card-not-present fault"
[ -f "$work/reject/card-0010.vcard" ] || fail "the card the reader never saw is not in the reject folder"
unseen=$(sql "SELECT id FROM batches WHERE name = 'printer-unseen'")
[ "$(sql "SELECT group_concat(reject_reason, ' ') FROM attempts WHERE batch_id = $unseen")" = NO_ATR ] \
  || fail "store: $(sql "SELECT reject_reason FROM attempts WHERE batch_id = $unseen")"
echo "printer-line: unseen card rejected as NO_ATR"

# Killed with a card inside the printer; the restart rejects and records it.
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=""
"$vcard" manufacture --out "$work/cards3" --count 2 --kst-type "$(kst type)" --kst-version "$(kst version)" \
  --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null
mv "$work/cards3/card-0001.vcard" "$work/hopper/card-0101.vcard"
mv "$work/cards3/card-0002.vcard" "$work/hopper/card-0102.vcard"
# the timing model keeps the card at the contact station for seconds: long enough to kill the line there
start_sim --timing
"$cardline" --headless "${operator_auth[@]}" --printer "tcp://127.0.0.1:$sim_port" --printer-reader "$reader" --profile "$profile" \
  --batch printer-killed --quantity 2 --store "$store" --duration 120 >"$work/line.out" 2>"$work/line.err" &
line_pid=$!
for _ in $(seq 600); do
  grep -q "card at the contact station" "$work/line.out" && break
  sleep 0.05
done
grep -q "card at the contact station" "$work/line.out" || fail "the first card never reached the contact station"
kill -9 "$line_pid"; wait "$line_pid" 2>/dev/null || true; line_pid=""
"$cardline" --headless "${operator_auth[@]}" --printer "tcp://127.0.0.1:$sim_port" --printer-reader "$reader" --profile "$profile" \
  --batch printer-killed --quantity 2 --store "$store" --duration 120 >"$work/line.out" 2>"$work/line.err" \
  || fail "the restarted line exited non-zero"
grep -q "reason=PROTOCOL_ERROR step=IDENTIFY .*left in the printer by an earlier run" "$work/line.out" \
  || fail "the card left inside was not rejected and recorded on restart"
[ -f "$work/reject/card-0101.vcard" ] || fail "the card inside at the kill is not in the reject folder"
[ -f "$work/output/card-0102.vcard" ] || fail "the next card was not produced"
killed=$(sql "SELECT id FROM batches WHERE name = 'printer-killed'")
[ "$(sql "SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id
          WHERE a.batch_id = $killed AND d.destination = 'REJECT_BIN'")" = 1 ] \
  || fail "store: $(sql "SELECT a.id, a.result, a.reject_reason, d.destination FROM attempts a
                        LEFT JOIN dispositions d ON d.attempt_id = a.id WHERE a.batch_id = $killed")"
[ "$(sql "SELECT count(*) FROM attempts WHERE batch_id = $killed AND result = 'GOOD'")" = 1 ] \
  || fail "store: no good card in the restarted batch"
echo "printer-line: a card left inside by a killed line went to the reject bin on restart, recorded"

# The printer loses power while a good card is being ejected; powering up, it ejects that card to the output hopper
# without telling anyone. On recovery no card is left inside: the station cannot say where the card went, so the
# attempt ends UNKNOWN (not REJECT_BIN: the reject bin never received it), the line goes on with the next card,
# and the yield summary counts the card as fed, neither good nor rejected.
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=""
rm -f "$work"/hopper/*
"$vcard" manufacture --out "$work/cards4" --count 2 --kst-type "$(kst type)" --kst-version "$(kst version)" \
  --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null
mv "$work/cards4/card-0001.vcard" "$work/hopper/card-0201.vcard"
mv "$work/cards4/card-0002.vcard" "$work/hopper/card-0202.vcard"
out_before=$(find "$work/output" -name '*.vcard' | wc -l)
rej_before=$(find "$work/reject" -name '*.vcard' | wc -l)
start_sim --at 'Se#1=power-off'
"$cardline" --headless "${operator_auth[@]}" --printer "tcp://127.0.0.1:$sim_port" --printer-reader "$reader" \
  --profile "$profile" --batch printer-power --quantity 2 --store "$store" --summary-json "$work/power.json" \
  --duration 120 >"$work/line.out" 2>"$work/line.err" || fail "the power-loss batch exited non-zero"
grep -q "batch printer-power complete" "$work/line.out" || fail "power-loss batch not complete"
grep -q "fault fault=communication-lost card-inside=yes" "$work/line.out" || fail "the power loss not seen"
grep -q "recovered card-rejected=no" "$work/line.out" || fail "the recovery found a card inside"
grep -q "reject chip=.* step=DISPOSE .*disposition=UNKNOWN detail=.*whereabouts are unknown" "$work/line.out" \
  || fail "no whereabouts-unknown line for the card lost at the eject"
grep -q "Whereabouts unknown: 1" "$work/line.out" || fail "the summary does not show the card of unknown whereabouts"
[ -f "$work/output/card-0201.vcard" ] || fail "the sim did not eject the card on power-up"
[ -f "$work/output/card-0202.vcard" ] || fail "the card after the power loss was not produced"
power=$(sql "SELECT id FROM batches WHERE name = 'printer-power'")
dest ()
{
  sql "SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id
       WHERE a.batch_id = $power AND d.destination = '$1'"
}
[ "$(dest UNKNOWN)" = 1 ] && [ "$(dest REJECT_BIN)" = 0 ] && [ "$(dest OUTPUT)" = 1 ] \
  || fail "store: $(sql "SELECT a.id, a.result, a.reject_reason, a.failed_step, d.destination FROM attempts a
                        LEFT JOIN dispositions d ON d.attempt_id = a.id WHERE a.batch_id = $power")"
[ "$(sql "SELECT result || '@' || failed_step FROM attempts a JOIN dispositions d ON d.attempt_id = a.id
          WHERE a.batch_id = $power AND d.destination = 'UNKNOWN'")" = REJECTED@DISPOSE ] \
  || fail "the lost card's attempt is not REJECTED at DISPOSE"
# Counts equal the bins: the reject bin received nothing, and the output hopper holds the good card and the one
# whose whereabouts the store says it does not know.
out_now=$(find "$work/output" -name '*.vcard' | wc -l)
rej_now=$(find "$work/reject" -name '*.vcard' | wc -l)
[ $((rej_now - rej_before)) = "$(dest REJECT_BIN)" ] || fail "reject folder +$((rej_now - rej_before)), store $(dest REJECT_BIN)"
[ $((out_now - out_before)) = $(($(dest OUTPUT) + $(dest UNKNOWN))) ] \
  || fail "output folder +$((out_now - out_before)), store OUTPUT $(dest OUTPUT) + UNKNOWN $(dest UNKNOWN)"
[ "$(sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" = 0 ] || fail "store: an attempt without an end"
python3 - "$work/power.json" <<'PY' || fail "summary: $(cat "$work/power.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert (s["fed"], s["good"], s["rejected"], s["unknown"], s["retained"]) == (2, 1, 0, 1, 0), s
PY
"$admin" store verify --store "$store" >"$work/verify.log" 2>&1 || fail "store verify: $(cat "$work/verify.log")"
echo "printer-line: a card lost to a printer power loss is recorded UNKNOWN, not REJECT_BIN; store verify passes"
