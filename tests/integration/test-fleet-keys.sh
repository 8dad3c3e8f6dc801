#!/bin/bash
# fleet-keys: the same master keys at every station (issue 18 item 5).
#
#   test-fleet-keys.sh CARDLINE CARDLINE-ADMIN [pg]   (under rig-run --readers 1 --parts pcsc,hsm[,pg])
#
# With pg the shared store is the rig's PostgreSQL (fleet-keys-pg), otherwise an SQLite file.
#
# The rig's token is the fleet's key source: KMC and KST entered there from custodian components (exportable), the
# transport key TK, and the scheme root (SRCA). Three stations, each with its own SoftHSM2 token in this test's
# directory (as on three machines), get TK from the same components and then KMC and KST by the transport-key
# ceremony (keys export / import-wrapped); the third gets a KMC entered from other components instead. Each station's
# DICA is its own, requested in its token and certified by the SRCA (cardline-admin dica). The stations share one
# store. Expected: stations 1 and 2 produce and match; `fleet keys` passes; station 3 refuses to produce naming the
# KMC (never a key) and `fleet keys` names it, exit 1; adopting station 3's set turns it round; the store holds no
# key component, key value or PIN; the audit trail verifies.
set -eu

cardline=$1
admin=$2
source_dir=${CARDLINE_SOURCE_DIR:?}
work=$CARDLINE_RIG_DIR/fleet-keys
store=$work/fleet.db
if [ "${3:-}" = pg ]; then store=${CARDLINE_TEST_PG_URI:?fleet-keys pg: run under rig-run --parts pg}; fi
mkdir -p "$work" && chmod 700 "$work"
fail ()
{
  echo "FAIL: $*" >&2
  exit 1
}

# shellcheck source=../rig/station-accounts.sh
. "$source_dir/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"
custodian_account "$admin" "$store" "$work" || fail "custodian account"
export CARDLINE_STORE=$store
unset CARDLINE_KEYS_AUDIT

# shellcheck source=../rig/fleet-keys.sh
. "$source_dir/tests/rig/fleet-keys.sh"
fleet_key_source "$admin" "$work" "${custodian_auth[@]}"
# station 3 was wrongly loaded with a KMC of its own
KMC_OTHER=()
for _ in 1 2 3 4 5 6; do KMC_OTHER+=("$(fleet_component)"); done
for n in 1 2 3; do
  fleet_station_token "$work/s$n" "station-$n"
  if [ $n = 3 ]; then FLEET_OWN_KMC=("${KMC_OTHER[@]}"); fi
  fleet_key_station "$admin" "$work" "$work/s$n" "station-$n" "CLDICA0000$n" "${custodian_auth[@]}"
done
unset FLEET_OWN_KMC
at_station ()
{
  local n=$1
  shift
  fleet_at_station "$work/s$n" "station-$n" "$@"
}
grep -q "matches the file" "$work/s1/ceremony.log" || fail "station 1: the wrapped KMC's check value was not compared"

# A station starts producing: its keys are recorded and compared before any card.
produce ()
{
  local n=$1
  CARDLINE_STATION=s$n CARDLINE_PKI_DIR=$work/s$n/pki at_station $n "$cardline" --headless "${operator_auth[@]}" \
    --profile smartcard-hsm --batch fleet --quantity 5 --store "$store" --duration 1 \
    >"$work/s$n/line.out" 2>"$work/s$n/line.err"
}
for n in 1 2; do
  produce $n || { cat "$work/s$n/line.err"; fail "station $n (the fleet's keys) did not produce"; }
  grep -q "^production batch=fleet" "$work/s$n/line.out" || fail "station $n: no production line"
done
"$admin" fleet keys --store "$store" >"$work/fleet-ok.out" 2>&1 || { cat "$work/fleet-ok.out"; fail "fleet keys: 1 and 2 differ"; }
cat "$work/fleet-ok.out"
grep -q "^station s1: ok" "$work/fleet-ok.out" && grep -q "^station s2: ok" "$work/fleet-ok.out" ||
  fail "fleet keys does not say that stations 1 and 2 match"
grep -q "^  KMC/01 [0-9A-F/]* (station s1's, adopted by s1)" "$work/fleet-ok.out" ||
  fail "the first station's KMC is not the fleet's"
grep -q "DICA CLDICA00001" "$work/fleet-ok.out" && grep -q "DICA CLDICA00002" "$work/fleet-ok.out" ||
  fail "each station's own DICA is not shown"

# station 3: another KMC
if produce 3; then fail "station 3 produced with a KMC that is not the fleet's"; fi
cat "$work/s3/line.err"
grep -q "does not hold the fleet's keys" "$work/s3/line.err" || fail "station 3: no clear refusal"
grep -q "KMC/01 check value [0-9A-F/]*, the fleet's [0-9A-F/]*" "$work/s3/line.err" || fail "station 3: the KMC not named"
grep -q "KST/30 check value\|SRCA CLSRCA" "$work/s3/line.err" && fail "station 3: a matching key named"
grep -q "^production batch=" "$work/s3/line.out" && fail "station 3 started a batch"
status=0
"$admin" fleet keys --store "$store" >"$work/fleet-bad.out" 2>&1 || status=$?
cat "$work/fleet-bad.out"
[ "$status" = 1 ] || fail "fleet keys exited $status with station 3's KMC differing"
grep -q "^station s3: DIFFERS: KMC/01 check value" "$work/fleet-bad.out" || fail "fleet keys does not name station 3"
[ "$(grep -c "DIFFERS\|MISSING" "$work/fleet-bad.out")" = 1 ] || fail "fleet keys names a station that matches"

# An administrator adopts station 3's set: now 1 and 2 differ; adopting 1's again restores the fleet.
if "$admin" fleet keys --store "$store" --adopt s3 "${operator_auth[@]}" >/dev/null 2>&1; then
  fail "an operator adopted the fleet's keys"
fi
status=0
"$admin" fleet keys --store "$store" --adopt s3 "${admin_auth[@]}" >"$work/adopt.out" 2>&1 || status=$?
[ "$status" = 1 ] && grep -q "^station s3: ok" "$work/adopt.out" && grep -q "^station s1: DIFFERS" "$work/adopt.out" ||
  { cat "$work/adopt.out"; fail "adopting station 3's keys"; }
"$admin" fleet keys --store "$store" --adopt s1 "${admin_auth[@]}" >/dev/null 2>&1 && fail "station 3 still matches"
produce 1 || fail "station 1 does not produce after the fleet's set was adopted back"

# The store: check values, never a key, component or PIN. Raw file, WAL and a full dump (PostgreSQL: the dump).
case $store in
  postgresql:*)
    "${CARDLINE_PG_BIN:-/usr/lib/postgresql/15/bin}/pg_dump" --inserts --no-owner "$store" >"$work/dump.sql" ||
      fail "pg_dump of $store"
    ;;
  *)
    python3 -c 'import sqlite3,sys
print("\n".join(sqlite3.connect(sys.argv[1]).iterdump()))' "$store" >"$work/dump.sql"
    ;;
esac
grep -Eq "INSERT INTO (\"|public\.)station_keys" "$work/dump.sql" || fail "no station_keys rows in the dump"
secrets="${FLEET_TK[*]} ${FLEET_KMC[*]} ${KMC_OTHER[*]} ${FLEET_KST[*]} $(fleet_xor "${FLEET_TK[0]}" "${FLEET_TK[1]}")"
for i in 0 2 4; do
  secrets="$secrets $(fleet_xor "${FLEET_KMC[$i]}" "${FLEET_KMC[$((i + 1))]}")"
  secrets="$secrets $(fleet_xor "${FLEET_KST[$i]}" "${FLEET_KST[$((i + 1))]}")"
  secrets="$secrets $(fleet_xor "${KMC_OTHER[$i]}" "${KMC_OTHER[$((i + 1))]}")"
done
for secret in $secrets $FLEET_PINS $(cat "$CARDLINE_P11_PIN_FILE" "$CARDLINE_P11_SO_PIN_FILE"); do
  for f in "$store" "$store-wal" "$work/dump.sql" "$work"/fleet-*.out "$work"/s*/line.*; do
    if [ -e "$f" ] && grep -aqi -- "$secret" "$f"; then fail "a secret is in $f"; fi
  done
done
"$admin" store verify --store "$store" >"$work/verify.out" 2>&1 || { cat "$work/verify.out"; fail "store verify"; }
grep -aq "fleet-keys-adopt" "$work/dump.sql" || fail "the fleet's key set was not audited"
echo ok
