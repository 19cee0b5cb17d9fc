#!/usr/bin/env bash
# Installs what the tests and the demo need on a fresh Debian 12 machine, skipping what is present:
#   1. Debian packages: unixODBC and SQLite's ODBC driver (odbc tests), shellcheck (script tests),
#      and the local cluster's (containerd, runc, CNI plugins, iptables, nftables, conntrack,
#      mmdebstrap, buildah, skopeo, umoci)                                        ~30 s
#   2. npm packages (npm ci), when node_modules is missing or older than package-lock.json   ~1 min
#   3. chart tooling: helm, kubeconform, Kubernetes JSON schemas (scripts/install-tools.sh) ~4 min cold
#   4. the local cluster's tools (scripts/cluster/build-tools.sh)                          ~17-20 min cold
#   5. images: pause, stand-in Altibase base, product image (npm run cluster -- images)    ~3 min cold
# 3-5 are cached in ~/.cache (aku-tools, aku), keyed by version: a warm run takes seconds.
# Needs Go 1.26+ and Node 20 on PATH. Without root, 1, 4 and 5 cannot be done: it says what to run as
# root, and the cluster suite reports itself NOT RUN (or runs against AKU_KUBECONFIG, see README).
#   scripts/setup.sh [--no-cluster]
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
LOG_TAG=setup
# shellcheck source=scripts/cluster/lib/common.sh
source "$ROOT/scripts/cluster/lib/common.sh"
# shellcheck source=scripts/cluster/lib/build.sh
source "$ROOT/scripts/cluster/lib/build.sh"

with_cluster=1
[[ ${1:-} == --no-cluster ]] && with_cluster=0
started=$SECONDS
export AKU_TOOLS_DIR

test_packages="unixodbc unixodbc-dev odbcinst libsqliteodbc shellcheck"
packages=$test_packages
((with_cluster)) && packages+=" $CLUSTER_DEBIAN_PACKAGES"
missing=()
for pkg in $packages; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)

# On a cold machine: what is missing and about how long it takes, before anything starts (the
# steps then print their own progress; the cluster tools' estimate follows the pace they show).
todo=() todo_seconds=0
add_todo() { todo+=("$1 ~$(human_seconds "$2")"); todo_seconds=$((todo_seconds + $2)); }
((${#missing[@]} == 0)) || add_todo "Debian packages" 30
[[ -r $stamp && $(<"$stamp") == "$want" ]] || add_todo "npm ci" 60
[[ -r $AKU_TOOLS_DIR/tools.env ]] || add_todo "chart tooling" 240
if ((with_cluster)) && is_root; then
  tools=() missing_now=" $(missing_tools) "
  for tool in "${!COLD_BUILD_SECONDS[@]}"; do
    # helm comes with the chart tooling when that is to do.
    [[ $tool == helm && ! -r $AKU_TOOLS_DIR/tools.env ]] && continue
    [[ $missing_now == *" $tool "* ]] && tools+=("$tool")
  done
  ((${#tools[@]} == 0)) || add_todo "cluster tools (${#tools[@]})" "$(cold_build_seconds "${tools[@]}")"
  compgen -G "$AKU_CACHE/images/aku-altibase-*.tar" >/dev/null || add_todo "images" 180
fi
if ((${#todo[@]} > 0)); then
  log "to do: $(IFS=,; printf '%s' "${todo[*]}" | sed 's/,/, /g'): about $(human_seconds "$todo_seconds") on 2 idle cores, longer on a busy machine"
fi
if ((${#missing[@]} == 0)); then
  log "1/5 Debian packages present"
elif is_root && command -v apt-get >/dev/null; then
  log "1/5 installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
    die "apt-get install ${missing[*]} failed"
else
  warn "Debian packages missing: ${missing[*]}"
  warn "install them as root:  apt-get install -y ${missing[*]}"
  for pkg in $test_packages; do
    [[ " ${missing[*]} " == *" $pkg "* ]] && die "the tests cannot run without them"
  done
  with_cluster=0
fi

if [[ -r $stamp && $(<"$stamp") == "$want" ]]; then
  log "2/5 npm packages present"
else
  log "2/5 npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

log "3/5 chart tooling (helm, kubeconform, schemas) in $AKU_TOOLS_DIR"
bash scripts/install-tools.sh | sed 's/^/    /'

if ((with_cluster)) && ! is_root; then
  warn "not root: the local cluster's tools and images are not built (4/5, 5/5); the cluster suite will report NOT RUN"
  warn "as root: npm run setup   or point the suite at a cluster of yours (AKU_KUBECONFIG, AKU_IMAGE; see README)"
  with_cluster=0
fi
if ((with_cluster)); then
  log "4/5 cluster tools in $AKU_CACHE (a cold build takes ~17-20 min on 2 idle cores; progress and the time left below)"
  bash scripts/cluster/build-tools.sh | sed 's/^/    /'
  log "5/5 images (pause, stand-in Altibase base, product image from docker/Dockerfile)"
  # Built only: a cluster running the suite elsewhere on this machine keeps the images it has.
  bash scripts/cluster/cluster.sh images --no-import | sed 's/^/    /'
fi
log "done in $((SECONDS - started)) s"
