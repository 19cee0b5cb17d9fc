# The node's power cut and restored (npm run cluster -- power-cycle). Sourced, not run.
#
# What a worker node's power loss does to its pods: every process of the node dies at once, with
# no SIGTERM, no preStop and no graceful stop — kubelet, containerd, each container's shim and
# every process in every container, kube-proxy and the DNS server. The control plane (etcd, the
# API server, the controllers, the scheduler) stays up, as it does on its own machines when a
# worker loses power. Then the node's services start again, as after boot: containerd, kubelet,
# kube-proxy, CoreDNS. The pods keep their objects and their volumes; kubelet starts their
# containers anew.
# shellcheck shell=bash

NODE_SERVICES=(kubelet kube-proxy coredns containerd)

# Every process whose parent chain reaches one of the given pids (the pids included).
descendants_of() {
  local -A parent_of=()
  local proc pid ppid
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    ppid=$(awk '{ print $4 }' "$proc/stat" 2>/dev/null) || continue
    parent_of[$pid]=$ppid
  done
  local -A wanted=()
  for pid in "$@"; do wanted[$pid]=1; done
  for pid in "${!parent_of[@]}"; do
    local up=$pid hops=0
    while [[ -n $up && $up != 0 && $up != 1 && $hops -lt 64 ]]; do
      if [[ -n ${wanted[$up]:-} ]]; then
        printf '%s\n' "$pid"
        break
      fi
      up=${parent_of[$up]:-}
      hops=$((hops + 1))
    done
  done
}

# The containerd shims of this cluster: their command line names its containerd socket.
cluster_shims() {
  local proc
  for proc in /proc/[0-9]*; do
    [[ $(readlink "$proc/exe" 2>/dev/null) == *containerd-shim* ]] || continue
    tr '\0' ' ' <"$proc/cmdline" 2>/dev/null | grep -qF -- "$RUN_DIR/containerd" || continue
    printf '%s\n' "${proc#/proc/}"
  done
}

power_cycle() {
  load_tools_env
  local -a victims=() services=() shims=()
  local name pid
  for name in "${NODE_SERVICES[@]}"; do
    if pid=$(component_pid "$name"); then services+=("$pid"); fi
  done
  mapfile -t shims < <(cluster_shims)
  ((${#services[@]} > 0)) || die "the node's services do not run: nothing to power-cycle (npm run cluster -- up first)"
  mapfile -t victims < <(descendants_of "${services[@]}" "${shims[@]}")
  log "power cut: SIGKILL to ${#victims[@]} processes (${#services[@]} node services, ${#shims[@]} container shims and everything under them)"
  kill -KILL "${victims[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  for pid in "${victims[@]}"; do
    while pid_alive "$pid"; do
      ((SECONDS < deadline)) || die "process $pid is still there 30 s after SIGKILL"
      sleep 0.1
    done
  done
  for name in "${NODE_SERVICES[@]}"; do rm -f "$(pid_file "$name")"; done
  log "power restored: starting the node's services"
  start_containerd
  start_kubelet
  start_kube_proxy
  start_coredns
  log "node services running again; kubelet restarts the pods' containers"
}
