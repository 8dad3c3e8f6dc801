# station-procs.sh: sourced by the rig tests that run a headless station and the rack feeder as background
# processes. They keep the processes' pids in $station_pid and $feeder_pid (empty when not running) and their files
# under $work; on exit both processes are stopped and waited for, and $work goes unless CARDLINE_KEEP_RIG is set.

# shellcheck disable=SC2317  # invoked from the trap
stop_station_procs ()
{
  for pid in ${station_pid:-} ${feeder_pid:-}; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in ${station_pid:-} ${feeder_pid:-}; do
    wait "$pid" 2>/dev/null || true
  done
  [ -n "${CARDLINE_KEEP_RIG:-}" ] || rm -rf "$work"
}
trap stop_station_procs EXIT

# finish_station_procs [TENTHS]: waits until the station (batch complete) or the feeder (every card fed and pulled)
# is done, gives the other ten seconds' grace, then stops both normally. TENTHS (default 1200) bounds the first wait;
# the bounds only guard a hang, they are not timing assertions.
finish_station_procs ()
{
  for _ in $(seq 1 "${1:-1200}"); do
    kill -0 "$station_pid" 2>/dev/null || break
    kill -0 "$feeder_pid" 2>/dev/null || break
    sleep 0.1
  done
  for _ in $(seq 1 100); do
    kill -0 "$station_pid" 2>/dev/null || kill -0 "$feeder_pid" 2>/dev/null || break
    sleep 0.1
  done
  for pid in $feeder_pid $station_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  station_pid=""
  feeder_pid=""
}
