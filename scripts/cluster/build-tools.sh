#!/usr/bin/env bash
# Builds and installs everything the local cluster runs, at the versions pinned in
# scripts/cluster/versions.env (and helm's in scripts/tools.versions), idempotently:
#   Debian packages   containerd, runc, CNI plugins, iptables/nftables, conntrack, mmdebstrap, buildah, skopeo, umoci
#   Kubernetes        kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl
#                     (module scripts/cluster/go/kubernetes; versions stamped with -ldflags)
#   etcd              module scripts/cluster/go/etcd
#   CoreDNS, crictl   go install
#   helm              the chart tooling's (scripts/install-tools.sh) when its version matches, else built here
# Binaries go to $AKU_CACHE (default ~/.cache/aku), one directory per tool and version; a binary whose
# stamp (version + sources) matches is not rebuilt. The list of paths is written to
# $AKU_CACHE/cluster-tools.env. A cold build takes ~17-20 min on 2 cores (Go module downloads
# included); with warm Go caches in $HOME it is link time (~2 min); with the binaries present, seconds.
#
#   scripts/cluster/build-tools.sh [--check]     --check: only report what is missing, exit 1 if anything is
set -Eeuo pipefail
LOG_TAG=build-tools
# shellcheck source=scripts/cluster/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=scripts/cluster/lib/build.sh
source "$CLUSTER_SCRIPTS/lib/build.sh"

CHECK_ONLY=0
[[ ${1:-} == --check ]] && CHECK_ONLY=1

if ((CHECK_ONLY)); then
  absent=$(missing_tools)
  if [[ -n $absent ]]; then
    printf 'missing: %s\n' "$absent"
    exit 1
  fi
  echo "all cluster tools present"
  exit 0
fi

started=$SECONDS
log "cluster tools: Kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION, CoreDNS $COREDNS_VERSION, crictl $CRICTL_VERSION, helm $HELM_VERSION"
log "cache: $AKU_CACHE"
absent=$(missing_tools)
if [[ -n $absent ]]; then
  for tool in "${!COLD_BUILD_SECONDS[@]}"; do
    [[ " $absent " == *" $tool "* ]] && BUILD_PENDING+=("$tool")
  done
  log "to build: $absent"
  log "with empty Go caches that takes about $(human_seconds "$(cold_build_seconds "${BUILD_PENDING[@]}")") on 2 idle cores (longer on a busy machine: the estimates below follow this run's pace); with warm caches ~2 min"
fi

install_debian_packages
require_go
mkdir -p "$AKU_CACHE"
exec 9>"$AKU_CACHE/.build.lock"
flock -w 3600 9 || die "another build-tools.sh holds $AKU_CACHE/.build.lock"

k8s_ldflags=$(kubernetes_ldflags "$KUBERNETES_VERSION")
n=0
total=10
for component in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  n=$((n + 1))
  build_from_module "$n/$total" "$component" "$CLUSTER_SCRIPTS/go/kubernetes" "./cmd/$component" \
    "$KUBERNETES_BIN" "$KUBERNETES_VERSION" "$k8s_ldflags"
done
build_from_module "7/$total" etcd "$CLUSTER_SCRIPTS/go/etcd" . "$ETCD_BIN" "$ETCD_VERSION" ""
go_install_stamped "8/$total" coredns github.com/coredns/coredns "$COREDNS_VERSION" "$COREDNS_BIN" ""
go_install_stamped "9/$total" crictl sigs.k8s.io/cri-tools/cmd/crictl "$CRICTL_VERSION" "$CRICTL_BIN" \
  "-X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION"
install_helm "10/$total"

write_tools_env
log "done in $((SECONDS - started)) s; paths in $CLUSTER_TOOLS_ENV"
