#!/bin/bash
# large-applet: the large stand-in CAP (data/demo/smartcard-hsm-standin-large.cap, a Load File Data Block of over
# 20 KB) produced through the real pcscd: the reference profile with only its cap-file changed, the headless line
# and the rack feeder; every card GOOD, holding the SmartCard-HSM package, and verified by line-card-check (device ->
# DICA -> SRCA, the card keys authenticate, the KST does not). Over vpcd the LOAD goes in short blocks: 102 of them
# per card, which the GOOD events' APDU counts show.
#
#   test-large-applet.sh CARDLINE CARDLINE-ADMIN CARDLINE-VCARD RACK-FEEDER LINE-CARD-CHECK
#   (under rig-run --readers 2 --parts pcsc,hsm)
set -eu

cardline=$1
admin=$2
vcard=$3
feeder=$4
check=$5
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
cards=2
# shellcheck source-path=SCRIPTDIR source=line-customer.sh
. "$(dirname "$0")/line-customer.sh"

export CARDLINE_PKI_DIR=$work/pki
store=$work/station.db
. "$source_dir/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"
"$admin" demo-setup --keys "$keys" >/dev/null || fail "demo-setup"
sed -e "s|^cap-file=.*|cap-file=$source_dir/data/demo/smartcard-hsm-standin-large.cap|" \
  -e "s|^template=|template=$source_dir/data/|" "$source_dir/data/profiles/smartcard-hsm.profile" >"$work/large.profile"

"$vcard" manufacture --out "$work/cards" --count "$cards" --kst-type "$(kst type)" --kst-version "$(kst version)" \
  --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null

"$feeder" --vcard "$vcard" --store "$store" "$work"/cards/*.vcard &
feeder_pid=$!
"$cardline" --headless "${operator_auth[@]}" --profile "$work/large.profile" --batch large-applet --quantity "$cards" \
  --store "$store" --summary-json "$work/summary.json" --duration 240 >"$work/line.out" || fail "cardline --headless"
wait "$feeder_pid" || fail "rack feeder"

good=$(json_field "$work/summary.json" good)
[ "$good" = "$cards" ] || fail "good $good of $cards ($(cat "$work/summary.json"))"
# the LOAD of a 24 KB file in 239-byte blocks alone is 102 APDUs: a card that got the small applet shows far fewer
fewest=$(grep -o 'good chip=.* apdus=[0-9]*' "$work/line.out" | sed 's/.*apdus=//' | sort -n | head -n 1)
[ -n "$fewest" ] && [ "$fewest" -gt 102 ] || fail "a GOOD card took ${fewest:-no} APDUs: not the large applet's LOAD"
echo "ok: the GOOD cards took at least $fewest APDUs each"
[ "$(grep -c 'good chip=' "$work/line.out")" = "$cards" ] || fail "GOOD lines: $(grep 'good chip=' "$work/line.out")"

for image in "$work"/cards/*.vcard; do
  grep -q '^load_files=E82B0601040181C31F02$' "$image" || fail "$(basename "$image") holds no SmartCard-HSM package"
  # pcscd must have seen the line's last card leave this reader (it polls vpcd every 400 ms): a card put in before
  # that is the same card to it, never powered, and its first command fails (SCARD_E_NOT_TRANSACTED)
  reader_empty
  insert_card "$image"
  out=$("$check" "$reader" "$keys" "$CARDLINE_PKI_DIR/srca.cvc") || fail "line-card-check on $(basename "$image")"
  echo "ok: $(basename "$image") $out"
  pull_card
done
echo "ok: $cards cards with the large applet produced through pcscd and verified"
