#!/bin/bash
# remote-service: the production service's rules (DESIGN §8, issue 16) against the minimal independent client
# (ram-client.py) through the rig's real pcscd and the virtual card:
#   - session resume by cookie: the client's connection drops mid-session and it resumes with its cookie (the
#     attempt that ran is closed as torn, the card resumes from its journal and is good); a card with another ATR
#     under that cookie is refused (504), and so is another chip with the same ATR (notify -1), its chip untouched;
#   - a batch never exceeds its quantity: a chip beyond it is refused (notify -2: no place, naming the batch), and once
#     the batch is complete a URL for it is refused at the first POST (504 naming the batch);
#   - the request's Content-Type and X-Admin-Protocol are checked (415, 400);
#   - a slow store (another process holds its write lock for seconds) is answered within the service's answer budget
#     with a notify, not an empty template, and the card is good.
#
#   test-remote-service.sh CARDLINE-SERVER CARDLINE-ADMIN CARDLINE-VCARD RAM-CLIENT.PY
#   (under rig-run --readers 1 --parts pcsc,hsm)
set -eu

server=$1
admin=$2
vcard=$3
client=$4
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
# shellcheck source-path=SCRIPTDIR source=line-customer.sh
. "$(dirname "$0")/line-customer.sh"

store=$work/service.db
# shellcheck source-path=SCRIPTDIR source=remote-service.sh
. "$(dirname "$0")/remote-service.sh"
remote_service_setup
manufacture_images 4
server_pid=""
trap 'stop_service; cleanup' EXIT
# an answer budget of 2 s: a store held for 5 s is slower than it
start_service 0 --answer-budget 2 --client-timeout 6

# a batch of 2, and a URL that would admit 4 cards into it
url=$("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch remote --profile "$profile" --quantity 2 \
  --cards 4 --base "$base") || fail "produce-url"

show ()
{
  cat "$work/client.out"
  tail -n 5 "$work/server.log"
}

# --- the request's headers ---
insert_card "${images[0]}"
ram "$url" --content-type "application/octet-stream"
grep -q "^end: 415 Content-Type must be application/org.openscdp-content-mgt-response" "$work/client.out" ||
  fail "a wrong Content-Type: $(show)"
ram "$url" --admin-protocol "example-admin/1.0"
grep -q "^end: 400 X-Admin-Protocol must be openscdp-remote-admin/1.0" "$work/client.out" ||
  fail "a wrong X-Admin-Protocol: $(show)"
ram "$url" --admin-protocol "globalplatform-remote-admin/1.0" --drop-after 1 --resume-atr 3B00
# (the older clients' protocol name is taken: the card is served; the resume with another ATR is refused)
grep -q "^resume: with the session cookie" "$work/client.out" || fail "the older protocol name: $(show)"
grep -q "^end: 504 not the card that opened the session (another ATR)" "$work/client.out" ||
  fail "a resume with another ATR: $(show)"
# the refused resume left the session's card waiting for its client: the service closes its attempt when the client
# stays away (--client-timeout)
for _ in $(seq 300); do
  [ "$(service_sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" = 0 ] && break
  sleep 0.1
done
[ "$(service_sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" = 0 ] || fail "the abandoned session's attempt stays open"
echo "ok: Content-Type (415) and X-Admin-Protocol (400) checked; a resume with another ATR refused (504)"

# --- resume by cookie: the connection drops mid-session, the client resumes with its cookie ---
ram "$url" --drop-after 6
[ "$rc" = 0 ] || fail "card 1 resumed by cookie: $(show)"
grep -q "^resume: with the session cookie" "$work/client.out" || fail "card 1 did not drop: $(show)"
grep -q "^notify [0-9]*: Card good: serial DE" "$work/client.out" || fail "card 1 resumed: $(show)"
chip1=$(chip_of "${images[0]}")
[ "$(service_sql "SELECT count(*) FROM attempts WHERE chip_id = '$chip1' AND result = 'GOOD'")" = 1 ] ||
  fail "card 1's attempts: $(service_sql "SELECT result, reject_reason FROM attempts WHERE chip_id = '$chip1'")"
[ "$(service_sql "SELECT count(*) FROM attempts WHERE chip_id = '$chip1'")" -ge 2 ] ||
  fail "card 1's first attempt was not closed on resume: $(service_sql "SELECT * FROM attempts WHERE chip_id = '$chip1'")"
# the torn attempt's card was not made and came back: RETAINED (its place given back), never in a reject bin
[ "$(service_sql "SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id WHERE a.chip_id = '$chip1'
  AND d.destination <> 'OUTPUT' AND d.destination <> 'RETAINED'")" = 0 ] ||
  fail "card 1's torn attempt is counted as disposed: $(service_sql "SELECT a.result, d.destination FROM attempts a
    JOIN dispositions d ON d.attempt_id = a.id WHERE a.chip_id = '$chip1'")"
pull_card
echo "ok: a session resumed by its cookie after the connection dropped; the card is good"

# --- another chip with the same ATR under a session's cookie: the session's card is swapped mid-session ---
insert_card "${images[1]}"
chip2=$(chip_of "${images[1]}")
chip3=$(chip_of "${images[2]}")
# swap.sh: pulls the card (pcscd sees the reader empty) and puts card 3 in, while the client holds the session
cat >"$work/swap.sh" <<SWAP
kill -TERM $card
for i in \$(seq 100); do opensc-tool -r '$reader' -a >/dev/null 2>&1 || break; sleep 0.1; done
'$vcard' run --image '${images[2]}' --port $port >/dev/null 2>&1 &
echo \$! >'$work/swapped.pid'
for i in \$(seq 100); do opensc-tool -r '$reader' -a >/dev/null 2>&1 && break; sleep 0.1; done
SWAP
ram "$url" --after 6 --run "sh '$work/swap.sh'" --drop-after 6
[ -s "$work/swapped.pid" ] || fail "the card was not swapped: $(show)"
card=$(cat "$work/swapped.pid")
[ "$rc" = 3 ] || fail "another chip under the session's cookie: $(show)"
grep -q "^notify -1: This is not the card that opened the session" "$work/client.out" ||
  fail "another chip under the session's cookie: $(show)"
[ "$(service_sql "SELECT count(*) FROM attempts WHERE chip_id = '$chip3'")" = 0 ] || fail "the other chip was touched"
[ "$(service_sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" = 0 ] || fail "an attempt left open"
# not this shell's child: pulled by its pid
kill -TERM "$card"
card=""
for _ in $(seq 100); do opensc-tool -r "$reader" -a >/dev/null 2>&1 || break; sleep 0.1; done
echo "ok: another chip with the same ATR refused under the session's cookie (notify -1), left untouched"

# --- the batch's quantity: chips 1 and 2 have its places (2 was admitted before the swap), so chip 4 is refused;
# chip 2 comes back and is made; the complete batch refuses a URL for it at the first POST ---
insert_card "${images[3]}"
ram "$url"
[ "$rc" = 3 ] || fail "a chip beyond the batch's quantity: $(show)"
grep -q "^notify -2: The batch has taken its quantity of cards" "$work/client.out" ||
  fail "a chip beyond the batch's quantity: $(show)"
pull_card
insert_card "${images[1]}"
ram "$url"
[ "$rc" = 0 ] || fail "card 2: $(show)"
grep -q "^notify [0-9]*: Card good: serial DE" "$work/client.out" || fail "card 2: $(show)"
[ "$(service_sql "SELECT count(*) FROM attempts WHERE result = 'GOOD'")" = 2 ] || fail "the batch exceeded its quantity"
url2=$("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch remote --base "$base") ||
  fail "produce-url for the complete batch"
ram "$url2"
grep -q "^end: 504 the batch is complete: its 2 cards are made" "$work/client.out" ||
  fail "a URL for the complete batch: $(show)"
[ "$(service_sql "SELECT count(*) FROM audit WHERE action = 'production-url-refused' AND detail LIKE '%batch%'")" -ge 2 ] ||
  fail "the refusals are not audited"
pull_card
echo "ok: a batch never exceeds its quantity; a URL for the complete batch is refused (504)"

# --- a slow store: its write lock held by another process for 5 s mid-card ---
url3=$("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch slow --profile "$profile" --quantity 1 \
  --base "$base") || fail "produce-url slow"
hold="python3 -c 'import sqlite3,sys,time; db=sqlite3.connect(sys.argv[1], isolation_level=None); db.execute(\"BEGIN IMMEDIATE\"); open(sys.argv[2],\"w\").close(); time.sleep(5); db.execute(\"COMMIT\")' '$store' '$work/locked'"
insert_card "${images[3]}"
ram "$url3" --after 4 --run "$hold & for i in \$(seq 200); do [ -e '$work/locked' ] && break; sleep 0.05; done"
[ "$rc" = 0 ] || fail "the card with a slow store: $(show)"
grep -q "^notify [0-9]*: Still working: the production service waits for its HSM or its store" "$work/client.out" ||
  fail "no notify while the store was slow: $(show)"
grep -q "^notify [0-9]*: Card good: serial DE" "$work/client.out" || fail "the card with a slow store: $(show)"
pull_card
echo "ok: a slow store answered within the budget with a notify; the card is good"

[ "$(service_sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" = 0 ] || fail "attempts left open"
[ "$(service_sql "SELECT count(*) FROM attempts WHERE result = 'GOOD'")" = "$(service_sql "SELECT count(DISTINCT chip_id) FROM attempts WHERE result = 'GOOD'")" ] ||
  fail "a chip made GOOD twice"
