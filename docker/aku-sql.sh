#!/bin/bash
# aku-sql: runs SQL as SYS on an Altibase server with the password from the Secret's file, never
# on a command line (installed as $ALTIBASE_HOME/bin/aku-sql; used by NOTES and `helm test`).
#
#   aku-sql [--host HOST] [--port PORT] [--sysdba] 'STATEMENT;' ...
#   aku-sql [--host HOST] [--port PORT] [--sysdba] -f FILE
#
# HOST defaults to 127.0.0.1, PORT to ALTIBASE_PORT_NO. Exit 0, 1 on a SQL error (the output shows
# it), 2 on bad usage or no readable password.
set -u
set -o pipefail

LIB_DIR=${AKU_LIB_DIR:-$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib}
LOG_TAG=aku-sql
# shellcheck source=docker/lib/exit-codes.sh
. "$LIB_DIR/exit-codes.sh"
# shellcheck source=docker/lib/log.sh
. "$LIB_DIR/log.sh"
# shellcheck source=docker/lib/sql-client.sh
. "$LIB_DIR/sql-client.sh"

usage() {
  echo "usage: aku-sql [--host HOST] [--port PORT] [--sysdba] ('STATEMENT;' ... | -f FILE)" >&2
  exit "$EXIT_USAGE"
}

privilege='' file='' statements=()
while (($# > 0)); do
  case $1 in
    --host) (($# > 1)) || usage; export AKU_SQL_HOST=$2; shift 2 ;;
    --port) (($# > 1)) || usage; export AKU_SQL_PORT=$2; shift 2 ;;
    --sysdba) privilege=sysdba; shift ;;
    -f) (($# > 1)) || usage; file=$2; shift 2 ;;
    -h | --help) usage ;;
    *) statements+=("$1"); shift ;;
  esac
done
[[ -n $file || ${#statements[@]} -gt 0 ]] || usage
[[ -z $file || ${#statements[@]} -eq 0 ]] || usage

if [[ -z $file ]]; then
  file=$(mktemp) || exit "$EXIT_FAILURE"
  trap 'rm -f "$file"' EXIT
  for statement in "${statements[@]}"; do
    statement=${statement%"${statement##*[![:space:]]}"}
    [[ $statement == *';' ]] || statement+=';'
    printf '%s\n' "$statement" >>"$file"
  done
fi
[[ -r $file ]] || { log "ERROR: cannot read $file" >&2; exit "$EXIT_USAGE"; }
password=$(sys_password) || exit "$EXIT_USAGE"
sql_run "$file" "$password" "$privilege"
