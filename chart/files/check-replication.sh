#!/bin/bash
# `helm test` check, read-only:
#   1. `aku -s --replicas REPLICAS --fail-on FAIL_ON` (docs/status.md): every pod answers, every
#      pair of every group is started on both sides with its sender running, and objects toward
#      ordinals >= REPLICAS hold no restart point. Its table, verdicts and next steps are this
#      check's log. With AKU_MONITOR_USER=SYS (the test pod's setting) it reads in-service pods
#      as SYS without SYSDBA, so it never takes a pod's one SYSDBA session.
#   2. after a FLUSH of each pair from its lower pod (it sends what is pending; it changes no
#      data), every replicated table has the same row count on every pod.
# Both are retried until CHECK_TIMEOUT: pods settle and writes in flight make counts differ for a
# moment. A usage or configuration error of aku (exit 2) is not retried.
#
# Queries of step 2 go through SQL_COMMAND, a shell command given HOST, PORT, SQL (the statement)
# and SQL_FILE (the statement and its ';'); the default is the image's aku-sql, which takes the
# password from the Secret's file. Rows may come as isql's table or as JSON lines.
set -u

# shellcheck source=chart/files/aku-facts.sh
. "$(dirname "${BASH_SOURCE[0]}")/aku-facts.sh"

: "${STS:?}" "${SVC:?}" "${REPLICAS:?}" "${PREFIXES:?}" "${PORT:?}"
# shellcheck disable=SC2016 # expanded by bash -c
SQL_COMMAND=${SQL_COMMAND:-'aku-sql --host "$HOST" --port "$PORT" -f "$SQL_FILE"'}
AKU_COMMAND=${AKU_COMMAND:-aku}
FAIL_ON=${FAIL_ON:-fail}
TABLES=${TABLES:-}
timeout_s=${CHECK_TIMEOUT:-120}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# query HOST SQL: prints the rows as upper-case words (punctuation and the given column names
# stripped), one row a line; fails when the client fails.
query() {
  local host=$1 sql=$2 out
  printf '%s;\n' "$sql" >"$work/query.sql"
  out=$(HOST=$host PORT=$PORT SQL=$sql SQL_FILE=$work/query.sql bash -c "$SQL_COMMAND" 2>&1) || {
    echo "$out"
    return "$AKU_EXIT_FAILURE"
  }
  printf '%s\n' "$out" | tr '[:lower:]' '[:upper:]' | sed -e 's/[][{}",:]/ /g' |
    awk -v skip="${3:-}" 'BEGIN { n = split(skip, s, " "); for (i = 1; i <= n; i++) drop[s[i]] = 1 }
      /^-+$/ || / ROWS? SELECTED\.?$/ { next }
      { out = ""; for (i = 1; i <= NF; i++) { if ($i in drop) continue; out = out (out == "" ? "" : " ") $i } if (out != "") print out }'
}

# aku -s prints its own table and next steps; its exit status is the verdict.
check_status() {
  "$AKU_COMMAND" -s --replicas "$REPLICAS" --fail-on "$FAIL_ON" 2>&1
}

# FLUSH each pair once from its lower pod, then count every table on every pod.
check_data() {
  [[ -n $TABLES ]] || return 0
  local failures=0 host name table i j prefix count first
  for prefix in $PREFIXES; do
    for ((i = 0; i < REPLICAS; i++)); do
      host=$(aku_pod_host "$STS" "$i" "$SVC")
      for ((j = i + 1; j < REPLICAS; j++)); do
        name=$(aku_replication_name "$prefix" "$i" "$j" | tr '[:lower:]' '[:upper:]')
        query "$host" "ALTER REPLICATION $name FLUSH" >/dev/null || echo "note $host: FLUSH of $name failed (counts may still agree)"
      done
    done
  done
  for table in $TABLES; do
    first=
    for ((i = 0; i < REPLICAS; i++)); do
      host=$(aku_pod_host "$STS" "$i" "$SVC")
      if ! count=$(query "$host" "SELECT COUNT(*) AS ROW_COUNT FROM $table" 'ROW_COUNT COUNT'); then
        echo "FAIL $host: cannot count $table: $count"
        failures=$((failures + 1))
        continue
      fi
      count=$(awk 'NF { print $NF; exit }' <<<"$count")
      echo "     $host: $table has $count rows"
      if [[ -z $first ]]; then
        first=$count
      elif [[ $count != "$first" ]]; then
        echo "FAIL $host: $table has $count rows, pod 0 has $first"
        failures=$((failures + 1))
      fi
    done
  done
  ((failures == 0))
}

deadline=$((SECONDS + timeout_s))
attempt=1
while :; do
  echo "--- check $attempt: $REPLICAS pod(s), groups: $PREFIXES${TABLES:+, tables: $TABLES}"
  check_status
  status=$?
  if ((status == AKU_EXIT_USAGE)); then
    echo "FAIL: aku -s could not run (usage or configuration error above)"
    exit "$AKU_EXIT_FAILURE"
  fi
  if ((status == AKU_EXIT_OK)) && check_data; then
    echo "PASS: aku -s found every pair of all $REPLICAS pod(s) replicating${TABLES:+ and every table has the same rows on each}"
    exit "$AKU_EXIT_OK"
  fi
  if ((SECONDS + 5 >= deadline)); then
    echo "FAIL: replication is not complete after ${timeout_s} s"
    exit "$AKU_EXIT_FAILURE"
  fi
  attempt=$((attempt + 1))
  sleep 5
done
