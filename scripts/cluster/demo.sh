#!/usr/bin/env bash
# The main job on the local cluster, as a user types it: helm install (1 pod), helm upgrade
# --set replicaCount=3 (pods 1 and 2 join by SYNC), kubectl exec … aku -i, helm upgrade
# --set replicaCount=1 (preStop runs aku -p end), helm uninstall; then the cluster is torn down
# unless it was already up (or AKU_DEMO_KEEP=1). Run by `npm run demo` after scripts/setup.sh.
set -Eeuo pipefail
LOG_TAG=demo
# shellcheck source=scripts/cluster/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
for lib in config processes images; do
  # shellcheck source=/dev/null
  source "$CLUSTER_SCRIPTS/lib/$lib.sh"
done
require_root "npm run demo"

# The cluster suite (test/cluster) and the demo share the machine's one cluster: take the suite's
# lock (a directory holding the owner's pid; a dead owner's lock is taken over), bounded.
LOCK_DIR=$SESSION_LOCK_DIR
take_lock() {
  local deadline=$((SECONDS + 1800)) holder
  until mkdir "$LOCK_DIR" 2>/dev/null; do
    holder=$(cat "$LOCK_DIR/pid" 2>/dev/null || true)
    if [[ -n $holder ]] && ! kill -0 "$holder" 2>/dev/null; then
      rm -rf "$LOCK_DIR"
      continue
    fi
    ((SECONDS < deadline)) || die "the cluster is in use by pid ${holder:-?} (the cluster suite or another demo) for 30 min"
    ((SECONDS % 60 == 0)) && log "waiting for the cluster: in use by pid ${holder:-?} (the cluster suite or another demo)"
    sleep 5
  done
  echo $$ >"$LOCK_DIR/pid"
}
take_lock

NAMESPACE=${AKU_DEMO_NAMESPACE:-aku-demo}
RELEASE=${AKU_DEMO_RELEASE:-demo}
started=$SECONDS
cluster() { bash "$CLUSTER_SCRIPTS/cluster.sh" "$@"; }

trap 'rm -rf "$LOCK_DIR"' EXIT
was_up=0
cluster status | grep -q '✓ kube-apiserver' && was_up=1
cluster images
cluster up
load_tools_env
export KUBECONFIG=$ADMIN_KUBECONFIG
kubectl() { "$KUBECTL" "$@"; }
helm() { "$HELM" "$@"; }
# Each command is shown before it runs, as typed by hand.
show() {
  printf '\n$ %s\n' "$*"
  "$@"
}
finish() {
  local rc=$?
  if ((rc != 0)); then
    warn "a step failed (exit $rc); state of $NAMESPACE:"
    kubectl -n "$NAMESPACE" get pods,pvc,events 2>&1 | tail -n 30 >&2 || true
  fi
  if ((was_up == 0)) && [[ ${AKU_DEMO_KEEP:-0} != 1 ]]; then
    cluster down
  else
    log "the cluster stays up (npm run cluster -- down stops it)"
  fi
  log "demo finished in $((SECONDS - started)) s (exit $rc)"
  rm -rf "$LOCK_DIR"
  exit "$rc"
}
trap finish EXIT

bash "$CLUSTER_SCRIPTS/cluster.sh" volumes >/dev/null
kubectl delete namespace "$NAMESPACE" --ignore-not-found --wait=true >/dev/null
sts() { kubectl -n "$NAMESPACE" get statefulset -l "app.kubernetes.io/instance=$RELEASE" -o jsonpath='{.items[0].metadata.name}'; }
wait_ready() {
  local want=$1 name
  name=$(sts)
  show kubectl -n "$NAMESPACE" rollout status "statefulset/$name" --timeout=8m
  [[ $(kubectl -n "$NAMESPACE" get statefulset "$name" -o jsonpath='{.status.readyReplicas}') == "$want" ]] ||
    die "statefulset/$name: not $want Ready pods"
}

image=$(product_image)
show helm install "$RELEASE" ./chart -n "$NAMESPACE" --create-namespace \
  --set "image.repository=${image%:*}" --set image.pullPolicy=Never --set replicaCount=1
wait_ready 1
show helm upgrade "$RELEASE" ./chart -n "$NAMESPACE" --reuse-values --set replicaCount=3
wait_ready 3
show kubectl -n "$NAMESPACE" get pods -o wide
show kubectl -n "$NAMESPACE" exec "$(sts)-2" -- aku -i
show helm upgrade "$RELEASE" ./chart -n "$NAMESPACE" --reuse-values --set replicaCount=1
show kubectl -n "$NAMESPACE" wait --for=delete pod "$(sts)-2" "$(sts)-1" --timeout=4m
show kubectl -n "$NAMESPACE" get pods,pvc
show helm test "$RELEASE" -n "$NAMESPACE" --logs
show helm uninstall "$RELEASE" -n "$NAMESPACE" --wait
kubectl delete namespace "$NAMESPACE" --wait=true >/dev/null
