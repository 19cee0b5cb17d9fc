#!/bin/bash
# Registers Altibase's 64-bit ODBC driver (SQLLEN 64-bit build, matching unixODBC on 64-bit Linux)
# with unixODBC under the name aku's connection strings use: DRIVER=ALTIBASE_HDB_ODBC_64bit.
# Run once at image build time, as root: register-odbc-driver.sh <ALTIBASE_HOME> [odbcinst.ini]
# Without the second argument the file comes from `odbcinst -j`, unixODBC's own answer (on Debian 12
# the command is in the `odbcinst` package, not in `unixodbc`).
set -euo pipefail
# (no dirname: the script also runs with a bare PATH at image build time)
# shellcheck source=docker/lib/exit-codes.sh
. "${BASH_SOURCE[0]%/*}/lib/exit-codes.sh"

fail() {
  echo "register-odbc-driver: ERROR: $*" >&2
  exit "$EXIT_FAILURE"
}

home=${1:?usage: register-odbc-driver.sh ALTIBASE_HOME [odbcinst.ini]}
ini=${2:-}
if [[ -z $ini ]]; then
  command -v odbcinst >/dev/null ||
    fail "the odbcinst command is missing, so unixODBC's driver file is unknown: install it (Debian/Ubuntu: apt-get install odbcinst; RHEL: unixODBC) or pass the odbcinst.ini path as the second argument"
  drivers_line=$(odbcinst -j) || fail "odbcinst -j failed (exit $?)"
  ini=$(awk -F': *' '/^DRIVERS/ { print $2 }' <<<"$drivers_line")
  [[ -n $ini ]] || fail "odbcinst -j printed no DRIVERS line: $drivers_line"
fi
driver=$home/lib/libaltibase_odbc-64bit-ul64.so
section=ALTIBASE_HDB_ODBC_64bit

if [[ ! -e $driver ]]; then
  if [[ ${ODBC_DRIVER_REQUIRED:-1} == 1 ]]; then
    fail "$driver is missing: is ALTIBASE_IMAGE an Altibase image? (ODBC_DRIVER_REQUIRED=0 skips this check)"
  fi
  echo "register-odbc-driver: WARNING: $driver is missing; registering it anyway (ODBC_DRIVER_REQUIRED=0)" >&2
fi

touch "$ini" || fail "cannot write $ini"
if grep -q "^\[$section\]" "$ini"; then
  echo "register-odbc-driver: [$section] already in $ini"
  exit "$EXIT_OK"
fi
cat >>"$ini" <<INI

[$section]
Description = Altibase ODBC driver (64-bit SQLLEN), used by aku
Driver      = $driver
FileUsage   = 1
INI
echo "register-odbc-driver: registered [$section] Driver=$driver in $ini"
