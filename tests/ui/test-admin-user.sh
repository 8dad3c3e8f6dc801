#!/bin/sh
# cardline-admin user add|list|disable round trip: the password goes in on stdin or from a file, and never
# comes out (not in any output, not in the store's files).
set -eu
admin="$1"
cardline="$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export CARDLINE_STORE="$dir/store.db"
secret='Tr0ub4dor&3-horse'
fail() { echo "not ok: $*"; exit 1; }

printf '%s\n' "$secret" | "$admin" user add quinn --role qa >"$dir/out" 2>&1 || fail "add quinn: $(cat "$dir/out")"
grep -q 'Added user quinn (QA)' "$dir/out" || fail "add output: $(cat "$dir/out")"
printf '%s\n' "$secret" >"$dir/pw"
chmod 600 "$dir/pw"
"$admin" user add sam --role supervisor --password-file "$dir/pw" >>"$dir/out" 2>&1 || fail "add sam"
"$admin" user add olga --role operator --password-file "$dir/pw" --actor lead >>"$dir/out" 2>&1 || fail "add olga"
# Refusals: a taken name, a short password, an unknown role.
printf '%s\n' "$secret" | "$admin" user add sam --role qa >>"$dir/out" 2>&1 && fail "duplicate accepted"
printf 'short\n' | "$admin" user add tim --role qa >>"$dir/out" 2>&1 && fail "short password accepted"
printf '%s\n' "$secret" | "$admin" user add tim --role boss >>"$dir/out" 2>&1 && fail "unknown role accepted"
"$admin" user disable olga >>"$dir/out" 2>&1 || fail "disable"
"$admin" user disable nobody >>"$dir/out" 2>&1 && fail "disabling an unknown user succeeded"
"$admin" user list >"$dir/list" 2>&1 || fail "list"
cat "$dir/list" >>"$dir/out"
grep -Eq '^olga +OPERATOR +disabled +set' "$dir/list" || fail "olga not disabled: $(cat "$dir/list")"
grep -Eq '^quinn +QA +active +set' "$dir/list" || fail "quinn missing: $(cat "$dir/list")"
grep -Eq '^sam +SUPERVISOR +active +set' "$dir/list" || fail "sam missing: $(cat "$dir/list")"
grep -q 'tim' "$dir/list" && fail "tim was added"

# The secret is nowhere: not in what was printed, not in the database or its WAL.
grep -aqF "$secret" "$dir/out" && fail "password printed"
for f in "$dir"/store.db*; do
  grep -aqF "$secret" "$f" && fail "password in $f"
done
grep -aq 'pbkdf2-sha256\$600000\$' "$dir"/store.db* || fail "no PBKDF2 hash stored"

# --headless --user: the account must be active and allowed line control; the start is audited.
"$cardline" --headless --user quinn --duration 1 >"$dir/h" 2>&1 && fail "QA ran the line"
grep -q 'may not run the line' "$dir/h" || fail "QA refusal: $(cat "$dir/h")"
"$cardline" --headless --user olga --duration 1 >"$dir/h" 2>&1 && fail "a disabled user ran the line"
"$cardline" --headless --user sam --duration 1 >"$dir/h" 2>&1 || fail "supervisor refused: $(cat "$dir/h")"
grep -aq 'headless-start' "$dir"/store.db* || fail "headless start not audited"
echo "ok: cardline-admin user round trip"
