#!/bin/bash
# ui-line-qa: the station window on the rig (under rig-run --readers 2 --parts pcsc,hsm).
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
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail ()
{
  echo "FAIL: $*" >&2
  exit 1
}

export CARDLINE_PKI_DIR=$work/pki
"$admin" demo-setup --keys "$keys" >"$work/demo-setup.log" 2>&1 || fail "demo-setup: $(tail -n 3 "$work/demo-setup.log")"
kst ()
{
  sed -n "/^\[KST\]/,/^\[/s/^$1=//p" "$keys"
}
"$vcard" manufacture --out "$work/cards" --count 3 --kst-type "$(kst type)" --kst-version "$(kst version)" \
  --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null || fail "manufacture"
defective=$work/cards/card-0002.vcard
printf '\n[defects]\nsw_at=LOAD.0:6581\n' >>"$defective"

xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' \
  "$test_exe" "$profile" "$work/station.db" "$work/cards" "$defective" "$vcard" "$feeder"
