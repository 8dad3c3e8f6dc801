#!/bin/bash
# vcard-dkek: DKEK shares between OpenSC's sc-hsm-tool, the virtual SmartCard-HSM and Cardline, on the real
# pcscd + vpcd:
#   1. sc-hsm-tool --initialize --dkek-shares 1, --create-dkek-share --password, --import-dkek-share: the KCV it
#      reports is the first 8 bytes of SHA-256(share), with the share decrypted independently by Cardline's
#      lib/schsm cl-dkek-share; sc-hsm-tool status then shows that KCV and no outstanding share.
#   2. the same sc-hsm-tool share file imported through Cardline (ClPcscTransport + ClCardChannel + IMPORT DKEK
#      SHARE of lib/schsm) into the re-initialised card: the card's KCV is the one sc-hsm-tool saw.
# Every share file derivation costs 10,000,000 MD5 rounds (seconds of CPU): three here.
#
#   test-vcard-dkek.sh CARDLINE-VCARD VCARD-PCSC-TOOL    (under rig-run --readers 1 --parts pcsc)
set -eu

vcard=$1
tool=$2
port=${CARDLINE_VPCD_PORTS%%[, ]*}
reader=${CARDLINE_READER_NAMES%%,*}
work=$(mktemp -d)
card=""
cleanup ()
{
  [ -n "$card" ] && kill "$card" 2>/dev/null && wait "$card" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "FAIL: $*" >&2
  exit 1
}

# Debian 12's vpcd does not advertise extended length to OpenSC (DESIGN §4)
cat >"$work/opensc.conf" <<'CONF'
app default {
  reader_driver pcsc {
    max_send_size = 65535;
    max_recv_size = 65536;
  }
}
CONF
export OPENSC_CONF=$work/opensc.conf
# fixed test secrets (OpenSC's documented test SO-PIN and PIN; a password for this test only)
so_pin=3537363231383830
pin=648219
password=vc2-dkek-test

kst=404142434445464748494A4B4C4D4E4F
"$vcard" manufacture --out "$work" --count 1 --kst-type aes --kst-version 30 --kst-enc $kst --kst-mac $kst \
  --kst-dek $kst --seed 11 --with-schsm >/dev/null
"$vcard" run --image "$work/card-0001.vcard" --port "$port" &
card=$!
for _ in $(seq 1 100); do
  opensc-tool -r "$reader" -a >/dev/null 2>&1 && break
  sleep 0.1
done

# sc-hsm-tool exits 0 even when an action fails: every step is judged by what it prints
initialize ()
{
  local out
  out=$(sc-hsm-tool -r "$reader" --initialize --so-pin $so_pin --pin $pin --dkek-shares 1 2>&1) ||
    fail "sc-hsm-tool --initialize: $out"
  echo "$out" | grep -q "failed" && fail "sc-hsm-tool --initialize: $out"
  out=$(sc-hsm-tool -r "$reader" 2>&1) || fail "sc-hsm-tool status: $out"
  echo "$out" | grep -q "^DKEK shares *: 1$" || fail "status after --dkek-shares 1: $out"
  echo "$out" | grep -q "DKEK import pending, 1 share(s) still missing" || fail "no share pending: $out"
  return 0
}
kcv_of ()
{
  sed -n 's/^DKEK key check value : \([0-9A-F]\{16\}\)$/\1/p'
}

# --- 1. sc-hsm-tool creates and imports a share; the KCV is SHA-256(share)[0..7] ---
initialize
start=$(date +%s)
out=$(sc-hsm-tool -r "$reader" --create-dkek-share "$work/share.pbe" --password "$password" 2>&1) ||
  fail "sc-hsm-tool --create-dkek-share: $out"
echo "$out" | grep -q "DKEK share created and saved to" || fail "sc-hsm-tool --create-dkek-share: $out"
[ "$(stat -c %s "$work/share.pbe")" = 64 ] || fail "share file is not 64 bytes"
[ "$(head -c 8 "$work/share.pbe")" = "Salted__" ] || fail "share file does not start with Salted__"

out=$(sc-hsm-tool -r "$reader" --import-dkek-share "$work/share.pbe" --password "$password" 2>&1) ||
  fail "sc-hsm-tool --import-dkek-share: $out"
echo "$out"
echo "$out" | grep -q "^DKEK share imported$" || fail "sc-hsm-tool did not import the share"
kcv=$(echo "$out" | kcv_of)
[ -n "$kcv" ] || fail "sc-hsm-tool reported no KCV"

status=$(sc-hsm-tool -r "$reader" 2>&1) || fail "sc-hsm-tool status: $status"
echo "$status"
[ "$(echo "$status" | kcv_of)" = "$kcv" ] || fail "status does not show KCV $kcv"
echo "$status" | grep -q "still missing" && fail "status still reports outstanding shares"
# Cardline's reading of the same status: 1 share, 0 outstanding, the KCV
ours=$("$tool" dkek-status "$reader") || fail "vcard-pcsc-tool dkek-status"
[ "$ours" = "card total=1 outstanding=0 kcv=$kcv" ] || fail "Cardline reads the DKEK status as: $ours"

# --- 2. the sc-hsm-tool share through Cardline into the re-initialised card ---
initialize
out=$(echo "$password" | "$tool" import-dkek "$reader" "$work/share.pbe" 2>&1) || fail "Cardline import: $out"
echo "$out"
# share-kcv: SHA-256 of the share as cl-dkek-share decrypted it, independently of OpenSC and the card
echo "$out" | grep -qx "share-kcv $kcv" || fail "SHA-256 of the decrypted share is not sc-hsm-tool's KCV $kcv"
echo "$out" | grep -qx "card total=1 outstanding=0 kcv=$kcv" || fail "card KCV after Cardline's import"
status=$(sc-hsm-tool -r "$reader" 2>&1) || fail "sc-hsm-tool status: $status"
[ "$(echo "$status" | kcv_of)" = "$kcv" ] || fail "sc-hsm-tool does not see Cardline's import: $status"
echo "share derivations took $(($(date +%s) - start)) s"

kill -TERM "$card"
wait "$card" || fail "cardline-vcard exit status"
card=""
echo PASS
