# printer-station.sh: sourced by rig tests that need a printer-fed station: demo cards and the printer sim.
# Expects $work, $keys, $vcard, $sim and a fail function.

# manufacture_cards DIR COUNT: virtual cards carrying the DEMO KST
manufacture_cards ()
{
  kst ()
  {
    sed -n "/^\[KST\]/,/^\[/s/^$1=//p" "$keys"
  }
  "$vcard" manufacture --out "$1" --count "$2" --kst-type "$(kst type)" --kst-version "$(kst version)" \
    --kst-enc "$(kst enc)" --kst-mac "$(kst mac)" --kst-dek "$(kst dek)" >/dev/null
}

# start_printer_sim HOPPER [SIM-OPTION...]: the sim on the rig's first reader; sets sim_pid and printer (tcp://...)
start_printer_sim ()
{
  local hopper=$1
  shift
  mkdir -p "$work/output" "$work/reject"
  # a port file left by an earlier sim would be read before the new one's shell truncates it
  rm -f "$work/sim.port"
  "$sim" --listen 127.0.0.1:0 --hopper "$hopper" --output "$work/output" --reject "$work/reject" \
    --vpcd-port "${CARDLINE_VPCD_PORTS%%,*}" --vcard "$vcard" "$@" >"$work/sim.port" 2>"$work/sim.err" &
  sim_pid=$!
  for _ in $(seq 100); do [ -s "$work/sim.port" ] && break; sleep 0.05; done
  [ -s "$work/sim.port" ] || fail "printer sim did not start"
  printer=tcp://127.0.0.1:$(head -n 1 "$work/sim.port")
}
