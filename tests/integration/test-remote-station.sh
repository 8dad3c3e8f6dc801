#!/bin/bash
# remote-station: a printer-fed station with no token produces a batch through cardline-server (remote production,
# DESIGN §8) over the rig's real pcscd: `cardline --headless --remote URL` relays each card, checks it itself
# (2F02 chain to its SRCA, serial) and ejects it; then the cards pass the same checks as local production's
# (line-card-check: chain and card keys; check-card-keys.py: the diversified keys; OpenSC's serial). The station's
# output and a core dump of it taken mid-batch hold no key, no PIN and not the production URL's token.
#
#   test-remote-station.sh CARDLINE CARDLINE-SERVER CARDLINE-ADMIN CARDLINE-VCARD PRINTER-SIM LINE-CARD-CHECK
#                          CHECK-CARD-KEYS.PY
#   (under rig-run --readers 1 --parts pcsc,hsm)
set -eu

cardline=$1
server=$2
admin=$3
vcard=$4
sim=$5
check=$6
card_keys=$7
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
# shellcheck source-path=SCRIPTDIR source=line-customer.sh
. "$(dirname "$0")/line-customer.sh"
. "$(dirname "$0")/printer-station.sh"

server_pid=""
sim_pid=""
line_pid=""
stop_all ()
{
  for pid in $line_pid $sim_pid $server_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $line_pid $sim_pid $server_pid; do wait "$pid" 2>/dev/null || true; done
  line_pid="" sim_pid="" server_pid=""
}
trap 'stop_all; cleanup' EXIT

store=$work/service.db
# shellcheck source-path=SCRIPTDIR source=remote-service.sh
. "$(dirname "$0")/remote-service.sh"
remote_service_setup
manufacture_cards "$work/hopper" 3

# the production service, with the token and the store
start_service
url=$("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch remote --profile "$profile" --quantity 3 \
  --cards 3 --base "$base") || fail "produce-url"

# the station: printer-fed, no token, no key, no profile, no store
start_printer_sim "$work/hopper"
env -u CARDLINE_P11_MODULE -u CARDLINE_P11_TOKEN -u CARDLINE_P11_PIN_FILE -u CARDLINE_P11_SO_PIN_FILE \
  -u SOFTHSM2_CONF "$cardline" --headless --remote "$url" --remote-ca "$work/tls.pem" \
  --srca "$CARDLINE_PKI_DIR/srca.cvc" --printer "$printer" --printer-reader "$reader" --quantity 3 --duration 240 \
  >"$work/station.out" 2>"$work/station.err" &
line_pid=$!
for _ in $(seq 1200); do
  grep -q " good chip=" "$work/station.out" && break
  kill -0 "$line_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q " good chip=" "$work/station.out" || fail "no good card: $(tail -n 20 "$work/station.out" "$work/station.err")"
gcore -o "$work/core" "$line_pid" >/dev/null 2>&1 || fail "gcore could not dump the station"
status=0
wait "$line_pid" || status=$?
line_pid=""
[ "$status" = 0 ] || fail "the station exited $status: $(tail -n 20 "$work/station.err")"
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=""
grep -q "remote batch complete cards=3 good=3 rejected=0" "$work/station.out" ||
  fail "not 3 good cards: $(tail -n 30 "$work/station.out")"
[ "$(grep -c "step=VERIFY result=OK .*chain verifies to CLSRCA00001" "$work/station.out")" = 3 ] ||
  fail "the station did not check every card itself"
grep -q "service notify=" "$work/station.out" || fail "the service's notifies were not shown"
grep -q -- "${url##*/}" "$work/station.out" "$work/station.err" && fail "the production token is in the station's output"
echo "ok: 3 cards produced remotely by a station without a token"

# the service's records: three GOOD attempts, none open
[ "$(service_sql "SELECT count(*) FROM attempts WHERE result = 'GOOD'")" = 3 ] || fail "the service did not record 3 GOOD"
[ "$(service_sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" = 0 ] || fail "an attempt left open"
stop_all

# the same checks as local production's cards
mapfile -t images < <(ls "$work"/output/*.vcard)
[ "${#images[@]}" = 3 ] || fail "the output hopper holds ${#images[@]} cards"
python3 "$card_keys" "${CARDLINE_SHARED_DIR:?}/vectors/diversification.txt" "$keys" 01 "${images[@]}" ||
  fail "card keys are not the diversified KMC keys"
check_like_local "$check" "${images[@]}"

# no key, PIN or production token reached the station's output or memory
python3 "$(dirname "$0")/check-station-secrets.py" "$keys" "${CARDLINE_P11_PIN_FILE:?}" \
  "${CARDLINE_P11_SO_PIN_FILE:?}" "${url##*/}" "$work/station.out" "$work/station.err" "$work"/core* ||
  fail "a secret reached the station"
echo "ok: no key, PIN or token in the station's output or its core dump"
