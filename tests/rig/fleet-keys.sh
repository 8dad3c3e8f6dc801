# shellcheck shell=bash
# fleet-keys.sh: sourced by tests and demos that load a fleet's station tokens by the key ceremony
# (docs/fleet-keys.md). Needs `fail` defined by the caller. Secrets are random per run, typed on stdin (the ceremony's
# non-terminal mode) and kept in shell variables only.
#
#   fleet_key_source ADMIN DIR AUTH...
#       On the configured token (the rig's: the key source): the transport key TK, KMC/01 and KST/30 (exportable) from
#       random components, wrapped under TK into DIR/kmc.wrapped and DIR/kst.wrapped, and the scheme root (SRCA,
#       demo-setup) with DIR/root-pki/srca.cvc. Sets FLEET_TK=(2 components), FLEET_KMC and FLEET_KST=(6 each: a key
#       set's three keys take two components each, in order ENC 1, ENC 2, MAC 1, ...).
#   fleet_station_token DIR LABEL
#       A SoftHSM2 token of its own in DIR (DIR/softhsm2.conf, DIR/tokens, the user PIN in DIR/pin); its PINs are
#       appended to FLEET_PINS (for the tests that grep for them).
#   fleet_at_station DIR LABEL CMD...
#       Runs CMD with the station token's CARDLINE_P11_* and SOFTHSM2_CONF.
#   fleet_key_station ADMIN SOURCE-DIR DIR LABEL CHR AUTH...
#       The station's ceremony: TK from its components, KMC and KST unwrapped from SOURCE-DIR (check values compared),
#       its own DICA (holder CHR) requested in its token and certified by the SRCA at the key source; DIR/pki holds
#       srca.cvc and dica.cvc. Set FLEET_OWN_KMC=(6 components) to enter a KMC of its own instead (a station
#       wrongly loaded).
#   fleet_load ADMIN DIR STATION... -- AUTH...
#       The whole fleet: the key source in DIR (fleet_key_source), then for the Nth STATION a token of its own in
#       DIR/STATION labelled STATION, loaded by its ceremony with DICA CLDICA0000N (the stations' tokens at once).
#   fleet_station_env DIR LABEL
#       Sets FLEET_ENV to an `env` command line giving CMD the station token's variables and its PKI directory, also
#       under `rig rack-exec` (which exports the rig's token): "${FLEET_ENV[@]}" CMD... (env execs: CMD keeps the pid).
#   fleet_kst ROLE
#       The KST's key ROLE (enc, mac or dek): the XOR of its two components, hex, as the card manufacturer puts it into
#       the cards (cardline-vcard manufacture --kst-enc ...).
#
# Each station has its own SOFTHSM2_CONF and token directory, so it sees its own token only (as a station on its own
# machine sees its own HSM): SoftHSM2 rewrites a token's file on every login, and a process listing the slots of a
# directory another process writes meanwhile can miss a token (stations starting at once on one token failed so).

fleet_component () { od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F; }

# fleet_xor A B: the XOR of two 16-byte hex values, in 32-bit pieces (bash arithmetic is 64-bit signed)
fleet_xor ()
{
  local k out=""
  for k in 0 8 16 24; do out+=$(printf '%08X' $((16#${1:k:8} ^ 16#${2:k:8}))); done
  echo "$out"
}

fleet_kst ()
{
  local i
  case $1 in
    enc) i=0 ;;
    mac) i=2 ;;
    dek) i=4 ;;
    *) fail "fleet_kst: no KST key $1" ;;
  esac
  fleet_xor "${FLEET_KST[$i]}" "${FLEET_KST[$((i + 1))]}"
}

fleet_key_source ()
{
  local admin=$1 dir=$2
  shift 2
  FLEET_TK=("$(fleet_component)" "$(fleet_component)") FLEET_KMC=() FLEET_KST=()
  for _ in 1 2 3 4 5 6; do FLEET_KMC+=("$(fleet_component)") FLEET_KST+=("$(fleet_component)"); done
  {
    printf '%s\n' "${FLEET_TK[@]}" | "$admin" keys import --name TK --kind transport --components 2 "$@" &&
      printf '%s\n' "${FLEET_KMC[@]}" | "$admin" keys import --name KMC --key-version 1 --components 2 --exportable "$@" &&
      # the profiles' KST version is 30 (hex)
      printf '%s\n' "${FLEET_KST[@]}" | "$admin" keys import --name KST --key-version 48 --components 2 --exportable "$@" &&
      "$admin" keys export --name KMC --key-version 1 --transport TK --out "$dir/kmc.wrapped" "$@" &&
      "$admin" keys export --name KST --key-version 48 --transport TK --out "$dir/kst.wrapped" "$@" &&
      # the scheme root; demo-setup keeps the ceremony's KMC and KST
      "$admin" demo-setup --pki-dir "$dir/root-pki"
  } >"$dir/key-source.log" 2>&1 || { cat "$dir/key-source.log"; fail "key source ceremony"; }
}

fleet_station_token ()
{
  local dir=$1 label=$2 so pin
  mkdir -p "$dir/tokens" "$dir/pki" && chmod 700 "$dir"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$dir/tokens" >"$dir/softhsm2.conf"
  so=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ') pin=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')
  FLEET_PINS="${FLEET_PINS:-} $so $pin"
  # softhsm2-util only takes PINs as arguments (as the rig's own token: random, test-private)
  SOFTHSM2_CONF=$dir/softhsm2.conf softhsm2-util --init-token --free --label "$label" --so-pin "$so" --pin "$pin" \
    >/dev/null || fail "token $label"
  (umask 077 && printf '%s' "$pin" >"$dir/pin")
}

fleet_at_station ()
{
  local dir=$1 label=$2
  shift 2
  SOFTHSM2_CONF=$dir/softhsm2.conf CARDLINE_P11_TOKEN=$label CARDLINE_P11_PIN_FILE=$dir/pin "$@"
}

# fleet_station_steps ADMIN SOURCE-DIR DIR LABEL CHR AUTH...: the station's side of its ceremony, on its own token
# (TK, KMC and KST, the DICA request), into DIR/ceremony.log; false when a step failed
fleet_station_steps ()
{
  local admin=$1 source=$2 dir=$3 label=$4 chr=$5
  shift 5
  # each step checked: set -e does not hold inside a group whose status is tested
  {
    printf '%s\n' "${FLEET_TK[@]}" | fleet_at_station "$dir" "$label" "$admin" keys import --name TK --kind transport \
      --components 2 "$@" &&
      if [ -n "${FLEET_OWN_KMC+set}" ]; then
        printf '%s\n' "${FLEET_OWN_KMC[@]}" | fleet_at_station "$dir" "$label" "$admin" keys import --name KMC \
          --key-version 1 --components 2 "$@"
      else
        fleet_at_station "$dir" "$label" "$admin" keys import-wrapped "$source/kmc.wrapped" "$@"
      fi &&
      fleet_at_station "$dir" "$label" "$admin" keys import-wrapped "$source/kst.wrapped" "$@" &&
      fleet_at_station "$dir" "$label" "$admin" dica request --chr "$chr" --out "$dir/dica.req" "$@"
  } >"$dir/ceremony.log" 2>&1
}

# fleet_certify ADMIN SOURCE-DIR DIR LABEL AUTH...: the scheme root certifies the station's DICA (at the key source)
fleet_certify ()
{
  local admin=$1 source=$2 dir=$3 label=$4
  shift 4
  {
    "$admin" dica certify "$dir/dica.req" --srca-cvc "$source/root-pki/srca.cvc" --out "$dir/pki/dica.cvc" "$@" &&
      cp "$source/root-pki/srca.cvc" "$dir/pki/"
  } >>"$dir/ceremony.log" 2>&1 || { cat "$dir/ceremony.log"; fail "certifying the DICA of station $label"; }
}

fleet_key_station ()
{
  local admin=$1 source=$2 dir=$3 label=$4 chr=$5
  shift 5
  fleet_station_steps "$admin" "$source" "$dir" "$label" "$chr" "$@" ||
    { cat "$dir/ceremony.log"; fail "ceremony of station $label"; }
  fleet_certify "$admin" "$source" "$dir" "$label" "$@"
}

fleet_load ()
{
  local admin=$1 dir=$2 n=0 name
  shift 2
  local names=() pids=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    names+=("$1")
    shift
  done
  shift
  fleet_key_source "$admin" "$dir" "$@"
  # the stations' tokens at once (each process on its own token); the DICAs one after the other, as the scheme root
  # is one token
  for name in "${names[@]}"; do
    n=$((n + 1))
    fleet_station_token "$dir/$name" "$name"
    fleet_station_steps "$admin" "$dir" "$dir/$name" "$name" "CLDICA0000$n" "$@" &
    pids+=($!)
  done
  n=0
  for name in "${names[@]}"; do
    wait "${pids[$n]}" || { cat "$dir/$name/ceremony.log"; fail "ceremony of station $name"; }
    n=$((n + 1))
  done
  for name in "${names[@]}"; do fleet_certify "$admin" "$dir" "$dir/$name" "$name" "$@"; done
}

# shellcheck disable=SC2034  # FLEET_ENV is the caller's
fleet_station_env ()
{
  FLEET_ENV=(env -u CARDLINE_P11_SO_PIN_FILE "SOFTHSM2_CONF=$1/softhsm2.conf" "CARDLINE_P11_TOKEN=$2"
    "CARDLINE_P11_PIN_FILE=$1/pin" "CARDLINE_PKI_DIR=$1/pki")
}
