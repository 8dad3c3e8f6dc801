#!/bin/bash
# line-opensc: the production line end to end on the rig, then every good card checked by independent clients.
#
#   test-line-opensc.sh CARDLINE CARDLINE-ADMIN CARDLINE-VCARD RACK-FEEDER LINE-CARD-CHECK CHECK-CARD-KEYS.PY
#   (under rig-run --readers 2 --parts pcsc,hsm)
#
# cardline-admin demo-setup; virtual cards manufactured with the DEMO KST; `cardline --headless` with the reference
# profile data/profiles/smartcard-hsm.profile and the rack feeder; then for each GOOD card, re-inserted:
# pkcs15-tool -D (OpenSC) reports the serial of its device certificate (CHR minus its last 5 characters);
# line-card-check verifies device -> DICA -> SRCA, authenticates with keys diversified on the host from the DEMO
# KMC and fails with the KST. The summary JSON agrees with `cardline-admin report` and with the store. The card keys
# each card holds equal KDF3 of the DEMO KMC computed by an independent implementation (check-card-keys.py, Python's
# cryptography package) that first reproduces GlobalPlatformPro's published kdf3 vectors.
set -eu

cardline=$1
admin=$2
vcard=$3
feeder=$4
check=$5
card_keys=$6
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
cards=${CARDLINE_LINE_CARDS:-4}
# shellcheck source-path=SCRIPTDIR source=line-customer.sh
. "$(dirname "$0")/line-customer.sh"

export CARDLINE_PKI_DIR=$work/pki
store=$work/station.db
. "${CARDLINE_SOURCE_DIR:?}/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"
"$admin" demo-setup --keys "$keys" || fail "demo-setup"

"$vcard" manufacture --out "$work/cards" --count "$cards" --kst-type "$(kst type)" --kst-version "$(kst version)" \
  --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null

"$feeder" --vcard "$vcard" --store "$store" "$work"/cards/*.vcard &
feeder_pid=$!
"$cardline" --headless "${operator_auth[@]}" --profile "$profile" --batch line-opensc --quantity "$cards" --store "$store" \
  --summary-json "$work/summary.json" --duration 240 || fail "cardline --headless"
wait "$feeder_pid" || fail "rack feeder"

good=$(json_field "$work/summary.json" good)
fed=$(json_field "$work/summary.json" fed)
[ "$good" = "$cards" ] || fail "good $good of $cards ($(cat "$work/summary.json"))"
[ "$fed" = "$cards" ] || fail "fed $fed of $cards"
"$admin" report --batch line-opensc --store "$store" --format json "${admin_auth[@]}" >"$work/report.json" || fail "cardline-admin report"
for field in fed good; do
  [ "$(json_field "$work/report.json" $field)" = "$(json_field "$work/summary.json" $field)" ] \
    || fail "report $field differs from the summary"
done
stored=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM attempts WHERE result = '"'GOOD'"'").fetchone()[0])' "$store")
[ "$stored" = "$good" ] || fail "store has $stored GOOD attempts, summary $good"
# The batch is olga's, who signed in for it: its creation and its end name her, nobody else.
actors=$(python3 -c 'import sqlite3,sys
print(" ".join(sorted({r[0] for r in sqlite3.connect(sys.argv[1]).execute(
  "SELECT actor FROM audit WHERE action IN (\x27batch-create\x27, \x27batch-state\x27)")})))' "$store")
[ "$actors" = olga ] || fail "batch audit actors: $actors"
# A batch means what it says: continuing it with another quantity or profile is refused, naming what it was made with.
if "$cardline" --headless "${operator_auth[@]}" --profile "$profile" --batch line-opensc --quantity $((cards + 1)) \
  --store "$store" --duration 30 </dev/null >"$work/again.out" 2>&1; then
  fail "batch line-opensc continued with another quantity"
fi
grep -q "created for $cards cards; it cannot continue with quantity $((cards + 1))" "$work/again.out" ||
  fail "quantity refusal: $(cat "$work/again.out")"
# the same profile moved next to the store: its files named absolutely, so its bytes (and digest) differ
sed -e "s|^cap-file=|cap-file=$source_dir/data/|" -e "s|^template=|template=$source_dir/data/|" "$profile" \
  >"$work/other.profile"
cmp -s "$profile" "$work/other.profile" && fail "the other profile is the same file"
if "$cardline" --headless "${operator_auth[@]}" --profile "$work/other.profile" --batch line-opensc \
  --quantity "$cards" --store "$store" --duration 30 </dev/null >"$work/again.out" 2>&1; then
  fail "batch line-opensc continued with another profile"
fi
grep -q "cannot continue with profile" "$work/again.out" || fail "profile refusal: $(cat "$work/again.out")"

python3 "$card_keys" "${CARDLINE_SHARED_DIR:?}/vectors/diversification.txt" "$keys" 01 "$work"/cards/*.vcard ||
  fail "card keys are not the published KDF3 of the KMC"

check_like_local "$check" "$work"/cards/*.vcard
checked=$(find "$work/cards" -name '*.vcard' | wc -l)
[ "$checked" = "$cards" ] || fail "checked $checked of $cards"
echo "ok: $cards cards produced and verified independently"
