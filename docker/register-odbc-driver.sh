#!/bin/bash
# Registers Altibase's 64-bit ODBC driver (SQLLEN 64-bit build, matching unixODBC on 64-bit Linux)
# with unixODBC under the name aku's connection strings use: DRIVER=ALTIBASE_HDB_ODBC_64bit.
# Run once at image build time, as root: register-odbc-driver.sh <ALTIBASE_HOME> [odbcinst.ini]
set -euo pipefail

home=${1:?usage: register-odbc-driver.sh ALTIBASE_HOME [odbcinst.ini]}
ini=${2:-$(odbcinst -j 2>/dev/null | awk -F': ' '/^DRIVERS/ { print $2 }')}
ini=${ini:-/etc/odbcinst.ini}
driver=$home/lib/libaltibase_odbc-64bit-ul64.so
section=ALTIBASE_HDB_ODBC_64bit

if [[ ! -e $driver ]]; then
  if [[ ${ODBC_DRIVER_REQUIRED:-1} == 1 ]]; then
    echo "register-odbc-driver: $driver is missing: is ALTIBASE_IMAGE an Altibase image? (ODBC_DRIVER_REQUIRED=0 skips this check)" >&2
    exit 1
  fi
  echo "register-odbc-driver: WARNING: $driver is missing; registering it anyway (ODBC_DRIVER_REQUIRED=0)" >&2
fi

touch "$ini"
if grep -q "^\[$section\]" "$ini"; then
  echo "register-odbc-driver: [$section] already in $ini"
  exit 0
fi
cat >>"$ini" <<INI

[$section]
Description = Altibase ODBC driver (64-bit SQLLEN), used by aku
Driver      = $driver
FileUsage   = 1
INI
echo "register-odbc-driver: registered [$section] Driver=$driver in $ini"
