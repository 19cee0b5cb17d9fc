# The SQL-client shim: runs a file of SQL statements as SYS on an Altibase server, with the
# password never on a command line or in a log. Sourced after exit-codes.sh and log.sh.
#
# The password comes from the Secret's file (AKU_SYS_PASSWORD_FILE; AKU_SYS_PASSWORD when the chart
# is told not to use files). iSQL gets it inside its script: `isql ... /NOLOG -f <file>` where the
# file, private to this process (mode 0600 in a mode-0700 directory), starts with
# `CONNECT SYS/<password> [AS SYSDBA];` (docs/base-image-contract.md, "How isql gets the password").
#
#   AKU_SQL_HOST / AKU_SQL_PORT   server (default 127.0.0.1 and ALTIBASE_PORT_NO)
#   AKU_SQL_TIMEOUT               seconds one client run may take (default 3600)
#   AKU_SQL_ERROR_PATTERN         an output line matching this ERE means failure (default ERR-xxxxx)
#   AKU_SQL_CMD                   another client: a bash snippet given AKU_SQL_FILE (the script,
#                                 CONNECT line included) and AKU_SQL (the statements alone)
#   AKU_SQL_SPLIT=1               run the client once per statement
# shellcheck shell=bash

# The SYS password: the Secret's file, else the environment; fails naming both.
sys_password() {
  if [[ -n ${AKU_SYS_PASSWORD_FILE:-} ]]; then
    [[ -r $AKU_SYS_PASSWORD_FILE ]] || {
      log "ERROR: AKU_SYS_PASSWORD_FILE names $AKU_SYS_PASSWORD_FILE, which cannot be read" >&2
      return "$EXIT_USAGE"
    }
    local password
    password=$(<"$AKU_SYS_PASSWORD_FILE")
    printf '%s' "${password%$'\n'}"
  elif [[ -n ${AKU_SYS_PASSWORD:-} ]]; then
    printf '%s' "$AKU_SYS_PASSWORD"
  else
    log "ERROR: neither AKU_SYS_PASSWORD_FILE nor AKU_SYS_PASSWORD is set (they come from the chart's Secret)" >&2
    return "$EXIT_USAGE"
  fi
}

# A password as Altibase SQL takes it: bare when identifier-like, else double-quoted ("" doubled).
sql_quoted_password() {
  if [[ $1 =~ ^[A-Za-z][A-Za-z0-9_]*$ ]]; then printf '%s' "$1"; else printf '"%s"' "${1//\"/\"\"}"; fi
}

# Statements of a SQL file separated by ASCII RS: a statement ends with ';' at the end of a line;
# whole-line '--' comments are dropped.
sql_split_statements() {
  awk '
    /^[[:space:]]*--/ { next }
    { buf = buf $0 "\n" }
    /;[[:space:]]*$/ { sub(/;[[:space:]]*\n$/, "", buf); printf "%s\036", buf; buf = "" }
    END { if (buf ~ /[^[:space:]]/) printf "%s\036", buf }
  ' "$1"
}

# sql_run FILE [PASSWORD [sysdba]]: runs FILE's statements; PASSWORD defaults to sys_password.
# Prints the client's output (password masked), returns non-zero on a failed run or an error line.
sql_run() {
  local file=$1 password=${2-} privilege=${3:-}
  if [[ -z $password ]]; then password=$(sys_password) || return; fi
  if [[ ${AKU_SQL_SPLIT:-0} == 1 ]]; then
    local statement rc=0 one
    one=$(mktemp) || return "$EXIT_FAILURE"
    while IFS= read -r -d $'\x1e' statement; do
      [[ -n ${statement//[[:space:]]/} ]] || continue
      printf '%s;\n' "$statement" >"$one"
      sql_run_once "$one" "$password" "$privilege" || {
        rc=$?
        break
      }
    done < <(sql_split_statements "$file")
    rm -f "$one"
    return "$rc"
  fi
  sql_run_once "$file" "$password" "$privilege"
}

sql_run_once() {
  local file=$1 password=$2 privilege=$3 dir script output rc
  dir=$(mktemp -d) || return "$EXIT_FAILURE"
  chmod 0700 "$dir"
  script=$dir/script.sql
  (
    umask 077
    printf 'CONNECT SYS/%s%s;\n' "$(sql_quoted_password "$password")" "${privilege:+ AS SYSDBA}"
    cat "$file"
    printf '\nEXIT;\n'
  ) >"$script"
  if [[ -n ${AKU_SQL_CMD:-} ]]; then
    output=$(AKU_SQL_FILE=$script AKU_SQL=$(<"$file") timeout "${AKU_SQL_TIMEOUT:-3600}" bash -c "$AKU_SQL_CMD" 2>&1)
  else
    output=$(ISQL_CONNECTION=TCP timeout "${AKU_SQL_TIMEOUT:-3600}" isql -s "${AKU_SQL_HOST:-127.0.0.1}" \
      -port "${AKU_SQL_PORT:-${ALTIBASE_PORT_NO:-20300}}" -silent /NOLOG -f "$script" 2>&1)
  fi
  rc=$?
  rm -rf "$dir"
  output=${output//"$password"/********}
  [[ -z $output ]] || printf '%s\n' "$output"
  if ((rc != 0)); then
    log "SQL client exited with status $rc$( ((rc == EXIT_TIMEOUT)) && echo " (timed out after ${AKU_SQL_TIMEOUT:-3600} s)")"
    return "$rc"
  fi
  if grep -Eq -- "${AKU_SQL_ERROR_PATTERN:-ERR-[0-9A-Fa-f]{5}}" <<<"$output"; then
    log "SQL error in the output (pattern ${AKU_SQL_ERROR_PATTERN:-ERR-[0-9A-Fa-f]{5}})"
    return "$EXIT_FAILURE"
  fi
  return "$EXIT_OK"
}
