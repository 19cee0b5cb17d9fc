#!/usr/bin/env bash
# A real single-node Kubernetes on this machine (npm run cluster -- up | down | status | ...).
#
#   up        bring the cluster up (cleaning what a crashed or killed run left first); prints the
#             kubeconfig and how to use the built helm and kubectl
#   down      stop everything and undo every side effect; --purge also drops the imported images
#   status    what runs
#   images    build the pause and stand-in Altibase base images (cached) and the product image from
#             this clone (docker/Dockerfile), and import them into the node's containerd when it
#             runs (--no-import: build only)
#   volumes   make released local PersistentVolumes available again
#   power-cycle  a power loss of the node: SIGKILL its services and every container (no preStop),
#             then start its services again as after boot (the control plane stays up)
#   env       print shell exports for the built tools (eval "$(npm run -s cluster -- env)")
#
# Steps follow Kubernetes The Hard Way's order: certificates → etcd → control plane → container
# runtime → kubelet → kube-proxy → DNS → storage → smoke test, one status line each.
# Tools come from scripts/cluster/build-tools.sh (run by `up` when missing; a cold build ~17-20 min).
set -Eeuo pipefail
LOG_TAG=cluster
# shellcheck source=scripts/cluster/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
for lib in config pki processes node storage teardown images up power; do
  # shellcheck source=/dev/null
  source "$CLUSTER_SCRIPTS/lib/$lib.sh"
done

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

command=${1:-}
shift || true
case $command in
  up) require_root "npm run cluster -- up"; check_session_lock; cluster_up "$@" ;;
  down) require_root "npm run cluster -- down"; check_session_lock; cluster_down "$@" ;;
  status) cluster_status ;;
  images) require_root "npm run cluster -- images"; cluster_images "$@" ;;
  volumes) require_root "npm run cluster -- volumes"; load_tools_env; recycle_volumes ;;
  power-cycle) require_root "npm run cluster -- power-cycle"; check_session_lock; power_cycle ;;
  env) cluster_env ;;
  *) usage ;;
esac
