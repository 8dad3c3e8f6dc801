#!/usr/bin/env python3
"""Writes EF.C_DevAut (2F02) of a virtual SmartCard-HSM through opensc-tool, standing in for the station's
device key and certification steps in the OpenSC tests (OpenSC needs "device CVC || DICA CVC" there to bind the
token). The device key is generated first (GENERATE ASYMMETRIC KEY PAIR, key 00) unless the card has one.

    schsm-self-devaut.py READER              the device key's self-signed request (inner 7F21 of CE00)
    schsm-self-devaut.py READER CVC.TXT      the published pico-hsm device || DICA pair of the vectors
"""
import re
import subprocess
import sys

AID = "E8:2B:06:01:04:01:81:C3:1F:02:01"
DEVICE_KEY_OID = "04:00:7F:00:07:02:02:02:02:03"


def hexs(data):
    return ":".join("%02X" % b for b in data)


def run(reader, apdus):
    args = ["opensc-tool", "-r", reader]
    for a in apdus:
        args += ["-s", a]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    responses = []
    for block in out.split("Sending:")[1:]:
        m = re.search(r"Received \(SW1=0x([0-9a-f]{2}), SW2=0x([0-9a-f]{2})\)", block)
        if not m:
            sys.exit("no response in: " + block)
        rest = block[m.end():]
        data = bytes.fromhex("".join(re.findall(r"^((?:[0-9A-F]{2} )+)", rest, re.M)).replace(" ", ""))
        responses.append((int(m.group(1) + m.group(2), 16), data))
    return responses


def tlv_len(buf, i):
    n = buf[i]
    if n < 0x80:
        return n, i + 1
    k = n & 0x7F
    return int.from_bytes(buf[i + 1:i + 1 + k], "big"), i + 1 + k


def main():
    reader = sys.argv[1]
    select = "00:A4:04:04:0B:" + AID + ":00"
    # ECDSA-SHA256 on the card's default domain (P-256); 6985: made already (once in a card's life)
    (sw, _), = run(reader, [select, "00:46:00:00:0F:7F:49:0C:06:0A:" + DEVICE_KEY_OID])[1:]
    if sw not in (0x9000, 0x6985):
        sys.exit("GENERATE ASYMMETRIC KEY PAIR (device key): %04X" % sw)
    if len(sys.argv) > 2:
        certs = {}
        section = None
        for line in open(sys.argv[2]):
            line = line.strip()
            if line.startswith("["):
                section = line[1:-1]
            elif line.startswith("cert") and section:
                certs[section] = bytes.fromhex(line.split("=", 1)[1].strip())
        write(reader, select, certs["pico_device"] + certs["pico_dica"])
        return
    ce00 = b""
    while True:
        off = len(ce00)
        (sw, data), = run(reader, [select, "00:B1:CE:00:04:54:02:%02X:%02X:00" % (off >> 8, off & 0xFF)])[1:]
        if sw != 0x9000:
            sys.exit("READ BINARY CE00: %04X" % sw)
        ce00 += data
        if len(data) < 256:
            break
    # 67 { 7F21 inner ... }: keep the inner certificate
    assert ce00[0] == 0x67, "CE00 is not an authenticated request"
    _, i = tlv_len(ce00, 1)
    assert ce00[i:i + 2] == b"\x7F\x21"
    n, j = tlv_len(ce00, i + 2)
    write(reader, select, ce00[i:j + n])


def write(reader, select, cert):
    apdus = [select]
    for off in range(0, len(cert), 200):
        chunk = cert[off:off + 200]
        length = bytes([len(chunk)]) if len(chunk) < 0x80 else bytes([0x81, len(chunk)])
        body = bytes([0x54, 0x02, off >> 8, off & 0xFF, 0x53]) + length + chunk
        apdus.append("00:D7:2F:02:%02X:" % len(body) + hexs(body))
    for sw, _ in run(reader, apdus)[1:]:
        if sw != 0x9000:
            sys.exit("UPDATE BINARY 2F02: %04X" % sw)
    print("2F02 written, %d bytes" % len(cert))


main()
