#!/bin/bash
# bench-fleet: cards/min of 1, 2 and 4 stations of 16 readers each (card timing model on) producing one batch against
# one PostgreSQL, as a ratio to the ideal, and the machine's load (issue 18; measured, never asserted).
#
#   tests/rig/rig-run --racks 8,8,8,8 --parts pcsc,hsm,pg -- tests/bench/bench-fleet.sh BUILDDIR [CARDS-PER-READER]
#   (or tests/bench/run BUILDDIR fleet)
#
# Each station is `cardline --headless` on its own rack (one pcscd, 8 vpcd readers with both slots fed: 16 PC/SC
# readers) and its own feeder (cardline-rack-feeder --card-timing: the cards run with the chip timing model), all on
# one batch of stations x 16 x CARDS-PER-READER cards in the rig's PostgreSQL. Each station has a SoftHSM2 token of
# its own (its own SOFTHSM2_CONF), loaded by the key ceremony from the rig's token (tests/rig/fleet-keys.sh); the
# stations of a size start at once. The rate is over the batch: from the
# feeders' start to the batch's last disposition, read from the database. The ideal of N stations is N times the one
# station's rate of this run (what the fleet would do if stations did not slow each other down: the same machine's
# CPUs, one pcscd each, one database); the chip's own ceiling (16 x the card's time by the timing model, bench-rack
# --model) is printed beside it. The load: /proc/loadavg before and after each size, and over its run from /proc/stat
# how busy the CPUs were and the steal. CARDLINE_BENCH_STORE puts the batch in another store (an SQLite file).
set -eu

builddir=$(cd "${1:?usage: bench-fleet.sh BUILDDIR [CARDS-PER-READER]}" && pwd -P)
per_reader=${2:-2}
source_dir=${CARDLINE_SOURCE_DIR:?}
rig=$source_dir/tests/rig/rig
: "${CARDLINE_RIG_DIR:?run under tests/rig/rig-run --racks 8,8,8,8 --parts pcsc,hsm,pg}"
store=${CARDLINE_BENCH_STORE:-${CARDLINE_TEST_PG_URI:?run under tests/rig/rig-run --parts pcsc,hsm,pg}}
cardline=$builddir/app/cardline
admin=$builddir/app/cardline-admin
vcard=$builddir/tests/sim/vcard/cardline-vcard
feeder=$source_dir/tests/sim/cardline-rack-feeder
profile=$source_dir/data/profiles/smartcard-hsm.profile
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-fleet.XXXXXX")
procs=()

# shellcheck disable=SC2317  # invoked from the trap
stop_procs ()
{
  local p
  for p in "${procs[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${procs[@]}"; do wait "$p" 2>/dev/null || true; done
  procs=()
}
cleanup ()
{
  stop_procs
  rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "bench-fleet: $*" >&2
  for f in "$work"/*.log; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 10 "$f" >&2; }; done
  exit 1
}

# disposed BATCH: the batch's cards disposed to the output hopper or the reject bin, from the store
disposed ()
{
  # the system python: Debian's python3-psycopg2 is installed for it
  /usr/bin/python3 - "$store" "$1" <<'EOF'
import sqlite3, sys
sql = ("SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id JOIN batches b ON b.id = a.batch_id "
       "WHERE b.name = ? AND d.destination IN ('OUTPUT', 'REJECT_BIN')")
if sys.argv[1].startswith("postgresql:"):
    import psycopg2
    cursor = psycopg2.connect(sys.argv[1]).cursor()
    cursor.execute(sql.replace("?", "%s"), (sys.argv[2],))
    print(cursor.fetchone()[0])
else:
    print(sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute(sql, (sys.argv[2],)).fetchone()[0])
EOF
}

# CPU ticks (busy, total, steal) from /proc/stat's first line
cpu_ticks ()
{
  awk '/^cpu /{ busy = $2 + $3 + $4 + $7 + $8; print busy, busy + $5 + $6 + $9, $9 }' /proc/stat
}

export CARDLINE_PKI_DIR=$work/pki
. "$source_dir/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" >/dev/null || fail "station accounts on $store"
# the key source is the rig's token; a token for each rack's station, loaded by the ceremony (custodian keeper)
custodian_account "$admin" "$store" "$work" || fail "custodian account"
# shellcheck source=tests/rig/fleet-keys.sh
. "$source_dir/tests/rig/fleet-keys.sh"
mkdir -p "$work/keys" && chmod 700 "$work/keys"
bench_stations=()
for s in $(seq 1 "${CARDLINE_RIG_RACKS:-1}"); do bench_stations+=("bench-$s"); done
keys_t0=$(date +%s%N)
CARDLINE_STORE=$store fleet_load "$admin" "$work/keys" "${bench_stations[@]}" -- "${custodian_auth[@]}"
echo "bench-fleet: ${#bench_stations[@]} station tokens loaded by the key ceremony in" \
  "$(awk -v a="$keys_t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"
# the card's own time on a token of its own (bench-rack loads the DEMO keys into it and makes cards with their KST)
fleet_station_token "$work/model" model
model=$(fleet_at_station "$work/model" model "$builddir/tests/bench/bench-rack" "$vcard" --model) || fail "bench-rack --model"
card_ms=${model#card_model_ms=}
racks=${CARDLINE_RIG_RACKS:-1}
echo "bench-fleet: store $store; $racks racks; card's own time by the timing model ${card_ms} ms" \
  "(16 readers: at most $(awk -v ms="$card_ms" 'BEGIN { printf "%.0f", 16 * 60000 / ms }') cards/min per station)"

one_rate=""
seed=$((RANDOM * 100))
for stations in 1 2 4; do
  if [ "$stations" -gt "$racks" ]; then
    echo "bench-fleet: $stations stations need $stations racks (rig-run --racks 8,8,8,8); skipped"
    continue
  fi
  batch=fleet-bench-$stations-$seed
  cards=$((16 * per_reader))
  quantity=$((stations * cards))
  # each feeder brings spare cards: a card that ends RETAINED under load (never made) gives its place back with no
  # re-feed here, and a stack of exactly the quantity could then never complete the batch; places stop any overrun
  spare=$((cards / 8 + 2))
  load_before=$(cat /proc/loadavg)
  for s in $(seq 1 "$stations"); do
    seed=$((seed + 1))
    "$vcard" manufacture --out "$work/cards-$stations-$s" --count "$((cards + spare))" --seed "$seed" --kst-type aes \
      --kst-version 30 --kst-enc "$(fleet_kst enc)" --kst-mac "$(fleet_kst mac)" --kst-dek "$(fleet_kst dek)" >/dev/null
    fleet_station_env "$work/keys/bench-$s" "bench-$s"
    (exec "$rig" rack-exec "$CARDLINE_RIG_DIR" "$s" "${FLEET_ENV[@]}" "$cardline" --headless "${operator_auth[@]}" --station "bench-$s" --profile "$profile" \
      --batch "$batch" --quantity "$quantity" --store "$store" --output lines --duration 900) \
      >"$work/station-$stations-$s.log" 2>&1 &
    procs+=($!)
  done
  # every station has opened the batch and watches its readers before the first card goes in (they start at once)
  for s in $(seq 1 "$stations"); do
    for _ in $(seq 1 1200); do
      grep -q '^production batch=' "$work/station-$stations-$s.log" && break
      kill -0 "${procs[$((s - 1))]}" 2>/dev/null || fail "station $s of $stations exited"
      sleep 0.1
    done
  done
  read -r busy0 total0 steal0 < <(cpu_ticks)
  t0=$(date +%s%N)
  for s in $(seq 1 "$stations"); do
    (exec "$rig" rack-exec "$CARDLINE_RIG_DIR" "$s" "$feeder" --vcard "$vcard" --store "$store" --station "bench-$s" --slots 2 --card-timing \
      "$work/cards-$stations-$s"/*.vcard) >"$work/feeder-$stations-$s.log" 2>&1 &
    procs+=($!)
  done
  # the batch's last disposition (bounded at 15 min only to guard a hang)
  done_at=""
  for _ in $(seq 1 4500); do
    n=$(disposed "$batch")
    if [ "$n" -ge "$quantity" ]; then
      done_at=$(date +%s%N)
      break
    fi
    sleep 0.2
  done
  [ -n "$done_at" ] || fail "$stations stations: $n of $quantity disposed after 15 min"
  read -r busy1 total1 steal1 < <(cpu_ticks)
  stop_procs
  seconds=$(awk -v a="$t0" -v b="$done_at" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  rate=$(awk -v n="$quantity" -v s="$seconds" 'BEGIN { printf "%.1f", n * 60 / s }')
  [ -n "$one_rate" ] || one_rate=$rate
  ideal=$(awk -v r="$one_rate" -v k="$stations" 'BEGIN { printf "%.1f", r * k }')
  echo "bench-fleet: $stations station(s) x 16 readers: $quantity cards in ${seconds} s = $rate cards/min;" \
    "ideal $ideal ($stations x the one station's rate): ratio $(awk -v r="$rate" -v i="$ideal" 'BEGIN { printf "%.2f", r / i }')"
  echo "bench-fleet:   load: loadavg before $load_before, after $(cat /proc/loadavg);" \
    "CPUs busy $(awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) 'BEGIN { printf "%.0f", 100 * b / t }') %" \
    "(steal $(awk -v s=$((steal1 - steal0)) -v t=$((total1 - total0)) 'BEGIN { printf "%.1f", 100 * s / t }') %) of $(nproc) CPUs"
done
