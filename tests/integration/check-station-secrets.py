#!/usr/bin/env python3
"""check-station-secrets.py: no key, PIN or production token reached a remote-production station (DESIGN §8).

    check-station-secrets.py KEYS.INI PIN-FILE SO-PIN-FILE TOKEN FILE...

Looks in each FILE (the station's output and logs, and core dumps: a FILE whose name holds "core" is only searched
for keys and PINs, as the station itself holds the URL it was given) for every key of the key file (hex, both
cases, and raw bytes) and the token's PINs. Exit 1 naming what was found where."""
import configparser
import os
import sys


def main():
    keys, pin_file, so_pin_file, token = sys.argv[1:5]
    files = sys.argv[5:]
    ini = configparser.ConfigParser()
    ini.read(keys)
    secrets = {}
    for section in ini.sections():
        for name in ("enc", "mac", "dek"):
            if ini.has_option(section, name):
                value = ini.get(section, name)
                secrets["%s/%s hex" % (section, name)] = value.encode()
                secrets["%s/%s hex lower" % (section, name)] = value.lower().encode()
                raw = bytes.fromhex(value)
                # the DEMO KST's bytes 40..4F spell "@ABCDEFGHIJKLMNO", which any process holds in some table: only
                # keys that are not a run of printable text are looked for as bytes (their hex forms always are)
                if not all(0x20 <= b < 0x7F for b in raw):
                    secrets["%s/%s bytes" % (section, name)] = raw
    for label, path in (("token PIN", pin_file), ("token SO-PIN", so_pin_file)):
        secrets[label] = open(path, "rb").read().strip()
    found = []
    for path in files:
        data = open(path, "rb").read()
        for label, value in secrets.items():
            if value and value in data:
                found.append("%s in %s" % (label, path))
        if "core" not in os.path.basename(path) and token.encode() in data:
            found.append("production token in %s" % path)
    if found:
        print("\n".join(found))
        return 1
    print("no secret in %d files" % len(files), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
