#!/bin/bash
# vcard-opensc: the SmartCard-HSM emulation of cardline-vcard against OpenSC's own tools on the real pcscd + vpcd:
# sc-hsm-tool --initialize, sc-hsm-tool (status), pkcs11-tool --keypairgen EC:prime256v1, pkcs15-tool -D, and
# signatures made by the card (pkcs11-tool --sign, ECDSA-SHA256 and ECDSA over a host-computed SHA-256) that
# openssl verifies with the public key pkcs11-tool reads back, while a tampered message fails to verify.
#
#   test-vcard-opensc.sh CARDLINE-VCARD SCHSM-SELF-DEVAUT.PY    (under rig-run --readers 1 --parts pcsc)
set -eu

vcard=$1
devaut=$2
port=${CARDLINE_VPCD_PORTS%%[, ]*}
reader=${CARDLINE_READER_NAMES%%,*}
shared=${CARDLINE_SHARED_DIR:-$(dirname "$0")/../../../../shared}
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
module=$(find /usr/lib -name opensc-pkcs11.so -path '*pkcs11*' -o -name opensc-pkcs11.so 2>/dev/null | head -n 1)
[ -n "$module" ] || fail "opensc-pkcs11.so not found"

kst=404142434445464748494A4B4C4D4E4F
"$vcard" manufacture --out "$work" --count 1 --kst-type aes --kst-version 30 --kst-enc $kst --kst-mac $kst \
  --kst-dek $kst --seed 7 --with-schsm >/dev/null
"$vcard" run --image "$work/card-0001.vcard" --port "$port" &
card=$!
for _ in $(seq 1 100); do
  opensc-tool -r "$reader" -a >/dev/null 2>&1 && break
  sleep 0.1
done

sc-hsm-tool -r "$reader" --initialize --so-pin 3537363231383830 --pin 648219 || fail "sc-hsm-tool --initialize"
status=$(sc-hsm-tool -r "$reader") || fail "sc-hsm-tool status"
echo "$status"
echo "$status" | grep -q "User PIN tries left *: 3" || fail "PIN status"
# EF.C_DevAut as the station would write it (here the published pico-hsm device || DICA pair)
python3 "$devaut" "$reader" "$shared/vectors/cvc.txt" || fail "writing 2F02"
pkcs11-tool --module "$module" --slot-index 0 --login --pin 648219 --keypairgen --key-type EC:prime256v1 \
  --label vcard-key || fail "pkcs11-tool --keypairgen"
dump=$(pkcs15-tool -r "$reader" -D) || fail "pkcs15-tool -D"
echo "$dump"
echo "$dump" | grep -q "Private EC Key \[vcard-key\]" || fail "generated key not listed"
echo "$dump" | grep -q "Serial number *: ESPICOHSMTR" || fail "serial from C_DevAut"

# A signature that openssl verifies: the card signs, pkcs11-tool returns DER (--signature-format openssl).
p11 ()
{
  pkcs11-tool --module "$module" --slot-index 0 "$@"
}
printf 'Cardline signature test message\n' >"$work/data"
p11 --read-object --type pubkey --label vcard-key -o "$work/pub.der" || fail "pkcs11-tool --read-object pubkey"
openssl pkey -pubin -inform DER -in "$work/pub.der" -out "$work/pub.pem" || fail "public key is not DER SPKI"
p11 --login --pin 648219 --sign --mechanism ECDSA-SHA256 --label vcard-key --signature-format openssl \
  -i "$work/data" -o "$work/sig" || fail "pkcs11-tool --sign ECDSA-SHA256"
openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/sig" "$work/data" | grep -qx "Verified OK" ||
  fail "openssl does not verify the ECDSA-SHA256 signature"
cp "$work/data" "$work/tampered"
printf 'X' | dd of="$work/tampered" bs=1 seek=3 conv=notrunc 2>/dev/null
if openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/sig" "$work/tampered" >/dev/null 2>&1; then
  fail "a tampered message verified"
fi
# plain ECDSA over a SHA-256 the host computed (the card's "hash given" path)
openssl dgst -sha256 -binary "$work/data" >"$work/digest"
p11 --login --pin 648219 --sign --mechanism ECDSA --label vcard-key --signature-format openssl \
  -i "$work/digest" -o "$work/sig2" || fail "pkcs11-tool --sign ECDSA"
openssl pkeyutl -verify -pubin -inkey "$work/pub.pem" -in "$work/digest" -sigfile "$work/sig2" |
  grep -q "Signature Verified Successfully" || fail "openssl does not verify the ECDSA signature over the hash"
openssl dgst -sha256 -binary "$work/tampered" >"$work/digest-tampered"
if openssl pkeyutl -verify -pubin -inkey "$work/pub.pem" -in "$work/digest-tampered" -sigfile "$work/sig2" \
  >/dev/null 2>&1; then
  fail "a signature verified over a tampered hash"
fi
echo "signatures: ECDSA-SHA256 and ECDSA verified by openssl, tampered data refused"

kill -TERM "$card"
wait "$card" || fail "cardline-vcard exit status"
card=""
echo PASS
