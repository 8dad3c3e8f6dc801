# station-accounts.sh: sourced by rig scripts and tests that run batches or privileged cardline-admin commands.
#
#   station_accounts CARDLINE-ADMIN STORE DIR
#
# Makes the store's first administrator "ada" (allowed without signing in: the store has no account yet) and the
# operator "olga", both with the password in DIR/station-password (mode 0600, as cardline and cardline-admin demand
# of a password file), then sets
#   operator_auth=(--user olga --password-file DIR/station-password)   for cardline --headless batches
#   admin_auth=(--user ada --password-file DIR/station-password)        for cardline-admin's privileged commands
station_accounts ()
{
  local admin_exe=$1 store=$2 dir=$3
  local password_file=$dir/station-password

  mkdir -p "$dir"
  (umask 077 && printf 'station rig password\n' >"$password_file")
  "$admin_exe" user add ada --role admin --store "$store" --new-password-file "$password_file" >/dev/null ||
    return 1
  admin_auth=(--user ada --password-file "$password_file")
  "$admin_exe" user add olga --role operator --store "$store" --new-password-file "$password_file" \
    "${admin_auth[@]}" >/dev/null || return 1
  operator_auth=(--user olga --password-file "$password_file")
}

# custodian_account CARDLINE-ADMIN STORE DIR (after station_accounts): the key custodian "keeper" with the same
# password, added by ada, for the key ceremony (tests/rig/fleet-keys.sh); sets
#   custodian_auth=(--user keeper --password-file DIR/station-password)
custodian_account ()
{
  local admin_exe=$1 store=$2 dir=$3

  "$admin_exe" user add keeper --role custodian --store "$store" --new-password-file "$dir/station-password" \
    "${admin_auth[@]}" >/dev/null || return 1
  custodian_auth=(--user keeper --password-file "$dir/station-password")
}
