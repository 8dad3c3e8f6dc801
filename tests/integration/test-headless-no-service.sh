#!/bin/bash
# headless-no-service: with no PC/SC service, `cardline --headless` says which socket it tried and keeps going.
#
#   test-headless-no-service.sh CARDLINE
set -eu

cardline=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sock="$dir/no-pcscd.comm"

out=$(PCSCLITE_CSOCK_NAME="$sock" "$cardline" --headless --duration 3)
echo "$out"
echo "$out" | grep -Eq "^[0-9:]{8} service-(lost|unavailable) PC/SC service not reachable at $sock \\(PCSCLITE_CSOCK_NAME\\)" \
  || { echo "FAIL: no clear service message naming $sock" >&2; exit 1; }
# Reported once per outage, not once per retry.
[ "$(echo "$out" | grep -c 'not reachable')" = 1 ] || { echo "FAIL: service message repeated" >&2; exit 1; }
echo "$out" | tail -n 1 | grep -q ' summary .* service-lost=1$' || { echo "FAIL: summary" >&2; exit 1; }
echo PASS
