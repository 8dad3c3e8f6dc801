# shellcheck shell=bash
# line-customer.sh: sourced by the line tests that produce cards on the rig and then use them with OpenSC
# (test-line-opensc.sh, test-customer-opensc.sh). Needs $vcard (cardline-vcard) and $keys (demo-keys.ini) set;
# makes $work (removed on exit with any card still inserted), fail, kst, json_field, use_opensc, insert_card,
# pull_card, reader_empty. Cards go into the first rig reader ($port, $reader).

work=$(mktemp -d)
card=""
cleanup ()
{
  if [ -n "$card" ]; then kill "$card" 2>/dev/null || true; wait "$card" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "FAIL: $*" >&2
  exit 1
}
port=${CARDLINE_VPCD_PORTS%%[, ]*}
reader=${CARDLINE_READER_NAMES%%,*}

# kst FIELD: a field of the demo KST, as the virtual cards are manufactured with it
kst ()
{
  sed -n "/^\[KST\]/,/^\[/s/^$1=//p" "$keys"
}

# manufacture_images COUNT: COUNT blank cards with the demo KST in $work/cards ($vcard: cardline-vcard); their
# images, in order, in the array images
manufacture_images ()
{
  "$vcard" manufacture --out "$work/cards" --count "$1" --kst-type "$(kst type)" --kst-version "$(kst version)" \
    --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null || fail "manufacture $1 cards"
  mapfile -t images < <(ls "$work"/cards/*.vcard)
}
json_field ()
{
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}
# Debian 12's vpcd does not advertise extended length to OpenSC (DESIGN §4)
use_opensc ()
{
  cat >"$work/opensc.conf" <<'CONF'
app default {
  reader_driver pcsc {
    max_send_size = 65535;
    max_recv_size = 65536;
  }
}
CONF
  export OPENSC_CONF=$work/opensc.conf
}
insert_card ()
{
  "$vcard" run --image "$1" --port "$port" &
  card=$!
  for _ in $(seq 1 100); do
    opensc-tool -r "$reader" -a >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "card $(basename "$1") not seen in $reader"
}
pull_card ()
{
  kill -TERM "$card"
  wait "$card" || true
  card=""
  reader_empty
}
# reader_empty: waits until pcscd reports the reader empty. It must, before the next card, or it keeps talking to
# this one (see the report of the fast-swap limit in drivers/pcsc)
reader_empty ()
{
  for _ in $(seq 1 100); do
    opensc-tool -r "$reader" -a >/dev/null 2>&1 || return 0
    sleep 0.1
  done
  fail "reader $reader still holds a card"
}
# check_like_local LINE-CARD-CHECK IMAGE...: each produced card, put in again, passes what local production's
# cards pass: line-card-check (device -> DICA -> SRCA, card keys authenticate, the KST does not) and the serial
# pkcs15-tool (OpenSC) reads from its device certificate. Needs $keys and $CARDLINE_PKI_DIR; calls use_opensc.
check_like_local ()
{
  local check=$1 image out serial dump
  shift
  use_opensc
  for image in "$@"; do
    # pcscd must have seen the line's last card leave this reader (it polls vpcd every 400 ms): a card put in before
    # that is the same card to it, never powered, and its first command fails (SCARD_E_NOT_TRANSACTED)
    reader_empty
    insert_card "$image"
    out=$("$check" "$reader" "$keys" "$CARDLINE_PKI_DIR/srca.cvc") || fail "line-card-check on $(basename "$image")"
    serial=${out#serial=}
    serial=${serial%% *}
    dump=$(pkcs15-tool -r "$reader" -D) || fail "pkcs15-tool -D on $(basename "$image")"
    echo "$dump" | grep -q "Serial number *: $serial\$" || fail "pkcs15-tool serial is not $serial: $dump"
    echo "ok: $(basename "$image") $out"
    pull_card
  done
}
