#!/bin/bash
# Entrypoint of the Altibase + aku container (PID 1 of each StatefulSet pod): a pod's life in
# numbered steps, one function each.
#
#   1. environment      env files, ALTIBASE_HOME, PATH; the SYS password must be readable
#   2. run directory    remove what an earlier container of this pod left in /tmp (tidiness only:
#                       aku's completion file carries its container's identity, so a stale one
#                       never counts, whatever the order); then the volume lock: wait until no
#                       other container's server uses this data volume (a forced pod deletion
#                       lets the StatefulSet start the new pod while the old one still runs)
#   3. database         first start of the pod: `server create`, remembered on the data volume
#   4. server           start it (ADMIN_MODE=1 and REMOTE_SYSDBA_ENABLE=1 come from the environment)
#   5. SYS password     first start: from the initial one to the Secret's
#   6. init scripts     each script this pod has not run yet, recorded by name once it succeeded
#   7. aku -p start     in the background, retried with backoff up to AKU_START_MAX_ATTEMPTS times;
#                       aku writes the completion file the startupProbe waits for
#   8. watch            until the server dies or aku gives up: then stop and exit non-zero with
#                       the reason in the termination log (the pod shows CrashLoopBackOff)
#   9. termination      SIGTERM: `aku -p end` unless the preStop hook ran it (bounded), stop the server
#
# The server commands live in lib/server-adapter.sh, the SQL client in lib/sql-client.sh, exit
# codes in lib/exit-codes.sh; docs/base-image-contract.md says what the base image provides.
# Settings: AKU_BIN, AKU_POD_NAME (default: host name), AKU_STATE_DIR (markers on the data volume),
# AKU_INIT_SCRIPTS_DIR, AKU_SYS_PASSWORD_FILE (or AKU_SYS_PASSWORD), AKU_SYS_INITIAL_PASSWORD_FILE
# (or AKU_SYS_INITIAL_PASSWORD; default manager),
# AKU_END_TIME_BUDGET, AKU_START_RETRY_INITIAL_DELAY / _MAX_DELAY, AKU_START_MAX_ATTEMPTS,
# AKU_PRESTOP_MARKER, AKU_RUN_DIR (default /tmp), AKU_TERMINATION_LOG, AKU_ENV_FILES (sourced first),
# AKU_VOLUME_LOCK_WAIT (seconds to wait for another container's server on the volume; default 300).
set -u
set -o pipefail

LIB_DIR=${AKU_LIB_DIR:-$(dirname "${BASH_SOURCE[0]}")/lib}
# shellcheck source=docker/lib/exit-codes.sh
. "$LIB_DIR/exit-codes.sh"
# shellcheck source=docker/lib/log.sh
. "$LIB_DIR/log.sh"
# shellcheck source=docker/lib/server-adapter.sh
. "$LIB_DIR/server-adapter.sh"
# shellcheck source=docker/lib/sql-client.sh
. "$LIB_DIR/sql-client.sh"

# --- 1. environment ----------------------------------------------------------------------------
step_1_environment() {
  local env_file
  for env_file in ${AKU_ENV_FILES:-} /opt/aku/env.d/*.sh; do
    # shellcheck disable=SC1090 # files chosen at run time
    [[ -r $env_file ]] && . "$env_file"
  done
  [[ -n ${ALTIBASE_HOME:-} ]] || die "$EXIT_USAGE" "ALTIBASE_HOME is not set (aku reads \$ALTIBASE_HOME/conf/aku.conf)"
  export ALTIBASE_HOME
  export PATH="$ALTIBASE_HOME/bin:$PATH"
  export LD_LIBRARY_PATH="$ALTIBASE_HOME/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export AKU_POD_NAME=${AKU_POD_NAME:-${HOSTNAME:-$(hostname)}}
  export ALTIBASE_PORT_NO=${ALTIBASE_PORT_NO:-20300}
  export AKU_DB_CHARSET=${AKU_DB_CHARSET:-UTF8}
  export AKU_DB_NATIONAL_CHARSET=${AKU_DB_NATIONAL_CHARSET:-UTF8}

  AKU_BIN=${AKU_BIN:-$ALTIBASE_HOME/bin/aku}
  STATE_DIR=${AKU_STATE_DIR:-$ALTIBASE_HOME/dbs/.aku}
  INIT_DIR=${AKU_INIT_SCRIPTS_DIR:-/opt/aku/initdb}
  RUN_DIR=${AKU_RUN_DIR:-/tmp}
  END_BUDGET=${AKU_END_TIME_BUDGET:-50}
  PRESTOP_MARKER=${AKU_PRESTOP_MARKER:-$RUN_DIR/aku-prestop.done}
  RETRY_INITIAL=${AKU_START_RETRY_INITIAL_DELAY:-5}
  RETRY_MAX=${AKU_START_RETRY_MAX_DELAY:-60}
  MAX_ATTEMPTS=${AKU_START_MAX_ATTEMPTS:-8}
  START_RESULT=$RUN_DIR/aku-entrypoint.start-result
  server_check_mode
  sys_password >/dev/null || die "$EXIT_USAGE" "the SYS password cannot be read (see above)"
  log "pod $AKU_POD_NAME, ALTIBASE_HOME=$ALTIBASE_HOME, state in $STATE_DIR"
}

# --- 2. run directory --------------------------------------------------------------------------
step_2_run_directory() {
  # The preStop marker and the start result belong to the container that wrote them.
  rm -f "$PRESTOP_MARKER" "$START_RESULT"
  mkdir -p "$STATE_DIR" || die "cannot create $STATE_DIR (is the data volume writable for uid $(id -u)?)"
  volume_lock
}

# One server per data volume. `kubectl delete pod --grace-period=0 --force` removes the pod from
# the API at once: the StatefulSet creates its successor, which can mount the same volume on the
# same node while the old container still runs its preStop and its server (Kubernetes' at-most-one
# guarantee is gone). Two servers on one database lose changes: the new one loads the files while
# the old one still applies (and acknowledges) replicated changes. So the entrypoint holds an
# exclusive flock on a file of the volume for the container's life — the server inherits the
# descriptor, so the lock lasts until the last process of the container is gone — and a new
# container waits for it. (A volume on another node is kept away by ReadWriteOnce attachment.)
volume_lock() {
  local wait=${AKU_VOLUME_LOCK_WAIT:-300}
  exec {VOLUME_LOCK_FD}>>"$STATE_DIR/server.lock" || die "cannot open $STATE_DIR/server.lock"
  flock -n "$VOLUME_LOCK_FD" && return
  log "another container still runs on this data volume (a forced deletion of the pod?): waiting up to ${wait} s for it to stop"
  flock -w "$wait" "$VOLUME_LOCK_FD" || die "another container kept this data volume for ${wait} s (AKU_VOLUME_LOCK_WAIT); not starting a second server on it"
  log "the data volume is free: going on"
}

# --- 3. database -------------------------------------------------------------------------------
database_exists() {
  [[ -e $STATE_DIR/db-created ]] && return 0
  # a database created outside this script (e.g. an existing claim): any file besides our markers
  local dir
  dir=$(dirname "$STATE_DIR")
  find "$dir" -mindepth 1 -maxdepth 1 ! -name "$(basename "$STATE_DIR")" ! -name lost+found -print -quit 2>/dev/null | grep -q .
}

step_3_database() {
  if database_exists; then
    log "database present"
    return
  fi
  log "no database yet: creating it"
  server_create || die "database creation failed (exit $?)"
  touch "$STATE_DIR/db-created"
}

# --- 4. server ---------------------------------------------------------------------------------
step_4_server() {
  server_start
}

# --- 5. SYS password ---------------------------------------------------------------------------
step_5_sys_password() {
  [[ -e $STATE_DIR/sys-password-set ]] && return
  local password initial probe alter
  password=$(sys_password) || die "$EXIT_USAGE" "the SYS password cannot be read"
  if [[ -n ${AKU_SYS_INITIAL_PASSWORD_FILE:-} ]]; then
    initial=$(<"$AKU_SYS_INITIAL_PASSWORD_FILE") || die "$EXIT_USAGE" "AKU_SYS_INITIAL_PASSWORD_FILE names $AKU_SYS_INITIAL_PASSWORD_FILE, which cannot be read"
    initial=${initial%$'\n'}
  else
    initial=${AKU_SYS_INITIAL_PASSWORD:-manager}
  fi
  probe=$(mktemp)
  echo 'SELECT 1 FROM DUAL;' >"$probe"
  if [[ $initial == "$password" ]] || sql_run "$probe" "$password" sysdba >/dev/null 2>&1; then
    log "SYS already has the password from the Secret"
  else
    log "setting the SYS password from the Secret"
    alter=$(mktemp)
    printf 'ALTER USER SYS IDENTIFIED BY %s;\n' "$(sql_quoted_password "$password")" >"$alter"
    if ! sql_run "$alter" "$initial" sysdba >/dev/null; then
      rm -f "$alter" "$probe"
      server_stop
      die "could not change the SYS password (is auth.initialSysPassword the password of a new database?)"
    fi
    rm -f "$alter"
  fi
  rm -f "$probe"
  touch "$STATE_DIR/sys-password-set"
}

# --- 6. init scripts ---------------------------------------------------------------------------
# Each script runs once per pod, recorded by name in $STATE_DIR/init-scripts/ only after it
# succeeded: a script added by a later upgrade runs on the next start of an existing pod, a failed
# one runs again, a changed one is reported and not run again.
step_6_init_scripts() {
  local records=$STATE_DIR/init-scripts script name record ran=0 rc scripts=()
  mkdir -p "$records" || die "cannot create $records"
  shopt -s nullglob
  scripts=("$INIT_DIR"/*)
  shopt -u nullglob
  for script in "${scripts[@]}"; do
    name=$(basename "$script")
    record=$records/$name
    if [[ -e $record ]]; then
      if [[ $(sha256sum <"$script") != "$(cat "$record")" ]]; then
        log "init script $name changed since it ran on this pod; not run again (scripts run once per pod: add a new script for a further change)"
      fi
      continue
    fi
    case $script in
      *.sql)
        log "init script $script"
        sql_run "$script" "" sysdba | sed 's/^/    | /'
        rc=${PIPESTATUS[0]}
        if ((rc != 0)); then
          server_stop
          die "init script $script failed; it runs again on the next start (make it idempotent or fix it)"
        fi
        ;;
      *.sh)
        log "init script $script"
        bash "$script" || {
          rc=$?
          server_stop
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
}

# --- 7. aku -p start ---------------------------------------------------------------------------
# Runs in a subshell in the background; its outcome goes to $START_RESULT for step 8.
start_loop() {
  local delay=$RETRY_INITIAL attempt=1 rc child=
  trap '[[ -n $child ]] && kill -TERM "$child" 2>/dev/null; exit "$EXIT_TERMINATED"' TERM
  while :; do
    log "aku -p start (attempt $attempt of $MAX_ATTEMPTS)"
    "$AKU_BIN" -p start &
    child=$!
    wait "$child"
    rc=$?
    child=
    if ((rc == EXIT_OK)); then
      log "aku -p start succeeded; the startupProbe will see its completion file"
      echo "$EXIT_OK" >"$START_RESULT"
      exit "$EXIT_OK"
    fi
    if ((rc == EXIT_USAGE)); then
      log "aku -p start reports a usage or configuration error (exit $EXIT_USAGE): retrying cannot help"
      echo "$rc" >"$START_RESULT"
      exit "$rc"
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

START_LOOP_PID=
step_7_aku_start() {
  start_loop &
  START_LOOP_PID=$!
}

# --- 8. watch ----------------------------------------------------------------------------------
step_8_watch() {
  local result
  while :; do
    sleep 2 &
    wait $!
    if ! server_alive; then
      SERVER_UP=0
      [[ -n $START_LOOP_PID ]] && kill -TERM "$START_LOOP_PID" 2>/dev/null
      die "the server is no longer running"
    fi
    if [[ -n $START_LOOP_PID && -e $START_RESULT ]] && [[ $(cat "$START_RESULT") != "$EXIT_OK" ]]; then
      result=$(cat "$START_RESULT")
      wait "$START_LOOP_PID" 2>/dev/null
      START_LOOP_PID=
      server_stop
      if [[ $result == "$EXIT_USAGE" ]]; then
        die "$EXIT_USAGE" "aku -p start cannot succeed with this configuration (exit $EXIT_USAGE); see its messages above"
      fi
      die "aku -p start failed $MAX_ATTEMPTS times (last exit $result); the container exits so that the pod shows it (CrashLoopBackOff) and the next container starts over; see aku's messages above"
    fi
  done
}

# --- 9. termination ----------------------------------------------------------------------------
TERMINATING=0
step_9_termination() {
  ((TERMINATING == 0)) || return 0
  TERMINATING=1
  log "SIGTERM received"
  if [[ -n $START_LOOP_PID ]] && kill -0 "$START_LOOP_PID" 2>/dev/null; then
    log "stopping the running aku -p start"
    kill -TERM "$START_LOOP_PID" 2>/dev/null
    wait "$START_LOOP_PID" 2>/dev/null
  fi
  if [[ -e ${PRESTOP_MARKER:-} ]]; then
    log "aku -p end already ran in preStop (exit status $(cat "$PRESTOP_MARKER" 2>/dev/null))"
  elif [[ $SERVER_UP == 1 ]]; then
    log "no preStop ran: aku -p end (budget ${END_BUDGET} s)"
    timeout --kill-after=5 "$((END_BUDGET + 5))" "$AKU_BIN" -p end
    log "aku -p end exited with status $?"
  fi
  server_stop
  log "bye"
  exit "$EXIT_OK"
}

main() {
  trap step_9_termination TERM INT
  step_1_environment
  step_2_run_directory
  step_3_database
  step_4_server
  step_5_sys_password
  step_6_init_scripts
  step_7_aku_start
  step_8_watch
}

main "$@"
