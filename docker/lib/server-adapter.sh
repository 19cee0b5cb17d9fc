# The server adapter: create, start, watch and stop the database server of this container.
# Sourced after exit-codes.sh and log.sh.
#
# By default it drives Altibase as docs/base-image-contract.md describes it: `server create`,
# `server start` (returns once the server runs), `server stop`, the process named `altibase`.
# Another server is driven through the environment, each command a bash snippet run with `bash -c`:
#   AKU_SERVER_MODE         daemon (default) | foreground (START_CMD runs the server in the foreground)
#   AKU_SERVER_CREATE_CMD   default: server create "$AKU_DB_CHARSET" "$AKU_DB_NATIONAL_CHARSET"
#   AKU_SERVER_START_CMD    default: server start
#   AKU_SERVER_STOP_CMD     default: server stop (foreground: SIGTERM to the server's pid)
#   AKU_SERVER_ALIVE_CMD    default: pgrep -x altibase (foreground: the server's pid is alive)
#   AKU_SERVER_READY_TIMEOUT, AKU_SERVER_STOP_TIMEOUT   bounds in seconds (600, 60)
# shellcheck shell=bash

SERVER_MODE=${AKU_SERVER_MODE:-daemon}
# shellcheck disable=SC2016 # expanded later by bash -c
SERVER_CREATE_CMD=${AKU_SERVER_CREATE_CMD:-'server create "$AKU_DB_CHARSET" "$AKU_DB_NATIONAL_CHARSET"'}
SERVER_START_CMD=${AKU_SERVER_START_CMD:-server start}
SERVER_STOP_CMD=${AKU_SERVER_STOP_CMD:-}
SERVER_ALIVE_CMD=${AKU_SERVER_ALIVE_CMD:-}
SERVER_READY_TIMEOUT=${AKU_SERVER_READY_TIMEOUT:-600}
SERVER_STOP_TIMEOUT=${AKU_SERVER_STOP_TIMEOUT:-60}
SERVER_PID=
SERVER_UP=0

server_check_mode() {
  case $SERVER_MODE in
    daemon)
      [[ -n $SERVER_STOP_CMD ]] || SERVER_STOP_CMD='server stop'
      [[ -n $SERVER_ALIVE_CMD ]] || SERVER_ALIVE_CMD='pgrep -x altibase >/dev/null'
      ;;
    foreground) ;;
    *) die "$EXIT_USAGE" "AKU_SERVER_MODE must be daemon or foreground, not '$SERVER_MODE'" ;;
  esac
}

server_create() {
  log "creating the database: $SERVER_CREATE_CMD"
  bash -c "$SERVER_CREATE_CMD"
}

server_alive() {
  if [[ $SERVER_MODE == foreground ]]; then
    [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null
  else
    bash -c "$SERVER_ALIVE_CMD"
  fi
}

server_port_open() {
  # shellcheck disable=SC2016 # $0 is expanded by the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$ALTIBASE_PORT_NO" 2>/dev/null
}

# Starts the server and waits (bounded) until its service port accepts connections.
server_start() {
  if [[ $SERVER_MODE == foreground ]]; then
    log "starting the server in the foreground: $SERVER_START_CMD"
    bash -c "$SERVER_START_CMD" &
    SERVER_PID=$!
  else
    log "starting the server: $SERVER_START_CMD"
    bash -c "$SERVER_START_CMD" || die "the server did not start (exit $?)"
  fi
  local deadline=$((SECONDS + SERVER_READY_TIMEOUT))
  until server_port_open; do
    server_alive || die "the server exited while starting"
    ((SECONDS < deadline)) || die "the server does not accept connections on port $ALTIBASE_PORT_NO after $SERVER_READY_TIMEOUT s"
    sleep 1
  done
  SERVER_UP=1
  log "the server accepts connections on port $ALTIBASE_PORT_NO"
}

# Stops the server (bounded); a no-op when it is not up.
server_stop() {
  [[ $SERVER_UP == 1 ]] || return 0
  SERVER_UP=0
  if [[ $SERVER_MODE == foreground && -z $SERVER_STOP_CMD ]]; then
    log "stopping the server (SIGTERM to pid $SERVER_PID)"
    kill -TERM "$SERVER_PID" 2>/dev/null
  else
    log "stopping the server: $SERVER_STOP_CMD"
    timeout "$SERVER_STOP_TIMEOUT" bash -c "$SERVER_STOP_CMD" || log "the stop command failed or timed out (exit $?)"
  fi
  if [[ -n $SERVER_PID ]]; then
    local deadline=$((SECONDS + SERVER_STOP_TIMEOUT))
    while kill -0 "$SERVER_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  log "server stopped"
}
