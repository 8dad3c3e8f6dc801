#!/bin/bash
# crash-restart: the headless station is killed with SIGKILL at random points of a batch (no chance to clean up:
# a power cut as far as the store can tell), restarted on the same store and batch each time, and finally let
# finish. Then the store must show, whatever the kills interrupted:
#   - every attempt ended with exactly one disposition (output iff GOOD), none left open;
#   - each chip at most one GOOD attempt, and no GOOD attempt without a passed VERIFY in it;
#   - no chip with two certificates;
#   - PRAGMA integrity_check and the audit chain pass (cardline-admin store verify);
# and after every card is fed once more: every chip GOOD (resumed from its real state), no journal intent open.
# First, one process per station: a second process as the running station is refused, another name is not.
#
#   test-crash-restart.sh CARDLINE CARDLINE-ADMIN CARDLINE-VCARD RACK-FEEDER    (rig-run --readers 4 --parts pcsc,hsm)
#
# CARDLINE_CRASH_SEED=N repeats a run (the seed is printed); CARDLINE_CRASH_CARDS sets the batch size (16).
set -eu

cardline=$1
admin=$2
vcard=$3
feeder=$4
source_dir=${CARDLINE_SOURCE_DIR:?}
seed=${CARDLINE_CRASH_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
cards=${CARDLINE_CRASH_CARDS:-16}
RANDOM=$seed
work=$(mktemp -d "${TMPDIR:-/tmp}/cardline-crash.XXXXXX")
station_pid=""
feeder_pid=""

# shellcheck source-path=SCRIPTDIR source=station-procs.sh
. "$(dirname "$0")/station-procs.sh"

fail ()
{
  echo "FAIL (seed $seed): $*" >&2
  for log in "$work"/station-*.log "$work"/feeder*.log; do
    [ -e "$log" ] && { echo "--- $log" >&2; tail -n 25 "$log" >&2; }
  done
  exit 1
}

echo "crash-restart: seed $seed, $cards cards" >&2
export CARDLINE_PKI_DIR="$work/pki"
keys="$source_dir/data/demo/demo-keys.ini"
profile="$source_dir/data/profiles/smartcard-hsm.profile"
store="$work/station.db"
. "${CARDLINE_SOURCE_DIR:?}/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"
batch="crash-$seed"
"$admin" demo-setup --keys "$keys" >"$work/demo-setup.log" 2>&1 || fail "demo-setup: $(tail -n 3 "$work/demo-setup.log")"
kst ()
{
  sed -n "/^\[KST\]/,/^\[/s/^$1=//p" "$keys"
}
"$vcard" manufacture --out "$work/cards" --count "$cards" --seed "$seed" --kst-type "$(kst type)" \
  --kst-version "$(kst version)" --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null

# One process per station (issue 19): while a station runs (idle: no cards yet), a second process as the same
# station (the same host name) is refused, naming the first one's host and pid; one with another --station name
# runs beside it on the same store.
"$cardline" --headless "${operator_auth[@]}" --profile "$profile" --batch "$batch-idle" --quantity 1 --store "$store" --duration 300 \
  >"$work/station-idle.log" 2>&1 &
station_pid=$!
for _ in $(seq 1 1200); do
  grep -q '^production batch=' "$work/station-idle.log" && break
  kill -0 "$station_pid" 2>/dev/null || fail "the idle station exited: $(cat "$work/station-idle.log")"
  sleep 0.1
done
grep -q '^production batch=' "$work/station-idle.log" || fail "the idle station did not start within 120 s"
if "$cardline" --headless "${operator_auth[@]}" --profile "$profile" --batch "$batch-idle" --quantity 1 --store "$store" --duration 2 \
  >"$work/station-twin.log" 2>&1; then
  fail "a second process as the same station was not refused"
fi
grep -q "is already running on host $(hostname) as process $station_pid" "$work/station-twin.log" \
  || fail "the twin's refusal does not name the station's host and pid: $(cat "$work/station-twin.log")"
"$cardline" --headless "${operator_auth[@]}" --station "other-$seed" --profile "$profile" --batch "$batch-other" --quantity 1 \
  --store "$store" --duration 1 >"$work/station-other.log" 2>&1 \
  || fail "a station with another name was refused: $(cat "$work/station-other.log")"
kill -TERM "$station_pid"
wait "$station_pid" 2>/dev/null || true
station_pid=""

"$feeder" --vcard "$vcard" --store "$store" "$work"/cards/*.vcard >"$work/feeder.log" 2>&1 &
feeder_pid=$!

start_station ()
{
  "$cardline" --headless "${operator_auth[@]}" --profile "$profile" --batch "$batch" --quantity "$cards" --store "$store" \
    --duration 300 >"$work/station-$1.log" 2>&1 &
  station_pid=$!
}

# SIGKILL at random points: 0.3 .. 3.3 s after a start, which with ~4 cards a second in flight lands in every step.
kills=$((3 + RANDOM % 3))
for k in $(seq 1 "$kills"); do
  start_station "$k"
  # (not inside $(...): a subshell re-seeds RANDOM, and the run would not repeat from its seed)
  whole=$((RANDOM % 3))
  delay="$whole.$((300 + RANDOM % 700))"
  sleep "$delay"
  if ! kill -0 "$station_pid" 2>/dev/null; then
    # The batch can be complete before a late kill (16 cards take a few seconds on four readers): nothing left
    # to interrupt. Any other exit is a failure.
    wait "$station_pid" || fail "station $k exited with status $? before its kill"
    station_pid=""
    grep -q '^batch .* complete$' "$work/station-$k.log" || fail "station $k exited before its kill"
    echo "crash-restart: batch complete before kill $k/$kills" >&2
    break
  fi
  kill -KILL "$station_pid"
  wait "$station_pid" 2>/dev/null || true
  station_pid=""
  echo "crash-restart: kill $k/$kills after ${delay}s ($(grep -cE ' (good|reject) chip=' "$work/station-$k.log" || true) outcomes printed)" >&2
done

# The last start finishes the batch.
start_station final
finish_station_procs

# Cards a kill interrupted were pulled half made. Fed again (a second batch, as QA would re-feed a stack), each
# must resume from what the card really holds and end GOOD; the ones already good are refused as DUPLICATE_CHIP.
refeed ()
{
  "$cardline" --headless "${operator_auth[@]}" --profile "$profile" --batch "$batch-$1" --quantity "$cards" --store "$store" \
    --duration 300 >"$work/station-$1.log" 2>&1 &
  station_pid=$!
  # the station watches the readers, and pcscd has seen the last feed's cards go (closer looks like the same card)
  for _ in $(seq 1 200); do
    grep -q '^production batch=' "$work/station-$1.log" && break
    sleep 0.1
  done
  sleep 1.5
  "$feeder" --vcard "$vcard" --store "$store" "$work"/cards/*.vcard >"$work/feeder-$1.log" 2>&1 &
  feeder_pid=$!
  finish_station_procs
}
good_chips ()
{
  python3 -c 'import sqlite3, sys; print(sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute(
    "SELECT count(*) FROM cards WHERE state = '"'GOOD'"'").fetchone()[0])' "$store"
}
refeed refeed
# The rack feeder sometimes inserts a card too close to the previous one for pcscd to notice, and feeds it
# again later: a card it never got to the station is fed once more (the good ones are refused as DUPLICATE_CHIP).
if [ "$(good_chips)" -lt "$cards" ]; then
  echo "crash-restart: $(good_chips) of $cards good after the re-feed; feeding again" >&2
  refeed again
fi

"$admin" store verify --store "$store" >"$work/verify.log" 2>&1 || fail "store verify: $(cat "$work/verify.log")"
cat "$work/verify.log" >&2

# The record checks, on a read-only connection (python3's sqlite3, as the rack feeder uses).
"$(dirname "$0")/check-store-records.py" crash-restart "$store" --cards "$cards" --all-good --batch-quantity "$batch" \
  || fail "store records violate the rules above"
echo "crash-restart: ok (seed $seed)" >&2
