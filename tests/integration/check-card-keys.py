#!/usr/bin/env python3
"""check-card-keys.py: the card keys produced cards hold, computed again by an independent implementation of
GlobalPlatformPro's "kdf3" diversification (Python's cryptography package, nothing of Cardline) from the KMC.

    check-card-keys.py DIVERSIFICATION.TXT DEMO-KEYS.INI KEY-VERSION IMAGE...

First the implementation must reproduce the published GlobalPlatformPro vectors (../shared/vectors/
diversification.txt: key check values for AES-128/192/256 masters and one whole key); then, for each virtual card
image, the keys of key set KEY-VERSION (what PUT KEY left on the card) must equal KDF3(KMC, KDD of the card)."""
import configparser
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

ROLES = (("enc", 1), ("mac", 2), ("dek", 3))


def kdf3(master, kdd, kt):
    """AES-CMAC(master, n 00 00 00 kt 00 KDD) for n = 1, 2..., concatenated and cut to the master's length."""
    out = b""
    n = 1
    while len(out) < len(master):
        c = CMAC(algorithms.AES(master))
        c.update(bytes([n, 0, 0, 0, kt, 0]) + kdd)
        out += c.finalize()
        n += 1
    return out[:len(master)]


def kcv(key):
    e = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return (e.update(b"\x01" * 16) + e.finalize())[:3].hex().upper()


def sections(path):
    out, name = {}, None
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            name = line[1:-1]
            out[name] = {}
        elif name and "=" in line:
            k, v = line.split("=", 1)
            out[name][k.strip()] = v.strip()
    return out


def main():
    vectors, keys_ini, version = sys.argv[1], sys.argv[2], int(sys.argv[3], 16)
    checked = 0
    for name, v in sections(vectors).items():
        if v.get("method") != "kdf3":
            continue
        master, kdd = bytes.fromhex(v["master"]), bytes.fromhex(v["kdd"])
        for role, kt in ROLES:
            key = kdf3(master, kdd, kt)
            if "kcv_" + role in v and kcv(key) != v["kcv_" + role].upper():
                sys.exit("published vector %s %s: KCV %s, expected %s" % (name, role, kcv(key), v["kcv_" + role]))
            if "key_" + role in v and key != bytes.fromhex(v["key_" + role]):
                sys.exit("published vector %s %s: key differs" % (name, role))
        checked += 1
    if checked < 4:
        sys.exit("only %d published kdf3 vectors found" % checked)
    kmc = sections(keys_ini)["KMC"]
    for image in sys.argv[4:]:
        card = configparser.ConfigParser()
        card.read(image)
        kdd = bytes.fromhex(card["card"]["kdd"])
        held = card["keyset.%02X" % version]
        for role, kt in ROLES:
            want = kdf3(bytes.fromhex(kmc[role]), kdd, kt)
            if bytes.fromhex(held[role]) != want:
                sys.exit("%s: card %s key (KCV %s) is not KDF3 of the KMC (KCV %s)"
                         % (image, role, kcv(bytes.fromhex(held[role])), kcv(want)))
        print("ok: %s holds KDF3(KMC, KDD %s) for ENC, MAC and DEK" % (image.rsplit("/", 1)[-1], kdd.hex().upper()))
    print("ok: %d published vectors, %d cards" % (checked, len(sys.argv) - 4))


main()
