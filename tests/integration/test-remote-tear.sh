#!/bin/bash
# remote-tear: remote production (issue 16) torn at every round trip. An untorn card is produced through
# cardline-server by the independent client (ram-client.py) and its round trips counted (R: the POSTs answered with
# a command template). Then for k = 1 .. R a fresh card, with its own production URL admitting that one card, is
# pulled right after round trip k (its virtual card process killed, as test-remote-production.sh pulls card A), put
# in again, and its client resumes through the same URL until the card is GOOD or the URL is refused as used (the
# card went GOOD before the tear). At the end the service's store keeps its rules (check-store-records.py: every
# attempt ended with one disposition, no chip GOOD twice, no open journal intent, one certificate per chip, every
# chip GOOD) and every card passes the checks local production's cards pass (OpenSC, chain, card keys).
#
# A card put in right after its torn predecessor's disconnect is one pcscd 1.9.9 can miss; the virtual card puts
# itself in again then (tests/sim/cl-vpcd-link.c, test vpcd-swap). Per k only the two client runs start Python,
# Debian's (a python3 earlier in PATH may start much slower); the store is checked once, at the end.
#
#   test-remote-tear.sh CARDLINE-SERVER CARDLINE-ADMIN CARDLINE-VCARD LINE-CARD-CHECK CHECK-CARD-KEYS.PY
#                       RAM-CLIENT.PY CHECK-STORE-RECORDS.PY
#   (under rig-run --readers 1 --parts pcsc,hsm)
set -eu

server=$1
admin=$2
vcard=$3
check=$4
card_keys=$5
client=$6
records=$7
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
# shellcheck source-path=SCRIPTDIR source=line-customer.sh
. "$(dirname "$0")/line-customer.sh"

store=$work/service.db
# shellcheck source-path=SCRIPTDIR source=remote-service.sh
. "$(dirname "$0")/remote-service.sh"
remote_service_setup
started=$(date +%s)

server_pid=""
trap 'stop_service; cleanup' EXIT
start_service 0 --answer-budget 2 --client-timeout 4

# manufacture N: N more card images (timing model off: cardline-vcard run without --timing), appended to images
images=()
manufacture ()
{
  local dir=$work/cards-${#images[@]}
  "$vcard" manufacture --out "$dir" --count "$1" --kst-type "$(kst type)" --kst-version "$(kst version)" \
    --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null || fail "manufacture"
  mapfile -t -O "${#images[@]}" images < <(ls "$dir"/*.vcard)
}
# torn: the card killed by the client's --run has gone and pcscd sees the reader empty
torn ()
{
  wait "$card" 2>/dev/null || true
  card=""
  reader_empty
}
# the store's rules after WHAT, with CARDS chips known and every one GOOD
store_rules ()
{
  /usr/bin/python3 "$records" "remote-tear $1" "$store" --cards "$2" --all-good --one-certificate ||
    fail "the store's rules broken after $1 (server log: $(tail -40 "$work/server.log"))"
}

urls=$("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch tear --profile "$profile" --quantity 1000 \
  --base "$base") || fail "produce-url"

# --- the untorn card: its round trips counted ---
manufacture 1
insert_card "${images[0]}"
ram "$urls"
[ "$rc" = 0 ] || fail "the untorn card: $(cat "$work/client.out")"
grep -q "^notify [0-9]*: Card good: serial DE" "$work/client.out" || fail "the untorn card: $(cat "$work/client.out")"
posts=$(sed -n 's/^stats: posts=\([0-9]*\) .*/\1/p' "$work/client.out")
[ -n "$posts" ] || fail "the client printed no stats: $(cat "$work/client.out")"
# the last POST is answered with 204, the others with a command template
R=$((posts - 1))
[ "$R" -ge 2 ] || fail "only $R round trips: $(cat "$work/client.out")"
pull_card
store_rules "the untorn card" 1
echo "ok: the untorn card is GOOD after R=$R round trips ($(grep "^stats:" "$work/client.out"))"

# --- a fresh card and URL for every k: a card GOOD before its tear cannot be torn again ---
manufacture "$R"
mapfile -t url < <("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch tear --count "$R" \
  --base "$base") || fail "produce-url --count $R"
[ "${#url[@]}" = "$R" ] || fail "produce-url printed ${#url[@]} URLs"
good_before=0
for k in $(seq 1 "$R"); do
  image=${images[$k]}
  insert_card "$image"
  ram "${url[$((k - 1))]}" --after "$k" --run "kill -TERM $card"
  torn
  cp "$work/client.out" "$work/torn-$k.out"
  # put in again and resumed through the same URL: a torn card resumes to GOOD, or its URL was used up by a GOOD
  # card (504); a resume that ends otherwise (a card rejected again) gets one more try
  ended=""
  for try in 1 2 3; do
    insert_card "$image"
    ram "${url[$((k - 1))]}"
    pull_card
    cp "$work/client.out" "$work/resume-$k-$try.out"
    if [ "$rc" = 0 ] && grep -q "^notify [0-9]*: Card good: serial DE" "$work/client.out"; then
      ended="resumed GOOD"
    elif [ "$rc" = 5 ]; then
      ended="URL used"
      good_before=$((good_before + 1))
    fi
    [ -n "$ended" ] && break
  done
  [ -n "$ended" ] || fail "k=$k: the torn card did not end GOOD after 3 resumes; torn run: $(cat "$work/torn-$k.out");
last resume: $(cat "$work/client.out"); attempts: $(service_sql "SELECT * FROM attempts WHERE chip_id = '$(chip_of "$image")'");
server log: $(tail -40 "$work/server.log")"
  echo "ok: k=$k torn ($(grep "^end:" "$work/torn-$k.out")), $ended after $try run(s) of the client"
done

# --- the store's rules: one disposition per attempt, one certificate per chip, no open intent, every chip GOOD ---
store_rules "k=1..$R" $((R + 1))

# --- every card verifies as local production's cards do ---
python3 "$card_keys" "${CARDLINE_SHARED_DIR:?}/vectors/diversification.txt" "$keys" 01 "${images[@]}" ||
  fail "card keys are not the published KDF3 of the KMC"
check_like_local "$check" "${images[@]}"
echo "ok: R=$R round trips, torn at each ($good_before already GOOD at the tear), $((R + 1)) cards GOOD and" \
  "verified in $(($(date +%s) - started)) s"
