#!/bin/sh
# The full key ceremony through cardline-admin on the rig's SoftHSM2 (run under rig-run --parts hsm).
# Secrets go in on stdin (the non-terminal mode) and come out into --secret-dir; neither the output nor the
# audit trail (the station store's hash-chained trail: the SQLite file and its WAL) may contain any of them.
set -eu
admin="$1"
work="$CARDLINE_RIG_DIR/keys-admin"
mkdir -p "$work/secrets" && chmod 700 "$work" "$work/secrets"
unset CARDLINE_KEYS_AUDIT
export CARDLINE_STORE="$work/store.db"
out="$work/out.txt"
C1=404142434445464748494A4B4C4D4E4F
C2=000102030405060708090A0B0C0D0E0F
C3=101112131415161718191A1B1C1D1E1F

# The ceremony is run by a signed-in key custodian (the store's first account is its administrator, who adds the
# custodian); the audit actor is that account. Nobody else may: an operator is refused, and --actor is gone.
umask 077; printf 'custodian password\n' > "$work/password"; umask 022
"$admin" user add ada --role admin --new-password-file "$work/password" >/dev/null
"$admin" user add keeper --role custodian --new-password-file "$work/password" --user ada --password-file "$work/password" >/dev/null
"$admin" user add olga --role operator --new-password-file "$work/password" --user ada --password-file "$work/password" >/dev/null
auth="--user keeper --password-file $work/password"
if "$admin" keys list --user olga --password-file "$work/password" > "$work/refused" 2>&1; then
  echo "an operator ran the key ceremony"; exit 1
fi
grep -q "User olga (OPERATOR) may not handle keys" "$work/refused" || { cat "$work/refused"; exit 1; }
if "$admin" keys list $auth --actor someone-else > "$work/refused" 2>&1; then
  echo "keys accepted --actor"; exit 1
fi

# second token for the transport test (PINs only in rig-private files)
so=$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); pin=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
softhsm2-util --init-token --free --label cardline-rig-b --so-pin "$so" --pin "$pin" >/dev/null
umask 077; printf '%s' "$pin" > "$work/pin-b"; umask 022

{
  printf '%s\n%s\n' "$C1" "$C2" | "$admin" keys import --name TK --kind transport --components 2 \
    --custodian alice --custodian bob $auth
  printf '%s\n%s\n' "$C1" "$C2" | CARDLINE_P11_TOKEN=cardline-rig-b CARDLINE_P11_PIN_FILE="$work/pin-b" \
    "$admin" keys import --name TK --kind transport --components 2 $auth
  printf '%s\n%s\n%s\n%s\n%s\n%s\n' "$C1" "$C2" "$C3" "$C2" "$C3" "$C1" | "$admin" keys import --name KMC \
    --key-version 1 --type aes --length 16 --components 2 --exportable $auth
  "$admin" keys generate --name KST --key-version 2 --kind set --type des3 --length 16 --components 3 \
    --secret-dir "$work/secrets" $auth </dev/null
  "$admin" keys export --name KMC --key-version 1 --transport TK --out "$work/kmc.wrapped" $auth
  CARDLINE_P11_TOKEN=cardline-rig-b CARDLINE_P11_PIN_FILE="$work/pin-b" \
    "$admin" keys import-wrapped "$work/kmc.wrapped" $auth
  "$admin" keys retire --name KST --key-version 2 $auth
  "$admin" keys list $auth
  "$admin" keys dkek-split "$work/dkek.pbe" --threshold 2 --shares 3 --secret-dir "$work/secrets" $auth </dev/null
} > "$out" 2>&1 || { cat "$out"; exit 1; }

# combine from shares 1 and 3 (prime, then ID and value of each)
field () { sed -n "s/^$2 *: //p" "$1"; }
last=$(ls "$work/secrets" | tail -3)
s1="$work/secrets/$(echo "$last" | sed -n 1p)"; s3="$work/secrets/$(echo "$last" | sed -n 3p)"
printf '%s\n%s\n%s\n%s\n%s\n' "$(field "$s1" Prime)" "$(field "$s1" 'Share ID')" "$(field "$s1" 'Share value')" \
  "$(field "$s3" 'Share ID')" "$(field "$s3" 'Share value')" |
  "$admin" keys dkek-combine "$work/dkek.pbe" --combine 2 $auth >> "$out" 2>&1 || { cat "$out"; exit 1; }
# one share is not enough
if printf '%s\n%s\n%s\n' "$(field "$s1" Prime)" "$(field "$s1" 'Share ID')" "$(field "$s1" 'Share value')" |
  "$admin" keys dkek-combine "$work/dkek.pbe" --combine 1 $auth >> "$out" 2>&1; then
  echo "dkek-combine accepted fewer shares than the threshold"; exit 1
fi

cat "$out"
grep -q "Key KMC/enc version 1: check value" "$out"
grep -q "check value .* matches the file" "$out"
grep -q "KST .*retired" "$out"
kmc_kcv=$(sed -n 's/^Key KMC\/enc version 1: check value \([0-9A-F]*\).*/\1/p' "$out")
grep -q "Key KMC version 1 imported; check value $kmc_kcv" "$out"

# no secret anywhere: typed components, generated components, password shares
for secret in $C1 $C2 $C3 $(cat "$work"/secrets/secret-0*.txt | sed -n 's/^Share value : //p;/^[0-9A-F]\{32\}$/p'); do
  for f in "$out" "$CARDLINE_STORE" "$CARDLINE_STORE-wal"; do
    if [ -e "$f" ] && grep -aqi -- "$secret" "$f"; then echo "secret leaked into $f"; exit 1; fi
  done
done
echo "audit chain:"; "$admin" store verify
# the ceremony's records signed by the audit key in the token; the exported checkpoint anchors them elsewhere
"$admin" store checkpoint key-create | tee "$work/audit-key.txt"
fingerprint=$(sed -n 's/.*fingerprint \([0-9a-f]\{64\}\).*/\1/p' "$work/audit-key.txt")
"$admin" store checkpoint sign
"$admin" store checkpoint export --out "$work/checkpoint.txt"
"$admin" store verify --require-signed --checkpoint "$work/checkpoint.txt" --key-fingerprint "$fingerprint"
if "$admin" store verify --key-fingerprint 0000000000000000000000000000000000000000000000000000000000000000 \
  >"$work/wrong-key.txt" 2>&1; then
  echo "a checkpoint signed by another key passed"; exit 1
fi
grep -q "checkpoints: FAILED: the checkpoints are signed by key $fingerprint" "$work/wrong-key.txt"
grep -aq "key.import-wrapped" "$CARDLINE_STORE" "$CARDLINE_STORE-wal" 2>/dev/null
# every ceremony record names the signed-in custodian, nobody else
actors=$(python3 -c 'import sqlite3,sys
print(" ".join(sorted({r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT actor FROM audit WHERE action LIKE \x27key.%\x27 OR action LIKE \x27dkek.%\x27")})))' "$CARDLINE_STORE")
[ "$actors" = keeper ] || { echo "key audit actors: $actors"; exit 1; }
echo ok
