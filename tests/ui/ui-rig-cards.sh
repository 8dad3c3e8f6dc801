# shellcheck shell=bash
# ui-rig-cards.sh: the cards for the UI tests that run the window on the rig; sourced by test-line-qa.sh and
# test-line-printer.sh, which define fail.

# FIELD of the [KST] section of the demo keys file KEYS.
ui_rig_kst ()
{
  sed -n "/^\[KST\]/,/^\[/s/^$2=//p" "$1"
}

#   ui_rig_cards ADMIN VCARD WORK COUNT
#
# Demo keys and PKI with cardline-admin demo-setup (CARDLINE_PKI_DIR=WORK/pki, exported for the window under test),
# then COUNT virtual cards in WORK/cards with the DEMO KST. card-0002 gets a LOAD defect: its first LOAD block is
# refused, so the line rejects it with LOAD_FAILED at LOAD_APPLET after the keys were rotated, the reject both
# tests look for.
ui_rig_cards ()
{
  local admin=$1 vcard=$2 work=$3 count=$4
  local keys=${CARDLINE_SOURCE_DIR:?}/data/demo/demo-keys.ini

  export CARDLINE_PKI_DIR=$work/pki
  "$admin" demo-setup --keys "$keys" >"$work/demo-setup.log" 2>&1 || fail "demo-setup: $(tail -n 3 "$work/demo-setup.log")"
  "$vcard" manufacture --out "$work/cards" --count "$count" --kst-type "$(ui_rig_kst "$keys" type)" \
    --kst-version "$(ui_rig_kst "$keys" version)" --kst-enc "$(ui_rig_kst "$keys" enc)" \
    --kst-mac "$(ui_rig_kst "$keys" mac)" --kst-dek "$(ui_rig_kst "$keys" dek)" >/dev/null || fail "manufacture"
  printf '\n[defects]\nsw_at=LOAD.0:6581\n' >>"$work/cards/card-0002.vcard"
}
