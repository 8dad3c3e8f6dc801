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
