# Undoing everything `up` did, in the order that leaves nothing behind. Sourced, not run.
# Pods are deleted while the kubelet still runs (else their network namespaces and mounts stay),
# then the processes stop, then the side effects go: kube-proxy's and the kubelet's iptables chains,
# nft tables the cluster created, the bridge, mounts, the kubepods cgroups, conntrack entries,
# paths written outside the cluster directory, and the kernel settings the kubelet changed.
# shellcheck shell=bash

api_up() { [[ -r $ADMIN_KUBECONFIG ]] && kubectl_admin get --raw /readyz --request-timeout=3s; }

# Stop the controllers first so nothing recreates the pods being deleted.
delete_pods() {
  stop_component kube-controller-manager 10
  stop_component kube-scheduler 10
  if ! api_up >/dev/null 2>&1 || ! component_pid kubelet >/dev/null; then
    echo "apiserver or kubelet not running: pods are removed through containerd instead"
    return 0
  fi
  kubectl_admin delete pods --all --all-namespaces --grace-period=2 --wait=false >/dev/null 2>&1 || true
  # Bounded: the kubelet stops the containers and tears down their sandboxes.
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    # Stopped sandboxes are the kubelet's to garbage-collect later; remove_sandboxes removes them.
    [[ -z $(crictl_node pods -q --state ready 2>/dev/null) ]] && { echo "all pods stopped"; return 0; }
    sleep 1
  done
  echo "pod sandboxes still running after 60 s (removed through containerd next): $(crictl_node pods -q --state ready | tr '\n' ' ')"
}

crictl_node() { "$CRICTL" --runtime-endpoint "unix://$CONTAINERD_SOCKET" --timeout 10s "$@"; }

remove_sandboxes() {
  if [[ ! -S $CONTAINERD_SOCKET ]] || ! component_pid containerd >/dev/null; then
    echo "containerd not running"
    return 0
  fi
  local left
  left=$(crictl_node pods -q 2>/dev/null || true)
  if [[ -n $left ]]; then
    # shellcheck disable=SC2086 # ids
    crictl_node stopp $left || true
    # shellcheck disable=SC2086 # ids
    crictl_node rmp -f $left || true
  fi
  echo "sandboxes removed: $(wc -w <<<"$left")"
}

# containerd's shims outlive containerd; they serve this cluster when started with its socket.
stop_shims() {
  local proc cmd stopped=0
  for proc in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null) || continue
    [[ $cmd == *containerd-shim* && $cmd == *"$CONTAINERD_SOCKET"* ]] || continue
    stop_pid containerd-shim "${proc#/proc/}" 10
    stopped=$((stopped + 1))
  done
  echo "$stopped shim(s) stopped"
}

stop_processes() {
  local name
  for name in coredns kube-proxy kubelet; do stop_component "$name" 20; done
  remove_sandboxes
  stop_component containerd 20
  stop_shims
  for name in kube-apiserver etcd; do stop_component "$name" 20; done
  local left
  left=$(cluster_processes)
  [[ -z $left ]] || { echo "processes still running:"; echo "$left"; return 1; }
}

# kube-proxy's own cleanup, then every KUBE-* and CNI-* chain and the rules jumping to them.
clean_iptables() {
  if [[ -n ${KUBE_PROXY:-} && -x $KUBE_PROXY ]]; then
    "$KUBE_PROXY" --cleanup --proxy-mode=iptables >/dev/null 2>&1 || true
  fi
  local cmd table chain rule
  for cmd in iptables ip6tables; do
    command -v "$cmd" >/dev/null || continue
    for table in filter nat mangle raw; do
      "$cmd" -t "$table" -S >/dev/null 2>&1 || continue
      while read -r rule; do
        # shellcheck disable=SC2086 # a rule as iptables -S prints it
        eval "$cmd -t $table ${rule/-A /-D }" || true
      done < <("$cmd" -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j (KUBE|CNI)-' | grep -Ev '^-A (KUBE|CNI)-')
      for chain in $("$cmd" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE|CNI)-/ { print $2 }'); do
        "$cmd" -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$cmd" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE|CNI)-/ { print $2 }'); do
        "$cmd" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
  echo "iptables chains left: $(iptables-save 2>/dev/null | grep -cE '^:(KUBE|CNI)-')"
}

# nft tables that did not exist before `up` (iptables-nft creates them on first use).
clean_nft_tables() {
  command -v nft >/dev/null || { echo "no nft command"; return 0; }
  local before=$SAVED_DIR/nft-tables family name
  while read -r _ family name; do
    [[ -n $name ]] || continue
    if [[ -r $before ]] && grep -qx "table $family $name" "$before"; then continue; fi
    nft delete table "$family" "$name" && echo "deleted nft table $family $name"
  done < <(nft list tables 2>/dev/null)
  rm -f "$before"
}

remove_bridge() {
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link delete "$BRIDGE" && echo "bridge $BRIDGE deleted"
  fi
  # veth ends of pods whose namespace is gone disappear with it; none should remain on the bridge.
}

unmount_cluster_paths() {
  local mp count=0
  # Deepest first; lazily when busy.
  while read -r mp; do
    umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || { echo "cannot unmount $mp"; continue; }
    count=$((count + 1))
  done < <(awk -v d="$CLUSTER_DIR" '{ gsub(/\\040/, " ", $5); if (index($5, d) == 1) print $5 }' /proc/self/mountinfo | sort -r)
  echo "$count mount(s) removed"
  ! awk -v d="$CLUSTER_DIR" 'index($5, d) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo
}

remove_cgroups() {
  local dir removed=0
  for dir in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d $dir ]] || continue
    while read -r sub; do rmdir "$sub" 2>/dev/null && removed=$((removed + 1)); done < <(find "$dir" -depth -type d)
  done
  echo "$removed cgroup(s) removed"
  for dir in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d $dir ]] && { echo "still present: $dir"; return 1; }
  done
  return 0
}

flush_conntrack() {
  command -v conntrack >/dev/null || { echo "no conntrack command"; return 0; }
  local net
  for net in "$POD_SUBNET" "$SERVICE_SUBNET"; do
    conntrack -D -s "$net" >/dev/null 2>&1 || true
    conntrack -D -d "$net" >/dev/null 2>&1 || true
  done
  echo "conntrack entries of $POD_SUBNET and $SERVICE_SUBNET: $(conntrack -L 2>/dev/null | grep -cE "=(${POD_SUBNET%.*}|${SERVICE_SUBNET%.*})\." || true)"
}

# Paths Kubernetes and containerd write whatever they are told: removed when up found them absent,
# else only the entries pointing into the cluster directory.
remember_fixed_paths() {
  mkdir -p "$SAVED_DIR"
  [[ -e $SAVED_DIR/absent-paths ]] && return 0
  local path
  for path in "${FIXED_PATHS[@]}" /var/lib/kubelet /var/lib/cni /run/containerd /var/log/pods /var/run/netns; do
    [[ -e $path ]] || echo "$path"
  done >"$SAVED_DIR/absent-paths"
  nft list tables 2>/dev/null >"$SAVED_DIR/nft-tables" || true
  echo "absent before up: $(tr '\n' ' ' <"$SAVED_DIR/absent-paths")"
}

clean_fixed_paths() {
  local link path
  for link in /var/log/containers/*; do
    [[ -L $link && $(readlink "$link") == "$CLUSTER_DIR"/* ]] && rm -f "$link"
  done
  if [[ -r $SAVED_DIR/absent-paths ]]; then
    while read -r path; do
      [[ -e $path ]] && rm -rf --one-file-system "$path" && echo "removed $path"
    done < <(sort -r "$SAVED_DIR/absent-paths")
    rm -f "$SAVED_DIR/absent-paths"
  fi
  return 0
}

remove_state() {
  local keep=$1 entry
  [[ -d $CLUSTER_DIR ]] || return 0
  for entry in "$CLUSTER_DIR"/* "$CLUSTER_DIR"/.[!.]*; do
    [[ -e $entry ]] || continue
    [[ $keep == images && $entry == "$CONTAINERD_ROOT" ]] && continue
    rm -rf --one-file-system "$entry"
  done
  if [[ $keep != images ]]; then rm -rf --one-file-system "$CLUSTER_DIR"; fi
  echo "state removed${keep:+ (kept: $keep)}"
}
