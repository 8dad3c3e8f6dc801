#!/bin/bash
# bench-remote.sh: remote production (cardline-server + the minimal RAMOverHTTP client of the tests) against local
# production (cardline --headless with the rack feeder), cards with their chip timing model on, in the same run:
# round trips and bytes per card, and cards per minute with 0, 10 and 50 ms added to every round trip.
#
#   bench-remote.sh BUILDDIR [CARDS-PER-MODE]     (under rig-run --readers 1 --parts pcsc,hsm; tests/bench/run)
#
# Cards per minute here is one reader's, card after card, insertion included; nothing is asserted.
set -eu

build=$1
cards=${2:-3}
source_dir=${CARDLINE_SOURCE_DIR:?}
vcard=$build/tests/sim/vcard/cardline-vcard
admin=$build/app/cardline-admin
server=$build/app/cardline-server
client=$source_dir/tests/integration/ram-client.py
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
# shellcheck source=../integration/line-customer.sh
. "$source_dir/tests/integration/line-customer.sh"
export CARDLINE_PKI_DIR=$work/pki
store=$work/bench.db
. "$source_dir/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"
"$admin" demo-setup --keys "$keys" >/dev/null || fail "demo-setup"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null
manufacture ()
{
  "$vcard" manufacture --out "$work/$1" --count "$cards" --kst-type "$(kst type)" --kst-version "$(kst version)" \
    --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null
}
now_ms ()
{
  date +%s%3N
}

# local production: the headless station and the rack feeder, cards timed as real chips
manufacture local
start=$(now_ms)
"$source_dir/tests/sim/cardline-rack-feeder" --vcard "$vcard" --store "$store" --card-timing "$work"/local/*.vcard \
  >/dev/null &
feeder=$!
"$build/app/cardline" --headless "${operator_auth[@]}" --profile "$profile" --batch bench-local --quantity "$cards" \
  --store "$store" --summary-json "$work/local.json" --duration 600 >/dev/null || fail "cardline --headless"
wait "$feeder"
elapsed=$(($(now_ms) - start))
printf 'local   : %d cards in %d ms: %.1f cards/min\n' "$cards" "$elapsed" "$(awk -v c="$cards" -v e="$elapsed" 'BEGIN { print c * 60000 / e }')"

mkfifo "$work/server.fifo"
"$server" --profile "$profile" --store "$store" --cert "$work/tls.pem" --key "$work/tls.key" --port 0 \
  --station bench-service >"$work/server.fifo" 2>"$work/server.log" &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; cleanup' EXIT
read -r -t 60 line <"$work/server.fifo" || fail "cardline-server did not start"
base=${line#listening on }
base=${base%/}
cat "$work/server.fifo" >/dev/null &

for latency in 0 10 50; do
  manufacture "remote-$latency"
  mapfile -t urls < <("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch "bench-remote-$latency" \
    --profile "$profile" --quantity "$cards" --count "$cards" --base "$base")
  posts=0 capdus=0 sent=0 received=0 i=0
  start=$(now_ms)
  for image in "$work/remote-$latency"/*.vcard; do
    "$vcard" run --image "$image" --port "$port" --timing &
    card=$!
    for _ in $(seq 1 100); do opensc-tool -r "$reader" -a >/dev/null 2>&1 && break; sleep 0.05; done
    out=$(/usr/bin/python3 "$client" "${urls[$i]}" --reader "$reader" --cafile "$work/tls.pem" --latency "$latency") ||
      fail "client: $out"
    echo "$out" | grep -q "Card good" || fail "not good: $out"
    stats=$(echo "$out" | sed -n 's/^stats: //p')
    eval "$(echo "$stats" | sed 's/\([a-z]*\)=\([0-9]*\)/p_\1=\2;/g')"
    posts=$((posts + p_posts)) capdus=$((capdus + p_capdus)) sent=$((sent + p_sent))
    received=$((received + p_received))
    pull_card
    i=$((i + 1))
  done
  elapsed=$(($(now_ms) - start))
  printf 'remote %2d ms: %d cards in %d ms: %.1f cards/min; per card %d round trips, %d C-APDUs, %d bytes up, %d down\n' \
    "$latency" "$cards" "$elapsed" "$(awk -v c="$cards" -v e="$elapsed" 'BEGIN { print c * 60000 / e }')" $((posts / cards)) \
    $((capdus / cards)) $((sent / cards)) $((received / cards))
done
