# up, down, status and env of scripts/cluster/cluster.sh. Sourced, not run.
# shellcheck shell=bash

start_etcd() {
  mkdir -p "$CLUSTER_DIR/etcd"
  chmod 0700 "$CLUSTER_DIR/etcd"
  start_daemon etcd "$ETCD" --name aku --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls "$ETCD_CLIENT_URL" --advertise-client-urls "$ETCD_CLIENT_URL" \
    --listen-peer-urls "$ETCD_PEER_URL" --initial-advertise-peer-urls "$ETCD_PEER_URL" \
    --initial-cluster "aku=$ETCD_PEER_URL" --log-level warn
  wait_component etcd 30 curl -fsS "$ETCD_CLIENT_URL/health"
}

start_apiserver() {
  start_daemon kube-apiserver "$KUBE_APISERVER" \
    --etcd-servers "$ETCD_CLIENT_URL" \
    --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$APISERVER_PORT" \
    --cert-dir "$CLUSTER_DIR/apiserver" \
    --tls-cert-file "$PKI_DIR/apiserver.crt" --tls-private-key-file "$PKI_DIR/apiserver.key" \
    --client-ca-file "$PKI_DIR/ca.crt" --token-auth-file "$PKI_DIR/tokens.csv" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --allow-privileged=true \
    --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --service-account-key-file "$PKI_DIR/sa.pub" --service-account-signing-key-file "$PKI_DIR/sa.key" \
    --service-cluster-ip-range "$SERVICE_SUBNET" \
    --kubelet-client-certificate "$PKI_DIR/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI_DIR/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP \
    --profiling=false
  wait_component kube-apiserver 60 kubectl_admin get --raw /readyz --request-timeout=3s
}

start_controllers() {
  start_daemon kube-controller-manager "$KUBE_CONTROLLER_MANAGER" \
    --kubeconfig "$KUBECONFIG_DIR/kube-controller-manager.kubeconfig" \
    --service-account-private-key-file "$PKI_DIR/sa.key" --root-ca-file "$PKI_DIR/ca.crt" \
    --use-service-account-credentials --leader-elect=false --bind-address 127.0.0.1 \
    --cluster-name aku-local --profiling=false
  start_daemon kube-scheduler "$KUBE_SCHEDULER" \
    --kubeconfig "$KUBECONFIG_DIR/kube-scheduler.kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --profiling=false
  wait_component kube-controller-manager 30 curl -fsSk https://127.0.0.1:10257/healthz
  wait_component kube-scheduler 30 curl -fsSk https://127.0.0.1:10259/healthz
}

start_containerd() {
  start_daemon containerd containerd --config "$CLUSTER_DIR/containerd.toml"
  wait_component containerd 30 containerd_ready
}

start_kubelet() {
  start_daemon kubelet "$KUBELET" --config "$CLUSTER_DIR/kubelet-config.yaml" \
    --kubeconfig "$KUBECONFIG_DIR/kubelet.kubeconfig" --root-dir "$CLUSTER_DIR/kubelet" \
    --cert-dir "$CLUSTER_DIR/kubelet/pki" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP"
  wait_component kubelet 60 kubectl_admin wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
}

start_kube_proxy() {
  start_daemon kube-proxy "$KUBE_PROXY" --kubeconfig "$KUBECONFIG_DIR/kube-proxy.kubeconfig" \
    --hostname-override "$NODE_NAME" --proxy-mode iptables --cluster-cidr "$POD_SUBNET" \
    --healthz-bind-address "$KUBE_PROXY_HEALTHZ" --metrics-bind-address 127.0.0.1:10249 \
    --conntrack-max-per-core=0 --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait=0 \
    --iptables-localhost-nodeports=false --nodeport-addresses=primary
  wait_component kube-proxy 30 curl -fsS "http://$KUBE_PROXY_HEALTHZ/healthz"
}

start_coredns() {
  coredns_rbac
  start_daemon coredns "$COREDNS" -conf "$CLUSTER_DIR/Corefile" -pidfile "$RUN_DIR/coredns.own.pid"
  wait_component coredns 30 curl -fsS "$COREDNS_READY_URL"
}

wait_default_service_account() {
  wait_until 30 "serviceaccount/default" kubectl_admin -n default get serviceaccount default
}

# A pod that resolves the `kubernetes` Service by name through CoreDNS and opens a TLS connection
# to it through kube-proxy, with its service-account token: pod networking, DNS, Services and RBAC.
smoke_test() {
  local image
  image=$(standin_base_image)
  kubectl_admin -n default delete pod aku-smoke-test --ignore-not-found --wait=true >/dev/null
  kubectl_admin -n default apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata: {name: aku-smoke-test}
spec:
  restartPolicy: Never
  automountServiceAccountToken: true
  securityContext: {runAsUser: 4242, runAsNonRoot: true}
  containers:
    - name: check
      image: $image
      imagePullPolicy: Never
      command:
        - node
        - -e
        - |
          const dns = require('node:dns/promises');
          const fs = require('node:fs');
          const https = require('node:https');
          (async () => {
            const name = 'kubernetes.default.svc.$CLUSTER_DOMAIN';
            const { address } = await dns.lookup(name);
            console.log(name, '->', address);
            const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
            const token = fs.readFileSync(sa + '/token', 'utf8');
            const ca = fs.readFileSync(sa + '/ca.crt');
            https.get({ host: 'kubernetes.default.svc', path: '/version', ca, headers: { authorization: 'Bearer ' + token } }, (res) => {
              let body = '';
              res.on('data', (d) => (body += d)).on('end', () => {
                console.log('GET /version through the kubernetes Service:', res.statusCode, body.replace(/\s+/g, ' '));
                process.exit(res.statusCode === 200 ? 0 : 1);
              });
            }).on('error', (e) => { console.error(e.message); process.exit(1); });
          })().catch((e) => { console.error(e.message); process.exit(1); });
YAML
  local phase deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)); do
    phase=$(kubectl_admin -n default get pod aku-smoke-test -o jsonpath='{.status.phase}' 2>/dev/null || true)
    [[ $phase == Succeeded || $phase == Failed ]] && break
    sleep 1
  done
  kubectl_admin -n default logs aku-smoke-test 2>&1 || true
  kubectl_admin -n default delete pod aku-smoke-test --wait=false >/dev/null 2>&1 || true
  [[ $phase == Succeeded ]] || { echo "smoke-test pod: ${phase:-no phase after 90 s}"; kubectl_admin -n default get events --sort-by=.lastTimestamp | tail -n 15; return 1; }
}

leftovers_present() {
  [[ -n $(cluster_processes) ]] || ip link show "$BRIDGE" >/dev/null 2>&1 ||
    awk -v d="$CLUSTER_DIR" 'index($5, d) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo ||
    [[ -d $RUN_DIR ]]
}

cluster_up() {
  local started=$SECONDS
  STEP_LOG_DIR=$CLUSTER_DIR/step-logs
  if ! "$CLUSTER_SCRIPTS/build-tools.sh" --check >/dev/null 2>&1; then
    log "cluster tools missing: building them first (a cold build takes ~17-20 min on 2 cores)"
    "$CLUSTER_SCRIPTS/build-tools.sh"
  fi
  load_tools_env
  if leftovers_present; then
    log "leftovers of an earlier run found: cleaning them first"
    cluster_down --quiet || die "could not clean the leftovers of an earlier run; see above"
  fi
  mkdir -p "$STEP_LOG_DIR" "$LOG_DIR" "$RUN_DIR"
  log "bringing up a single-node Kubernetes $KUBERNETES_VERSION in $CLUSTER_DIR"
  {
    step "images (pause, stand-in Altibase base)" ensure_base_images &&
      step "remember paths and tables outside $CLUSTER_DIR" remember_fixed_paths &&
      step "save kernel settings" save_kernel_settings &&
      step "certificates and keys" make_certificates &&
      step "tokens and kubeconfigs" make_kubeconfigs &&
      step "network bridge $BRIDGE ($NODE_IP, pods $POD_SUBNET)" make_bridge &&
      step "etcd" start_etcd &&
      step "kube-apiserver ($APISERVER_URL)" start_apiserver &&
      step "kube-controller-manager, kube-scheduler" start_controllers &&
      step "containerd and CNI configuration" write_containerd_config &&
      step "containerd" start_containerd &&
      step "images into containerd" import_images &&
      step "kubelet configuration" write_kubelet_config &&
      step "kubelet (node $NODE_NAME Ready)" start_kubelet &&
      step "kube-proxy" start_kube_proxy &&
      step "CoreDNS ($NODE_IP:53)" write_corefile &&
      step "CoreDNS running" start_coredns &&
      step "default StorageClass $STORAGE_CLASS, $PV_COUNT local volumes of $PV_CAPACITY" storage_class_and_volumes &&
      step "service account default" wait_default_service_account &&
      step "smoke test (DNS, kubernetes Service, RBAC from a pod)" smoke_test
  } || die "step '$STEP_FAILED' failed; the cluster is partly up: 'npm run cluster -- down' removes it, 'npm run cluster -- up' cleans and retries"
  log "up in $((SECONDS - started)) s"
  cat <<USAGE

  kubeconfig:  $ADMIN_KUBECONFIG
  By hand, with the tools built for this cluster:
    eval "\$(npm run -s cluster -- env)"      # sets KUBECONFIG and puts kubectl, helm, crictl on PATH
    kubectl get nodes
    npm run cluster -- images                # builds and imports the product image (aku-altibase)
    helm install demo ./chart -n demo --create-namespace
  Logs: $LOG_DIR   Stop and clean up: npm run cluster -- down
USAGE
}

storage_class_and_volumes() { storage_class && make_volumes; }

cluster_down() {
  local quiet=0 purge=0 started=$SECONDS arg
  for arg in "$@"; do
    case $arg in
      --quiet) quiet=1 ;;
      --purge) purge=1 ;;
      *) die "down: unknown option $arg (allowed: --purge)" ;;
    esac
  done
  [[ -r $CLUSTER_TOOLS_ENV ]] && load_tools_env
  STEP_LOG_DIR=$(mktemp -d)
  local failed=()
  ((quiet)) || log "tearing down the cluster in $CLUSTER_DIR"
  step "delete pods while the kubelet runs" delete_pods || failed+=("$STEP_FAILED")
  step "stop processes" stop_processes || failed+=("$STEP_FAILED")
  step "iptables chains (kube-proxy, kubelet, CNI)" clean_iptables || failed+=("$STEP_FAILED")
  step "nft tables created by the cluster" clean_nft_tables || failed+=("$STEP_FAILED")
  step "unmount volumes, network namespaces, kubelet root" unmount_cluster_paths || failed+=("$STEP_FAILED")
  step "bridge $BRIDGE" remove_bridge || failed+=("$STEP_FAILED")
  step "kubepods cgroups" remove_cgroups || failed+=("$STEP_FAILED")
  step "conntrack entries" flush_conntrack || failed+=("$STEP_FAILED")
  step "paths outside $CLUSTER_DIR" clean_fixed_paths || failed+=("$STEP_FAILED")
  step "kernel settings" restore_kernel_settings || failed+=("$STEP_FAILED")
  if ((${#failed[@]} == 0)); then
    if ((purge)); then
      step "state directory $CLUSTER_DIR" remove_state "" || failed+=("$STEP_FAILED")
    else
      step "state directory (imported images kept)" remove_state images || failed+=("$STEP_FAILED")
    fi
  fi
  rm -rf "$STEP_LOG_DIR"
  if ((${#failed[@]} > 0)); then
    printf '[cluster] ERROR: teardown incomplete: %s\n' "${failed[*]}" >&2
    return 1
  fi
  ((quiet)) || log "down in $((SECONDS - started)) s"
}

cluster_status() {
  [[ -r $CLUSTER_TOOLS_ENV ]] && load_tools_env
  local name pid any=0
  for name in "${COMPONENTS[@]}"; do
    if pid=$(component_pid "$name"); then
      printf '  ✓ %-24s pid %s\n' "$name" "$pid"
      any=1
    else
      printf '  ✗ %-24s not running\n' "$name"
    fi
  done
  if ((any)) && [[ -n ${KUBECTL:-} ]] && api_up >/dev/null 2>&1; then
    echo
    kubectl_admin get nodes -o wide 2>&1 | sed 's/^/  /'
    echo "  kubeconfig: $ADMIN_KUBECONFIG"
  fi
  ((any)) || echo "  the cluster is down"
}

cluster_env() {
  load_tools_env
  local dir
  for dir in "$(dirname "$KUBECTL")" "$(dirname "$HELM")" "$(dirname "$CRICTL")"; do
    # shellcheck disable=SC2016 # $PATH is for the shell that evaluates this line
    printf 'export PATH=%q:"$PATH"\n' "$dir"
  done
  printf 'export KUBECONFIG=%q\n' "$ADMIN_KUBECONFIG"
  printf 'export CONTAINER_RUNTIME_ENDPOINT=%q\n' "unix://$CONTAINERD_SOCKET"
}
