# Functions for scripts/install-tools.sh. Sourced, not run.
# shellcheck shell=bash

log() { printf '[install-tools] %s\n' "$*"; }
die() {
  printf '[install-tools] ERROR: %s\n' "$*" >&2
  exit 1
}

require_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not on PATH: $2"
}

# The module version a Go binary was built from ("" when unknown), read from its build info.
go_binary_module_version() {
  local binary=$1 module=$2
  [[ -x $binary ]] || return 0
  go version -m "$binary" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m { print $3 }'
}

# The -ldflags a Go binary was built with ("" when none), read from its build info.
go_binary_ldflags() {
  local binary=$1
  [[ -x $binary ]] || return 0
  go version -m "$binary" 2>/dev/null | awk -F'\t' '$2 == "build" && $3 ~ /^-ldflags=/ { sub(/^-ldflags=/, "", $3); gsub(/^"|"$/, "", $3); print $3 }'
}

# go_install_pinned NAME MODULE PACKAGE VERSION LDFLAGS
# Builds PACKAGE@VERSION into $BIN_DIR/NAME unless the binary there was built from MODULE@VERSION
# with the same LDFLAGS.
go_install_pinned() {
  local name=$1 module=$2 package=$3 version=$4 ldflags=$5
  local target=$BIN_DIR/$name have have_ldflags
  have=$(go_binary_module_version "$target" "$module")
  have_ldflags=$(go_binary_ldflags "$target")
  if [[ $have == "$version" && $have_ldflags == "$ldflags" ]]; then
    log "$name $version already installed at $target"
    return 0
  fi
  if [[ -n $have ]]; then
    log "$name at $target is $have (ldflags '$have_ldflags'), want $version (ldflags '$ldflags'): rebuilding"
  fi
  log "building $name: go install $package@$version (several minutes on a cold Go cache)"
  local started=$SECONDS
  # Build into a scratch directory, then move: an interrupted build never leaves a half binary.
  local scratch
  scratch=$(mktemp -d "$BIN_DIR/.build-$name.XXXXXX")
  if ! (cd "$scratch" && GOBIN="$scratch" GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
    go install ${ldflags:+-ldflags "$ldflags"} "$package@$version"); then
    rm -rf "$scratch"
    die "go install $package@$version failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  fi
  mv -f "$scratch/$name" "$target"
  rm -rf "$scratch"
  have=$(go_binary_module_version "$target" "$module")
  [[ $have == "$version" ]] || die "$target reports module version '$have', expected $version"
  log "$name $version installed at $target in $((SECONDS - started)) s"
}

# install_k8s_schemas VERSION SCHEMA_DIR CONVERTER
# Fetches the k8s.io/kubernetes module (vVERSION) through the Go module proxy and converts its
# api/openapi-spec/swagger.json into SCHEMA_DIR/vVERSION-standalone-strict/. The stamp file records the
# source and the converter's checksum, so a changed converter regenerates the schemas.
install_k8s_schemas() {
  local version=$1 schema_dir=$2 converter=$3
  local out=$schema_dir/v$version-standalone-strict
  local stamp_want
  stamp_want="k8s.io/kubernetes@v$version $(sha256sum "$converter" | cut -d' ' -f1)"
  if [[ -f $out/.stamp && $(cat "$out/.stamp") == "$stamp_want" ]]; then
    log "Kubernetes $version JSON schemas already present in $out"
    return 0
  fi
  log "fetching k8s.io/kubernetes@v$version through the Go module proxy (about 20 MB) for its OpenAPI document"
  local scratch module_dir
  scratch=$(mktemp -d)
  # Outside any module, `go mod download module@version` just fills the module cache.
  module_dir=$(cd "$scratch" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$version" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}console.log(j.Dir)})') ||
    die "could not download k8s.io/kubernetes@v$version from the Go module proxy"
  local swagger=$module_dir/api/openapi-spec/swagger.json
  [[ -f $swagger ]] || die "$swagger is missing from the module"
  log "converting $swagger into kubeconform's standalone-strict layout"
  node "$converter" "$swagger" "$scratch/out" "$version" || die "schema conversion failed"
  rm -rf "$out"
  mkdir -p "$schema_dir"
  mv "$scratch/out/v$version-standalone-strict" "$out"
  printf '%s\n' "$stamp_want" >"$out/.stamp"
  rm -rf "$scratch"
  log "schemas for Kubernetes $version written to $out ($(find "$out" -name '*.json' | wc -l) kinds)"
}

# The shellcheck linter is only used to lint the container scripts; a machine without apt or root still gets helm,
# kubeconform and the schemas, and the lint test says what is missing.
install_shellcheck_optional() {
  local package=$1
  if command -v shellcheck >/dev/null 2>&1; then
    log "shellcheck present: $(shellcheck --version | awk '/^version:/ {print $2}')"
    return 0
  fi
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "shellcheck missing and cannot apt-get it here (not root or no apt-get): skipping it"
    return 0
  fi
  log "installing shellcheck from Debian (apt-get install $package)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$package" >/dev/null; then
    log "apt-get install failed; running apt-get update once and retrying"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || log "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$package" >/dev/null ||
      log "WARNING: could not install shellcheck; the shell lint test will say so"
  fi
}

# smoke_test BIN_DIR SCHEMA_LOCATION VERSION: the tools run, and kubeconform rejects an unknown field.
smoke_test() {
  local bin=$1 location=$2 version=$3
  "$bin/helm" version --short >/dev/null || die "$bin/helm does not run"
  "$bin/kube-score" version >/dev/null || die "$bin/kube-score does not run"
  local good bad
  good='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":"b"}}'
  bad='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"dta":{"a":"b"}}'
  printf '%s\n' "$good" | "$bin/kubeconform" -strict -kubernetes-version "$version" \
    -schema-location "$location" - >/dev/null || die "kubeconform rejects a valid ConfigMap: schemas broken?"
  if printf '%s\n' "$bad" | "$bin/kubeconform" -strict -kubernetes-version "$version" \
    -schema-location "$location" - >/dev/null 2>&1; then
    die "kubeconform accepts an unknown field: the schemas are not strict"
  fi
  log "smoke test passed: helm and kube-score run; kubeconform validates offline and rejects unknown fields"
}
