#!/bin/bash
# ui-line-remote: the station window producing remotely (under rig-run --readers 1 --parts pcsc,hsm).
#
#   test-line-remote.sh CARDLINE-SERVER CARDLINE-ADMIN CARDLINE-VCARD PRINTER-SIM LOOPBACK-PROXY TEST-LINE-REMOTE
#
# cardline-server holds the rig's token and its own store; a production URL for 2 cards; two virtual cards with the
# DEMO KST in the printer sim's hopper; the service reached through a loopback proxy that drops every connection at
# first. Then test-line-remote under xvfb-run drives the window, without the token's variables (see
# test-line-remote.c), and the service's records are checked: two GOOD attempts, none left open.
set -eu

server=$1
admin=$2
vcard=$3
sim=$4
proxy=$5
test_exe=$6
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
work=$(mktemp -d)
server_pid=""
sim_pid=""
proxy_pid=""
cleanup ()
{
  for pid in $sim_pid $proxy_pid $server_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $sim_pid $proxy_pid $server_pid; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "FAIL: $*" >&2
  [ -f "$work/server.log" ] && tail -n 20 "$work/server.log" >&2
  [ -f "$work/sim.err" ] && tail -n 10 "$work/sim.err" >&2
  exit 1
}

# shellcheck source=tests/integration/printer-station.sh
. "$source_dir/tests/integration/printer-station.sh"
store=$work/service.db
# shellcheck source=tests/integration/remote-service.sh
. "$source_dir/tests/integration/remote-service.sh"
remote_service_setup
manufacture_cards "$work/hopper" 2
start_service

echo drop >"$work/proxy.control"
python3 "$proxy" --target "$service_port" --port-file "$work/proxy.port" --control "$work/proxy.control" \
  2>>"$work/proxy.err" &
proxy_pid=$!
for _ in $(seq 100); do [ -s "$work/proxy.port" ] && break; sleep 0.05; done
[ -s "$work/proxy.port" ] || fail "proxy did not start"
url=$("$admin" produce-url "${admin_auth[@]}" --store "$store" --batch remote --profile "$profile" --quantity 2 \
  --cards 2 --base "https://127.0.0.1:$(head -n 1 "$work/proxy.port")") || fail "produce-url"

start_printer_sim "$work/hopper"
# the window's station holds no token: a short POST budget, so the dropped service is a fault at once
env -u CARDLINE_P11_MODULE -u CARDLINE_P11_TOKEN -u CARDLINE_P11_PIN_FILE -u CARDLINE_P11_SO_PIN_FILE \
  -u SOFTHSM2_CONF CARDLINE_REMOTE_POST_SECONDS=10 xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' \
  "$test_exe" "$work/station.db" "$url" "$work/tls.pem" "$CARDLINE_PKI_DIR/srca.cvc" "$printer" \
  "${CARDLINE_READER_NAMES%%,*}" "$work/proxy.control" || fail "test-line-remote failed"

[ "$(service_sql "SELECT count(*) FROM attempts WHERE result = 'GOOD'")" = 2 ] || fail "the service did not record 2 GOOD"
[ "$(service_sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" = 0 ] || fail "an attempt left open"
[ "$(find "$work/output" -name '*.vcard' | wc -l)" = 2 ] || fail "not 2 cards in the output hopper"
echo "ok: the window produced 2 cards remotely, the service's notifies live on its panel"
