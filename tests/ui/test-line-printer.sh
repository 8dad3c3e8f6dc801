#!/bin/bash
# ui-line-printer: the station window on the printer-fed line (under rig-run --readers 1 --parts pcsc,hsm,cups).
#
#   test-line-printer.sh CARDLINE-ADMIN CARDLINE-VCARD PRINTER-SIM TEST-LINE-PRINTER
#
# Demo keys and PKI with cardline-admin demo-setup, four virtual cards with the DEMO KST, the second one with a
# LOAD defect; cardline-printer-sim's hopper holds the first two, the other two wait on the operator's desk
# (the feeder runs empty: the fault the window has to show). Then test-line-printer under xvfb-run drives the
# window (see test-line-printer.c).
set -eu

admin=$1
vcard=$2
sim=$3
test_exe=$4
source_dir=${CARDLINE_SOURCE_DIR:?}
profile=$source_dir/data/profiles/smartcard-hsm.profile
work=$(mktemp -d)
sim_pid=""
cleanup ()
{
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "FAIL: $*" >&2
  [ -f "$work/sim.err" ] && tail -n 20 "$work/sim.err" >&2
  exit 1
}

# shellcheck source=tests/ui/ui-rig-cards.sh
source "$source_dir/tests/ui/ui-rig-cards.sh"
ui_rig_cards "$admin" "$vcard" "$work" 4
mkdir -p "$work/hopper" "$work/desk" "$work/output" "$work/reject"
mv "$work"/cards/card-000[12].vcard "$work/hopper/"
mv "$work"/cards/card-000[34].vcard "$work/desk/"

"$sim" --listen 127.0.0.1:0 --hopper "$work/hopper" --output "$work/output" --reject "$work/reject" \
  --vpcd-port "${CARDLINE_VPCD_PORTS%%,*}" --vcard "$vcard" >"$work/sim.port" 2>"$work/sim.err" &
sim_pid=$!
# Until the sim has written its port line (it listens by then), however long a loaded machine takes to start it; it
# exiting first, or 30 s, is a failure.
deadline=$((SECONDS + 30))
until [ "$(wc -l <"$work/sim.port")" -ge 1 ]; do
  kill -0 "$sim_pid" 2>/dev/null || fail "printer sim exited before it listened"
  [ "$SECONDS" -lt "$deadline" ] || fail "printer sim did not listen within 30 s"
  sleep 0.1
done

xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' \
  "$test_exe" "$profile" "$work/station.db" "tcp://127.0.0.1:$(head -n 1 "$work/sim.port")" "${CARDLINE_READER_NAMES%%,*}" \
  "$work/hopper" "$work/desk" "$work/output" "$work/reject"
