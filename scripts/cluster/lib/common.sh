# Functions shared by the scripts in scripts/cluster/. Sourced, not run.
# shellcheck shell=bash disable=SC2034 # variables used by the scripts that source this file

CLUSTER_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$CLUSTER_SCRIPTS/../.." && pwd)
# shellcheck source=scripts/cluster/versions.env
source "$CLUSTER_SCRIPTS/versions.env"
# shellcheck source=scripts/tools.versions
source "$REPO_ROOT/scripts/tools.versions"

# Everything built is cached outside the clone, one directory per tool and version.
AKU_CACHE=${AKU_CACHE:-$HOME/.cache/aku}
# The chart tooling's directory (scripts/install-tools.sh): its helm is reused when the version matches.
AKU_TOOLS_DIR=${AKU_TOOLS_DIR:-$HOME/.cache/aku-tools}

KUBERNETES_BIN=$AKU_CACHE/kubernetes-$KUBERNETES_VERSION/bin
ETCD_BIN=$AKU_CACHE/etcd-$ETCD_VERSION/bin
COREDNS_BIN=$AKU_CACHE/coredns-$COREDNS_VERSION/bin
CRICTL_BIN=$AKU_CACHE/crictl-$CRICTL_VERSION/bin

# Written by build-tools.sh: KEY='path' lines naming every binary (sourced by up.sh, read by the tests).
CLUSTER_TOOLS_ENV=$AKU_CACHE/cluster-tools.env

LOG_TAG=${LOG_TAG:-cluster}
log() { printf '[%s] %s\n' "$LOG_TAG" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$LOG_TAG" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "$LOG_TAG" "$*" >&2
  exit 1
}

# One status line per named step: "✓ name (1.2 s)" or "✗ name (exit N)". The step's own output
# goes to the terminal only when it fails (kept in $STEP_LOG_DIR/<name>.log).
STEP_LOG_DIR=${STEP_LOG_DIR:-/tmp}
STEP_FAILED=
step() {
  local name=$1 started=$EPOCHREALTIME rc=0 logfile
  shift
  logfile=$STEP_LOG_DIR/$(tr -c 'A-Za-z0-9_.-' '-' <<<"$name" | sed 's/-*$//').log
  [[ -t 1 ]] && printf '  … %s\r' "$name"
  "$@" >"$logfile" 2>&1 || rc=$?
  local elapsed
  elapsed=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  if ((rc == 0)); then
    printf '  ✓ %s (%s s)\n' "$name" "$elapsed"
  else
    printf '  ✗ %s (exit %d after %s s; log %s)\n' "$name" "$rc" "$elapsed" "$logfile"
    sed 's/^/      | /' "$logfile" | tail -n 40 >&2
    STEP_FAILED=$name
  fi
  return "$rc"
}

require_root() {
  ((EUID == 0)) && return 0
  cat >&2 <<MSG
[$LOG_TAG] ERROR: $1 needs root (it starts a container runtime and a kubelet, creates a network
bridge and iptables rules, and mounts volumes).
To run the cluster suite against a Kubernetes cluster you already have instead, set:
  AKU_KUBECONFIG=/path/to/kubeconfig      a cluster where you may create namespaces
  AKU_IMAGE=registry.example.com/aku-altibase:TAG   an image built from docker/Dockerfile
  (and AKU_CLUSTER_VALUES=file.yaml for values of your own: storage class, image pull policy)
then run: npm run test:cluster
MSG
  exit 1
}

is_root() { ((EUID == 0)); }
