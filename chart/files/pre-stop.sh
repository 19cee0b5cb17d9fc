#!/bin/bash
# preStop hook of the Altibase container (mounted from the chart's scripts ConfigMap).
#
# Runs `aku -p end` (flush, stop, reset this pod's replications) while the server is still up,
# bounded by AKU_END_TIME_BUDGET, the part of terminationGracePeriodSeconds the chart gives it.
# It then leaves a marker with aku's exit status: when SIGTERM reaches the entrypoint, the marker
# tells it that `aku -p end` already ran, so it only stops the server.
set -u

# Hook output is not in the container log unless written there: PID 1 is the entrypoint.
log_target=${AKU_PRESTOP_LOG:-/proc/1/fd/1}
if [[ -w $log_target ]]; then
  exec >>"$log_target" 2>&1
fi

budget=${AKU_END_TIME_BUDGET:-50}
marker=${AKU_PRESTOP_MARKER:-/tmp/aku-prestop.done}
aku_bin=${AKU_BIN:-${ALTIBASE_HOME:-/nonexistent}/bin/aku}
[[ -x $aku_bin ]] || aku_bin=aku

rm -f "$marker"
echo "[pre-stop] $(date '+%Y/%m/%d %H:%M:%S') running aku -p end (budget ${budget} s)"
# aku keeps to its budget itself; timeout is the backstop that keeps the hook inside the grace period.
timeout --kill-after=5 "$((budget + 5))" "$aku_bin" -p end
rc=$?
printf '%s\n' "$rc" >"$marker"
echo "[pre-stop] $(date '+%Y/%m/%d %H:%M:%S') aku -p end exited with status $rc"
exit "$rc"
