#!/bin/bash
# `helm test` check, read-only: on every pod 0..REPLICAS-1
#   1. each expected replication object exists and is started: for every group prefix P and every
#      other pod j, P_<min(i,j)><max(i,j)> (aku-facts.sh's aku_replication_name) with IS_STARTED = 1;
#      objects toward ordinals >= REPLICAS (up to aku.serverCount) may exist unstarted;
#   2. after a FLUSH of each pod's started replications (it sends what is pending; it changes no
#      data), every replicated table has the same row count on every pod.
# Both are retried until TIMEOUT: writes in flight make counts differ for a moment.
#
# Queries go through SQL_COMMAND, a shell command given HOST, PORT, SQL (the statement) and
# SQL_FILE (the statement and its ';'); the default is the image's aku-sql, which takes the
# password from the Secret's file. Rows may come as isql's table or as JSON lines.
set -u

# shellcheck source=chart/files/aku-facts.sh
. "$(dirname "${BASH_SOURCE[0]}")/aku-facts.sh"

: "${STS:?}" "${SVC:?}" "${REPLICAS:?}" "${PREFIXES:?}" "${PORT:?}"
# shellcheck disable=SC2016 # expanded by bash -c
SQL_COMMAND=${SQL_COMMAND:-'aku-sql --host "$HOST" --port "$PORT" -f "$SQL_FILE"'}
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

check_objects() {
  local failures=0 i j prefix name rows row host
  for ((i = 0; i < REPLICAS; i++)); do
    host=$(aku_pod_host "$STS" "$i" "$SVC")
    if ! rows=$(query "$host" 'SELECT REPLICATION_NAME, XSN, IS_STARTED FROM SYSTEM_.SYS_REPLICATIONS_' 'REPLICATION_NAME XSN IS_STARTED'); then
      echo "FAIL $host: the query failed: $rows"
      failures=$((failures + 1))
      continue
    fi
    for prefix in $PREFIXES; do
      for ((j = 0; j < REPLICAS; j++)); do
        ((i == j)) && continue
        name=$(aku_replication_name "$prefix" "$i" "$j" | tr '[:lower:]' '[:upper:]')
        row=$(awk -v n="$name" '$1 == n { print; exit }' <<<"$rows")
        if [[ -z $row ]]; then
          echo "FAIL $host: replication $name does not exist"
          failures=$((failures + 1))
        elif [[ $(awk '{ print $3 }' <<<"$row") != 1 ]]; then
          echo "FAIL $host: replication $name exists but is not started (XSN $(awk '{ print $2 }' <<<"$row"))"
          failures=$((failures + 1))
        else
          echo "ok   $host: $name started (XSN $(awk '{ print $2 }' <<<"$row"))"
        fi
        if ((i < j)); then echo "$host $name" >>"$work/flush"; fi
      done
    done
  done
  ((failures == 0))
}

# FLUSH each pair once from its lower pod, then count every table on every pod.
check_data() {
  [[ -n $TABLES ]] || return 0
  local failures=0 host name table i count first
  while read -r host name; do
    query "$host" "ALTER REPLICATION $name FLUSH" >/dev/null || echo "note $host: FLUSH of $name failed (counts may still agree)"
  done <"$work/flush"
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
  rm -f "$work/flush"
  touch "$work/flush"
  if check_objects && check_data; then
    echo "PASS: every expected replication object is started on all $REPLICAS pod(s)${TABLES:+ and every table has the same rows on each}"
    exit "$AKU_EXIT_OK"
  fi
  if ((SECONDS + 5 >= deadline)); then
    echo "FAIL: replication is not complete after ${timeout_s} s"
    exit "$AKU_EXIT_FAILURE"
  fi
  attempt=$((attempt + 1))
  sleep 5
done
