#!/usr/bin/env bash
# The main job on the embedded default, as far as the project has built it: a three-pod
# "StatefulSet" of altisim servers (the Altibase simulator) on loopback addresses, each pod
# named and resolved as Kubernetes would name it (altibase-sts-<n>.altibase-svc, through an
# ALTISIM_HOSTS file), and the real aku CLI run in each pod as the chart's entrypoint and
# preStop hook would run it: scale up 0 → 1 → 2, writes on every pod, `aku -i`, scale down.
# No Kubernetes is involved yet: the local cluster comes with a later issue.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aku-demo.XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PODS=3
PASSWORD=manager
export ALTISIM_HOSTS=$WORK/hosts AKU_DRIVER=altisim AKU_SYS_PASSWORD=$PASSWORD AKU_PROGRESS_INTERVAL_SEC=2
for i in $(seq 0 $((PODS - 1))); do echo "127.0.0.$((11 + i)) altibase-sts-$i.altibase-svc altibase-sts-$i" >>"$ALTISIM_HOSTS"; done

address() { echo "127.0.0.$((11 + $1))"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# What the chart renders into each pod's $ALTIBASE_HOME/conf/aku.conf (the password comes from the environment).
write_conf() {
  mkdir -p "$WORK/pod-$1/conf"
  cat >"$WORK/pod-$1/conf/aku.conf" <<EOF
AKU_STS_NAME            = altibase-sts
AKU_SVC_NAME            = altibase-svc
AKU_SERVER_COUNT        = $PODS
AKU_PORT_NO             = 20300
AKU_REPLICATION_PORT_NO = 20301
AKU_QUERY_RETRY_COUNT   = 2
AKU_QUERY_RETRY_DELAY_MSEC = 200
REPLICATIONS = (
    REPLICATION_NAME_PREFIX = AKU_REP
    SYNC_PARALLEL_COUNT     = 2
    ( SYS.ORDERS, SYS.ITEMS )
)
EOF
}

sql() { # sql <pod> [--sysdba] STATEMENT
  local pod=$1; shift
  bin/altisim sql --host "$(address "$pod")" --port 20300 --user SYS --password "$PASSWORD" "$@"
}

aku() { # aku <pod> ARGS... — the pod's environment, as the chart gives it
  local pod=$1; shift
  echo "[pod altibase-sts-$pod] \$ aku $*"
  ALTIBASE_HOME=$WORK/pod-$pod AKU_POD_NAME=altibase-sts-$pod \
    AKU_START_COMPLETED_FILE=$WORK/pod-$pod/aku_start_completed "$ROOT/bin/aku" "$@"
}

start_pod() { # the entrypoint: server with ADMIN_MODE=1 and REMOTE_SYSDBA_ENABLE=1, schema once, aku -p start
  local pod=$1
  say "pod altibase-sts-$pod: server start, schema, aku -p start"
  write_conf "$pod"
  bin/altisim serve --host "$(address "$pod")" --port 20300 --replication-port 20301 --data-dir "$WORK/pod-$pod/data" \
    --sys-password "$PASSWORD" --property ADMIN_MODE=1 --property REMOTE_SYSDBA_ENABLE=1 --property ALTISIM_SENDER_RETRY_INTERVAL_MSEC=500 \
    --name "altibase-sts-$pod" >"$WORK/pod-$pod/server.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do sql "$pod" --sysdba "SELECT NAME FROM V\$PROPERTY WHERE NAME = 'ADMIN_MODE'" >/dev/null 2>&1 && break; sleep 0.1; done
  sql "$pod" --sysdba "CREATE TABLE SYS.ORDERS (ID INTEGER PRIMARY KEY, CUSTOMER VARCHAR(40))" >/dev/null
  sql "$pod" --sysdba "CREATE TABLE SYS.ITEMS (ID INTEGER PRIMARY KEY, NAME VARCHAR(40))" >/dev/null
  aku "$pod" -p start
}

show_orders() {
  for pod in "$@"; do
    printf 'altibase-sts-%s: ' "$pod"
    sql "$pod" "SELECT ID, CUSTOMER FROM SYS.ORDERS ORDER BY ID" | tr '\n' ' '
    echo
  done
}

start_pod 0
say "ordinary users can write on the MASTER once aku left ADMIN_MODE"
for id in 1 2 3; do sql 0 "INSERT INTO SYS.ORDERS VALUES ($id, 'customer-$id')" >/dev/null; done
show_orders 0

start_pod 1
say "writes on pod 1 reach the MASTER"
sql 1 "INSERT INTO SYS.ORDERS VALUES (4, 'written on pod 1')" >/dev/null
start_pod 2
sql 2 "INSERT INTO SYS.ORDERS VALUES (5, 'written on pod 2')" >/dev/null
sleep 1
say "every pod holds the same rows"
show_orders 0 1 2

say "what aku read from aku.conf in pod 1"
aku 1 -i

say "scale down 3 → 2: preStop runs aku -p end on pod 2"
aku 2 -p end
kill "${PIDS[2]}"
say "the MASTER's replication objects afterwards (AKU_REP_02 reset, as the manual shows)"
sql 0 --sysdba "SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_"
