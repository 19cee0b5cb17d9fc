# Log lines and fatal errors of the container's scripts. Sourced after exit-codes.sh.
# shellcheck shell=bash

# `[entrypoint] 2026/01/02 03:04:05 [pod-1] message`, the shape of aku's own lines.
LOG_TAG=${LOG_TAG:-entrypoint}
log() { printf '[%s] %s [%s] %s\n' "$LOG_TAG" "$(date '+%Y/%m/%d %H:%M:%S')" "${AKU_POD_NAME:-${HOSTNAME:-?}}" "$*"; }

# Where Kubernetes reads a container's last words (`kubectl describe pod`: Last State, Message).
TERMINATION_LOG=${AKU_TERMINATION_LOG:-/dev/termination-log}

# die [EXIT_CODE] MESSAGE: logs the reason, leaves it in the termination log, exits (default 1).
die() {
  local code=$EXIT_FAILURE
  if [[ $# -gt 1 && $1 =~ ^[0-9]+$ ]]; then
    code=$1
    shift
  fi
  log "ERROR: $*"
  if [[ -f $TERMINATION_LOG && -w $TERMINATION_LOG ]]; then printf '%s\n' "$*" >"$TERMINATION_LOG"; fi
  exit "$code"
}
