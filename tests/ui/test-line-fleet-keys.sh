#!/bin/bash
# ui-line-fleet-keys: the station window refuses to produce with keys that are not the fleet's (under rig-run
# --readers 1 --parts pcsc,hsm).
#
#   test-line-fleet-keys.sh CARDLINE CARDLINE-ADMIN TEST-LINE-FLEET-KEYS
#
# Station "first" has its own SoftHSM2 token (in this test's directory) set up with demo-setup: the DEMO KMC and KST
# but its own scheme root; it produces first on the store, so its keys are the fleet's. Then the window (see
# test-line-fleet-keys.c) runs station "window" on the rig's token, set up the same way with another scheme root.
set -eu

cardline=$1
admin=$2
test_exe=$3
source_dir=${CARDLINE_SOURCE_DIR:?}
profile=$source_dir/data/profiles/smartcard-hsm.profile
keys=$source_dir/data/demo/demo-keys.ini
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail ()
{
  echo "FAIL: $*" >&2
  exit 1
}
store=$work/station.db

# shellcheck source=../rig/station-accounts.sh
. "$source_dir/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"

mkdir -p "$work/first/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/first/tokens" \
  >"$work/first/softhsm2.conf"
so=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ') pin=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')
SOFTHSM2_CONF=$work/first/softhsm2.conf softhsm2-util --init-token --free --label first --so-pin "$so" --pin "$pin" \
  >/dev/null || fail "first station's token"
(umask 077 && printf '%s' "$pin" >"$work/first/pin")
first=(env SOFTHSM2_CONF="$work/first/softhsm2.conf" CARDLINE_P11_TOKEN=first CARDLINE_P11_PIN_FILE="$work/first/pin"
  CARDLINE_PKI_DIR="$work/first/pki" CARDLINE_STATION=first)
"${first[@]}" "$admin" demo-setup --keys "$keys" >/dev/null || fail "demo-setup of the first station"
"${first[@]}" "$cardline" --headless "${operator_auth[@]}" --profile "$profile" --batch fleet-first --quantity 3 \
  --store "$store" --duration 1 >"$work/first.out" 2>&1 || { cat "$work/first.out"; fail "the first station"; }

export CARDLINE_PKI_DIR=$work/pki CARDLINE_STATION=window
"$admin" demo-setup --keys "$keys" >/dev/null || fail "demo-setup of the window's station"
xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' "$test_exe" "$profile" "$store"
batches=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM batches WHERE name = ?", ("fleet-window",)).fetchone()[0])' "$store")
[ "$batches" = 0 ] || fail "the window's station created its batch"
echo ok
