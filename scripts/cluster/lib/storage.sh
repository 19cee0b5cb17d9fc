# The default StorageClass and the local PersistentVolumes behind it. Sourced, not run.
# No provisioner runs: the StorageClass is `kubernetes.io/no-provisioner` with WaitForFirstConsumer
# (the scheduler binds a claim when its pod is placed), and `local` PVs on directories under
# $VOLUMES_DIR are made ahead. A claim keeps its PV (and its data) across pod deletion and
# scale-down; a PV whose claim was deleted is Released and `recycle_volumes` makes it Available again.
# shellcheck shell=bash

storage_class() {
  kubectl_admin apply -f - <<YAML
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $STORAGE_CLASS
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
YAML
}

local_volume() {
  local n=$1 path=$VOLUMES_DIR/pv-$1
  mkdir -p "$path"
  cat <<YAML
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: aku-local-pv-$n
  labels: {aku.local/volume: "true"}
spec:
  capacity: {storage: $PV_CAPACITY}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: $STORAGE_CLASS
  local: {path: $path}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - {key: kubernetes.io/hostname, operator: In, values: [$NODE_NAME]}
YAML
}

make_volumes() {
  mkdir -p "$VOLUMES_DIR"
  local n
  for ((n = 1; n <= PV_COUNT; n++)); do local_volume "$n"; done | kubectl_admin apply -f -
}

# Released PVs (their claim was deleted): empty the directory and make the PV Available again.
recycle_volumes() {
  local pv path recycled=0
  for pv in $(kubectl_admin get pv -l aku.local/volume=true \
    -o jsonpath='{range .items[?(@.status.phase=="Released")]}{.metadata.name}{"\n"}{end}'); do
    path=$(kubectl_admin get pv "$pv" -o jsonpath='{.spec.local.path}')
    [[ $path == "$VOLUMES_DIR"/* ]] || { echo "$pv: path $path is not under $VOLUMES_DIR; left alone"; continue; }
    find "$path" -mindepth 1 -delete
    kubectl_admin patch pv "$pv" --type json -p '[{"op":"remove","path":"/spec/claimRef"}]' >/dev/null
    recycled=$((recycled + 1))
  done
  echo "$recycled released volume(s) recycled"
  kubectl_admin get pv -l aku.local/volume=true --no-headers | awk '{ print $5 }' | sort | uniq -c
}
