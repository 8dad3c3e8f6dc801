# shellcheck shell=bash
# fleet-json.sh: sourced by the tests that read `cardline-admin fleet status --json` (issue 18 item 3). Expects
# $admin (cardline-admin), $store, $work and a fail function.
# shellcheck disable=SC2154  # set by the sourcing test

# fleet_json PYTHON-EXPRESSION: true when the expression holds of the status (s: station name -> its object); the
# status stays in $work/status.json
fleet_json ()
{
  "$admin" fleet status --store "$store" --json >"$work/status.json" 2>"$work/status.err" || return 1
  /usr/bin/python3 -c 'import json, sys
s = {x["name"]: x for x in json.load(open(sys.argv[1]))["stations"]}
sys.exit(0 if eval(sys.argv[2]) else 1)' "$work/status.json" "$1"
}

# wait_for WHAT TENTHS COMMAND...: runs COMMAND until it succeeds, for up to TENTHS tenths of a second (a bound
# against a hang, not a timing assertion)
wait_for ()
{
  local what=$1 until=$((SECONDS + ($2 + 9) / 10))
  shift 2
  while [ "$SECONDS" -le "$until" ]; do
    "$@" && return 0
    sleep 0.1
  done
  fail "$what: $(cat "$work/status.json" 2>/dev/null)"
}
