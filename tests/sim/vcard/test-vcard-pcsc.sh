#!/bin/bash
# vcard-pcsc: cardline-vcard on the real pcscd + vpcd, driven by OpenSC's opensc-tool as an independent client.
# Checks the ATR, SELECT of the ISD, GET DATA CPLC, and that state survives remove / re-insert (the SCP03
# sequence counter in the INITIALIZE UPDATE response is persistent).
#
#   test-vcard-pcsc.sh CARDLINE-VCARD      (run under rig-run --readers 1 --parts pcsc)
set -eu

vcard=$1
port=${CARDLINE_VPCD_PORTS%%[, ]*}
reader=${CARDLINE_READER_NAMES%%,*}
work=$(mktemp -d)
card=""
cleanup ()
{
  [ -n "$card" ] && kill "$card" 2>/dev/null && wait "$card" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fail ()
{
  echo "FAIL: $*" >&2
  exit 1
}

kst=404142434445464748494A4B4C4D4E4F
"$vcard" manufacture --out "$work" --count 1 --kst-type aes --kst-version 30 --kst-enc $kst --kst-mac $kst \
  --kst-dek $kst --scp 03 --i 70 --seed 42 >/dev/null
image=$work/card-0001.vcard
[ -f "$image" ] || fail "no image written"

insert ()
{
  "$vcard" run --image "$image" --port "$port" &
  card=$!
  # wait until pcscd sees the card (the deadline only guards a hang)
  for _ in $(seq 1 100); do
    opensc-tool -r "$reader" -a >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "card not seen in $reader"
}

remove ()
{
  kill -TERM "$card"
  wait "$card" || fail "cardline-vcard did not exit cleanly on SIGTERM"
  card=""
}

apdus ()
{
  opensc-tool -r "$reader" "${@/#/-s}" 2>&1
}

insert
atr=$(opensc-tool -r "$reader" -a 2>&1)
echo "ATR: $atr"
echo "$atr" | grep -qi "3b:f8:13:00:00:81:31:fe:45:4a:43:4f:50:76:32:34:31:b7" || fail "ATR"

out=$(opensc-tool -r "$reader" -s 00:A4:04:00:08:A0:00:00:01:51:00:00:00 -s 80:CA:9F:7F:00 -s 80:CA:00:CF:00 2>&1)
echo "$out"
echo "$out" | grep -q "6F " || fail "SELECT ISD returned no FCI"
echo "$out" | grep -q "^9F 7F 2A 47 90 51 67" || fail "CPLC"
[ "$(echo "$out" | grep -c 'SW1=0x90, SW2=0x00')" = 3 ] || fail "not three 9000"

iu ()
{
  local out
  # pcscd may still be reporting the previous card's removal to the first transaction: retry
  for _ in $(seq 1 20); do
    out=$(opensc-tool -r "$reader" -s 00:A4:04:00:00 -s 80:50:30:00:08:01:02:03:04:05:06:07:08:00 2>&1 |
      grep -A3 'Received (SW1=0x90, SW2=0x00)' | tail -n 2 | cut -c1-48 | tr -d '\n' | sed 's/  */ /g') || true
    [ -n "$out" ] && { echo "$out"; return 0; }
    sleep 0.1
  done
  fail "INITIALIZE UPDATE got no 9000"
}
first=$(iu)
echo "INITIALIZE UPDATE 1: $first"
remove

# the image is the card: a new process (a re-insertion) continues from it
grep -q '^sequence=1$' "$image" || fail "sequence counter not persisted"
insert
second=$(iu)
echo "INITIALIZE UPDATE 2: $second"
remove
grep -q '^sequence=2$' "$image" || fail "sequence counter did not advance across re-insertion"
[ "$first" != "$second" ] || fail "same INITIALIZE UPDATE response after re-insertion"
echo PASS
