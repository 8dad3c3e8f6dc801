#!/bin/bash
# hostile-pcsc: cards that answer wrongly, over the real pcscd. A small batch on the rig where the virtual cards
# carry [defects]: a corrupt card cryptogram or R-MAC (bad_mac_at=N), answer data cut short (bad_len_at=N) and an
# unexpected status word (sw_at=INS:SW), next to an intact card. The station must reject each defective card with
# a reason from the closed list, the step and the last status word, in its log and in the store; nothing crashes
# (the station and every card process exit normally); every attempt has exactly one disposition and every card
# image is fed once.
#
#   test-hostile-pcsc.sh CARDLINE CARDLINE-ADMIN CARDLINE-VCARD RACK-FEEDER    (rig-run --readers 2 --parts pcsc,hsm)
set -eu

cardline=$1
admin=$2
vcard=$3
feeder=$4
source_dir=${CARDLINE_SOURCE_DIR:?}
keys=$source_dir/data/demo/demo-keys.ini
profile=$source_dir/data/profiles/smartcard-hsm.profile
work=$(mktemp -d "${TMPDIR:-/tmp}/cardline-hostile.XXXXXX")
feeder_pid=""
cleanup ()
{
  if [ -n "$feeder_pid" ]; then kill -TERM "$feeder_pid" 2>/dev/null || true; wait "$feeder_pid" 2>/dev/null || true; fi
  [ -n "${CARDLINE_KEEP_RIG:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
fail ()
{
  echo "FAIL: $*" >&2
  for log in "$work"/station.log "$work"/feeder.log; do
    [ -e "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
  done
  exit 1
}

# One defect per card image, in feed order, with the verdict the station must reach: "reason step" (GOOD for the
# intact card). The APDU numbers count from the card's power-on in a blank card's minimal sequence: 1 SELECT ISD,
# 2 GET DATA CPLC, 3 INITIALIZE UPDATE, 4 EXTERNAL AUTHENTICATE, then the secured commands (R-MAC on every answer):
# 5 STORE DATA, 6 SET STATUS (CONFIGURE). (With the state probes every blank card used to get, INITIALIZE UPDATE was
# APDU 4 and CONFIGURE's first answer with an R-MAC APDU 7.)
defects=(
  ""
  "bad_mac_at=3"
  "bad_mac_at=5"
  "bad_len_at=2"
  "bad_len_at=3"
  "sw_at=D8:6A80"
)
expect=(
  "GOOD"
  "AUTH_KST_FAILED OPEN_KST"
  "HOSTILE_CARD CONFIGURE"
  "HOSTILE_CARD IDENTIFY"
  "HOSTILE_CARD OPEN_KST"
  "KEY_ROTATION_FAILED ROTATE_KEYS"
)
cards=${#defects[@]}

export CARDLINE_PKI_DIR=$work/pki
store=$work/station.db
. "${CARDLINE_SOURCE_DIR:?}/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"
"$admin" demo-setup --keys "$keys" >"$work/demo-setup.log" 2>&1 || fail "demo-setup: $(tail -n 3 "$work/demo-setup.log")"
kst ()
{
  sed -n "/^\[KST\]/,/^\[/s/^$1=//p" "$keys"
}
"$vcard" manufacture --out "$work/cards" --count "$cards" --seed 4242 --kst-type "$(kst type)" \
  --kst-version "$(kst version)" --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null
images=("$work"/cards/*.vcard)
[ "${#images[@]}" = "$cards" ] || fail "manufactured ${#images[@]} card images for $cards"
for i in "${!images[@]}"; do
  [ -z "${defects[$i]}" ] || printf '\n[defects]\n%s\n' "${defects[$i]}" >>"${images[$i]}"
done

"$feeder" --vcard "$vcard" --store "$store" "${images[@]}" >"$work/feeder.log" 2>&1 &
feeder_pid=$!
"$cardline" --headless "${operator_auth[@]}" --profile "$profile" --batch hostile --quantity "$cards" --store "$store" \
  --summary-json "$work/summary.json" --duration 120 >"$work/station.log" 2>&1 || fail "cardline --headless exited $?"
wait "$feeder_pid" || fail "rack feeder exited $?"
feeder_pid=""
grep -q "^feeder: $cards cards fed, $cards pulled" "$work/feeder.log" || fail "not every card fed once and pulled"
"$admin" store verify --store "$store" >"$work/verify.log" 2>&1 || fail "store verify: $(cat "$work/verify.log")"

# Each reject line of the station names reason, step and status word.
while read -r line; do
  [[ $line =~ reason=[A-Z_]+\ step=[A-Z_]+\ sw=[0-9A-F]{4} ]] || fail "reject line without reason/step/SW: $line"
done < <(grep ' reject chip=' "$work/station.log")

# The store: per card image (its chip identity from its CPLC; none when the CPLC never arrived whole), one attempt,
# one disposition, the expected verdict.
for i in "${!images[@]}"; do
  printf '%s\t%s\n' "${images[$i]}" "${expect[$i]}"
done >"$work/expect.tsv"
python3 - "$store" "$work/expect.tsv" "$work/summary.json" <<'EOF' || fail "store records violate the rules above"
import json, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
q = lambda sql, *a: db.execute(sql, a).fetchall()
problems = []
def chip_id(image):
    # as cl_cplc_chip_id: IC fabricator, IC type, IC batch, IC serial number
    cplc = next(l.split("=", 1)[1].strip() for l in open(image) if l.startswith("cplc=")).upper()
    return cplc[0:4] + cplc[4:8] + cplc[32:36] + cplc[24:32]
expected = []
for line in open(sys.argv[2]):
    image, verdict = line.rstrip("\n").split("\t")
    expected.append((None if verdict.endswith(" IDENTIFY") else chip_id(image), verdict))
rows = q("SELECT a.id, a.chip_id, a.result, a.reject_reason, a.failed_step, a.last_sw, "
         "(SELECT group_concat(destination) FROM dispositions d WHERE d.attempt_id = a.id) FROM attempts a ORDER BY a.id")
for r in rows:
    print("hostile-pcsc: attempt %s chip %s %s %s at %s sw %s -> %s" % r, file=sys.stderr)
if len(rows) != len(expected):
    problems.append("%d attempts for %d cards" % (len(rows), len(expected)))
by_chip = {}
for r in rows:
    by_chip.setdefault(r[1], []).append(r)
for chip, verdict in expected:
    got = by_chip.get(chip, [])
    if len(got) != 1:
        problems.append("chip %s: %d attempts" % (chip, len(got)))
        continue
    _, _, result, reason, step, sw, dest = got[0]
    if verdict == "GOOD":
        if (result, dest) != ("GOOD", "OUTPUT"):
            problems.append("chip %s: %s to %s, expected GOOD to OUTPUT" % (chip, result, dest))
        continue
    want_reason, want_step = verdict.split()
    if (result, reason, step, dest) != ("REJECTED", want_reason, want_step, "REJECT_BIN") or sw is None:
        problems.append("chip %s: %s %s at %s sw %s to %s, expected REJECTED %s at %s with a SW to REJECT_BIN"
                        % (chip, result, reason, step, sw, dest, want_reason, want_step))
summary = json.load(open(sys.argv[3]))
if (summary["good"], summary["rejected"]) != (1, len(expected) - 1):
    problems.append("summary good %s rejected %s" % (summary["good"], summary["rejected"]))
for p in problems:
    print("hostile-pcsc: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
echo "hostile-pcsc: ok ($cards cards, $((cards - 1)) rejected with reason, step and SW)" >&2
