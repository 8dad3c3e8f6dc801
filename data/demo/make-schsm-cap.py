#!/usr/bin/env python3
# make-schsm-cap.py: writes the stand-in CAP file the demo profile loads: the published helloworld CAP
# (../shared/data/caps) with its package AID replaced by the SmartCard-HSM package E82B0601040181C31F02 and its
# applet AID by E82B0601040181C31F0201, so that the virtual card instantiates its SmartCard-HSM emulation.
# It is not the SmartCard-HSM applet: a real card needs the vendor's CAP file in the profile.
#
# --method-padding N grows the Method component by N deterministic bytes (a SHA-256 counter stream, incompressible
# as bytecode is), so that the Load File Data Block has the size of a real PKI applet: the large stand-in
# (smartcard-hsm-standin-large.cap) is made with --method-padding 24000. The padding is never executed: the
# virtual card checks the components' structure, not their bytecode. Entries carry a fixed date, so the output is
# the same bytes on every run.
#
#   make-schsm-cap.py IN.cap OUT.cap [--method-padding N]
import hashlib
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


def padding(n):
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(b"cardline stand-in method %d" % counter).digest()
        counter += 1
    return out[:n]


def pad_method(d, n):
    body = d[3:] + padding(n)
    assert len(body) <= 0xFFFF, "a component holds at most 65535 bytes"
    return bytes([d[0]]) + struct.pack(">H", len(body)) + body, n


def main():
    src, dst = sys.argv[1], sys.argv[2]
    method_padding = 0
    if len(sys.argv) == 5 and sys.argv[3] == "--method-padding":
        method_padding = int(sys.argv[4])
    elif len(sys.argv) != 3:
        sys.exit("usage: make-schsm-cap.py IN.cap OUT.cap [--method-padding N]")
    zin = zipfile.ZipFile(src)
    comps = {n: zin.read(n) for n in zin.namelist()}
    grow = {}
    for n, d in list(comps.items()):
        if n.endswith("/Header.cap"):
            comps[n], grow[1] = patch_header(d)
        elif n.endswith("/Applet.cap"):
            comps[n], grow[3] = patch_applet(d)
        elif n.endswith("/Method.cap") and method_padding:
            comps[n], grow[7] = pad_method(d, method_padding)
    for n, d in list(comps.items()):
        if n.endswith("/Directory.cap"):
            d = bytearray(d)
            # component_sizes[]: the component of tag t at index t - 1 (Header 0, Applet 2, Method 6)
            for tag in grow:
                off = 3 + 2 * (tag - 1)
                size = struct.unpack(">H", d[off:off + 2])[0] + grow[tag]
                d[off:off + 2] = struct.pack(">H", size)
            comps[n] = bytes(d)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for n in zin.namelist():
            info = zipfile.ZipInfo(n.replace("net/sourceforge/globalplatform/jc/helloworld", "org/cardline/demo/schsm"),
                                   date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, comps[n])


main()
