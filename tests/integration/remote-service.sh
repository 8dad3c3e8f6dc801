# shellcheck shell=bash
# remote-service.sh: sourced by the tests of remote production (issue 16) that run cardline-server on the rig.
# Expects $work, $server (cardline-server), $admin (cardline-admin), $keys, $profile, $store and a fail function.

# remote_service_setup: the store's accounts (admin_auth, operator_auth), the demo keys and PKI
# (CARDLINE_PKI_DIR=$work/pki) and the service's TLS certificate for 127.0.0.1 ($work/tls.pem, $work/tls.key).
remote_service_setup ()
{
  export CARDLINE_PKI_DIR=$work/pki
  # shellcheck source=tests/rig/station-accounts.sh
  . "${CARDLINE_SOURCE_DIR:?}/tests/rig/station-accounts.sh"
  station_accounts "$admin" "$store" "$work" || fail "station accounts"
  "$admin" demo-setup --keys "$keys" >/dev/null || fail "demo-setup"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null ||
    fail "openssl req"
}

# start_service [PORT] [SERVER OPTION...]: cardline-server with the token and $store on PORT (0 or none: a free
# one), its log in $work/server.log; sets server_pid, base (https://127.0.0.1:PORT) and service_port.
start_service ()
{
  local port=${1:-0} line
  shift || true
  rm -f "$work/server.fifo"
  mkfifo "$work/server.fifo"
  "$server" --profile "$profile" --store "$store" --cert "$work/tls.pem" --key "$work/tls.key" --port "$port" \
    --station remote-service "$@" >"$work/server.fifo" 2>>"$work/server.log" &
  server_pid=$!
  read -r -t 60 line <"$work/server.fifo" || fail "cardline-server did not start: $(cat "$work/server.log")"
  [[ $line =~ ^listening\ on\ (https://127\.0\.0\.1:([0-9]+))/$ ]] || fail "cardline-server said: $line"
  base=${BASH_REMATCH[1]}
  service_port=${BASH_REMATCH[2]}
  # the rest of its output goes on being read
  cat "$work/server.fifo" >>"$work/server.log" &
}

# service_sql QUERY: the rows of QUERY on $store, columns joined by '|' (Debian's python3, as in ram below: a
# python3 earlier in PATH, such as a pyenv shim, can take a second to start, and tests call these per card)
service_sql ()
{
  /usr/bin/python3 -c 'import sqlite3,sys; print("\n".join("|".join(str(c) for c in r) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$store" "$1"
}

# ram URL [CLIENT OPTION...]: ram-client.py ($client) on the rig's reader; its output in $work/client.out, its
# status in $rc
ram ()
{
  rc=0
  # Debian's python3, which has python3-pyscard (a python3 earlier in PATH may not)
  /usr/bin/python3 "$client" "$1" --reader "$reader" --cafile "$work/tls.pem" "${@:2}" >"$work/client.out" 2>&1 || rc=$?
}

# chip_of IMAGE: the chip identity of a virtual card image, as the service records it
chip_of ()
{
  /usr/bin/python3 -c '
import configparser, sys
c = configparser.ConfigParser(); c.read(sys.argv[1]); p = bytes.fromhex(c["card"]["cplc"])
print((p[0:4] + p[16:18] + p[12:16]).hex().upper())' "$1"
}

# stop_service: ends the cardline-server start_service started, if it runs
stop_service ()
{
  if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
