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

# Seconds a cold build of each tool takes on 2 idle cores (empty Go caches, module downloads
# included), in build-tools.sh's order: the first Kubernetes component compiles most of what the
# others share, so the later ones are short. Measured on 2 cores busy with other work: 739, 200, 10,
# 32, 18, 38 s (apiserver … kubectl), etcd 46, CoreDNS 256, crictl 92 (24 min in all); these are
# about two thirds of that. Only for the estimates printed while building: the pace this run shows
# scales them (remaining_build_seconds).
declare -A COLD_BUILD_SECONDS=(
  [kube-apiserver]=480 [kube-controller-manager]=130 [kube-scheduler]=10 [kubelet]=20
  [kube-proxy]=15 [kubectl]=25 [etcd]=30 [coredns]=170 [crictl]=60 [helm]=120
)
# Tools this run still has to build (set by build-tools.sh), and the pace seen so far: the
# seconds the finished builds took against their estimates.
BUILD_PENDING=()
BUILD_SPENT=0
BUILD_EXPECTED=0

# "45 s", "3 min", "1 h 5 min" (rounded up to a minute past a minute).
human_seconds() {
  local s=$1
  if ((s < 60)); then printf '%d s' "$s"
  elif ((s < 3600)); then printf '%d min' "$(((s + 59) / 60))"
  else printf '%d h %d min' "$((s / 3600))" "$(((s % 3600 + 59) / 60))"; fi
}

cold_build_seconds() {
  local total=0 tool
  for tool in "$@"; do total=$((total + ${COLD_BUILD_SECONDS[$tool]:-60})); done
  printf '%d' "$total"
}

# remaining_build_seconds CURRENT ELAPSED: the estimate for what is left of BUILD_PENDING (CURRENT
# included, ELAPSED seconds into its build), scaled by this run's pace: the finished builds'
# actual/estimated ratio, or the current build's when it already took longer than its estimate.
remaining_build_seconds() {
  local current=$1 elapsed=$2 tool rest=0 pace=100 est
  est=${COLD_BUILD_SECONDS[$current]:-60}
  ((BUILD_EXPECTED > 0)) && pace=$((BUILD_SPENT * 100 / BUILD_EXPECTED))
  ((elapsed > est)) && ((elapsed * 100 / est > pace)) && pace=$((elapsed * 100 / est))
  ((pace < 25)) && pace=25
  for tool in "${BUILD_PENDING[@]}"; do
    [[ $tool == "$current" ]] || rest=$((rest + ${COLD_BUILD_SECONDS[$tool]:-60}))
  done
  # The current build: what its estimate leaves, at least 15 s while it runs.
  local left=$(((est * pace / 100) - elapsed))
  ((left < 15)) && left=15
  printf '%d' "$((left + rest * pace / 100))"
}

# build_with_progress PROGRESS NAME COMMAND...: runs the build, printing a line a minute (elapsed,
# estimated time left for the cluster tools) so a cold build never looks stuck; records the pace.
build_with_progress() {
  local progress=$1 name=$2 started=$SECONDS rc=0 next=60
  shift 2
  log "[$progress] $name: cold ~$(human_seconds "${COLD_BUILD_SECONDS[$name]:-60}") on 2 idle cores; about $(human_seconds "$(remaining_build_seconds "$name" 0)") left for the cluster tools"
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS - started >= next)); then
      log "[$progress] $name: building for $(human_seconds $((SECONDS - started))); about $(human_seconds "$(remaining_build_seconds "$name" $((SECONDS - started)))") left for the cluster tools"
      next=$((next + 60))
    fi
  done
  wait "$pid" || rc=$?
  ((rc == 0)) || return "$rc"
  BUILD_SPENT=$((BUILD_SPENT + SECONDS - started))
  BUILD_EXPECTED=$((BUILD_EXPECTED + ${COLD_BUILD_SECONDS[$name]:-60}))
  local still=() tool
  for tool in "${BUILD_PENDING[@]}"; do [[ $tool == "$name" ]] || still+=("$tool"); done
  BUILD_PENDING=("${still[@]}")
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
  build_with_progress "$progress" "$name" \
    env -C "$module_dir" go build -mod=readonly -trimpath ${ldflags:+-ldflags "$ldflags"} -o "$target.tmp" "$package" ||
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
  build_with_progress "$progress" "$name" \
    env -C "$scratch" GOBIN="$scratch" go install -trimpath ${ldflags:+-ldflags "$ldflags"} "$package@$version" || {
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
