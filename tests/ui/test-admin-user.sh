#!/bin/bash
# cardline-admin user add|list|disable round trip: the password goes in on stdin or from a file, and never
# comes out (not in any output, not in the store's files). Only the first account of an empty store is made
# without signing in (and it is an administrator); everything after needs an administrator's password, from a
# 0600 file (a group- or world-readable one is refused) or the terminal; the audit actor is that account, and
# --actor is gone. A name with a newline or ESC is refused and cannot forge a row of `user list`.
# --headless batches run only for a signed-in operator, supervisor or admin.
set -eu
admin="$1"
cardline="$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export CARDLINE_STORE="$dir/store.db"
secret='Tr0ub4dor&3-horse'
fail() { echo "not ok: $*"; exit 1; }
sql() {
  python3 -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1]); rows = c.execute(sys.argv[2]).fetchall(); c.commit()
print("\n".join("|".join(map(str, r)) for r in rows))' "$CARDLINE_STORE" "$1"
}
# Without a controlling terminal (a service, CI): a password prompt has nowhere to go.
notty() { setsid -w "$@"; }

printf '%s\n' "$secret" >"$dir/pw"
chmod 600 "$dir/pw"
auth=(--user ada --password-file "$dir/pw")

# An empty store: its first account must be an administrator; nothing else runs without signing in.
printf '%s\n' "$secret" | "$admin" user add quinn --role qa >"$dir/out" 2>&1 && fail "first account not an admin"
grep -q 'first one is an administrator' "$dir/out" || fail "first-account refusal: $(cat "$dir/out")"
printf '%s\n' "$secret" | "$admin" user add ada --role admin >>"$dir/out" 2>&1 || fail "first admin: $(cat "$dir/out")"
grep -q 'Added user ada (ADMIN)' "$dir/out" || fail "add output: $(cat "$dir/out")"
[ "$(sql "SELECT actor FROM audit WHERE action='user-add' AND subject='ada'")" = ada ] || fail "first admin's actor"

# From now on: no sign-in, no change.
printf '%s\n' "$secret" | notty "$admin" user add mallory --role admin >"$dir/e" 2>&1 && fail "added without signing in"
grep -q 'give --password-file' "$dir/e" || fail "no-terminal refusal: $(cat "$dir/e")"
printf 'wrong password\n' >"$dir/wrong" && chmod 600 "$dir/wrong"
printf '%s\n' "$secret" | "$admin" user add mallory --role admin --user ada --password-file "$dir/wrong" >"$dir/e" 2>&1 &&
  fail "wrong password accepted"
grep -q 'Unknown user or wrong password' "$dir/e" || fail "wrong-password refusal: $(cat "$dir/e")"
cp "$dir/pw" "$dir/pw-open" && chmod 644 "$dir/pw-open"
printf '%s\n' "$secret" | "$admin" user add mallory --role admin --user ada --password-file "$dir/pw-open" >"$dir/e" 2>&1 &&
  fail "world-readable password file accepted"
grep -q 'mode 0644' "$dir/e" || fail "open password file refusal: $(cat "$dir/e")"
"$admin" user add mallory --role admin --actor ada "${auth[@]}" </dev/null >"$dir/e" 2>&1 && fail "--actor accepted"

printf '%s\n' "$secret" | "$admin" user add quinn --role qa "${auth[@]}" >>"$dir/out" 2>&1 || fail "add quinn: $(cat "$dir/out")"
"$admin" user add sam --role supervisor --new-password-file "$dir/pw" "${auth[@]}" >>"$dir/out" 2>&1 || fail "add sam"
"$admin" user add olga --role operator --new-password-file "$dir/pw" "${auth[@]}" >>"$dir/out" 2>&1 || fail "add olga"
"$admin" user add nell --role operator --new-password-file "$dir/pw-open" "${auth[@]}" >"$dir/e" 2>&1 &&
  fail "a world-readable new password file was accepted"
grep -q 'New password file .* mode 0644' "$dir/e" || fail "open new password file refusal: $(cat "$dir/e")"
[ "$(sql "SELECT actor FROM audit WHERE action='user-add' AND subject='olga'")" = ada ] || fail "actor is not the signed-in admin"
# A supervisor is not an administrator.
printf '%s\n' "$secret" | "$admin" user add tim --role qa --user sam --password-file "$dir/pw" >"$dir/e" 2>&1 &&
  fail "a supervisor added a user"
grep -q 'User sam (SUPERVISOR) may not manage accounts' "$dir/e" || fail "role refusal: $(cat "$dir/e")"
# Refusals: a taken name, a short password, an unknown role.
printf '%s\n' "$secret" | "$admin" user add sam --role qa "${auth[@]}" >>"$dir/out" 2>&1 && fail "duplicate accepted"
printf 'short\n' | "$admin" user add tim --role qa "${auth[@]}" >>"$dir/out" 2>&1 && fail "short password accepted"
printf '%s\n' "$secret" | "$admin" user add tim --role boss "${auth[@]}" >>"$dir/out" 2>&1 && fail "unknown role accepted"
# Names are data: a newline (forging an ADMIN row), ESC or CR in a name is refused.
printf '%s\n' "$secret" | "$admin" user add "$(printf 'eve\nroot                     ADMIN       active   set')" \
  --role qa "${auth[@]}" >"$dir/e" 2>&1 && fail "a name with a newline was accepted"
grep -q 'control or invisible character (U+000A)' "$dir/e" || fail "newline refusal: $(cat "$dir/e")"
printf '%s\n' "$secret" | "$admin" user add "$(printf 'eve\033[2J')" --role qa "${auth[@]}" >"$dir/e" 2>&1 && fail "ESC accepted"
printf '%s\n' "$secret" | "$admin" user add "$(printf 'eve\rroot')" --role qa "${auth[@]}" >"$dir/e" 2>&1 && fail "CR accepted"
"$admin" user disable olga "${auth[@]}" >>"$dir/out" 2>&1 || fail "disable"
"$admin" user disable nobody "${auth[@]}" >>"$dir/out" 2>&1 && fail "disabling an unknown user succeeded"
# A name that reached the store around the checks (an old store) is escaped in the listing: no forged row.
sql "INSERT INTO users (name, role, created) VALUES ('eve' || char(10) || 'root ADMIN' || char(27) || '[2J', 'QA', 0)" >/dev/null
"$admin" user list "${auth[@]}" >"$dir/list" 2>&1 || fail "list"
cat "$dir/list" >>"$dir/out"
grep -Eq '^olga +OPERATOR +disabled +set' "$dir/list" || fail "olga not disabled: $(cat "$dir/list")"
grep -Eq '^quinn +QA +active +set' "$dir/list" || fail "quinn missing: $(cat "$dir/list")"
grep -Eq '^sam +SUPERVISOR +active +set' "$dir/list" || fail "sam missing: $(cat "$dir/list")"
grep -Fq 'eve\nroot ADMIN\e[2J' "$dir/list" || fail "forged name not escaped: $(cat -A "$dir/list")"
grep -q '^root' "$dir/list" && fail "a name forged a row"
grep -q "$(printf '\033')" "$dir/list" && fail "ESC passed raw"
[ "$(wc -l <"$dir/list")" = 6 ] || fail "rows: $(cat -A "$dir/list")"
grep -q 'tim' "$dir/list" && fail "tim was added"

# The secret is nowhere: not in what was printed, not in the database or its WAL.
grep -aqF "$secret" "$dir/out" && fail "password printed"
for f in "$dir"/store.db*; do
  grep -aqF "$secret" "$f" && fail "password in $f"
done
grep -aq 'pbkdf2-sha256\$600000\$' "$dir"/store.db* || fail "no PBKDF2 hash stored"

# --headless batches: --user is needed, with the account's password; the role must allow line control.
profile=/nonexistent.profile
"$cardline" --headless --profile "$profile" --batch b --quantity 1 --duration 1 </dev/null >"$dir/h" 2>&1 &&
  fail "a batch ran for nobody"
grep -q 'a batch needs --user NAME' "$dir/h" || fail "no-user refusal: $(cat "$dir/h")"
notty "$cardline" --headless --profile "$profile" --batch b --quantity 1 --user sam --duration 1 </dev/null >"$dir/h" 2>&1 &&
  fail "a batch ran without a password"
grep -q 'give --password-file' "$dir/h" || fail "no-password refusal: $(cat "$dir/h")"
"$cardline" --headless --profile "$profile" --batch b --quantity 1 --user sam --password-file "$dir/wrong" \
  --duration 1 >"$dir/h" 2>&1 && fail "a wrong password ran the line"
grep -q 'Unknown user or wrong password' "$dir/h" || fail "wrong-password refusal: $(cat "$dir/h")"
"$cardline" --headless --profile "$profile" --batch b --quantity 1 --user quinn --password-file "$dir/pw" \
  --duration 1 >"$dir/h" 2>&1 && fail "QA ran the line"
grep -q 'may not run the line' "$dir/h" || fail "QA refusal: $(cat "$dir/h")"
"$cardline" --headless --profile "$profile" --batch b --quantity 1 --user olga --password-file "$dir/pw" \
  --duration 1 >"$dir/h" 2>&1 && fail "a disabled user ran the line"
# sam signs in (audited); the batch then fails only on the missing profile
"$cardline" --headless --profile "$profile" --batch b --quantity 1 --user sam --password-file "$dir/pw" \
  --duration 1 >"$dir/h" 2>&1 && fail "a missing profile ran"
grep -q 'nonexistent.profile' "$dir/h" || fail "supervisor refused: $(cat "$dir/h")"
[ "$(sql "SELECT count(*) FROM audit WHERE action='login' AND actor='sam'")" -ge 1 ] || fail "sign-in not audited"
# A newline in --batch is refused before anything runs.
"$cardline" --headless --profile "$profile" --batch "$(printf 'b\n00:00:00 good chip=FORGED')" --quantity 1 \
  --user sam --password-file "$dir/pw" --duration 1 >"$dir/h" 2>&1 && fail "a batch name with a newline ran"
grep -q -- '--batch has a control or invisible character' "$dir/h" || fail "batch-name refusal: $(cat "$dir/h")"
echo "ok: cardline-admin user round trip"
