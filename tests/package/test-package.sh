#!/bin/bash
# package: the Debian packages build (dpkg-buildpackage -us -uc -b, as `make package`), lintian finds no error or
# warning, and the installed cardline works from a scratch root (dpkg-deb -x): its manual pages render, its data is
# found next to its executables (no source tree, no CARDLINE_DATA_DIR), and its `cardline-admin doctor` passes
# against the rig with the installed profile and the DEMO keys of cardline-demo.
#
#   test-package.sh SOURCE-DIR OUT-DIR     (under rig-run --readers 1 --parts pcsc,hsm,cups)
set -eu
source_dir=$1
out=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail ()
{
  echo "FAIL: $*" >&2
  [ -f "$work/out" ] && cat "$work/out" >&2
  exit 1
}

start=$(date +%s)
"$source_dir/tests/package/build-package" "$source_dir" "$out" || fail "the package did not build"
built=$(date +%s)
# lintian refuses nothing as root, but says so on stderr: keep only its findings
lintian --fail-on error,warning --display-level '>=warning' "$out"/*.changes >"$work/out" 2>"$work/lintian.err" \
  || fail "lintian: $(cat "$work/lintian.err")"
grep -q . "$work/out" && fail "lintian reported"
echo "package: built in $((built - start)) s, lintian clean in $(($(date +%s) - built)) s"

root=$work/root
for deb in "$out"/cardline_*.deb "$out"/cardline-demo_*.deb; do dpkg-deb -x "$deb" "$root"; done
for f in usr/bin/cardline usr/bin/cardline-admin lib/systemd/system/cardline-station@.service \
  lib/udev/rules.d/60-cardline-printers.rules usr/lib/sysusers.d/cardline.conf \
  usr/share/cardline/profiles/smartcard-hsm.profile usr/share/cardline/demo/smartcard-hsm-standin.cap \
  usr/share/cardline/faces/default.face usr/share/cardline/demo/demo-keys.ini usr/share/man/man1/cardline.1.gz \
  usr/share/man/man1/cardline-admin.1.gz usr/share/applications/org.cardline.Cardline.desktop \
  usr/share/metainfo/org.cardline.Cardline.metainfo.xml usr/share/glib-2.0/schemas/org.cardline.Cardline.gschema.xml; do
  [ -e "$root/$f" ] || fail "the packages do not install $f"
done
dpkg-deb -c "$out"/cardline_*.deb | grep -q 'demo-keys.ini' && fail "the DEMO keys are in cardline, not only in cardline-demo"
for page in cardline cardline-admin; do
  warnings=$(LC_ALL=C.UTF-8 man --warnings -l "$root/usr/share/man/man1/$page.1.gz" 2>&1 >/dev/null)
  [ -z "$warnings" ] || fail "installed $page.1: $warnings"
done

# The installed tools, with nothing of the source tree: the data next to them (relocated root), the rig's parts.
unset CARDLINE_DATA_DIR
admin=$root/usr/bin/cardline-admin
export CARDLINE_PKI_DIR=$work/pki CARDLINE_STORE=$work/station.db
"$admin" version >/dev/null || fail "the installed cardline-admin does not run"
"$admin" demo-setup >"$work/out" 2>&1 || fail "installed demo-setup (DEMO keys from cardline-demo)"
(umask 077 && printf 'package-test-password\n' >"$work/pw")
"$admin" user add pkg-admin --role ADMIN --new-password-file "$work/pw" >/dev/null \
  || fail "installed user add (the store's first account, an administrator)"
"$admin" doctor --profile smartcard-hsm >"$work/out" 2>&1 || fail "the installed doctor found a problem"
grep -q "^ok   store modes: $CARDLINE_STORE" "$work/out" || fail "the installed doctor did not check the store's modes"
grep -q "^ok   profile: smartcard-hsm ($root/usr/share/cardline/profiles/smartcard-hsm.profile)" "$work/out" \
  || fail "the installed doctor did not use the installed profile"
grep -q "^ok   cap: $root/usr/share/cardline/demo/smartcard-hsm-standin.cap" "$work/out" \
  || fail "the installed profile's CAP file was not found beside it"
cat "$work/out"
echo "package: installed cardline-admin doctor passes against the rig from $root"
