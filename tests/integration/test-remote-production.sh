#!/bin/bash
# remote-production: cardline-server (issue 16) producing cards over RAMOverHTTP for a minimal independent client
# (ram-client.py: Python's standard library and pyscard, nothing of Cardline) through the rig's real pcscd and the
# virtual card; then the cards are checked as local production's are (test-line-opensc.sh).
#
#   test-remote-production.sh CARDLINE-SERVER CARDLINE-ADMIN CARDLINE-VCARD LINE-CARD-CHECK CHECK-CARD-KEYS.PY
#                             RAM-CLIENT.PY
#   (under rig-run --readers 1 --parts pcsc,hsm)
#
# Card A is pulled mid-session (after a round trip) and resumes through its URL; card B's client sends a malformed
# template (400), the attempt is closed and the card resumes; card C's service is killed mid-session and restarted,
# and the card resumes from its journal; card D's client is killed, the service closes the attempt when the client
# stays away, and the card resumes. A used, a forged and an expired URL are refused. Every chip ends with one
# GOOD attempt, one certificate and no attempt left open; the issuing, use and refusals of the URLs are audited.
set -eu

server=$1
admin=$2
vcard=$3
check=$4
card_keys=$5
client=$6
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
server_options=()
trap 'stop_service; cleanup' EXIT
# start_server [PORT]: on a free port first, then (restarted) on the same one, which the URLs name
start_server ()
{
  start_service "${1:-0}" --answer-budget 2 --client-timeout 4 "${server_options[@]}"
}
# a profile that initialises cards would send SO-PIN and PIN outside the secure channel: the service refuses it
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/customer.key" 2>/dev/null
openssl pkey -in "$work/customer.key" -pubout -out "$work/customer.pub"
python3 - "$profile" "$work/initialised.profile" "$source_dir/data" "$work/customer.pub" <<'PY'
import sys
text = open(sys.argv[1]).read().replace("cap-file=demo/", "cap-file=%s/demo/" % sys.argv[3])
text = text.replace("template=faces/", "template=%s/faces/" % sys.argv[3])
text = text.replace("ship=uninitialised\n", "ship=initialised\noptions=0001\npin-source=random\npin-length=6\n"
                    "so-pin-source=random\nretry-counter=3\npin-export-key=%s\n" % sys.argv[4])
open(sys.argv[2], "w").write(text)
PY
if out=$("$server" --profile "$work/initialised.profile" --store "$store" --cert "$work/tls.pem" --key "$work/tls.key" \
  --port 0 --station refused-service 2>&1); then
  fail "cardline-server served a profile that initialises cards: $out"
fi
echo "$out" | grep -q "ships cards initialised" || fail "the refusal does not say why: $out"
echo "ok: a profile that initialises cards is refused by the service"

start_server

urls=$("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch remote --profile "$profile" --quantity 4 \
  --count 4 --base "$base") || fail "produce-url"
mapfile -t url <<<"$urls"
[ "${#url[@]}" = 4 ] || fail "produce-url printed ${#url[@]} URLs: $urls"
for u in "${url[@]}"; do
  [[ $u =~ ^https://127\.0\.0\.1:[0-9]+/ram/[A-Za-z0-9_-]{43}$ ]] || fail "not a production URL: $u"
done
# the store keeps hashes, never the tokens
for u in "${url[@]}"; do
  grep -c "${u##*/}" "$store" >/dev/null && fail "the store holds a URL's token"
done

# --- card A: pulled after the 5th round trip, then put in again: it resumes through the same URL ---
insert_card "${images[0]}"
ram "${url[0]}" --after 5 --run "kill -TERM $card"
card=""
grep -q "^end: 204" "$work/client.out" || fail "card A pulled: $(cat "$work/client.out")"
grep -q "Card rejected: CARD_REMOVED" "$work/client.out" || fail "card A pulled: $(cat "$work/client.out")"
chip_a=$(chip_of "${images[0]}")
[ "$(service_sql "SELECT result, reject_reason FROM attempts WHERE chip_id = '$chip_a'")" = "REJECTED|CARD_REMOVED" ] ||
  fail "card A's attempt: $(service_sql "SELECT * FROM attempts WHERE chip_id = '$chip_a'")"
insert_card "${images[0]}"
ram "${url[0]}"
[ "$rc" = 0 ] || fail "card A resumed: $(cat "$work/client.out")"
grep -q "^notify [0-9]*: Card good: serial DE" "$work/client.out" || fail "card A resumed: $(cat "$work/client.out")"
pull_card
echo "ok: card A pulled mid-session, resumed and good"

# --- card B: a malformed template is refused with 400; its attempt is closed; the card resumes ---
insert_card "${images[1]}"
ram "${url[1]}" --malformed-after 6
grep -q "^end: 400 .*R-APDUs" "$work/client.out" || fail "malformed template: $(cat "$work/client.out")"
chip_b=$(chip_of "${images[1]}")
[ "$(service_sql "SELECT count(*) FROM attempts WHERE chip_id = '$chip_b' AND ended IS NULL")" = 0 ] ||
  fail "card B's attempt left open after the malformed template"
ram "${url[1]}"
grep -q "^notify [0-9]*: Card good: serial DE" "$work/client.out" || fail "card B resumed: $(cat "$work/client.out")"
echo "ok: card B's malformed template refused (400), card resumed and good"

# --- refusals: a used URL, a forged one, an expired one ---
ram "${url[0]}"
[ "$rc" = 5 ] || fail "a used URL was not refused with 504: $(cat "$work/client.out")"
ram "$base/ram/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
[ "$rc" = 4 ] || fail "a forged URL was not refused with 404: $(cat "$work/client.out")"
ram "$base/ram/short"
[ "$rc" = 4 ] || fail "a malformed URL was not refused with 404: $(cat "$work/client.out")"
expired=$("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch remote --expires 1 --base "$base") ||
  fail "produce-url --expires 1"
issued=$(date +%s)
while [ "$(date +%s)" -le $((issued + 1)) ]; do sleep 0.2; done
ram "$expired"
[ "$rc" = 5 ] || fail "an expired URL was not refused with 504: $(cat "$work/client.out")"
pull_card
echo "ok: used (504), forged (404) and expired (504) URLs refused"

# --- card C: the service is killed mid-session and restarted; the card resumes from its journal ---
insert_card "${images[2]}"
ram "${url[2]}" --after 12 --run "kill -KILL $server_pid"
[ "$rc" = 7 ] || fail "client with the service killed: $(cat "$work/client.out")"
wait "$server_pid" 2>/dev/null || true
server_pid=""
start_server "${base##*:}"
ram "${url[2]}"
[ "$rc" = 0 ] || fail "card C after the restart: $(cat "$work/client.out")"
grep -q "^notify [0-9]*: Card good: serial DE" "$work/client.out" || fail "card C resumed: $(cat "$work/client.out")"
grep "^stats:" "$work/client.out"
pull_card
echo "ok: card C resumed after the service was killed"

# --- card D: its client is killed mid-session; the service ends the attempt when the client stays away (its
# --client-timeout), and the card resumes with a new client ---
insert_card "${images[3]}"
ram "${url[3]}" --after 8 --run 'kill -KILL $PPID'
[ "$rc" = 137 ] || fail "the killed client: $rc $(cat "$work/client.out")"
chip_d=$(chip_of "${images[3]}")
ended=""
for _ in $(seq 1 300); do
  ended=$(service_sql "SELECT result || ' ' || reject_reason FROM attempts WHERE chip_id = '$chip_d' AND ended IS NOT NULL")
  [ -n "$ended" ] && break
  sleep 0.1
done
[ "$ended" = "REJECTED CARD_REMOVED" ] || fail "card D's attempt after its client was killed: '$ended'"
ram "${url[3]}"
grep -q "^notify [0-9]*: Card good: serial DE" "$work/client.out" || fail "card D resumed: $(cat "$work/client.out")"
pull_card
echo "ok: card D's client killed, the attempt closed by the service, the card resumed and good"

# --- the records: one GOOD attempt and one certificate per chip, nothing open, the URLs audited ---
[ "$(service_sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" = 0 ] || fail "attempts left open"
[ "$(service_sql "SELECT count(DISTINCT chip_id) FROM attempts WHERE result = 'GOOD'")" = 4 ] || fail "not 4 good chips"
[ "$(service_sql "SELECT count(*) FROM attempts WHERE result = 'GOOD'")" = 4 ] || fail "a chip made GOOD twice"
[ "$(service_sql "SELECT count(*) FROM certificates")" = 4 ] || fail "certificates: $(service_sql "SELECT chip_id FROM certificates")"
for action in production-url-issue production-url-use production-url-refused; do
  [ "$(service_sql "SELECT count(*) FROM audit WHERE action = '$action'")" -gt 0 ] || fail "no $action in the audit"
done

# --- the cards pass the same checks as local production's ---
python3 "$card_keys" "${CARDLINE_SHARED_DIR:?}/vectors/diversification.txt" "$keys" 01 "${images[@]}" ||
  fail "card keys are not the published KDF3 of the KMC"
check_like_local "$check" "${images[@]}"

# --- mutual TLS: with --client-ca only known stations are served ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=stations \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=station-1 -keyout "$work/known.key" \
  -out "$work/known.csr" 2>/dev/null
openssl x509 -req -in "$work/known.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
  -out "$work/known.crt" 2>/dev/null
cat "$work/known.crt" "$work/known.key" >"$work/known.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=station-1 \
  -keyout "$work/stranger.key" -out "$work/stranger.crt" 2>/dev/null
cat "$work/stranger.crt" "$work/stranger.key" >"$work/stranger.pem"
stop_service
server_options=(--client-ca "$work/ca.pem")
start_server "${base##*:}"
insert_card "${images[0]}"
forged="$base/ram/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
ram "$forged"
[ "$rc" = 6 ] || [ "$rc" = 7 ] || fail "mutual TLS: a client without a certificate was served: $(cat "$work/client.out")"
ram "$forged" --cert "$work/stranger.pem"
[ "$rc" = 6 ] || [ "$rc" = 7 ] || fail "mutual TLS: an unknown station was served: $(cat "$work/client.out")"
ram "$forged" --cert "$work/known.pem"
[ "$rc" = 4 ] || fail "mutual TLS: a known station was not served: $(cat "$work/client.out")"
pull_card
echo "ok: mutual TLS serves known stations only"
echo "ok: 4 cards produced remotely and verified independently"
