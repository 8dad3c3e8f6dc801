#!/bin/bash
# `cardline-admin report --station NAME` on a real SQLite store: one station's figures (the cards it made), the
# fleet's without it, and a station the store does not know refused with its name and the ones there are. The
# attempts are written by raw SQL, as another writer would: the store's triggers keep the figures.
set -eu
admin="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export CARDLINE_STORE="$dir/store.db"
secret='Tr0ub4dor&3-horse'
fail() { echo "not ok: $*"; exit 1; }
sql() {
  /usr/bin/python3 -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' "$CARDLINE_STORE" "$1"
}
field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

printf '%s\n' "$secret" >"$dir/pw"
chmod 600 "$dir/pw"
auth=(--user ada --password-file "$dir/pw")
printf '%s\n' "$secret" | "$admin" user add ada --role admin >"$dir/out" 2>&1 || fail "first admin: $(cat "$dir/out")"

# north: 0A good, 0B rejected; south: 0B good (the chip moved), 0C good, 0D good.
sql "INSERT INTO cards (chip_id, first_seen, last_seen, state) VALUES
  ('0A', 1, 1, 'GOOD'), ('0B', 1, 1, 'GOOD'), ('0C', 1, 1, 'GOOD'), ('0D', 1, 1, 'GOOD');
INSERT INTO attempts (chip_id, kind, station, reader, started, ended, result, reject_reason, failed_step,
  first_attempt) VALUES
  ('0A', 'PRODUCTION', 'north', 'r', 1000000, 3000000, 'GOOD', NULL, NULL, 1),
  ('0B', 'PRODUCTION', 'north', 'r', 4000000, 5000000, 'REJECTED', 'LOAD_FAILED', 'LOAD_APPLET', 1),
  ('0B', 'PRODUCTION', 'south', 'r', 6000000, 8000000, 'GOOD', NULL, NULL, 0),
  ('0C', 'PRODUCTION', 'south', 'r', 6000000, 8000000, 'GOOD', NULL, NULL, 1),
  ('0D', 'PRODUCTION', 'south', 'r', 9000000, 9500000, 'GOOD', NULL, NULL, 1);"

"$admin" report --station north --format json "${auth[@]}" >"$dir/north.json" || fail "report --station north"
[ "$(field "$dir/north.json" station)" = north ] || fail "station not named: $(cat "$dir/north.json")"
[ "$(field "$dir/north.json" fed)" = 2 ] || fail "north fed: $(cat "$dir/north.json")"
[ "$(field "$dir/north.json" good)" = 1 ] || fail "north good: $(cat "$dir/north.json")"
[ "$(field "$dir/north.json" rejected)" = 1 ] || fail "north rejected: $(cat "$dir/north.json")"
"$admin" report --station south --format json "${auth[@]}" >"$dir/south.json" || fail "report --station south"
[ "$(field "$dir/south.json" fed)" = 3 ] || fail "south fed: $(cat "$dir/south.json")"
[ "$(field "$dir/south.json" good)" = 3 ] || fail "south good: $(cat "$dir/south.json")"
[ "$(field "$dir/south.json" first_pass_good)" = 2 ] || fail "south first pass: $(cat "$dir/south.json")"
"$admin" report --format json "${auth[@]}" >"$dir/all.json" || fail "report"
[ "$(field "$dir/all.json" fed)" = 5 ] || fail "fleet fed: $(cat "$dir/all.json")"
[ "$(field "$dir/all.json" distinct_chips)" = 4 ] || fail "fleet chips: $(cat "$dir/all.json")"
"$admin" report --station south "${auth[@]}" >"$dir/south.txt" || fail "text report"
grep -q '^Station south$' "$dir/south.txt" || fail "text report does not name the station: $(cat "$dir/south.txt")"

"$admin" report --station west "${auth[@]}" >"$dir/e" 2>&1 && fail "an unknown station was reported"
grep -q 'Station “west” is not known to this store (stations: north, south)' "$dir/e" || fail "refusal: $(cat "$dir/e")"
echo "ok: report --station"
