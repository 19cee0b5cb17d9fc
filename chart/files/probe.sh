#!/bin/bash
# Probes of the Altibase container (mounted from the chart's scripts ConfigMap, next to aku-facts.sh).
#   probe.sh started   aku's completion file was written by `aku -p start` in THIS container
#                      (startupProbe); a file an earlier container left in the /tmp emptyDir has
#                      another container's identity inside and never counts
#   probe.sh ready     started, and the server accepts connections (readinessProbe)
#   probe.sh live      the server accepts connections (livenessProbe)
#   probe.sh identity  print this container's identity (what aku writes into the completion file)
# Exit AKU_EXIT_OK when the check passes, AKU_EXIT_FAILURE when it does not, AKU_EXIT_USAGE on bad
# usage (aku-facts.sh).
set -u

# shellcheck source=chart/files/aku-facts.sh
. "$(dirname "${BASH_SOURCE[0]}")/aku-facts.sh"

port=${ALTIBASE_PORT_NO:-20300}
host=${AKU_PROBE_HOST:-127.0.0.1}
completion_file=$(aku_completion_file)

# `<boot id> <start time of the container's init process>`, as aku's containerIdentity() computes
# it (src/lifecycle/completion-file.ts): field 22 of /proc/<pid>/stat, counted after the command
# name, which is in parentheses and may hold spaces.
container_identity() {
  local boot_id stat fields
  boot_id=$(</proc/sys/kernel/random/boot_id) || return "$AKU_EXIT_FAILURE"
  stat=$(<"/proc/${AKU_CONTAINER_INIT_PID:-1}/stat") || return "$AKU_EXIT_FAILURE"
  read -ra fields <<<"${stat##*) }"
  printf '%s %s' "$boot_id" "${fields[19]}"
}

started() {
  local written identity
  if [[ ! -e $completion_file ]]; then
    echo "not started: $completion_file is absent (aku -p start has not completed, or aku -p end ran)"
    return "$AKU_EXIT_FAILURE"
  fi
  written=$(<"$completion_file")
  identity=$(container_identity) || identity=
  if [[ -n $written && -n $identity && $written != "$identity" ]]; then
    echo "not started: $completion_file was written by an earlier container ($written), not this one ($identity)"
    return "$AKU_EXIT_FAILURE"
  fi
}

accepts_connections() {
  # A TCP connection to the service port, closed at once; bash's /dev/tcp needs no client tools.
  # shellcheck disable=SC2016 # $0 and $1 are expanded by the inner bash
  if ! timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null; then
    echo "the server does not accept connections on $host:$port"
    return "$AKU_EXIT_FAILURE"
  fi
}

case ${1:-} in
  started) started ;;
  ready) started && accepts_connections ;;
  live) accepts_connections ;;
  identity) container_identity ;;
  *)
    echo "usage: probe.sh started|ready|live|identity" >&2
    exit "$AKU_EXIT_USAGE"
    ;;
esac
