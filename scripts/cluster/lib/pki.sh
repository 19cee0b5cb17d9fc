# Certificates, keys, tokens and kubeconfigs of the local cluster. Sourced, not run.
# A CA of the cluster's own signs the apiserver's serving certificate (SANs for the node address,
# the `kubernetes` Service address and names) and the apiserver's client certificate toward the
# kubelet. Components authenticate to the apiserver with static tokens (one per component, in the
# groups RBAC's default bindings expect); pods with service-account tokens signed by sa.key.
# shellcheck shell=bash

# openssl_cert NAME SUBJECT EXTENSIONS: key + certificate signed by the cluster CA.
openssl_cert() {
  local name=$1 subject=$2 extensions=$3
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI_DIR/$name.key" -subj "$subject" \
    -out "$PKI_DIR/$name.csr" 2>/dev/null
  printf '%s\n' "$extensions" >"$PKI_DIR/$name.ext"
  openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" \
    -CAcreateserial -days 30 -sha256 -extfile "$PKI_DIR/$name.ext" -out "$PKI_DIR/$name.crt" 2>/dev/null
  rm -f "$PKI_DIR/$name.csr" "$PKI_DIR/$name.ext"
}

make_certificates() {
  mkdir -p "$PKI_DIR"
  chmod 0700 "$PKI_DIR"
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PKI_DIR/ca.key" -days 30 -sha256 \
    -subj "/CN=aku-cluster-ca" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$PKI_DIR/ca.crt" 2>/dev/null
  local sans="IP:$NODE_IP,IP:$KUBERNETES_SERVICE_IP,IP:127.0.0.1,DNS:localhost,DNS:kubernetes"
  sans+=",DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN"
  openssl_cert apiserver "/CN=kube-apiserver" \
    "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$sans"
  openssl_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" \
    "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  # Service-account tokens: signed with sa.key by the apiserver and the controller-manager.
  openssl genrsa -out "$PKI_DIR/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
  ls "$PKI_DIR"
}

# user,uid,groups per component; the token file and the kubeconfigs come from this one list.
token_users() {
  cat <<USERS
admin admin system:masters
kubelet system:node:$NODE_NAME system:nodes
kube-controller-manager system:kube-controller-manager -
kube-scheduler system:kube-scheduler -
kube-proxy system:kube-proxy -
coredns aku:coredns -
USERS
}

make_kubeconfigs() {
  mkdir -p "$KUBECONFIG_DIR"
  chmod 0700 "$KUBECONFIG_DIR"
  local tokens=$PKI_DIR/tokens.csv name user groups token
  : >"$tokens"
  chmod 0600 "$tokens"
  while read -r name user groups; do
    token=$(openssl rand -hex 24)
    if [[ $groups == - ]]; then
      printf '%s,%s,%s\n' "$token" "$user" "$user" >>"$tokens"
    else
      printf '%s,%s,%s,"%s"\n' "$token" "$user" "$user" "$groups" >>"$tokens"
    fi
    write_kubeconfig "$KUBECONFIG_DIR/$name.kubeconfig" "$user" "$token"
  done < <(token_users)
  cp "$KUBECONFIG_DIR/admin.kubeconfig" "$ADMIN_KUBECONFIG"
  chmod 0600 "$ADMIN_KUBECONFIG"
  ls "$KUBECONFIG_DIR"
}

write_kubeconfig() {
  local file=$1 user=$2 token=$3
  cat >"$file" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: aku-local
    cluster:
      server: $APISERVER_URL
      certificate-authority: $PKI_DIR/ca.crt
users:
  - name: $user
    user:
      token: $token
contexts:
  - name: aku-local
    context:
      cluster: aku-local
      user: $user
current-context: aku-local
YAML
  chmod 0600 "$file"
}
