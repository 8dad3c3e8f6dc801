#!/bin/bash
# pcscd-restart: the rig's real pcscd is killed (SIGKILL) while several cards are mid-sequence in their readers and
# started again on the same sockets and vpcd ports (rig pcscd-restart). The cards stay in their readers (the virtual
# cards reconnect to vpcd, their state kept in their images as a chip's EEPROM). The headless station must:
#   - pause with the service-lost fault and its instruction, and resume by itself once pcscd is back;
#   - reject no card for the outage (no CARD_REMOVED, PROTOCOL_ERROR or NO_ATR), close no attempt RETAINED;
#   - finish every card: every attempt ended, every GOOD one with a passed VERIFY and one certificate, the
#     dispositions matching the results (counts equal the bins), store verify passing.
#
#   test-pcscd-restart.sh CARDLINE CARDLINE-ADMIN CARDLINE-VCARD RACK-FEEDER    (rig-run --readers 4 --parts pcsc,hsm)
set -eu

cardline=$1
admin=$2
vcard=$3
feeder=$4
source_dir=${CARDLINE_SOURCE_DIR:?}
rig_dir=${CARDLINE_RIG_DIR:?}
# enough cards that the batch is still running when the kill comes, a second after the first insertion
cards=16
work=$(mktemp -d "${TMPDIR:-/tmp}/cardline-pcscd-restart.XXXXXX")
station_pid=""
feeder_pid=""

# shellcheck source-path=SCRIPTDIR source=station-procs.sh
. "$(dirname "$0")/station-procs.sh"

fail ()
{
  echo "FAIL: $*" >&2
  for log in "$work"/station.log "$work"/feeder.log "$rig_dir"/log/pcscd.log; do
    [ -e "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
  done
  exit 1
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every 0.1 s, bounded; the station must stay alive meanwhile.
wait_until ()
{
  local limit=$(($1 * 10)) what=$2
  shift 2
  for _ in $(seq 1 "$limit"); do
    "$@" && return 0
    kill -0 "$station_pid" 2>/dev/null || fail "the station exited while waiting for $what"
    sleep 0.1
  done
  fail "no $what within $((limit / 10)) s"
}

sql ()
{
  python3 -c 'import sqlite3, sys
try:
    print(sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=5).execute(sys.argv[2]).fetchone()[0])
except sqlite3.Error:
    print(-1)' "$store" "$1"
}

# From the station's own log (cheap to read, unlike opening the store while it is written): readers whose card
# passed IDENTIFY and has no outcome yet.
cards_mid_sequence ()
{
  awk '$2 == "note" && $3 == "Cardline" {
         reader = $5 " " $6 " " $7
         if ($8 == "step" && $10 == "step=IDENTIFY") open[reader] = 1
         else if ($8 == "good" || $8 == "reject" || $8 == "not") open[reader] = 0
       }
       END { n = 0; for (r in open) n += open[r]; exit !(n >= 2) }' "$work/station.log"
}

export CARDLINE_PKI_DIR="$work/pki"
keys="$source_dir/data/demo/demo-keys.ini"
profile="$source_dir/data/profiles/smartcard-hsm.profile"
store="$work/station.db"
. "$source_dir/tests/rig/station-accounts.sh"
station_accounts "$admin" "$store" "$work" || fail "station accounts"
"$admin" demo-setup --keys "$keys" >"$work/demo-setup.log" 2>&1 || fail "demo-setup: $(tail -n 3 "$work/demo-setup.log")"
kst ()
{
  sed -n "/^\[KST\]/,/^\[/s/^$1=//p" "$keys"
}
"$vcard" manufacture --out "$work/cards" --count "$cards" --seed 19 --kst-type "$(kst type)" \
  --kst-version "$(kst version)" --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null

"$cardline" --headless "${operator_auth[@]}" --profile "$profile" --batch pcscd-restart --quantity "$cards" \
  --store "$store" --duration 300 >"$work/station.log" 2>&1 &
station_pid=$!
wait_until 20 "station start" grep -q '^production batch=' "$work/station.log"
# the cards run at a chip's pace, so that several are mid-sequence when pcscd goes
"$feeder" --vcard "$vcard" --store "$store" --timeout 120 --cards-stay 60 --card-timing "$work"/cards/*.vcard \
  >"$work/feeder.log" 2>&1 &
feeder_pid=$!

wait_until 60 "two cards mid-sequence" cards_mid_sequence
"$source_dir/tests/rig/rig" pcscd-restart "$rig_dir" --down-seconds 2 || fail "rig pcscd-restart"
echo "pcscd-restart: pcscd killed and back; attempts open now: $(sql "SELECT count(*) FROM attempts WHERE ended IS NULL")" >&2
wait_until 30 "service-lost fault" grep -q 'fault fault=service-lost' "$work/station.log"
wait_until 60 "the line resuming by itself" grep -q 'resumed fault=service-lost' "$work/station.log"
grep -q 'fault fault=service-lost.*instruction=' "$work/station.log" || fail "the service-lost fault has no instruction"

# the batch completes (the station ends) and the feeder pulls the last cards
finish_station_procs 2400
grep -q "batch pcscd-restart complete" "$work/station.log" || fail "batch not complete"

"$admin" store verify --store "$store" >"$work/verify.log" 2>&1 || fail "store verify: $(cat "$work/verify.log")"

"$(dirname "$0")/check-store-records.py" pcscd-restart "$store" --cards "$cards" --all-good --one-certificate \
  || fail "store records violate the rules above"
python3 - "$store" "$cards" <<'EOF' || fail "the outage's records violate the rules above"
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
q = lambda sql, *a: db.execute(sql, a).fetchall()
n = lambda sql, *a: q(sql, *a)[0][0]
problems = []
def check(name, rows):
    if rows:
        problems.append("%s: %s" % (name, rows[:5]))
check("cards rejected for the outage",
      q("SELECT id, reject_reason, failed_step FROM attempts WHERE result = 'REJECTED' "
        "AND reject_reason IN ('CARD_REMOVED', 'PROTOCOL_ERROR', 'NO_ATR')"))
check("attempts closed RETAINED", q("SELECT attempt_id FROM dispositions WHERE destination = 'RETAINED'"))
good = n("SELECT count(*) FROM attempts WHERE result = 'GOOD'")
output = n("SELECT count(*) FROM dispositions WHERE destination = 'OUTPUT'")
rejected = n("SELECT count(*) FROM attempts WHERE result = 'REJECTED'")
bin_ = n("SELECT count(*) FROM dispositions WHERE destination = 'REJECT_BIN'")
check("GOOD attempts != output hopper", [] if good == output else [(good, output)])
check("rejected attempts != reject bin", [] if rejected == bin_ else [(rejected, bin_)])
check("good cards != cards fed", [] if good == int(sys.argv[2]) else [good])
for p in problems:
    print("pcscd-restart: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
echo "pcscd-restart: ok" >&2
