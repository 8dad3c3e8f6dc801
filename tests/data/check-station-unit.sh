#!/bin/bash
# The station's systemd unit passes `systemd-analyze verify` (syntax, directives, the executable), instantiated as
# cardline-station@test with its EnvironmentFile present; the hardening the unit promises is in it; the udev rule
# names the printers' USB vendor the driver uses.
#
#   check-station-unit.sh UNIT CARDLINE UDEV-RULE DRIVER-HEADER
set -eu
unit=$1 cardline=$(realpath "$2") rule=$3 header=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail () { echo "FAIL: $*" >&2; exit 1; }

# The installed path of cardline does not exist on a build machine: point ExecStart and the config at the build's.
sed -e "s|^ExecStart=[^ ]*/cardline |ExecStart=$cardline |" -e "s|/etc/cardline/%i.conf|$work/%i.conf|g" "$unit" \
  >"$work/cardline-station@.service"
printf 'CARDLINE_PROFILE=smartcard-hsm\nCARDLINE_BATCH=B1\nCARDLINE_QUANTITY=10\nCARDLINE_USER=olga\n' >"$work/test.conf"
cp "$work/cardline-station@.service" "$work/cardline-station@test.service"
out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$work/cardline-station@test.service" 2>&1) \
  || fail "systemd-analyze verify: $out"
# verify succeeds with warnings it only prints: any line about our unit is a defect
if echo "$out" | grep -q "cardline-station"; then fail "systemd-analyze verify: $out"; fi

for directive in 'User=cardline' 'Restart=on-failure' 'KillSignal=SIGTERM' 'NoNewPrivileges=yes' \
  'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'CapabilityBoundingSet=$' 'SystemCallFilter=@system-service' \
  'StandardOutput=journal' 'EnvironmentFile=' '--headless' '--user=${CARDLINE_USER}' \
  '--password-file=${CARDLINE_PASSWORD_FILE}' 'CARDLINE_STATION=%i' 'RestartPreventExitStatus=2'; do
  grep -q -- "$directive" "$unit" || fail "the unit lacks $directive"
done
vendor=$(sed -n 's/.*CL_EVOLIS_USB_VENDOR_ID *0x\([0-9a-fA-F]*\).*/\1/p' "$header" | tr 'A-F' 'a-f')
[ -n "$vendor" ] || fail "no CL_EVOLIS_USB_VENDOR_ID in $header"
grep -q "ATTR{idVendor}==\"$vendor\".*GROUP=\"cardline\"" "$rule" || fail "the udev rule does not give vendor $vendor to cardline"
echo "station unit: systemd-analyze verify clean, hardening present; udev rule covers USB vendor $vendor"
