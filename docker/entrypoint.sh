#!/bin/bash
# Entrypoint of the Altibase + aku container (PID 1 of each StatefulSet pod).
#
#   1. environment: env files, ALTIBASE_HOME, PATH
#   2. first start of the pod: create the database (server create), remember it on the data volume
#   3. start the server (ADMIN_MODE=1 and REMOTE_SYSDBA_ENABLE=1 come from the environment)
#   4. first start: give SYS the password from the Secret; run each init script once per pod
#      (recorded by name after it succeeded, so scripts added later run on the next start)
#   5. run `aku -p start` in the background, retrying with backoff up to AKU_START_MAX_ATTEMPTS
#      times; aku creates /tmp/aku_start_completed itself and the startupProbe turns the pod Ready
#      (this script never touches that file). When every attempt failed the container exits 1 with
#      the reason in the termination log, so the pod shows CrashLoopBackOff instead of hiding it
#   6. wait; exit if the server dies
#   7. SIGTERM: `aku -p end` unless the preStop hook already ran it (bounded), then stop the server
#
# Every server-specific command can be replaced through the environment, so the same script drives
# the project's Altibase simulator (see docs/chart.md, "Driving another server"). Each command is a
# bash snippet run with `bash -c`, seeing the whole environment:
#   AKU_SERVER_MODE          daemon (start returns once the server runs; default) | foreground
#                            (start runs the server in the foreground; the script keeps its pid)
#   AKU_SERVER_CREATE_CMD    create a database           default: server create "$AKU_DB_CHARSET" "$AKU_DB_NATIONAL_CHARSET"
#   AKU_SERVER_START_CMD     start the server            default: server start
#   AKU_SERVER_STOP_CMD      stop the server             default: server stop (foreground: SIGTERM to its pid)
#   AKU_SERVER_ALIVE_CMD     exit 0 while it runs        default: pgrep -x altibase (foreground: its pid)
#   AKU_SQL_CMD              run SQL as SYS (SYSDBA) on the local server; gets AKU_SQL_FILE (a file of
#                            statements ending in ';'), AKU_SQL (its text) and AKU_SQL_PASSWORD
#                            default: isql -s 127.0.0.1 -port "$ALTIBASE_PORT_NO" -u SYS -p "$AKU_SQL_PASSWORD" -sysdba -silent -f "$AKU_SQL_FILE"
#   AKU_SQL_SPLIT=1          call AKU_SQL_CMD once per statement (for clients taking one statement)
#   AKU_SQL_ERROR_PATTERN    an output line matching this ERE means the SQL failed  default: ERR-[0-9A-Fa-f]{5}
# Other settings: AKU_BIN, AKU_POD_NAME (default: host name), AKU_STATE_DIR (markers on the data
# volume), AKU_INIT_SCRIPTS_DIR, AKU_SYS_PASSWORD, AKU_SYS_INITIAL_PASSWORD, AKU_END_TIME_BUDGET,
# AKU_START_RETRY_INITIAL_DELAY / _MAX_DELAY, AKU_START_MAX_ATTEMPTS, AKU_TERMINATION_LOG, AKU_SERVER_READY_TIMEOUT, AKU_SERVER_STOP_TIMEOUT,
# AKU_PRESTOP_MARKER, AKU_RUN_DIR (default /tmp), AKU_ENV_FILES (space-separated files sourced first).
set -u
set -o pipefail

log() { printf '[entrypoint] %s [%s] %s\n' "$(date '+%Y/%m/%d %H:%M:%S')" "${AKU_POD_NAME:-?}" "$*"; }
TERMINATION_LOG=${AKU_TERMINATION_LOG:-/dev/termination-log}
# The reason also goes to the termination log, which `kubectl describe pod` shows as the last
# state's message (a Kubernetes container has it; elsewhere it is skipped).
die() {
  log "ERROR: $*"
  [[ -f $TERMINATION_LOG && -w $TERMINATION_LOG ]] && printf '%s\n' "$*" >"$TERMINATION_LOG"
  exit 1
}

# --- 1. environment ----------------------------------------------------------------------------
for env_file in ${AKU_ENV_FILES:-} /opt/aku/env.d/*.sh; do
  # shellcheck disable=SC1090 # files chosen at run time
  [[ -r $env_file ]] && . "$env_file"
done
[[ -n ${ALTIBASE_HOME:-} ]] || die "ALTIBASE_HOME is not set (aku reads \$ALTIBASE_HOME/conf/aku.conf)"
export ALTIBASE_HOME
export PATH="$ALTIBASE_HOME/bin:$PATH"
export LD_LIBRARY_PATH="$ALTIBASE_HOME/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export AKU_POD_NAME=${AKU_POD_NAME:-$(hostname)}
export ALTIBASE_PORT_NO=${ALTIBASE_PORT_NO:-20300}
export AKU_DB_CHARSET=${AKU_DB_CHARSET:-UTF8}
export AKU_DB_NATIONAL_CHARSET=${AKU_DB_NATIONAL_CHARSET:-UTF8}

AKU_BIN=${AKU_BIN:-$ALTIBASE_HOME/bin/aku}
STATE_DIR=${AKU_STATE_DIR:-$ALTIBASE_HOME/dbs/.aku}
INIT_DIR=${AKU_INIT_SCRIPTS_DIR:-/opt/aku/initdb}
SERVER_MODE=${AKU_SERVER_MODE:-daemon}
# shellcheck disable=SC2016 # expanded later by bash -c
CREATE_CMD=${AKU_SERVER_CREATE_CMD:-'server create "$AKU_DB_CHARSET" "$AKU_DB_NATIONAL_CHARSET"'}
START_CMD=${AKU_SERVER_START_CMD:-server start}
STOP_CMD=${AKU_SERVER_STOP_CMD:-}
ALIVE_CMD=${AKU_SERVER_ALIVE_CMD:-}
# shellcheck disable=SC2016 # expanded later by bash -c
SQL_CMD=${AKU_SQL_CMD:-'isql -s 127.0.0.1 -port "$ALTIBASE_PORT_NO" -u SYS -p "$AKU_SQL_PASSWORD" -sysdba -silent -f "$AKU_SQL_FILE"'}
default_error_pattern='ERR-[0-9A-Fa-f]{5}'
SQL_ERROR_PATTERN=${AKU_SQL_ERROR_PATTERN:-$default_error_pattern}
END_BUDGET=${AKU_END_TIME_BUDGET:-50}
PRESTOP_MARKER=${AKU_PRESTOP_MARKER:-/tmp/aku-prestop.done}
READY_TIMEOUT=${AKU_SERVER_READY_TIMEOUT:-600}
STOP_TIMEOUT=${AKU_SERVER_STOP_TIMEOUT:-60}
RETRY_INITIAL=${AKU_START_RETRY_INITIAL_DELAY:-5}
RETRY_MAX=${AKU_START_RETRY_MAX_DELAY:-60}
MAX_ATTEMPTS=${AKU_START_MAX_ATTEMPTS:-8}
START_RESULT=${AKU_RUN_DIR:-/tmp}/aku-entrypoint.start-result

case $SERVER_MODE in
  daemon)
    [[ -n $STOP_CMD ]] || STOP_CMD='server stop'
    [[ -n $ALIVE_CMD ]] || ALIVE_CMD='pgrep -x altibase >/dev/null'
    ;;
  foreground) ;;
  *) die "AKU_SERVER_MODE must be daemon or foreground, not '$SERVER_MODE'" ;;
esac

SERVER_PID=
START_LOOP_PID=
SERVER_UP=0

# --- helpers -----------------------------------------------------------------------------------

# Runs one command snippet with bash -c, logging it.
run_cmd() {
  local what=$1 cmd=$2
  log "$what: $cmd"
  bash -c "$cmd"
}

server_alive() {
  if [[ $SERVER_MODE == foreground ]]; then
    [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null
  else
    bash -c "$ALIVE_CMD"
  fi
}

port_open() {
  # shellcheck disable=SC2016 # $0 is expanded by the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$ALTIBASE_PORT_NO" 2>/dev/null
}

start_server() {
  rm -f "$START_RESULT"
  if [[ $SERVER_MODE == foreground ]]; then
    log "starting the server in the foreground: $START_CMD"
    bash -c "$START_CMD" &
    SERVER_PID=$!
  else
    run_cmd "starting the server" "$START_CMD" || die "the server did not start (exit $?)"
  fi
  local deadline=$((SECONDS + READY_TIMEOUT))
  until port_open; do
    server_alive || die "the server exited while starting"
    ((SECONDS < deadline)) || die "the server does not accept connections on port $ALTIBASE_PORT_NO after ${READY_TIMEOUT} s"
    sleep 1
  done
  SERVER_UP=1
  log "the server accepts connections on port $ALTIBASE_PORT_NO"
}

stop_server() {
  [[ $SERVER_UP == 1 ]] || return 0
  SERVER_UP=0
  if [[ $SERVER_MODE == foreground && -z $STOP_CMD ]]; then
    log "stopping the server (SIGTERM to pid $SERVER_PID)"
    kill -TERM "$SERVER_PID" 2>/dev/null
  else
    log "stopping the server: $STOP_CMD"
    timeout "$STOP_TIMEOUT" bash -c "$STOP_CMD" || log "the stop command failed or timed out (exit $?)"
  fi
  if [[ -n $SERVER_PID ]]; then
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$SERVER_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  log "server stopped"
}

# run_sql FILE PASSWORD: runs the statements of FILE as SYS; fails on a non-zero exit or an error line.
run_sql() {
  local file=$1 password=$2 rc=0
  if [[ ${AKU_SQL_SPLIT:-0} == 1 ]]; then
    local statement tmp
    tmp=$(mktemp)
    while IFS= read -r -d $'\x1e' statement; do
      [[ -n ${statement//[[:space:]]/} ]] || continue
      printf '%s;\n' "$statement" >"$tmp"
      run_sql_once "$tmp" "$password" || {
        rc=$?
        break
      }
    done < <(split_statements "$file")
    rm -f "$tmp"
    return "$rc"
  fi
  run_sql_once "$file" "$password"
}

run_sql_once() {
  local file=$1 password=$2 output rc
  output=$(AKU_SQL_FILE=$file AKU_SQL=$(<"$file") AKU_SQL_PASSWORD=$password bash -c "$SQL_CMD" 2>&1)
  rc=$?
  [[ -z $output ]] || printf '%s\n' "$output" | sed 's/^/    | /'
  if ((rc != 0)); then
    log "SQL client exited with status $rc"
    return "$rc"
  fi
  if grep -Eq -- "$SQL_ERROR_PATTERN" <<<"$output"; then
    log "SQL error in the output (pattern $SQL_ERROR_PATTERN)"
    return 1
  fi
}

# Statements of a SQL file separated by ASCII RS: a statement ends with ';' at the end of a line;
# whole-line '--' comments are dropped.
split_statements() {
  awk '
    /^[[:space:]]*--/ { next }
    { buf = buf $0 "\n" }
    /;[[:space:]]*$/ { sub(/;[[:space:]]*\n$/, "", buf); printf "%s\036", buf; buf = "" }
    END { if (buf ~ /[^[:space:]]/) printf "%s\036", buf }
  ' "$1"
}

sql_literal_password() {
  # Altibase takes an identifier-like password bare; anything else double-quoted.
  if [[ $1 =~ ^[A-Za-z][A-Za-z0-9_]*$ ]]; then printf '%s' "$1"; else printf '"%s"' "${1//\"/\"\"}"; fi
}

database_exists() {
  [[ -e $STATE_DIR/db-created ]] && return 0
  # a database created outside this script (e.g. an existing claim): any file besides our markers
  local dir
  dir=$(dirname "$STATE_DIR")
  find "$dir" -mindepth 1 -maxdepth 1 ! -name "$(basename "$STATE_DIR")" ! -name lost+found -print -quit 2>/dev/null | grep -q .
}

# --- 7. termination ----------------------------------------------------------------------------
TERMINATING=0
on_term() {
  ((TERMINATING == 0)) || return 0
  TERMINATING=1
  log "SIGTERM received"
  if [[ -n $START_LOOP_PID ]] && kill -0 "$START_LOOP_PID" 2>/dev/null; then
    log "stopping the running aku -p start"
    kill -TERM "$START_LOOP_PID" 2>/dev/null
    wait "$START_LOOP_PID" 2>/dev/null
  fi
  if [[ -e $PRESTOP_MARKER ]]; then
    log "aku -p end already ran in preStop (exit status $(cat "$PRESTOP_MARKER" 2>/dev/null))"
  elif [[ $SERVER_UP == 1 ]]; then
    log "no preStop ran: aku -p end (budget ${END_BUDGET} s)"
    timeout --kill-after=5 "$((END_BUDGET + 5))" "$AKU_BIN" -p end
    log "aku -p end exited with status $?"
  fi
  stop_server
  log "bye"
  exit 0
}
trap on_term TERM INT

# --- 2. database -------------------------------------------------------------------------------
mkdir -p "$STATE_DIR" || die "cannot create $STATE_DIR (is the data volume writable for uid $(id -u)?)"
log "pod $AKU_POD_NAME, ALTIBASE_HOME=$ALTIBASE_HOME, state in $STATE_DIR"
if database_exists; then
  log "database present"
else
  log "no database yet: creating it"
  run_cmd "creating the database" "$CREATE_CMD" || die "database creation failed (exit $?)"
  touch "$STATE_DIR/db-created"
fi

# --- 3. server ---------------------------------------------------------------------------------
start_server

# --- 4. first-start setup ----------------------------------------------------------------------
if [[ ! -e $STATE_DIR/sys-password-set ]]; then
  [[ -n ${AKU_SYS_PASSWORD:-} ]] || die "AKU_SYS_PASSWORD is not set (it comes from the chart's Secret)"
  initial=${AKU_SYS_INITIAL_PASSWORD:-manager}
  probe=$(mktemp)
  echo 'SELECT 1 FROM DUAL;' >"$probe"
  if [[ $initial == "$AKU_SYS_PASSWORD" ]] || run_sql "$probe" "$AKU_SYS_PASSWORD" >/dev/null 2>&1; then
    log "SYS already has the password from the Secret"
  else
    log "setting the SYS password from the Secret"
    alter=$(mktemp)
    printf 'ALTER USER SYS IDENTIFIED BY %s;\n' "$(sql_literal_password "$AKU_SYS_PASSWORD")" >"$alter"
    run_sql "$alter" "$initial" >/dev/null || {
      rm -f "$alter" "$probe"
      stop_server
      die "could not change the SYS password (is auth.initialSysPassword the password of a new database?)"
    }
    rm -f "$alter"
  fi
  rm -f "$probe"
  touch "$STATE_DIR/sys-password-set"
fi

# Each script runs once per pod, recorded by name in $STATE_DIR/init-scripts/ only after it
# succeeded: a script added by a later upgrade runs on the next start of an existing pod, and a
# failed one runs again.
INIT_RECORDS=$STATE_DIR/init-scripts
mkdir -p "$INIT_RECORDS" || die "cannot create $INIT_RECORDS"
shopt -s nullglob
scripts=("$INIT_DIR"/*)
shopt -u nullglob
ran=0
for script in "${scripts[@]}"; do
  name=$(basename "$script")
  record=$INIT_RECORDS/$name
  if [[ -e $record ]]; then
    if [[ $(sha256sum <"$script") != "$(cat "$record")" ]]; then
      log "init script $name changed since it ran on this pod; not run again (scripts run once per pod: add a new script for a further change)"
    fi
    continue
  fi
  case $script in
    *.sql)
      log "init script $script"
      run_sql "$script" "$AKU_SYS_PASSWORD" || {
        stop_server
        die "init script $script failed; it runs again on the next start (make it idempotent or fix it)"
      }
      ;;
    *.sh)
      log "init script $script"
      bash "$script" || {
        rc=$?
        stop_server
        die "init script $script failed (exit $rc); it runs again on the next start"
      }
      ;;
    *)
      log "ignoring $script (neither .sql nor .sh)"
      continue
      ;;
  esac
  sha256sum <"$script" >"$record"
  ran=$((ran + 1))
done
log "init scripts: ${#scripts[@]} in $INIT_DIR, $ran run now"

# --- 5. aku -p start, retried ------------------------------------------------------------------
start_loop() {
  local delay=$RETRY_INITIAL attempt=1 rc child=
  trap '[[ -n $child ]] && kill -TERM "$child" 2>/dev/null; exit 143' TERM
  while :; do
    log "aku -p start (attempt $attempt of $MAX_ATTEMPTS)"
    "$AKU_BIN" -p start &
    child=$!
    wait "$child"
    rc=$?
    child=
    if ((rc == 0)); then
      log "aku -p start succeeded; the startupProbe will see /tmp/aku_start_completed"
      echo 0 >"$START_RESULT"
      exit 0
    fi
    if ((rc == 2)); then
      log "aku -p start reports a usage or configuration error (exit 2): retrying cannot help"
      echo 2 >"$START_RESULT"
      exit 2
    fi
    if ((attempt >= MAX_ATTEMPTS)); then
      log "aku -p start failed (exit $rc) $attempt times"
      echo "$rc" >"$START_RESULT"
      exit "$rc"
    fi
    log "aku -p start failed (exit $rc); retrying in ${delay} s"
    sleep "$delay" &
    wait $!
    delay=$((delay * 2 > RETRY_MAX ? RETRY_MAX : delay * 2))
    attempt=$((attempt + 1))
  done
}
start_loop &
START_LOOP_PID=$!

# --- 6. wait -----------------------------------------------------------------------------------
while :; do
  sleep 2 &
  wait $!
  if ! server_alive; then
    SERVER_UP=0
    log "ERROR: the server is no longer running"
    [[ -n $START_LOOP_PID ]] && kill -TERM "$START_LOOP_PID" 2>/dev/null
    exit 1
  fi
  if [[ -n $START_LOOP_PID && -e $START_RESULT ]] && [[ $(cat "$START_RESULT") != 0 ]]; then
    result=$(cat "$START_RESULT")
    wait "$START_LOOP_PID" 2>/dev/null
    START_LOOP_PID=
    stop_server
    if [[ $result == 2 ]]; then
      die "aku -p start cannot succeed with this configuration (exit 2); see its messages above"
    fi
    die "aku -p start failed $MAX_ATTEMPTS times (last exit $result); the container exits so that the pod shows it (CrashLoopBackOff) and the next container starts over; see aku's messages above"
  fi
done
