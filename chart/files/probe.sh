#!/bin/bash
# Readiness and liveness checks of the Altibase container (mounted from the chart's scripts ConfigMap).
#   probe.sh ready  aku's start completed (/tmp/aku_start_completed) and the server accepts connections
#   probe.sh live   the server accepts connections
# The startupProbe does not use this script: it only checks the completion file, as aku documents.
set -u

port=${ALTIBASE_PORT_NO:-20300}
host=${AKU_PROBE_HOST:-127.0.0.1}
completion_file=/tmp/aku_start_completed

case ${1:-} in
  ready)
    if [[ ! -e $completion_file ]]; then
      echo "not ready: $completion_file is absent (aku -p start has not completed, or aku -p end ran)"
      exit 1
    fi
    ;;
  live) ;;
  *)
    echo "usage: probe.sh ready|live" >&2
    exit 2
    ;;
esac

# A TCP connection to the service port, closed at once; bash's /dev/tcp needs no client tools.
# shellcheck disable=SC2016 # $0 and $1 are expanded by the inner bash
if ! timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null; then
  echo "the server does not accept connections on $host:$port"
  exit 1
fi
exit 0
