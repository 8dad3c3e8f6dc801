#!/usr/bin/env python3
# make-schsm-cap.py: writes the stand-in CAP file the demo profile loads: the published helloworld CAP
# (../shared/data/caps) with its package AID replaced by the SmartCard-HSM package E82B0601040181C31F02 and its
# applet AID by E82B0601040181C31F0201, so that the virtual card instantiates its SmartCard-HSM emulation.
# It is not the SmartCard-HSM applet: a real card needs the vendor's CAP file in the profile.
#
#   make-schsm-cap.py IN.cap OUT.cap
import struct
import sys
import zipfile

PACKAGE = bytes.fromhex("E82B0601040181C31F02")
APPLET = bytes.fromhex("E82B0601040181C31F0201")


def patch_header(d):
    # tag, size, magic(4), minor, major, flags, package minor, major, AID length, AID, [name]
    aid_len = d[12]
    rest = d[13 + aid_len:]
    body = d[3:12] + bytes([len(PACKAGE)]) + PACKAGE + rest
    return bytes([d[0]]) + struct.pack(">H", len(body)) + body, len(PACKAGE) - aid_len


def patch_applet(d):
    # tag, size, count(1), {AID length, AID, install method offset(2)}: exactly one applet here
    assert d[3] == 1, "expected one applet"
    aid_len = d[4]
    rest = d[5 + aid_len:]
    body = bytes([1, len(APPLET)]) + APPLET + rest
    return bytes([d[0]]) + struct.pack(">H", len(body)) + body, len(APPLET) - aid_len


def main():
    src, dst = sys.argv[1], sys.argv[2]
    zin = zipfile.ZipFile(src)
    comps = {n: zin.read(n) for n in zin.namelist()}
    grow = {}
    for n, d in list(comps.items()):
        if n.endswith("/Header.cap"):
            comps[n], grow[1] = patch_header(d)
        elif n.endswith("/Applet.cap"):
            comps[n], grow[3] = patch_applet(d)
    for n, d in list(comps.items()):
        if n.endswith("/Directory.cap"):
            d = bytearray(d)
            # component_sizes[]: Header at index 0, Applet at index 2
            for tag, index in ((1, 0), (3, 2)):
                off = 3 + 2 * index
                size = struct.unpack(">H", d[off:off + 2])[0] + grow.get(tag, 0)
                d[off:off + 2] = struct.pack(">H", size)
            comps[n] = bytes(d)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for n in zin.namelist():
            zout.writestr(n.replace("net/sourceforge/globalplatform/jc/helloworld", "org/cardline/demo/schsm"), comps[n])


main()
