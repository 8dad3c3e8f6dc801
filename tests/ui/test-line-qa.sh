#!/bin/bash
# ui-line-qa: the station window on the rig (under rig-run --readers 2 --parts pcsc,hsm,cups: QA's Reprint Face
# prints on the rig's ippeveprinter, CARDLINE_IPP_URI).
#
#   test-line-qa.sh CARDLINE-ADMIN CARDLINE-VCARD RACK-FEEDER TEST-LINE-QA
#
# Demo keys and PKI with cardline-admin demo-setup, three virtual cards with the DEMO KST, the second one with a
# LOAD defect (its first LOAD block is refused: LOAD_FAILED at LOAD_APPLET after the keys were rotated); then
# test-line-qa under xvfb-run drives the window (see test-line-qa.c).
set -eu

admin=$1
vcard=$2
feeder=$3
test_exe=$4
source_dir=${CARDLINE_SOURCE_DIR:?}
profile=$source_dir/data/profiles/smartcard-hsm.profile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail ()
{
  echo "FAIL: $*" >&2
  exit 1
}

# shellcheck source=tests/ui/ui-rig-cards.sh
source "$source_dir/tests/ui/ui-rig-cards.sh"
ui_rig_cards "$admin" "$vcard" "$work" 3
defective=$work/cards/card-0002.vcard

xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' \
  "$test_exe" "$profile" "$work/station.db" "$work/cards" "$defective" "$vcard" "$feeder"
