#!/usr/bin/python3
"""The manual pages say what the executables do: rendered by man --warnings without a warning, every option and
subcommand of `cardline --help-all` and `cardline-admin [COMMAND] --help` documented and nothing documented that the
help does not offer, every environment variable the code reads documented in the pages and in the README.

    check-manpages.py CARDLINE CARDLINE-ADMIN SOURCE-DIR
"""
import os
import re
import subprocess
import sys

cardline, admin, source = sys.argv[1:4]
doc = os.path.join(source, "doc")
env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80")
failures = []
# GLib's own options, present in every --help
GENERIC = {"--help", "--help-all", "--help-gapplication", "--gapplication-service"}


def help_options(argv):
    out = subprocess.run(argv, capture_output=True, text=True, env=env).stdout
    return {m for m in re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)", out, re.M)} - GENERIC, out


def roff_options(text):
    return set(re.findall(r"(--[a-z][a-z0-9-]*)", text.replace("\\-", "-"))) - GENERIC


def compare(what, helped, documented):
    for option in sorted(helped - documented):
        failures.append(f"{what}: {option} is in --help but not in the manual page")
    for option in sorted(documented - helped):
        failures.append(f"{what}: the manual page documents {option}, which --help does not offer")


pages = {}
for page in ("cardline.1", "cardline-admin.1"):
    path = os.path.join(doc, page)
    pages[page] = open(path, encoding="utf-8").read()
    rendered = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", path], capture_output=True, text=True,
                              env=env)
    if rendered.returncode != 0 or rendered.stderr.strip():
        failures.append(f"{page}: man --warnings: {rendered.stderr.strip() or rendered.returncode}")


def section(text, name):
    m = re.search(r"^\.SH " + name + r"\n(.*?)(?=^\.SH |\Z)", text, re.M | re.S)
    return m.group(1) if m else ""


# cardline
helped, _ = help_options([cardline, "--help-all"])
compare("cardline", helped, roff_options(section(pages["cardline.1"], "OPTIONS")))

# cardline-admin: the commands, then each command's options in its .SS section
_, out = help_options([admin, "--help"])
commands = re.findall(r"^  ([a-z][a-z-]*)\s{2,}", out.split("Commands:", 1)[-1], re.M)
if not commands:
    failures.append("cardline-admin --help lists no commands")
text = section(pages["cardline-admin.1"], "COMMANDS")
subsections = dict(re.findall(r"^\.SS (\S+)\n(.*?)(?=^\.SS |\Z)", text, re.M | re.S))
subsections = {name.replace("\\-", "-"): body for name, body in subsections.items()}
for name in sorted(set(commands) - set(subsections)):
    failures.append(f"cardline-admin {name} has no section in cardline-admin.1")
for name in sorted(set(subsections) - set(commands)):
    failures.append(f"cardline-admin.1 documents a command {name} that cardline-admin does not have")
for name in commands:
    if name in subsections:
        helped, _ = help_options([admin, name, "--help"])
        compare(f"cardline-admin {name}", helped, roff_options(subsections[name]))

# The environment: what the code reads is documented in a page and in the README.
readme = open(os.path.join(source, "README.md"), encoding="utf-8").read()
read = set()
for top in ("app", "lib", "drivers", "ui"):
    for root, _, files in os.walk(os.path.join(source, top)):
        for f in files:
            if f.endswith(".c"):
                read |= set(re.findall(r'getenv \("([A-Z_]+)"\)', open(os.path.join(root, f)).read()))
read.discard("CARDLINE_DEBUG_STARTUP")  # a developer's timing switch
documented = set()
for text in pages.values():
    documented |= set(re.findall(r"\b([A-Z][A-Z0-9_]+)\b", section(text, "ENVIRONMENT")))
for variable in sorted(read - documented):
    failures.append(f"{variable} is read by the code but in no manual page's ENVIRONMENT")
for variable in sorted(read):
    if variable not in readme:
        failures.append(f"{variable} is read by the code but not in README.md")

for failure in failures:
    print("FAIL:", failure)
print(f"manual pages: {len(failures)} problems")
sys.exit(1 if failures else 0)
