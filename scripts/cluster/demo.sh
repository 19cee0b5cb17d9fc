#!/usr/bin/env bash
# `npm run demo [-- --keep]`, after scripts/setup.sh: the chart on the local cluster with a writer
# the whole time (scripts/cluster/demo.ts tells the story step by step). Root is checked here, where
# the cluster scripts' message for it lives.
set -Eeuo pipefail
LOG_TAG=demo
# shellcheck source=scripts/cluster/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# A cluster of the user's (AKU_KUBECONFIG) needs no root: the demo neither starts nor stops it.
[[ -n ${AKU_KUBECONFIG:-} ]] || require_root "npm run demo"
exec "$REPO_ROOT/node_modules/.bin/tsx" "$CLUSTER_SCRIPTS/demo.ts" "$@"
