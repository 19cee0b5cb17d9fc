# Starting, waiting for and stopping the cluster's processes. Sourced, not run.
# Each component runs in a session of its own (setsid), its pid in $RUN_DIR/<name>.pid and its
# output in $LOG_DIR/<name>.log. Nothing is found by name: only recorded pids, or processes whose
# command line names this cluster's directory, are ever signalled.
# shellcheck shell=bash

pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

# Running, not a zombie: the daemons are reparented to PID 1, which need not reap them (a
# container's init may not), and kill -0 succeeds on a zombie.
pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ $state != Z && $state != X ]]
}

component_pid() {
  local file pid
  file=$(pid_file "$1")
  [[ -r $file ]] || return 1
  pid=$(<"$file")
  [[ -n $pid ]] && pid_alive "$pid" && printf '%s' "$pid"
}

start_daemon() {
  local name=$1
  shift
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  if component_pid "$name" >/dev/null; then
    echo "$name already runs (pid $(component_pid "$name"))"
    return 0
  fi
  setsid "$@" </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
  echo $! >"$(pid_file "$name")"
  echo "$name started (pid $!): $*"
}

# wait_until SECONDS DESCRIPTION COMMAND...: bounded wait for COMMAND to succeed, once a second.
wait_until() {
  local timeout=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "timed out after ${timeout} s waiting for $what"
      return 1
    fi
    sleep 1
  done
  echo "$what after $((timeout - (deadline - SECONDS))) s"
}

# The component's process must still run while we wait for it (else its log tells why).
alive_and() {
  local name=$1
  shift
  component_pid "$name" >/dev/null || {
    echo "$name exited; last lines of $LOG_DIR/$name.log:"
    tail -n 20 "$LOG_DIR/$name.log"
    return 2
  }
  "$@"
}

wait_component() {
  local name=$1 timeout=$2
  shift 2
  local deadline=$((SECONDS + timeout)) rc
  while :; do
    rc=0
    alive_and "$name" "$@" >/dev/null 2>&1 || rc=$?
    ((rc == 0)) && { echo "$name ready after $((timeout - (deadline - SECONDS))) s"; return 0; }
    if ((rc == 2)); then alive_and "$name" true; return 1; fi
    if ((SECONDS >= deadline)); then
      echo "$name not ready after ${timeout} s; last lines of $LOG_DIR/$name.log:"
      tail -n 20 "$LOG_DIR/$name.log"
      return 1
    fi
    sleep 1
  done
}

# stop_pid NAME PID TIMEOUT: SIGTERM, then SIGKILL after TIMEOUT seconds.
stop_pid() {
  local name=$1 pid=$2 timeout=$3 deadline
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + timeout))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      echo "$name (pid $pid) did not stop in ${timeout} s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null
      # A killed process can take a while to exit on a loaded machine (memory to free, I/O in
      # flight): wait for it, bounded, so nothing checks the host while it is still there.
      deadline=$((SECONDS + 15))
      while pid_alive "$pid"; do
        if ((SECONDS >= deadline)); then
          echo "$name (pid $pid) still exists 15 s after SIGKILL" >&2
          break
        fi
        sleep 0.2
      done
      break
    fi
    sleep 0.2
  done
  echo "$name (pid $pid) stopped"
}

stop_component() {
  local name=$1 timeout=${2:-20} pid
  if pid=$(component_pid "$name"); then
    stop_pid "$name" "$pid" "$timeout"
  fi
  rm -f "$(pid_file "$name")"
  # A crashed or killed run leaves no trustworthy pid file: also stop any process of this cluster
  # (its command line names $CLUSTER_DIR) run from the component's binary.
  local binary
  binary=$(component_binary "$name")
  [[ -n $binary ]] || return 0
  for pid in $(pids_of_binary_in_cluster "$binary"); do
    stop_pid "$name" "$pid" "$timeout"
  done
}

component_binary() {
  case $1 in
    etcd) printf '%s' "$ETCD" ;;
    kube-apiserver) printf '%s' "$KUBE_APISERVER" ;;
    kube-controller-manager) printf '%s' "$KUBE_CONTROLLER_MANAGER" ;;
    kube-scheduler) printf '%s' "$KUBE_SCHEDULER" ;;
    kubelet) printf '%s' "$KUBELET" ;;
    kube-proxy) printf '%s' "$KUBE_PROXY" ;;
    coredns) printf '%s' "$COREDNS" ;;
    containerd) command -v containerd ;;
  esac
}

# Pids of processes running BINARY whose command line mentions $CLUSTER_DIR.
pids_of_binary_in_cluster() {
  local binary=$1 proc exe
  for proc in /proc/[0-9]*; do
    exe=$(readlink "$proc/exe" 2>/dev/null) || continue
    [[ $exe == "$binary" || $exe == "$binary (deleted)" ]] || continue
    pid_alive "${proc#/proc/}" || continue
    tr '\0' ' ' <"$proc/cmdline" 2>/dev/null | grep -qF -- "$CLUSTER_DIR" || continue
    printf '%s\n' "${proc#/proc/}"
  done
}

# Processes of this cluster still running (for status and the leftover check).
cluster_processes() {
  local proc cmd
  for proc in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null) || continue
    [[ $cmd == *"$CLUSTER_DIR"* ]] || continue
    [[ ${proc#/proc/} == "$$" || ${proc#/proc/} == "$BASHPID" ]] && continue
    printf '%s %s\n' "${proc#/proc/}" "${cmd:0:160}"
  done
}
