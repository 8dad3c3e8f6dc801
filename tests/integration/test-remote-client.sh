#!/bin/bash
# remote-client: the station as a client of a production service (DESIGN §8, remote production), against a small
# dialect-speaking server written in the test (ram-dialect-server.py, Python stdlib over TLS): the same client
# works with any server that speaks the dialect, whatever its notify texts.
#
#   test-remote-client.sh CARDLINE CARDLINE-ADMIN CARDLINE-VCARD PRINTER-SIM
#   (under rig-run --readers 1 --parts pcsc,hsm,cups)
#
# Reference cards are first produced locally (the station with the token) and so carry a real chain in 2F02. Then
# a station with no token (the PKCS#11 and SoftHSM variables removed) runs `cardline --headless --remote URL`:
#   - scripted session SELECT + GET DATA: POSTs only, to the one URL, the dialect's headers, a cookie per card's
#     session, the count and R-APDUs as the card answered; the produced cards are checked by the station (2F02
#     device -> DICA -> SRCA, serial) and GOOD, with the serial local production recorded; a blank card REJECTED
#     VERIFY_FAILED; the card-face step skipped (no face); the production token never in the station's output;
#   - a wrong SRCA: the produced card REJECTED VERIFY_FAILED naming the chain;
#   - reset (C0 00 answered with the ATR); abort (notify -1: no further POST, REJECTED with the service's text);
#     no place (notify -2: the batch complete, the card neither rejected nor blamed);
#     refuse (504: REJECTED WRONG_CARD);
#   - a card torn mid-batch: E1 with the PC/SC error text, the count of what it answered, the POST still made,
#     REJECTED CARD_REMOVED;
#   - the service down at the start and its network cut by a loopback proxy, then delayed past the POST budget: the
#     line pauses with "production service unreachable", the card waits (never rejected), and resumes when back.
set -eu

cardline=$1
admin=$2
vcard=$3
sim=$4
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
here=$(dirname "$0")
work=$(mktemp -d)
sim_pid=""
line_pid=""
server_pid=""
proxy_pid=""
cleanup ()
{
  for pid in $line_pid $sim_pid $server_pid $proxy_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $line_pid $sim_pid $server_pid $proxy_pid; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${CARDLINE_KEEP_WORK:-}" ]; then cp -r "$work" "$CARDLINE_KEEP_WORK"; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "FAIL: $*" >&2
  [ -f "$work/remote.out" ] && tail -n 40 "$work/remote.out" >&2
  [ -f "$work/remote.err" ] && tail -n 20 "$work/remote.err" >&2
  [ -f "$work/server.log" ] && tail -n 10 "$work/server.log" >&2
  exit 1
}

export CARDLINE_PKI_DIR=$work/pki
store=$work/station.db
. "$source_dir/tests/rig/station-accounts.sh"
. "$source_dir/tests/integration/printer-station.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"
"$admin" demo-setup --keys "$keys" >/dev/null || fail "demo-setup"
reader=${CARDLINE_READER_NAMES%%,*}

# ---- reference cards, produced locally by a station with the token ----
manufacture_cards "$work/cards" 8
mkdir -p "$work/hopper"
mv "$work"/cards/card-000[12].vcard "$work/hopper/"
start_printer_sim "$work/hopper"
"$cardline" --headless "${operator_auth[@]}" --printer "$printer" --printer-reader "$reader" --profile "$profile" \
  --batch reference --quantity 2 --store "$store" --duration 120 >"$work/local.out" 2>"$work/local.err" ||
  fail "local production: $(tail -n 5 "$work/local.err")"
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=""
grep -q "batch reference complete" "$work/local.out" || fail "local production did not complete"
[ "$(find "$work/output" -name '*.vcard' | wc -l)" = 2 ] || fail "local production: not 2 good cards"
sql ()
{
  python3 -c 'import sqlite3,sys; print("\n".join("|".join(str(c) for c in r) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$store" "$1"
}
serials=$(sed -n 's/.* good chip=[^ ]* serial=\([^ ]*\) .*/\1/p' "$work/local.out" | tr '\n' ' ')
[ -n "$serials" ] || fail "local production printed no serials"
mkdir -p "$work/produced"
mv "$work"/output/*.vcard "$work/produced/"

# ---- the production service: a scripted dialect server over TLS ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null
token=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
start_server ()
{
  local script=$1 port=${2:-0}
  rm -f "$work/server.port" "$work/server.log"
  python3 "$here/ram-dialect-server.py" --cert "$work/tls.pem" --key "$work/tls.key" --port "$port" \
    --port-file "$work/server.port" --log "$work/server.log" --script "$script" --control "$work/control" \
    2>>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$work/server.port" ] && break; sleep 0.05; done
  [ -s "$work/server.port" ] || fail "dialect server did not start"
  server_port=$(head -n 1 "$work/server.port")
  touch "$work/server.log"
}
stop_server ()
{
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# run_remote NAME QUANTITY URL [OPTIONS...]: the station without a token, printer-fed, in the background
start_remote ()
{
  local name=$1 quantity=$2 url=$3
  shift 3
  env -u CARDLINE_P11_MODULE -u CARDLINE_P11_TOKEN -u CARDLINE_P11_PIN_FILE -u CARDLINE_P11_SO_PIN_FILE \
    -u SOFTHSM2_CONF "$cardline" --headless --remote "$url" --remote-ca "$work/tls.pem" \
    --srca "$CARDLINE_PKI_DIR/srca.cvc" --printer "$printer" --printer-reader "$reader" --quantity "$quantity" \
    --duration 120 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  line_pid=$!
}
wait_remote ()
{
  local name=$1 status=0
  wait "$line_pid" || status=$?
  line_pid=""
  cp "$work/$name.out" "$work/remote.out"
  cp "$work/$name.err" "$work/remote.err"
  [ "$status" = 0 ] || fail "$name: cardline --remote exited $status"
}
feed ()
{
  rm -rf "$work/hopper" "$work/output" "$work/reject"
  mkdir -p "$work/hopper"
  cp "$@" "$work/hopper/"
  start_printer_sim "$work/hopper"
}
end_feed ()
{
  kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=""
}
url_of ()
{
  echo "https://127.0.0.1:$1/se/cardline?token=$token"
}
jq_log ()
{
  python3 -c 'import json,sys; [print(eval(sys.argv[1], {}, {"e": json.loads(l)})) for l in open(sys.argv[2])]' "$1" "$work/server.log" 2>/dev/null
}

# ---- 1. a scripted session: two produced cards and a blank one ----
start_server cplc
feed "$work"/produced/*.vcard "$work/cards/card-0003.vcard"
start_remote cplc 3 "$(url_of "$server_port")"
wait_remote cplc
end_feed
out=$work/cplc.out
grep -q "remote batch complete cards=3 good=2 rejected=1" "$out" || fail "cplc: not 2 good and 1 rejected"
for s in $serials; do
  grep -q "good chip=.* serial=$s " "$out" || fail "cplc: serial $s (local production's) not GOOD remotely"
done
grep -q "reject chip=- reason=VERIFY_FAILED step=VERIFY" "$out" || fail "cplc: the blank card not rejected at VERIFY"
[ -f "$work/reject/card-0003.vcard" ] || fail "cplc: the blank card is not in the reject bin"
[ "$(find "$work/output" -name '*.vcard' | wc -l)" = 2 ] || fail "cplc: the output hopper does not hold 2 cards"
grep -q "service notify=1 text=reading the CPLC" "$out" || fail "cplc: the service's notify not shown"
grep -q "service end=completed round-trips=3 apdus=2" "$out" || fail "cplc: session traffic not reported"
grep -q "step chip=.* step=VERIFY result=OK .*chain verifies to CLSRCA00001" "$out" || fail "cplc: no VERIFY detail"
grep -q -- "$token" "$work/cplc.out" "$work/cplc.err" && fail "cplc: the production token is in the station's output"
# what the service saw: POSTs only, to the one URL, with the dialect's headers
[ "$(jq_log 'e["method"]' | sort -u)" = POST ] || fail "cplc: a request other than POST"
[ "$(jq_log 'e["path"]' | sort -u)" = "/se/cardline?token=$token" ] || fail "cplc: a POST to another URL"
[ "$(jq_log 'e["content_type"]' | sort -u)" = "application/org.openscdp-content-mgt-response;version=1.0" ] ||
  fail "cplc: Content-Type"
[ "$(jq_log 'e["protocol"]' | sort -u)" = "openscdp-remote-admin/1.0" ] || fail "cplc: X-Admin-Protocol"
[ "$(jq_log 'e["accept"]' | sort -u)" = "*/*" ] || fail "cplc: Accept"
[ "$(jq_log 'e.get("error")' | sort -u)" = None ] || fail "cplc: a POST without its session's cookie"
# each card its own session: a first POST without a cookie, then the cookie the service set
[ "$(jq_log '(e["step"], e["cookie"] is None)' | sort | uniq -c | awk '{print $1 $2 $3 $4}' | tr '\n' ' ')" = \
  "3(0,True) 3(1,False) 3(2,False) " ] || fail "cplc: sessions and cookies: $(jq_log '(e["step"], e["cookie"])')"
[ "$(jq_log 'e["session"]' | sort -u | wc -l)" = 3 ] || fail "cplc: not one session per card"
# the first POST carries the card's ATR; the second the two R-APDUs and their count
jq_log 'e["elements"]' | grep -q "^\[\['C0', '3b" || fail "cplc: the first POST has no ATR"
jq_log '[t for t, v in e["elements"]] if e["step"] == 1 else ""' | grep -qx "\['23', '23', '80'\]" ||
  fail "cplc: the second POST is not R-APDU, R-APDU, count"
jq_log 'e["elements"][-1] if e["step"] == 1 else ""' | grep -qx "\['80', '02'\]" || fail "cplc: count not 2"
jq_log 'e["elements"][1][1] if e["step"] == 1 else ""' | grep -q "9000'*$" || fail "cplc: GET DATA's SW not relayed"
stop_server
echo "remote-client: scripted session ok" >&2

# ---- 2. a station configured with another SRCA: the produced card's chain does not end there ----
start_server cplc
feed "$work/produced/card-0001.vcard"
start_remote wrong-srca 1 "$(url_of "$server_port")" --srca "$CARDLINE_PKI_DIR/dica.cvc"
wait_remote wrong-srca
end_feed
grep -q "reject chip=- reason=VERIFY_FAILED step=VERIFY .*was not issued by SRCA" "$work/wrong-srca.out" ||
  fail "wrong SRCA: the card was not rejected naming the chain"
[ -f "$work/reject/card-0001.vcard" ] || fail "wrong SRCA: the card is not in the reject bin"
stop_server

# ---- 3. reset, abort, refuse ----
start_server reset
feed "$work/produced/card-0001.vcard"
start_remote reset 1 "$(url_of "$server_port")"
wait_remote reset
end_feed
grep -q "remote batch complete cards=1 good=1" "$work/reset.out" || fail "reset: the card is not GOOD"
jq_log '[t for t, v in e["elements"]] if e["step"] == 1 else ""' | grep -qx "\['C0', '23', '80'\]" ||
  fail "reset: the answer is not ATR, R-APDU, count"
jq_log 'e["elements"][0][1] if e["step"] == 1 else ""' | grep -q "^3b" || fail "reset: no ATR after the reset"
stop_server

start_server abort
feed "$work/produced/card-0001.vcard"
start_remote abort 1 "$(url_of "$server_port")"
wait_remote abort
end_feed
grep -q "reject chip=- reason=PROTOCOL_ERROR step=IDENTIFY .*card refused by the service" "$work/abort.out" ||
  fail "abort: not rejected with the service's text"
[ "$(wc -l <"$work/server.log")" = 2 ] || fail "abort: the client POSTed after a negative notify id"
stop_server

# no place in the batch (notify -2): the batch is complete, the card is not blamed (no reject, left where it is)
start_server noplace
feed "$work/produced/card-0001.vcard"
start_remote noplace 2 "$(url_of "$server_port")"
wait_remote noplace
end_feed
grep -q "remote batch complete cards=0 good=0 rejected=0" "$work/noplace.out" ||
  fail "noplace: the run did not end complete: $(cat "$work/noplace.out")"
grep -q "batch complete: the production service has no place left in the batch for this card: the batch is complete" \
  "$work/noplace.out" || fail "noplace: the station does not say the batch is complete: $(cat "$work/noplace.out")"
grep -q " reject " "$work/noplace.out" && fail "noplace: the card was rejected"
[ -z "$(ls "$work/reject")" ] || fail "noplace: the card went to the reject bin"
[ "$(wc -l <"$work/server.log")" = 2 ] || fail "noplace: the client POSTed after a negative notify id"
stop_server

start_server refuse
feed "$work/produced/card-0001.vcard"
start_remote refuse 1 "$(url_of "$server_port")"
wait_remote refuse
end_feed
grep -q "reject chip=- reason=WRONG_CARD step=IDENTIFY .*did not take the card up" "$work/refuse.out" ||
  fail "refuse: a 504 to the first POST did not reject WRONG_CARD"
stop_server
echo "remote-client: SRCA, reset, abort, refuse ok" >&2

# ---- 4. the card torn mid-batch: E1 with the PC/SC error, the count of what it answered, the POST made ----
cp "$work/cards/card-0004.vcard" "$work/torn.vcard"
printf '\n[defects]\ntear_after=1\n' >>"$work/torn.vcard"
start_server many
feed "$work/torn.vcard"
start_remote torn 1 "$(url_of "$server_port")"
wait_remote torn
end_feed
jq_log '[t for t, v in e["elements"]] if e["step"] == 1 else ""' | grep -qx "\['23', 'E1', '80'\]" ||
  fail "torn: the POST after the tear is not R-APDU, E1, count"
jq_log 'e["elements"][-1] if e["step"] == 1 else ""' | grep -qx "\['80', '01'\]" || fail "torn: count not 1"
e1=$(jq_log 'e["elements"][1][1] if e["step"] == 1 else ""' | grep -v '^$')
case $e1 in
  *SCARD_*|*mute*|*pulled*) ;;
  *) fail "torn: E1 text is not the card's error: $e1" ;;
esac
grep -q "reject chip=- reason=CARD_REMOVED" "$work/torn.out" || fail "torn: the card was not rejected CARD_REMOVED"
stop_server
echo "remote-client: torn card ok" >&2

# ---- 5. the service gone, the network cut, then slow: the line pauses, the card waits, then resumes ----
service_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo pass >"$work/proxy.control"
python3 "$here/loopback-proxy.py" --target "$service_port" --port-file "$work/proxy.port" \
  --control "$work/proxy.control" 2>>"$work/proxy.err" &
proxy_pid=$!
for _ in $(seq 100); do [ -s "$work/proxy.port" ] && break; sleep 0.05; done
[ -s "$work/proxy.port" ] || fail "proxy did not start"
proxy_port=$(head -n 1 "$work/proxy.port")
wait_for ()
{
  local pattern=$1 file=$2
  for _ in $(seq 600); do
    grep -q -- "$pattern" "$file" && return 0
    kill -0 "$line_pid" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}
feed "$work/produced/card-0002.vcard"
CARDLINE_REMOTE_POST_SECONDS=1 start_remote faults 1 "$(url_of "$proxy_port")"
# the service is not there at all
wait_for "fault fault=production-service card-inside=yes instruction=Production service unreachable" \
  "$work/faults.out" || fail "service gone: no production-service fault with its instruction"
# it comes back behind a cut network
echo drop >"$work/proxy.control"
start_server cplc "$service_port"
wait_for "still waiting (production-service): production service .* unreachable" "$work/faults.out" ||
  fail "faults: the cut network is not reported"
# then the network is slow beyond the POST budget
echo "delay 3" >"$work/proxy.control"
wait_for "still waiting (production-service): production service .* did not answer within 1 s" "$work/faults.out" ||
  fail "slow network: no try ran out of its POST budget"
grep -q "reject" "$work/faults.out" && fail "a station fault was blamed on the card"
# secrets: none known to this test reached the station's output or its memory
if command -v gcore >/dev/null; then
  gcore -o "$work/core" "$line_pid" >/dev/null 2>&1 || fail "gcore could not dump the station"
fi
echo pass >"$work/proxy.control"
wait_for "resumed fault=production-service" "$work/faults.out" || fail "the line did not resume when the service was back"
wait_remote faults
end_feed
grep -q "remote batch complete cards=1 good=1 rejected=0" "$work/faults.out" || fail "faults: the card is not GOOD"
stop_server
echo "remote-client: service gone, network cut and slow ok" >&2

# the station's outputs (not local production's) and its core dump
mapfile -t station_files < <(ls "$work"/*.out "$work"/*.err "$work"/core* | grep -v '/local\.')
python3 "$here/check-station-secrets.py" "$keys" "${CARDLINE_P11_PIN_FILE:?}" "${CARDLINE_P11_SO_PIN_FILE:?}" \
  "$token" "${station_files[@]}" ||
  fail "a secret reached the station"
echo "remote-client: ok" >&2
