#!/usr/bin/env bash
# A real single-node Slurm on this machine (slurm-wlm and munge from Debian: scripts/setup.sh
# --slurm), for tests and trying scripts/run_slurm.sh. Needs root (munge and slurmd run as root).
#   scripts/slurm_local.sh start DIR   configure and start munged, slurmctld, slurmd; prints
#                                      "export SLURM_CONF=DIR/slurm.conf" on success
#   scripts/slurm_local.sh stop DIR    stop the daemons this script started (by their pid files)
# On failure it prints one line saying why Slurm cannot start here and exits 1.
set -uo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,8p' "$0"; exit 2; }
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
fail() { echo "slurm_local: $*"; exit 1; }
if [ "$cmd" = stop ]; then
  for d in slurmd slurmctld munged; do
    [ -f "$dir/$d.pid" ] && kill "$(cat "$dir/$d.pid")" 2>/dev/null
  done
  exit 0
fi
[ "$cmd" = start ] || fail "unknown command '$cmd'"
for t in munged slurmctld slurmd sbatch sinfo; do
  command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || fail "$t is not installed (scripts/setup.sh --slurm)"
done
[ "$(id -u)" -eq 0 ] || fail "needs root to start munged and slurmd"
export PATH=$PATH:/usr/sbin
host=$(hostname -s)
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
chmod 700 "$dir/munge"
[ -f "$dir/munge/munge.key" ] || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force -S "$dir/munge/socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munged.pid" \
  --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" >/dev/null 2>&1 ||
  fail "munged does not start: $(tail -1 "$dir/log/munged.log" 2>/dev/null)"
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2/1024) - 512}' /proc/meminfo)
cat >"$dir/slurm.conf" <<CONF
ClusterName=accelgen
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=6917
SlurmdPort=6918
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF" >/dev/null 2>&1 || fail "slurmctld does not start: $(tail -1 "$dir/log/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" >/dev/null 2>&1 || fail "slurmd does not start: $(tail -1 "$dir/log/slurmd.log" 2>/dev/null)"
for _ in $(seq 1 30); do
  state=$(sinfo -h -o %T 2>/dev/null | head -1)
  [ "$state" = idle ] && { echo "export SLURM_CONF=$SLURM_CONF"; exit 0; }
  sleep 1
done
fail "the node did not come up (state '${state:-none}'): $(tail -1 "$dir/log/slurmd.log" 2>/dev/null)"
