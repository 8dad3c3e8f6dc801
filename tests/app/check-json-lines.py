#!/usr/bin/python3
"""check-json-lines.py TEST_HEADLESS_OUTPUT: the json output format is JSON Lines that a parser other than ours reads.

Runs TEST_HEADLESS_OUTPUT --emit-json (a short batch run's events, then events with strings that need escaping,
bytes that are not UTF-8 and enums out of range) and parses every line with Python's json module: each must be one
object with the kind's nick, an ISO 8601 time and a reader (null for the line's own events), and the awkward strings
must come back as the text they were (invalid bytes as U+FFFD).
"""
import datetime
import json
import subprocess
import sys

out = subprocess.run([sys.argv[1], "--emit-json"], check=True, capture_output=True).stdout
text = out.decode("utf-8")  # raises on invalid UTF-8: JSON text must be UTF-8
lines = text.split("\n")
assert lines[-1] == "", "the output must end with a newline"
objects = []
for number, line in enumerate(lines[:-1], 1):
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        sys.exit(f"line {number} is not JSON ({error}): {line!r}")
    if not isinstance(value, dict):
        sys.exit(f"line {number} is not an object: {line!r}")
    for key in ("kind", "time", "reader"):
        if key not in value:
            sys.exit(f"line {number} has no {key!r}: {line!r}")
    datetime.datetime.fromisoformat(value["time"])
    objects.append(value)

kinds = [o["kind"] for o in objects]
expected = ["note", "reader-added", "card-inserted", "card-present", "step-started", "step-finished", "good",
            "rejected", "fault", "fault-cleared", "paused", "resumed", "batch-done",
            "rejected", "good", "step-finished", "fault", "note", "unknown"]
assert kinds == expected, kinds

good = objects[6]
assert good["serial"] == "DECM0102300001" and good["apdus"] == 44 and good["duration_us"] == 812300, good
assert objects[12] == {"kind": "batch-done", "time": objects[12]["time"], "reader": None, "complete": True}

awkward = objects[13]
assert awkward["reader"] == 'Reader "0" \ufffd', awkward
assert awkward["chip"] == 'quote" backslash\\ slash/', awkward
assert "serial" not in awkward, awkward  # a reject has no serial
assert awkward["note"] == ("tab\tnewline\nreturn\rbell\a escape\x1b[2J del\x7f ls\u2028 ps\u2029 nel\x85 é €"), awkward
assert awkward["reason"] == "UNKNOWN" and awkward["step"] == "UNKNOWN" and "sw" not in awkward, awkward
assert awkward["apdus"] == 2**64 - 1 and awkward["duration_us"] == -(2**63), awkward
assert objects[14]["reader"] is None and objects[14]["apdus"] == 2**64 - 1
assert objects[14]["serial"] == "\ufffd\ufffd not UTF-8 \ufffd(", objects[14]
assert objects[15]["reader"] == "\x01" and objects[15]["result"] == "UNKNOWN"
assert objects[16]["fault"] == "unknown" and objects[16]["instruction"] == "\\u0000 is not a NUL"
assert objects[17]["text"] == '\x1f\ufffd\ufffd{"a":1}', objects[17]
print(f"{len(objects)} JSON objects parsed")
