#!/bin/bash
# ui-line-tiles: a full rack's Line view on the rig (under rig-run --readers 8 --parts pcsc,hsm: 8 vpcd readers
# of two slots each, the 16 readers pcscd serves at most).
#
#   test-line-tiles.sh CARDLINE-ADMIN CARDLINE-VCARD RACK-FEEDER TEST-LINE-TILES
#
# Demo keys and PKI with cardline-admin demo-setup, a virtual card per reader slot with the DEMO KST, the second one with a LOAD
# defect (rejected at LOAD_APPLET); then test-line-tiles under xvfb-run drives a 1280×800 window (see
# test-line-tiles.c).
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
readers=$(echo "${CARDLINE_READER_NAMES:?}" | tr ',' '\n' | wc -l)
ui_rig_cards "$admin" "$vcard" "$work" $((2 * readers))

xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' \
  "$test_exe" "$profile" "$work/station.db" "$work/cards" "$vcard" "$feeder"
