#!/bin/bash
# doctor: `cardline-admin doctor` against the rig (issue 15).
#
#   test-doctor.sh CARDLINE-ADMIN CARDLINE-VCARD PRINTER-SIM   (under rig-run --readers 1 --parts pcsc,hsm,cups)
#
# All green on a set-up rig (text and --json, exit 0); then one broken part at a time, each named by a FAIL line
# with what to fix and a non-zero exit: pcscd down, token missing, PIN file readable by others, a key made
# extractable, a mechanism the profile needs missing from the token (SCP02 PUT KEY wrap without the host-derivation
# opt-in), CAP unreadable, CAP not a CAP, printer unreachable, CUPS queue gone, store corrupted, store readable by
# others (not 0600). The store is only read: its bytes are the same after every run.
set -eu

admin=$1
vcard=$2
sim=$3
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
work=$(mktemp -d)
sim_pid=""
cleanup ()
{
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "FAIL: $*" >&2
  [ -f "$work/out" ] && cat "$work/out" >&2
  exit 1
}

export CARDLINE_PKI_DIR=$work/pki
export CARDLINE_STORE=$work/station.db
"$admin" demo-setup --keys "$keys" >/dev/null || fail "demo-setup"
# shellcheck source=../rig/station-accounts.sh
. "$source_dir/tests/rig/station-accounts.sh"
station_accounts "$admin" "$CARDLINE_STORE" "$work" || fail "station accounts (creates the store)"

# shellcheck source=printer-station.sh
. "$(dirname "$0")/printer-station.sh"
manufacture_cards "$work/cards" 1
start_printer_sim "$work/cards"
store_sum=$(sha256sum <"$CARDLINE_STORE")

doctor ()
{
  status=0
  "$admin" doctor --printer "$printer" "$@" >"$work/out" 2>&1 || status=$?
  [ "$(sha256sum <"$CARDLINE_STORE")" = "$store_sum" ] || fail "doctor $* changed the store"
}
# expect_fail PART TEXT ARGS...: exit 1, a FAIL line for PART holding TEXT, no other FAIL line
expect_fail ()
{
  part=$1 text=$2
  shift 2
  doctor "$@"
  [ "$status" = 1 ] || fail "doctor $* exited $status, expected 1 (broken $part)"
  grep -q "^FAIL $part: .*$text" "$work/out" || fail "no 'FAIL $part: ...$text' line"
  others=$(grep '^FAIL' "$work/out" | grep -cv "^FAIL $part" || true)
  [ "$others" = 0 ] || fail "other parts blamed for the broken $part"
  echo "doctor: broken $part named: $(grep "^FAIL $part" "$work/out" | head -n 1)"
}

# All green, by an installed profile's name and by its path.
doctor --profile smartcard-hsm
[ "$status" = 0 ] || fail "doctor on a set-up rig exited $status"
for part in pcscd token "pin file" profile cap "certificate srca" "certificate dica" face "key KST/30" "key KMC/01" \
  "key DICA" "mechanism CKM_AES_CMAC" "mechanism CKM_AES_ECB" "mechanism CKM_ECDSA" \
  "mechanism C_WrapKey" printer "printer feeder" cups "store modes" store; do
  grep -q "^ok   $part: " "$work/out" || fail "no ok line for $part"
done
grep -q "^ok   printer: .*model .*serial .*firmware " "$work/out" || fail "printer identity not shown"
cat "$work/out"
doctor --profile "$source_dir/data/profiles/smartcard-hsm-scp02.profile" --json
[ "$status" = 0 ] || fail "doctor --json with the SCP02 profile exited $status"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is True and len(d["checks"]) > 15 and all(c["ok"] for c in d["checks"]), d' \
  "$work/out" || fail "--json is not the expected object"

# One broken part at a time.
PCSCLITE_CSOCK_NAME=$work/no-pcscd.comm expect_fail pcscd "start pcscd" --profile smartcard-hsm
CARDLINE_P11_TOKEN=no-such-token expect_fail token "no-such-token" --profile smartcard-hsm
cp "$CARDLINE_P11_PIN_FILE" "$work/pin" && chmod 0644 "$work/pin"
CARDLINE_P11_PIN_FILE=$work/pin expect_fail "pin file" "chmod 0600" --profile smartcard-hsm

# Copies of the shipped profiles, edited by a sed expression; outside the data directory, so the CAP file and face
# they name become absolute paths.
mkdir -p "$work/profiles"
profile_copy ()
{
  sed -e "s|^cap-file=demo/|cap-file=$source_dir/data/demo/|" -e "s|^template=faces/|template=$source_dir/data/faces/|" \
    -e "$3" "$source_dir/data/profiles/$1.profile" >"$work/profiles/$2.profile"
}

# A key made extractable: KMCX/01 written with CKA_EXTRACTABLE true, named by a copy of the profile.
head -c 16 /dev/urandom >"$work/key.bin"
for role in enc mac dek; do
  pkcs11-tool --module "$CARDLINE_P11_MODULE" --token-label "$CARDLINE_P11_TOKEN" --login \
    --pin "$(cat "$CARDLINE_P11_PIN_FILE")" --write-object "$work/key.bin" --type secrkey --key-type AES:16 \
    --label "KMCX/$role" --id 01 --sensitive --extractable --usage-derive >/dev/null 2>&1 \
    || fail "pkcs11-tool could not write KMCX/$role"
done
profile_copy smartcard-hsm extractable 's/^kmc-label=KMC$/kmc-label=KMCX/'
expect_fail "key KMCX/01" "extractable" --profile "$work/profiles/extractable.profile"

# A mechanism the token lacks: SoftHSM2 wraps no 3DES key, and this SCP02 profile does not opt in to the host.
profile_copy smartcard-hsm-scp02 no-opt-in 's/^host-derivation=true$/host-derivation=false/'
expect_fail "mechanism C_WrapKey" "keys:host-derivation=true" --profile "$work/profiles/no-opt-in.profile"

# CAP unreadable, CAP not a CAP.
profile_copy smartcard-hsm no-cap 's|^cap-file=.*|cap-file=/nonexistent/vendor.cap|'
expect_fail cap "/nonexistent/vendor.cap" --profile "$work/profiles/no-cap.profile"
echo "not a zip" >"$work/profiles/broken.cap"
profile_copy smartcard-hsm broken-cap 's|^cap-file=.*|cap-file=broken.cap|'
expect_fail cap "broken.cap" --profile "$work/profiles/broken-cap.profile"

# Printer unreachable (a port nobody listens on), CUPS queue gone.
printer_ok=$printer
printer=tcp://127.0.0.1:9
expect_fail printer "does not answer" --profile smartcard-hsm
printer=$printer_ok
expect_fail cups "" --profile smartcard-hsm --face-printer "${CARDLINE_IPP_URI%/ipp/print}/ipp/gone"

# Store corrupted: a copy with its pages overwritten past the header.
cp "$CARDLINE_STORE" "$work/broken.db"
dd if=/dev/urandom of="$work/broken.db" bs=1024 seek=2 count=8 conv=notrunc status=none
expect_fail store "broken.db" --profile smartcard-hsm --store "$work/broken.db"
# Store readable by others (it holds password hashes): the file and its mode named, with the fix.
cp "$CARDLINE_STORE" "$work/loose.db"
chmod 0644 "$work/loose.db"
expect_fail "store modes" "loose.db is mode 0644.*chmod 600" --profile smartcard-hsm --store "$work/loose.db"
# No store yet: the station creates it on its first run, unless its folder cannot be made.
doctor --profile smartcard-hsm --store "$work/new/station.db"
[ "$status" = 0 ] && grep -q "^ok   store: none yet" "$work/out" || fail "a store not made yet is not fine"
[ ! -e "$work/new" ] || fail "doctor created the store's folder"
expect_fail store "cannot be created" --profile smartcard-hsm --store "$work/station-password/sub/station.db"

# Without a profile: the station's parts only; still green.
doctor
[ "$status" = 0 ] || fail "doctor without a profile exited $status"
echo "doctor: all green, and each of 13 broken parts named with a non-zero exit"
