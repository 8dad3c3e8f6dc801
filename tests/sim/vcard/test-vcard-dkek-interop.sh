#!/bin/bash
# vcard-dkek-interop: the key ceremony's DKEK shares both ways between Cardline and OpenSC, on the real
# pcscd + vpcd with the virtual SmartCard-HSM:
#   1. a share file made by `cardline-admin keys dkek-create` imports with sc-hsm-tool --import-dkek-share, and
#      the card's KCV is the one cardline-admin printed;
#   2. n-of-m password shares: sc-hsm-tool --create-dkek-share --pwd-shares-threshold 2 --pwd-shares-total 3 runs
#      non-interactively (it waits for <enter> with getchar, so newlines on stdin drive it); the shares it prints
#      are read back by sc-hsm-tool --import-dkek-share --pwd-shares-total 2 (shares 1 and 3) and by
#      `cardline-admin keys dkek-combine --combine 2` (shares 2 and 3): both arrive at the same DKEK KCV.
# Four share file derivations of 10,000,000 MD5 rounds each (two of them run at the same time).
#
#   test-vcard-dkek-interop.sh CARDLINE-VCARD CARDLINE-ADMIN    (under rig-run --readers 1 --parts pcsc)
set -eu

vcard=$1
admin=$2
port=${CARDLINE_VPCD_PORTS%%[, ]*}
reader=${CARDLINE_READER_NAMES%%,*}
work=$(mktemp -d)
card=""
combine=""
cleanup ()
{
  [ -n "$combine" ] && kill "$combine" 2>/dev/null && wait "$combine" 2>/dev/null
  [ -n "$card" ] && kill "$card" 2>/dev/null && wait "$card" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "FAIL: $*" >&2
  exit 1
}

cat >"$work/opensc.conf" <<'CONF'
app default {
  reader_driver pcsc {
    max_send_size = 65535;
    max_recv_size = 65536;
  }
}
CONF
export OPENSC_CONF=$work/opensc.conf
# sc-hsm-tool clears the screen between password shares with system("clear"): keep it quiet
export TERM=dumb
so_pin=3537363231383830
pin=648219
password=vc2-ceremony-test
start=$(date +%s)

kst=404142434445464748494A4B4C4D4E4F
"$vcard" manufacture --out "$work" --count 1 --kst-type aes --kst-version 30 --kst-enc $kst --kst-mac $kst \
  --kst-dek $kst --seed 12 --with-schsm >/dev/null
"$vcard" run --image "$work/card-0001.vcard" --port "$port" &
card=$!
for _ in $(seq 1 100); do
  opensc-tool -r "$reader" -a >/dev/null 2>&1 && break
  sleep 0.1
done

initialize ()
{
  local out
  out=$(sc-hsm-tool -r "$reader" --initialize --so-pin $so_pin --pin $pin --dkek-shares 1 2>&1) ||
    fail "sc-hsm-tool --initialize: $out"
  echo "$out" | grep -q "failed" && fail "sc-hsm-tool --initialize: $out"
  return 0
}
kcv_of ()
{
  sed -n 's/^DKEK key check value : \([0-9A-F]\{16\}\)$/\1/p'
}
admin_kcv_of ()
{
  sed -n 's/^DKEK share .*: check value (as the only share) \([0-9A-F]\{16\}\)$/\1/p'
}

# the ceremonies are run by a signed-in administrator of the audit store (cardline-admin keys demands one)
. "${CARDLINE_SOURCE_DIR:?}/tests/rig/station-accounts.sh"
station_accounts "$admin" "$work/audit.log" "$work" || fail "station accounts"

# --- 1. cardline-admin keys dkek-create -> sc-hsm-tool --import-dkek-share ---
initialize
# not on a terminal, cardline-admin reads the password from stdin (its documented scripted mode)
out=$(echo "$password" | "$admin" keys --audit "$work/audit.log" "${admin_auth[@]}" dkek-create "$work/cardline.pbe" 2>&1) ||
  fail "cardline-admin keys dkek-create: $out"
echo "$out"
cardline_kcv=$(echo "$out" | admin_kcv_of)
[ -n "$cardline_kcv" ] || fail "cardline-admin printed no check value"
out=$(sc-hsm-tool -r "$reader" --import-dkek-share "$work/cardline.pbe" --password "$password" 2>&1) ||
  fail "sc-hsm-tool --import-dkek-share: $out"
echo "$out"
echo "$out" | grep -q "^DKEK share imported$" || fail "sc-hsm-tool did not import Cardline's share"
[ "$(echo "$out" | kcv_of)" = "$cardline_kcv" ] || fail "card KCV is not cardline-admin's $cardline_kcv"
status=$(sc-hsm-tool -r "$reader" 2>&1) || fail "sc-hsm-tool status: $status"
[ "$(echo "$status" | kcv_of)" = "$cardline_kcv" ] || fail "status KCV after import: $status"
echo "$status" | grep -q "still missing" && fail "status still reports outstanding shares"

# --- 2. sc-hsm-tool n-of-m password shares, read by sc-hsm-tool and by Cardline ---
# sc-hsm-tool's password is 8 card-random bytes (the first masked to 0x00-0x7F), but on import it turns the rebuilt
# number back into bytes without leading zeros: when the first byte is 0 (1 split in 128) its own shares can never
# import. The shares are public test data here, so the test rebuilds the secret from them and splits again in that
# case (at most 4 splits: 1 in 2^28 to run out), instead of failing at random.
# leading_zero PRIME X1 Y1 X2 Y2: exit 0 when the secret the two shares give is below 2^56
leading_zero ()
{
  /usr/bin/python3 - "$@" <<'PYEOF'
import sys
h = lambda v: int(v.replace(":", ""), 16)
p, x1, y1, x2, y2 = h(sys.argv[1]), int(sys.argv[2]), h(sys.argv[3]), int(sys.argv[4]), h(sys.argv[5])
secret = (y1 * x2 * pow(x2 - x1, -1, p) + y2 * x1 * pow(x1 - x2, -1, p)) % p
sys.exit(0 if secret < 1 << 56 else 1)
PYEOF
}
for split in 1 2 3 4; do
  initialize
  # one <enter> after the introduction, then two per share (show it, noted it)
  printf '\n\n\n\n\n\n\n' | sc-hsm-tool -r "$reader" --create-dkek-share "$work/split.pbe" --pwd-shares-threshold 2 \
    --pwd-shares-total 3 >"$work/split.out" 2>"$work/split.err" || fail "sc-hsm-tool --create-dkek-share (2-of-3)"
  grep -q "DKEK share created and saved to" "$work/split.out" || fail "no share file: $(cat "$work/split.out")"
  primes=$(sed -n 's/^Prime *: \([0-9a-fA-F:]*\)$/\1/p' "$work/split.out" | sort -u)
  ids=$(sed -n 's/^Share ID *: \([0-9]*\)$/\1/p' "$work/split.out" | tr '\n' ' ')
  mapfile -t values < <(sed -n 's/^Share value : \([0-9a-fA-F:]*\)$/\1/p' "$work/split.out")
  [ "$(echo "$primes" | wc -l)" = 1 ] && [ -n "$primes" ] || fail "not one prime printed: $primes"
  [ "$ids" = "1 2 3 " ] || fail "share IDs printed: $ids"
  [ "${#values[@]}" = 3 ] || fail "${#values[@]} share values printed"
  leading_zero "$primes" 1 "${values[0]}" 3 "${values[2]}" || break
  echo "split $split: the password's first byte is 0, which sc-hsm-tool cannot import; splitting again"
  [ "$split" != 4 ] || fail "4 splits in a row with a leading zero byte"
done
echo "2-of-3 password shares printed by sc-hsm-tool: prime and 3 shares parsed"

# Cardline combines shares 2 and 3 while sc-hsm-tool imports with shares 1 and 3 (both are CPU bound)
printf '%s\n2\n%s\n3\n%s\n' "$primes" "${values[1]}" "${values[2]}" |
  "$admin" keys --audit "$work/audit.log" "${admin_auth[@]}" --combine 2 dkek-combine "$work/split.pbe" >"$work/combine.out" 2>&1 &
combine=$!
# prime once, then per share: <enter>, ID, value
printf '%s\n\n1\n%s\n\n3\n%s\n' "$primes" "${values[0]}" "${values[2]}" |
  sc-hsm-tool -r "$reader" --import-dkek-share "$work/split.pbe" --pwd-shares-total 2 >"$work/import.out" 2>&1 ||
  fail "sc-hsm-tool --import-dkek-share with password shares: $(tail -n 5 "$work/import.out")"
grep -q "^DKEK share imported$" "$work/import.out" || fail "sc-hsm-tool could not import with its own shares"
opensc_kcv=$(kcv_of <"$work/import.out")
[ -n "$opensc_kcv" ] || fail "no KCV after the import with password shares"
status=0
wait "$combine" || status=$?
combine=""
cat "$work/combine.out"
[ $status = 0 ] || fail "cardline-admin keys dkek-combine exited $status"
[ "$(admin_kcv_of <"$work/combine.out")" = "$opensc_kcv" ] ||
  fail "Cardline's KCV from shares 2+3 is not the card's $opensc_kcv (sc-hsm-tool, shares 1+3)"
echo "password shares: sc-hsm-tool (1+3) and cardline-admin (2+3) agree on KCV $opensc_kcv"
grep -q "dkek.create" "$work/audit.log" && grep -q "dkek.combine" "$work/audit.log" ||
  fail "the key audit lacks the dkek.create / dkek.combine records"

kill -TERM "$card"
wait "$card" || fail "cardline-vcard exit status"
card=""
echo "took $(($(date +%s) - start)) s"
echo PASS
