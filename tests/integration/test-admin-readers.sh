#!/bin/bash
# admin-readers: `cardline-admin readers` lists the rig's readers; without a service it fails naming the socket.
#
#   test-admin-readers.sh CARDLINE-ADMIN      (run under rig-run --readers 2)
set -eu

admin=$1
out=$("$admin" readers)
echo "$out"
IFS=, read -r -a names <<<"$CARDLINE_READER_NAMES"
for name in "${names[@]}"; do
  echo "$out" | grep -Fxq "$name" || { echo "FAIL: $name not listed" >&2; exit 1; }
done

status=0
err=$(PCSCLITE_CSOCK_NAME=/nonexistent/pcscd.comm "$admin" readers 2>&1 >/dev/null) || status=$?
echo "$err"
[ "$status" = 1 ] || { echo "FAIL: exit status $status without a service" >&2; exit 1; }
echo "$err" | grep -Fq "/nonexistent/pcscd.comm" || { echo "FAIL: socket not named" >&2; exit 1; }

"$admin" version | grep -q '^cardline-admin [0-9]' || { echo "FAIL: version" >&2; exit 1; }
status=0
"$admin" no-such-command 2>/dev/null || status=$?
[ "$status" = 2 ] || { echo "FAIL: unknown command gave $status" >&2; exit 1; }
echo PASS
