# The node: bridge, containerd, CNI, kubelet, kube-proxy and CoreDNS configuration. Sourced, not run.
# shellcheck shell=bash

save_kernel_settings() {
  mkdir -p "$SAVED_DIR"
  local key file
  for key in "${SAVED_SYSCTLS[@]}"; do
    file=$SAVED_DIR/sysctl.$key
    # Saved once per cluster life: an `up` after a crash must not save the kubelet's values.
    [[ -e $file ]] && continue
    sysctl -n "$key" >"$file" 2>/dev/null || rm -f "$file"
  done
  grep -H . "$SAVED_DIR"/sysctl.* | sed "s|$SAVED_DIR/sysctl.||"
  [[ $(sysctl -n net.bridge.bridge-nf-call-iptables 2>/dev/null) == 1 ]] || {
    sysctl -w net.bridge.bridge-nf-call-iptables=1 ||
      { echo "net.bridge.bridge-nf-call-iptables cannot be set: Services would not reach pods on the bridge"; return 1; }
  }
}

restore_kernel_settings() {
  local file key want have
  for file in "$SAVED_DIR"/sysctl.*; do
    [[ -e $file ]] || continue
    key=${file##*/sysctl.}
    want=$(<"$file")
    have=$(sysctl -n "$key" 2>/dev/null) || continue
    if [[ $have != "$want" ]]; then
      sysctl -qw "$key=$want" && echo "$key: $have → $want"
    fi
    rm -f "$file"
  done
}

# 02:aa:<the four bytes of the address>: locally administered, unicast, one per node address.
bridge_mac() {
  local IFS=.
  # shellcheck disable=SC2086 # the split on dots is the point
  set -- $1
  printf '02:aa:%02x:%02x:%02x:%02x' "$1" "$2" "$3" "$4"
}

make_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  ip addr replace "$NODE_IP/${POD_SUBNET#*/}" dev "$BRIDGE"
  # A fixed MAC: a Linux bridge otherwise takes the lowest MAC among its ports, so it changes each
  # time a pod's veth comes or goes, and every pod's ARP entry for the gateway (which is also the
  # DNS server) goes stale: DNS from the other pods then times out for up to ~20 s after a pod
  # is deleted. A MAC set by hand is kept. Locally administered (02:...), from the node address.
  ip link set "$BRIDGE" address "$(bridge_mac "$NODE_IP")"
  ip link set "$BRIDGE" up
  ip -br addr show "$BRIDGE"
}

write_containerd_config() {
  mkdir -p "$RUN_DIR/containerd" "$CONTAINERD_ROOT" "$CLUSTER_DIR/cni/net.d" "$CLUSTER_DIR/cni/ipam"
  cat >"$CLUSTER_DIR/containerd.toml" <<TOML
version = 2
root = "$CONTAINERD_ROOT"
state = "$RUN_DIR/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "$CONTAINERD_SOCKET"
[ttrpc]
  address = "$CONTAINERD_SOCKET.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$CLUSTER_DIR/containerd-opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # root here lacks CAP_SYS_RESOURCE: runc cannot lower oom_score_adj below its own.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$RUN_DIR/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CLUSTER_DIR/cni/net.d"
TOML
  # Pods on the bridge, addresses from the private subnet; the gateway (the node) is their default
  # route so that Service addresses (kube-proxy's DNAT on the node) are reachable; hairpin lets a
  # pod reach itself through a Service.
  cat >"$CLUSTER_DIR/cni/net.d/10-aku.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "aku-pods",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "isDefaultGateway": true,
      "hairpinMode": true,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "dataDir": "$CLUSTER_DIR/cni/ipam",
        "ranges": [[{ "subnet": "$POD_SUBNET", "gateway": "$NODE_IP" }]]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
  echo "wrote $CLUSTER_DIR/containerd.toml and $CLUSTER_DIR/cni/net.d/10-aku.conflist"
}

containerd_ready() { ctr --address "$CONTAINERD_SOCKET" version; }

write_kubelet_config() {
  mkdir -p "$CLUSTER_DIR/kubelet" "$CLUSTER_DIR/pod-logs"
  cat >"$CLUSTER_DIR/kubelet-config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
# Only the apiserver (its client certificate from the cluster CA) may call the kubelet.
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $PKI_DIR/ca.crt}
authorization: {mode: AlwaysAllow}
containerRuntimeEndpoint: unix://$CONTAINERD_SOCKET
# This VM: cgroup v1 (deprecated in 1.36, refused unless allowed) and no systemd.
failCgroupV1: false
cgroupDriver: cgroupfs
failSwapOn: false
clusterDNS: [$NODE_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: ""
podLogsDir: $CLUSTER_DIR/pod-logs
# A shared test machine: never evict or garbage-collect the imported images for disk or memory.
evictionHard: {memory.available: "50Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
maxPods: 30
serializeImagePulls: false
YAML
  echo "wrote $CLUSTER_DIR/kubelet-config.yaml"
}

write_corefile() {
  cat >"$CLUSTER_DIR/Corefile" <<COREFILE
.:53 {
    bind $NODE_IP
    errors
    ready ${COREDNS_READY_URL#http://}
    kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
        kubeconfig $KUBECONFIG_DIR/coredns.kubeconfig aku-local
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 5
}
COREFILE
  sed -i 's|ready \(.*\)/ready|ready \1|' "$CLUSTER_DIR/Corefile"
  echo "wrote $CLUSTER_DIR/Corefile"
}

# What CoreDNS's kubernetes plugin reads (its user is aku:coredns, see lib/pki.sh).
coredns_rbac() {
  kubectl_admin apply -f - <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "aku:coredns"}
rules:
  - apiGroups: [""]
    resources: [endpoints, services, pods, namespaces]
    verbs: [list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "aku:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "aku:coredns"}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: "aku:coredns"}
YAML
}
