# shellcheck shell=bash disable=SC2154,SC2034  # sourced by tests/rig/demo, whose variables it uses
# demo-fleet.sh: sourced by tests/rig/demo for CARDLINE_DEMO_MODE=fleet, once the rig (racks 8,8,1 and a private
# PostgreSQL), the accounts, the keys and the cards are there. Three stations produce the one batch:
#   rack-a   rack 1: 16 PC/SC readers (8 vpcd readers, both slots) and its own pcscd, fed by its rack feeder
#   rack-b   rack 2: the same with its own pcscd
#   printer  rack 3: the printer sim's contact station, faces on the rig's ippeveprinter
# The stack is shared out: the racks take 40 % each, the printer's hopper the rest. With a display rack-a runs in the
# window (sign in to start it), the others headless. Ends when every station has ended (the batch complete, or
# CARDLINE_DEMO_SECONDS, 300 by default), then prints the fleet's summary.
# Each station runs on its own SoftHSM2 token, which the demo loaded by the key ceremony (fleet-keys.sh) into
# $rig_dir/keys/STATION; all three start at once.
# Uses the demo's variables: app admin vcard feeder printer_sim rig rig_dir store profile batch cards window
# line_args headless_args; adds the processes it starts to fleet_pids (the demo's cleanup stops them).

fleet_seconds=${CARDLINE_DEMO_SECONDS:-300}

case $store in
  postgresql:*)
    if [ "$("${CARDLINE_PG_BIN:-/usr/lib/postgresql/15/bin}/psql" -X -tA "$store" -c "SELECT count(*) FROM users" 2>&1)" != 5 ]; then
      echo "demo: cardline-admin did not write the demo accounts into the PostgreSQL database $store" \
        "(does this build open postgresql:// stores?)" >&2
      exit 1
    fi
    ;;
esac

# fleet_in_rack K CMD...: CMD with rack K's PC/SC environment
fleet_in_rack ()
{
  "$rig" rack-exec "$rig_dir" "$@"
}

mkdir -p "$rig_dir/cards-a" "$rig_dir/cards-b" "$rig_dir/hopper" "$rig_dir/output" "$rig_dir/reject"
share=$((cards * 2 / 5))
# shellcheck disable=SC2012  # the demo's own file names (card-NNNN.vcard)
ls "$rig_dir"/cards/*.vcard | head -n "$share" | xargs mv -t "$rig_dir/cards-a"
# shellcheck disable=SC2012
ls "$rig_dir"/cards/*.vcard | head -n "$share" | xargs mv -t "$rig_dir/cards-b"
mv "$rig_dir"/cards/*.vcard "$rig_dir/hopper/"
echo "demo: fleet of 3 stations on batch $batch (quantity $quantity) in PostgreSQL $store;" \
  "rack-a $share cards, rack-b $share, printer hopper $((cards - 2 * share))" >&2

# shellcheck disable=SC2016  # expanded in rack 3's environment
fleet_printer_port=$(fleet_in_rack 3 sh -c 'echo "${CARDLINE_VPCD_PORTS%%,*}"')
# shellcheck disable=SC2016
fleet_printer_reader=$(fleet_in_rack 3 sh -c 'echo "${CARDLINE_READER_NAMES%%,*}"')
"$printer_sim" --listen 127.0.0.1:0 --hopper "$rig_dir/hopper" --output "$rig_dir/output" --reject "$rig_dir/reject" \
  --vpcd-port "$fleet_printer_port" --vcard "$vcard" --timing >"$rig_dir/printer.port" 2>"$rig_dir/printer-sim.log" &
sim_pid=$!
for _ in $(seq 100); do [ -s "$rig_dir/printer.port" ] && break; sleep 0.1; done
[ -s "$rig_dir/printer.port" ] || { echo "demo: the printer sim did not start" >&2; exit 1; }

fleet_station_pids=""
# The stations start at once, each on its own token (loaded by the demo's ceremony in $rig_dir/keys/STATION).
for station in rack-b printer rack-a; do
  args=("${line_args[@]}" --station "$station")
  fleet_station_env "$rig_dir/keys/$station" "$station"
  case $station in
    rack-a) rack=1 ;;
    rack-b) rack=2 ;;
    printer)
      rack=3
      args+=(--printer "tcp://127.0.0.1:$(head -n 1 "$rig_dir/printer.port")" --printer-reader "$fleet_printer_reader")
      ;;
  esac
  if [ "$station" = rack-a ] && [ -n "$window" ]; then
    (exec "$rig" rack-exec "$rig_dir" "$rack" "${FLEET_ENV[@]}" "$app" "${args[@]}") &
  else
    (exec "$rig" rack-exec "$rig_dir" "$rack" "${FLEET_ENV[@]}" "$app" "${headless_args[@]/summary.json/summary-$station.json}" \
      "${args[@]}" --duration "$fleet_seconds" --output lines) >"$rig_dir/station-$station.log" 2>&1 &
    echo "demo: station $station headless on rack $rack (log $rig_dir/station-$station.log)" >&2
  fi
  fleet_station_pids="$fleet_station_pids $!"
  fleet_pids="$fleet_pids $!"
  if [ "$rack" != 3 ]; then
    (exec "$rig" rack-exec "$rig_dir" "$rack" "$feeder" --vcard "$vcard" --store "$store" --station "$station" --slots 2 --card-timing \
      "$rig_dir/cards-${station#rack-}"/*.vcard) >"$rig_dir/feeder-$station.log" 2>&1 &
    fleet_pids="$fleet_pids $!"
  fi
done

status=0
for pid in $fleet_station_pids; do
  wait "$pid" || status=$?
done
for station in rack-b printer rack-a; do
  [ -f "$rig_dir/station-$station.log" ] && grep -E "^batch .* (complete|stopped)$" "$rig_dir/station-$station.log" |
    sed "s/^/demo: $station: /" >&2
done

echo "demo: the fleet's summary" >&2
if "$admin" fleet status --help >/dev/null 2>&1; then
  "$admin" fleet status --store "$store" >&2 || status=$?
else
  # (cardline-admin fleet status does not exist on this build: the same from SQL)
  /usr/lib/postgresql/15/bin/psql -X -q "$store" -c "SELECT a.station, count(*) AS attempts,
      count(*) FILTER (WHERE a.result = 'GOOD') AS good, count(*) FILTER (WHERE a.result = 'REJECTED') AS rejected,
      count(*) FILTER (WHERE d.destination = 'RETAINED') AS retained,
      round(60.0 * count(*) FILTER (WHERE a.result = 'GOOD') / greatest(1, (max(a.ended) - min(a.started)) / 1e6), 1)
        AS good_per_min
    FROM attempts a JOIN batches b ON b.id = a.batch_id LEFT JOIN dispositions d ON d.attempt_id = a.id
    WHERE b.name = '$batch' GROUP BY a.station ORDER BY a.station" >&2 || status=$?
fi
echo "demo: the stations' keys (each its own token, loaded by the ceremony)" >&2
"$admin" fleet keys --store "$store" >&2 || status=$?
"$admin" report --store "$store" --batch "$batch" --user demo-supervisor --password-file "$rig_dir/demo-password" >&2 || status=$?
exit "$status"
