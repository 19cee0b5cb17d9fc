# Build functions of scripts/cluster/build-tools.sh. Sourced after lib/common.sh, not run.
# shellcheck shell=bash

# -ldflags stamping a Kubernetes component's version (else it reports v0.0.0-master).
kubernetes_ldflags() {
  local version=$1 minor
  minor=$(cut -d. -f2 <<<"${version#v}")
  printf '%s' "-X k8s.io/component-base/version.gitVersion=$version" \
    " -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
    " -X k8s.io/component-base/version.gitTreeState=clean" \
    " -X k8s.io/client-go/pkg/version.gitVersion=$version"
}

# A stamp recording what a binary was built from: version, ldflags and (for our own modules) the
# checksum of the module's sources. A binary is rebuilt when its stamp differs.
source_stamp() {
  local version=$1 ldflags=$2 module_dir=${3:-}
  local sum=-
  if [[ -n $module_dir ]]; then
    # Comments of go.mod do not count (they change no binary).
    sum=$(cd "$module_dir" && {
      find . -type f \( -name '*.go' -o -name go.sum \) -print0 | sort -z | xargs -0 sha256sum
      sed '/^[[:space:]]*\/\//d' go.mod
    } | sha256sum | cut -d' ' -f1)
  fi
  printf '%s|%s|%s|%s\n' "$version" "$ldflags" "$sum" "$(go env GOVERSION 2>/dev/null || echo nogo)"
}

stamp_matches() {
  local binary=$1 want=$2
  [[ -x $binary && -f $binary.stamp && $(cat "$binary.stamp") == "$want" ]]
}

# build_from_module PROGRESS NAME MODULE_DIR PACKAGE BIN_DIR VERSION LDFLAGS
build_from_module() {
  local progress=$1 name=$2 module_dir=$3 package=$4 bin_dir=$5 version=$6 ldflags=$7
  local target=$bin_dir/$name want
  want=$(source_stamp "$version" "$ldflags" "$module_dir")
  if stamp_matches "$target" "$want"; then
    log "[$progress] $name $version present"
    return 0
  fi
  check_module_pins "$name" "$module_dir" "$version"
  log "[$progress] $name $version: building (go build in ${module_dir#"$REPO_ROOT"/})"
  local started=$SECONDS
  mkdir -p "$bin_dir"
  (cd "$module_dir" && go build -mod=readonly -trimpath ${ldflags:+-ldflags "$ldflags"} -o "$target.tmp" "$package") ||
    die "building $name failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  mv -f "$target.tmp" "$target"
  echo "$want" >"$target.stamp"
  log "[$progress] $name $version built in $((SECONDS - started)) s: $target"
}

# The module's go.mod must require the release versions.env pins.
check_module_pins() {
  local name=$1 module_dir=$2 version=$3
  case $name in
    etcd) grep -q "go.etcd.io/etcd/server/v3 $version\$" "$module_dir/go.mod" ||
      die "$module_dir/go.mod does not require go.etcd.io/etcd/server/v3 $version (ETCD_VERSION in scripts/cluster/versions.env)" ;;
    *) grep -q "k8s.io/kubernetes $version\$" "$module_dir/go.mod" ||
      die "$module_dir/go.mod does not require k8s.io/kubernetes $version (KUBERNETES_VERSION in scripts/cluster/versions.env); see the comment at the top of that go.mod" ;;
  esac
}

# go_install_stamped PROGRESS NAME PACKAGE VERSION BIN_DIR LDFLAGS  (modules without replace directives)
go_install_stamped() {
  local progress=$1 name=$2 package=$3 version=$4 bin_dir=$5 ldflags=$6
  local target=$bin_dir/$name want
  want=$(source_stamp "$version" "$ldflags")
  if stamp_matches "$target" "$want"; then
    log "[$progress] $name $version present"
    return 0
  fi
  log "[$progress] $name $version: building (go install $package@$version)"
  local started=$SECONDS scratch
  mkdir -p "$bin_dir"
  scratch=$(mktemp -d "$bin_dir/.build.XXXXXX")
  (cd "$scratch" && GOBIN=$scratch go install -trimpath ${ldflags:+-ldflags "$ldflags"} "$package@$version") || {
    rm -rf "$scratch"
    die "go install $package@$version failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  }
  mv -f "$scratch/$name" "$target"
  rm -rf "$scratch"
  echo "$want" >"$target.stamp"
  log "[$progress] $name $version built in $((SECONDS - started)) s: $target"
}

# helm: the chart tooling's own build (scripts/install-tools.sh, same pin) when present at the
# pinned version; otherwise that script builds it. One helm, one place that knows how to build it.
helm_path() { printf '%s' "$AKU_TOOLS_DIR/bin/helm"; }
helm_present() {
  local helm
  helm=$(helm_path)
  [[ -x $helm ]] && [[ $(go version -m "$helm" 2>/dev/null | awk '$1 == "mod" && $2 == "helm.sh/helm/v3" { print $3 }') == "$HELM_VERSION" ]]
}
install_helm() {
  local progress=$1
  if helm_present; then
    log "[$progress] helm $HELM_VERSION present: $(helm_path) (from scripts/install-tools.sh)"
    return 0
  fi
  log "[$progress] helm $HELM_VERSION: running scripts/install-tools.sh (it builds helm into $AKU_TOOLS_DIR)"
  AKU_TOOLS_DIR=$AKU_TOOLS_DIR bash "$REPO_ROOT/scripts/install-tools.sh"
  helm_present || die "scripts/install-tools.sh did not leave helm $HELM_VERSION at $(helm_path)"
}

missing_debian_packages() {
  local pkg missing=()
  # shellcheck disable=SC2086 # a space-separated list
  for pkg in $CLUSTER_DEBIAN_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  printf '%s' "${missing[*]}"
}

install_debian_packages() {
  local missing
  missing=$(missing_debian_packages)
  if [[ -z $missing ]]; then
    log "Debian packages present: $CLUSTER_DEBIAN_PACKAGES"
    return 0
  fi
  if ! is_root || ! command -v apt-get >/dev/null; then
    die "Debian packages missing: $missing; install them as root: apt-get install -y $missing"
  fi
  log "installing Debian packages: $missing (~20 s)"
  # shellcheck disable=SC2086 # a space-separated list
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; } ||
    die "apt-get install $missing failed"
}

require_go() {
  command -v go >/dev/null || die "Go is not on PATH: install Go 1.26 or newer (https://go.dev/dl/; Debian 12's golang is too old for Kubernetes 1.36)"
  local have
  have=$(go env GOVERSION)
  # Kubernetes 1.36's go.mod says go 1.26.0; an older go with GOTOOLCHAIN=auto fetches a newer one.
  log "Go: $have"
}

# Names of the tools not yet built at their pinned version (for messages and --check).
missing_tools() {
  local missing=() component
  for component in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    [[ -x $KUBERNETES_BIN/$component ]] || missing+=("$component")
  done
  [[ -x $ETCD_BIN/etcd ]] || missing+=(etcd)
  [[ -x $COREDNS_BIN/coredns ]] || missing+=(coredns)
  [[ -x $CRICTL_BIN/crictl ]] || missing+=(crictl)
  helm_present || missing+=(helm)
  local packages
  packages=$(missing_debian_packages)
  [[ -z $packages ]] || missing+=("Debian packages: $packages")
  printf '%s' "${missing[*]}"
}

write_tools_env() {
  {
    echo "# Written by scripts/cluster/build-tools.sh; sourced by scripts/cluster/*.sh, read by test/cluster/."
    local pair
    for pair in "KUBE_APISERVER=$KUBERNETES_BIN/kube-apiserver" \
      "KUBE_CONTROLLER_MANAGER=$KUBERNETES_BIN/kube-controller-manager" \
      "KUBE_SCHEDULER=$KUBERNETES_BIN/kube-scheduler" "KUBELET=$KUBERNETES_BIN/kubelet" \
      "KUBE_PROXY=$KUBERNETES_BIN/kube-proxy" "KUBECTL=$KUBERNETES_BIN/kubectl" "ETCD=$ETCD_BIN/etcd" \
      "COREDNS=$COREDNS_BIN/coredns" "CRICTL=$CRICTL_BIN/crictl" "HELM=$(helm_path)" \
      "KUBERNETES_VERSION=$KUBERNETES_VERSION"; do
      printf "%s='%s'\n" "${pair%%=*}" "${pair#*=}"
    done
  } >"$CLUSTER_TOOLS_ENV.tmp"
  mv "$CLUSTER_TOOLS_ENV.tmp" "$CLUSTER_TOOLS_ENV"
}
