#!/usr/bin/env bash
# Installs the chart tooling at the versions pinned in scripts/tools.versions, idempotently:
#   - helm        (go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION)
#   - kubeconform (go install github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION)
#   - kube-score  (go install github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION)
#   - the Kubernetes JSON schemas kubeconform needs offline, converted from the OpenAPI document of
#     the k8s.io/kubernetes Go module ($KUBERNETES_SCHEMA_VERSION) by scripts/lib/k8s-openapi-to-jsonschema.mjs
#   - shellcheck from Debian, when missing and when running as root with apt-get (optional: never fatal)
#
# Everything goes under $AKU_TOOLS_DIR (default: ~/.cache/aku-tools, outside the clone, shared by clones):
#   bin/helm, bin/kubeconform, bin/kube-score, kubernetes-json-schema/v<version>-standalone-strict/*.json, tools.env
# A tool already present at the pinned version (read from the binary's Go build info) is not rebuilt.
# Needs: go (1.24+), node, and the Go module proxy. Fails loudly on any error.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/install-tools-lib.sh
source "$ROOT/scripts/lib/install-tools-lib.sh"
# shellcheck source=scripts/tools.versions
source "$ROOT/scripts/tools.versions"

TOOLS_DIR=${AKU_TOOLS_DIR:-$HOME/.cache/aku-tools}
BIN_DIR=$TOOLS_DIR/bin
SCHEMA_DIR=$TOOLS_DIR/kubernetes-json-schema

trap 'die "failed at line $LINENO: $BASH_COMMAND"' ERR

require_cmd go "install Go 1.24 or newer"
require_cmd node "install Node.js 20 or newer"
mkdir -p "$BIN_DIR" "$SCHEMA_DIR"
log "tools directory: $TOOLS_DIR ($(go version))"

k8s_major=${HELM_K8S_VERSION%%.*}
k8s_minor=${HELM_K8S_VERSION#*.}
helm_ldflags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  helm_ldflags+=" -X $pkg.k8sVersionMajor=$k8s_major -X $pkg.k8sVersionMinor=$k8s_minor"
done
go_install_pinned helm helm.sh/helm/v3 helm.sh/helm/v3/cmd/helm "$HELM_VERSION" "$helm_ldflags"
go_install_pinned kubeconform github.com/yannh/kubeconform github.com/yannh/kubeconform/cmd/kubeconform \
  "$KUBECONFORM_VERSION" ""
# kube-score prints the version its release build stamps; `go install` alone would say "development".
go_install_pinned kube-score github.com/zegl/kube-score github.com/zegl/kube-score/cmd/kube-score \
  "$KUBE_SCORE_VERSION" "-X main.version=${KUBE_SCORE_VERSION#v}"

install_k8s_schemas "$KUBERNETES_SCHEMA_VERSION" "$SCHEMA_DIR" "$ROOT/scripts/lib/k8s-openapi-to-jsonschema.mjs"

install_shellcheck_optional "$SHELLCHECK_DEBIAN_PACKAGE"

SCHEMA_LOCATION="$SCHEMA_DIR/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
smoke_test "$BIN_DIR" "$SCHEMA_LOCATION" "$KUBERNETES_SCHEMA_VERSION"

# KEY='value' lines: sourceable by a shell, and read by test/chart/tools.ts.
{
  echo "# Written by scripts/install-tools.sh; read by test/chart/tools.ts."
  for pair in "HELM=$BIN_DIR/helm" "HELM_VERSION=$HELM_VERSION" "KUBECONFORM=$BIN_DIR/kubeconform" \
    "KUBECONFORM_VERSION=$KUBECONFORM_VERSION" "KUBE_SCORE=$BIN_DIR/kube-score" "KUBE_SCORE_VERSION=$KUBE_SCORE_VERSION" \
    "KUBERNETES_SCHEMA_VERSION=$KUBERNETES_SCHEMA_VERSION" \
    "KUBECONFORM_SCHEMA_LOCATION=$SCHEMA_LOCATION"; do
    [[ $pair != *"'"* ]] || die "a path contains a single quote: $pair"
    printf "%s='%s'\n" "${pair%%=*}" "${pair#*=}"
  done
} >"$TOOLS_DIR/tools.env.tmp"
mv "$TOOLS_DIR/tools.env.tmp" "$TOOLS_DIR/tools.env"
log "done: helm $HELM_VERSION, kubeconform $KUBECONFORM_VERSION, kube-score $KUBE_SCORE_VERSION, Kubernetes $KUBERNETES_SCHEMA_VERSION schemas; see $TOOLS_DIR/tools.env"
