#!/bin/bash
# `helm test` check: every pod 0..REPLICAS-1 holds each expected replication object, started.
#
# For each pod it runs SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_
# through SQL_COMMAND (a shell command that gets HOST, PORT, SQL, SQL_FILE and AKU_SYS_PASSWORD in
# its environment). The rows may come as isql's table or as JSON lines (the simulator's output):
# punctuation and column names are stripped, leaving "NAME XSN IS_STARTED" per row.
# Expected on pod i, for every group prefix P and every other pod j < REPLICAS: P_<min(i,j)><max(i,j)>
# with IS_STARTED = 1. Objects toward ordinals >= REPLICAS (up to aku.serverCount) may exist unstarted.
set -u

: "${STS:?}" "${SVC:?}" "${REPLICAS:?}" "${PREFIXES:?}" "${PORT:?}" "${SQL_COMMAND:?}"
timeout_s=${CHECK_TIMEOUT:-120}
query='SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_'
sql_file=$(mktemp)
printf '%s;\n' "$query" >"$sql_file"
trap 'rm -f "$sql_file"' EXIT

# Rows as "NAME XSN IS_STARTED", upper-cased, from either output format.
normalise() {
  tr '[:lower:]' '[:upper:]' | sed -e 's/[][{}",:]/ /g' |
    awk '{ out = ""; for (i = 1; i <= NF; i++) { if ($i == "REPLICATION_NAME" || $i == "XSN" || $i == "IS_STARTED") continue; out = out (out == "" ? "" : " ") $i } if (out != "") print out }'
}

check_once() {
  local failures=0 i j prefix name lo hi out rows row
  for ((i = 0; i < REPLICAS; i++)); do
    local host="$STS-$i.$SVC"
    if ! out=$(HOST=$host PORT=$PORT SQL=$query SQL_FILE=$sql_file bash -c "$SQL_COMMAND" 2>&1); then
      echo "FAIL $host: the query failed: $out"
      failures=$((failures + 1))
      continue
    fi
    rows=$(printf '%s\n' "$out" | normalise)
    for prefix in $PREFIXES; do
      for ((j = 0; j < REPLICAS; j++)); do
        ((i == j)) && continue
        lo=$((i < j ? i : j))
        hi=$((i < j ? j : i))
        name=$(printf '%s_%d%d' "$prefix" "$lo" "$hi" | tr '[:lower:]' '[:upper:]')
        row=$(printf '%s\n' "$rows" | awk -v n="$name" '$1 == n { print; exit }')
        if [[ -z $row ]]; then
          echo "FAIL $host: replication $name does not exist"
          failures=$((failures + 1))
        elif [[ $(awk '{ print $3 }' <<<"$row") != 1 ]]; then
          echo "FAIL $host: replication $name exists but is not started (XSN $(awk '{ print $2 }' <<<"$row"))"
          failures=$((failures + 1))
        else
          echo "ok   $host: $name started (XSN $(awk '{ print $2 }' <<<"$row"))"
        fi
      done
    done
  done
  ((failures == 0))
}

deadline=$((SECONDS + timeout_s))
attempt=1
while :; do
  echo "--- check $attempt: $REPLICAS pod(s), groups: $PREFIXES"
  if check_once; then
    echo "PASS: every expected replication object exists and is started on all $REPLICAS pod(s)"
    exit 0
  fi
  if ((SECONDS + 5 >= deadline)); then
    echo "FAIL: replication is not complete after ${timeout_s} s"
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 5
done
