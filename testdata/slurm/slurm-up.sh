#!/bin/bash
# slurm-up.sh DIR — single-node Slurm 22.05 cluster on loopback (Debian slurmctld/slurmd/slurm-client/munge)
# for squashroot's Slurm tests. Daemons run in foreground mode (-D / -F) as background processes with PID
# files, no systemd, no /etc changes. (Project copy of the recipe in the shared test infrastructure, extended
# with a configurable Prolog/Epilog so the tests exercise the scripts squashroot ships.)
#
# Everything lives in DIR: slurm.conf, plugstack.conf (+ plugstack.conf.d/*.conf included), munge key/socket,
# state, spool, logs. Clients need SLURM_CONF=DIR/slurm.conf (written to DIR/slurm.env as an export line).
# SLURM_WRITE_ETC=1 additionally symlinks /etc/slurm/slurm.conf -> DIR/slurm.conf (then plain `srun` works).
# Env: SLURM_CTLD_PORT (6817), SLURMD_PORT (6818), SLURM_CPUS (nproc), SLURM_REALMEM (MB, 1000),
#      SLURM_PARTITION (debug), SLURM_PROLOG / SLURM_EPILOG (absolute paths of the node Prolog/Epilog, none by
#      default; a prolog runs at allocation: PrologFlags=Alloc). Must run as root. Idempotent: a healthy running
#      cluster started with the same Prolog/Epilog is reused. SLURM_FIRST_JOB_ID (1): clusters that run at the
#      same time on one host should number their jobs apart (job ids name containers and state).
# Stop with slurm-down.sh DIR.
set -euo pipefail

DIR=${1:?usage: slurm-up.sh DIR}
[ "$(id -u)" = 0 ] || { echo "slurm-up: must run as root" >&2; exit 1; }
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
CTLD_PORT=${SLURM_CTLD_PORT:-6817}
SLURMD_PORT=${SLURMD_PORT:-6818}
CPUS=${SLURM_CPUS:-$(nproc)}
MEM=${SLURM_REALMEM:-1000}
PART=${SLURM_PARTITION:-debug}
NODE=$(hostname -s)
PROLOG=${SLURM_PROLOG:-}
EPILOG=${SLURM_EPILOG:-}
for script in "$PROLOG" "$EPILOG"; do
  [ -z "$script" ] || [ -x "$script" ] || { echo "slurm-up: $script: not an executable file" >&2; exit 1; }
done
# slurm.conf rejects empty values: write only the lines that are set. The "# prolog:" line records the
# choice so that a running cluster is reused only when it was started with the same scripts.
PROLOG_LINES="# prolog: $PROLOG epilog: $EPILOG"
[ -z "$PROLOG" ] || PROLOG_LINES="$PROLOG_LINES
Prolog=$PROLOG
PrologFlags=Alloc"
[ -z "$EPILOG" ] || PROLOG_LINES="$PROLOG_LINES
Epilog=$EPILOG"

log() { echo "slurm-up: $*" >&2; }

ensure_pkgs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends)
  "${apt[@]}" "${missing[@]}" >/dev/null || { apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null && "${apt[@]}" "${missing[@]}" >/dev/null; }
}
ensure_pkgs slurmctld slurmd slurm-client munge

running() { # running PID : exists and is not a zombie (PID 1 here may reap late)
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}
alive() { # alive PIDFILE MARKER
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2"
}
stop_pidfile() {
  local pid i
  [ -s "$1" ] || return 0
  pid=$(cat "$1")
  if alive "$1" "$2"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do running "$pid" || break; sleep 0.1; done
    running "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

export SLURM_CONF="$DIR/slurm.conf"

if grep -qxF "# prolog: $PROLOG epilog: $EPILOG" "$DIR/slurm.conf" 2>/dev/null \
   && alive "$DIR/munged.pid" "$DIR/munge" && alive "$DIR/slurmctld.pid" "slurmctld" && alive "$DIR/slurmd.pid" "slurmd" \
   && timeout 20 srun -N1 -n1 -t 1 true 2>/dev/null; then
  log "cluster already running"
else
  # (re)start from a clean slate
  stop_pidfile "$DIR/slurmd.pid" slurmd
  stop_pidfile "$DIR/slurmctld.pid" slurmctld
  stop_pidfile "$DIR/munged.pid" "$DIR/munge"
  for p in "$CTLD_PORT" "$SLURMD_PORT"; do
    if port_busy "$p"; then log "port $p is in use by another process"; exit 1; fi
  done
  rm -rf "$DIR/state" "$DIR/spool"
  mkdir -p "$DIR/munge" "$DIR/munge-run" "$DIR/state" "$DIR/spool/$NODE" "$DIR/log" "$DIR/plugstack.conf.d"
  chmod 755 "$DIR" "$DIR/munge-run"; chmod 700 "$DIR/munge"
  if [ ! -s "$DIR/munge/munge.key" ]; then
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 2>/dev/null
    chmod 400 "$DIR/munge/munge.key"
  fi

  cat > "$DIR/slurm.conf" <<EOF
ClusterName=testcluster
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge-run/munge.socket.2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/slurmctld.pidfile
SlurmdPidFile=$DIR/slurmd.pidfile
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$DIR/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
SlurmdTimeout=300
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
$PROLOG_LINES
JobRequeue=1
FirstJobId=${SLURM_FIRST_JOB_ID:-1}
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=$PART Nodes=$NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  [ -f "$DIR/plugstack.conf" ] || echo "include $DIR/plugstack.conf.d/*.conf" > "$DIR/plugstack.conf"

  setsid munged -F --key-file="$DIR/munge/munge.key" --socket="$DIR/munge-run/munge.socket.2" \
    --pid-file="$DIR/munge-run/munged.pidfile" --seed-file="$DIR/munge/munged.seed" \
    --log-file="$DIR/log/munged.log" > "$DIR/log/munged.out" 2>&1 < /dev/null &
  echo $! > "$DIR/munged.pid"
  for i in $(seq 1 100); do [ -S "$DIR/munge-run/munge.socket.2" ] && break; sleep 0.05; done
  [ -S "$DIR/munge-run/munge.socket.2" ] || { log "munged did not start:"; cat "$DIR/log/munged.out" >&2; exit 1; }

  setsid slurmctld -D -c -f "$DIR/slurm.conf" > "$DIR/log/slurmctld.out" 2>&1 < /dev/null &
  echo $! > "$DIR/slurmctld.pid"
  setsid slurmd -D -N "$NODE" -f "$DIR/slurm.conf" > "$DIR/log/slurmd.out" 2>&1 < /dev/null &
  echo $! > "$DIR/slurmd.pid"

  ok=0
  for i in $(seq 1 300); do
    if sinfo -h -n "$NODE" -o '%T' 2>/dev/null | grep -qx 'idle'; then ok=1; break; fi
    alive "$DIR/slurmctld.pid" slurmctld && alive "$DIR/slurmd.pid" slurmd || break
    sleep 0.1
  done
  if [ $ok != 1 ]; then
    log "node did not become idle; logs:"; tail -n 20 "$DIR/log/slurmctld.out" "$DIR/log/slurmd.out" >&2; exit 1
  fi
  timeout 60 srun -N1 -n1 -t 1 true || { log "smoke srun failed"; exit 1; }
fi

if [ "${SLURM_WRITE_ETC:-0}" = 1 ]; then mkdir -p /etc/slurm; ln -sfn "$DIR/slurm.conf" /etc/slurm/slurm.conf; fi
{
  echo "export SLURM_CONF=$DIR/slurm.conf"
  echo "SLURM_NODE=$NODE"
  echo "SLURM_PARTITION=$PART"
  echo "MUNGED_PID=$(cat "$DIR/munged.pid")"
  echo "SLURMCTLD_PID=$(cat "$DIR/slurmctld.pid")"
  echo "SLURMD_PID=$(cat "$DIR/slurmd.pid")"
} > "$DIR/slurm.env"
cat "$DIR/slurm.env"
echo "READY"
