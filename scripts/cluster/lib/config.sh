# Addresses, ports and paths of the local cluster. Sourced after lib/common.sh, not run.
# Every file the cluster writes lives under $CLUSTER_DIR except the few paths Kubernetes and
# containerd write whatever they are told (see "Fixed paths" below; down removes what we created).
# shellcheck shell=bash disable=SC2034 # variables used by the scripts that source this file

CLUSTER_DIR=${AKU_CLUSTER_DIR:-/var/lib/aku-cluster}
# Images imported into containerd survive `down` (importing ~500 MB takes ~15 s); `down --purge` removes them.
CONTAINERD_ROOT=$CLUSTER_DIR/images
RUN_DIR=$CLUSTER_DIR/run            # pid files, sockets, containerd state
LOG_DIR=$CLUSTER_DIR/logs           # one log per component
PKI_DIR=$CLUSTER_DIR/pki
KUBECONFIG_DIR=$CLUSTER_DIR/kubeconfigs
ADMIN_KUBECONFIG=$CLUSTER_DIR/kubeconfig
VOLUMES_DIR=$CLUSTER_DIR/volumes    # directories behind the local PersistentVolumes
SAVED_DIR=$CLUSTER_DIR/saved        # kernel settings and such, restored by down
CONTAINERD_SOCKET=$RUN_DIR/containerd/containerd.sock

NODE_NAME=aku-node
BRIDGE=aku0
# Pods get addresses on a bridge of the cluster's own; its gateway is the node's address, where the
# apiserver, the kubelet and CoreDNS listen (pods reach them there and through Services).
POD_SUBNET=${AKU_CLUSTER_POD_SUBNET:-10.213.0.0/24}
NODE_IP=${POD_SUBNET%.*}.1

SERVICE_SUBNET=${AKU_CLUSTER_SERVICE_SUBNET:-10.213.128.0/24}
# The `kubernetes` Service takes the first address of the service range.
KUBERNETES_SERVICE_IP=${SERVICE_SUBNET%.*}.1
CLUSTER_DOMAIN=cluster.local
APISERVER_PORT=6443
APISERVER_URL=https://$NODE_IP:$APISERVER_PORT
ETCD_CLIENT_URL=http://127.0.0.1:12379
ETCD_PEER_URL=http://127.0.0.1:12380
COREDNS_READY_URL=http://127.0.0.1:18181/ready
KUBELET_HEALTHZ_URL=http://127.0.0.1:10248/healthz
KUBE_PROXY_HEALTHZ=127.0.0.1:10256

# Local PersistentVolumes made ahead at `up` (the chart's default claim is 8Gi).
PV_COUNT=${AKU_CLUSTER_PV_COUNT:-32}
PV_CAPACITY=${AKU_CLUSTER_PV_CAPACITY:-10Gi}
STORAGE_CLASS=local-disk

# Images the cluster needs, built by scripts/cluster/images/build-images.sh.
PAUSE_IMAGE=localhost/aku-pause:3.10
IMAGES_CACHE=$AKU_CACHE/images

# Fixed paths written whatever the configuration; down removes what the cluster left there.
FIXED_PATHS=(/var/log/containers /run/containerd/s /var/lib/cni/results /var/lib/kubelet/device-plugins)

# Kernel settings changed by the kubelet (at every start), the CNI bridge plugin (ip_forward) and
# kube-proxy; saved by up, restored by down.
SAVED_SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward
  net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables)

# Held (a directory with the owner's pid) by the cluster suite (test/cluster/cluster.test.ts) and
# the demo for their whole run: one user of the machine's cluster at a time.
SESSION_LOCK_DIR=/run/aku-cluster-suite.lock

# up and down refuse while another process holds the session lock (unless it is an ancestor: the
# suite and the demo call this script themselves).
check_session_lock() {
  local holder pid=$$
  holder=$(cat "$SESSION_LOCK_DIR/pid" 2>/dev/null) || return 0
  [[ -n $holder ]] && kill -0 "$holder" 2>/dev/null || return 0
  while ((pid > 1)); do
    [[ $pid == "$holder" ]] && return 0
    pid=$(awk '{ print $4 }' "/proc/$pid/stat" 2>/dev/null) || break
  done
  [[ ${AKU_CLUSTER_FORCE:-0} == 1 ]] && { warn "the cluster is in use by pid $holder; going on (AKU_CLUSTER_FORCE=1)"; return 0; }
  die "the cluster is in use by pid $holder ($(tr '\0' ' ' <"/proc/$holder/cmdline" | cut -c1-80)): wait for it, or set AKU_CLUSTER_FORCE=1"
}

COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy coredns)

load_tools_env() {
  [[ -r $CLUSTER_TOOLS_ENV ]] || die "$CLUSTER_TOOLS_ENV is missing: run scripts/cluster/build-tools.sh first (a cold build takes ~17-20 min)"
  # shellcheck disable=SC1090 # written by build-tools.sh
  source "$CLUSTER_TOOLS_ENV"
  [[ $KUBERNETES_VERSION == "$(grep -o "^KUBERNETES_VERSION=.*" "$CLUSTER_SCRIPTS/versions.env" | cut -d= -f2)" ]] ||
    die "$CLUSTER_TOOLS_ENV is for another Kubernetes version: run scripts/cluster/build-tools.sh"
}

kubectl_admin() { "$KUBECTL" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }
