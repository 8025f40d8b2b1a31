#!/usr/bin/env bash
# A real single-node Slurm (Debian's slurm-wlm and munge) runs a 3-task job array of
# `pilotsim record`, each task recording its shard (SLURM_ARRAY_TASK_ID / _COUNT); the
# shards merge into one dataset holding every demo exactly once, equal to the unsharded
# recording, and every demo verifies. The test starts munged, slurmctld and slurmd itself
# from a generated minimal slurm.conf on this host (private sockets, ports and spool dirs),
# and stops them at the end. Time-bounded; missing binaries or a cluster that does not come
# up are failures, never silent skips.
# usage: test_slurm.sh PILOTSIM SOURCE_DIR
set -u
ps=$(realpath "$1")
src=$(realpath "$2")
py=/usr/bin/python3
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_COUNT JOB_COMPLETION_INDEX PILOTSIM_SHARD_COUNT SLURM_CONF
tmp=$(mktemp -d /tmp/pilotsim-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
ps_out=$tmp
source "$(dirname "$0")/sh_harness.sh"
cd "$tmp" || exit 1

fail_setup() {
  echo "FAILED: test_slurm: $*" >&2
  for f in munged.log slurmctld.log slurmd.log; do [[ -f $f ]] && sed "s/^/  $f: /" "$f" | tail -20 >&2; done
  exit 1
}
for b in munged slurmctld slurmd sbatch squeue scontrol; do
  command -v "$b" >/dev/null || [[ -x /usr/sbin/$b ]] || fail_setup "$b is missing (tools/setup-deps.sh installs slurm-wlm and munge)"
done
PATH=$PATH:/usr/sbin
[[ $(id -u) == 0 ]] || fail_setup "needs root (slurmd runs jobs as their users; munged as root needs --force)"

# munge: a fresh key, a private socket.
mkdir -p munge slurm/state slurm/spool logs
dd if=/dev/urandom of=munge/munge.key bs=1024 count=1 status=none
chmod 400 munge/munge.key
chmod 700 munge
munged --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.sock" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munged.log" --seed-file="$tmp/munge/seed" ||
  fail_setup "munged did not start"
for _ in $(seq 1 50); do [[ -f munge/munged.pid ]] && break; sleep 0.1; done
pids+=("$(cat munge/munged.pid)")

# Two free TCP ports for slurmctld and slurmd.
read -r port_ctl port_d < <("$py" -c "
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(('127.0.0.1', 0))
print(*[x.getsockname()[1] for x in s])")
host=$(hostname -s)
cpus=$(nproc)
cat >slurm.conf <<EOF
ClusterName=pilotsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port_ctl
SlurmdPort=$port_d
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$tmp/slurm/state
SlurmdSpoolDir=$tmp/slurm/spool/%n
SlurmctldPidFile=$tmp/slurm/slurmctld.pid
SlurmdPidFile=$tmp/slurm/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" >slurmctld.out 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >slurmd.out 2>&1 &
pids+=($!)
up=no
for _ in $(seq 1 150); do
  state=$(timeout 5 sinfo -h -N -o %t 2>/dev/null | head -1)
  [[ $state == idle* ]] && { up=yes; break; }
  sleep 0.2
done
[[ $up == yes ]] || fail_setup "the node did not become idle within 30 s (state '$state')"

# The job array: each task records its shard, from SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT.
scene=$src/scenes/pilot/inspection_gauge_patrol.lua
cat >record.sbatch <<EOF
#!/bin/bash
#SBATCH --job-name=pilotsim-record
#SBATCH --array=0-2
#SBATCH --cpus-per-task=1
#SBATCH --output=$tmp/logs/record-%A_%a.log
exec "$ps" record "$scene" --episodes 4 --steps 40 --jobs 1 --quiet --out "$tmp/logs/shard_\${SLURM_ARRAY_TASK_ID}.hdf5"
EOF
timeout 180 sbatch --wait --chdir="$tmp" record.sbatch >sbatch.out 2>&1
rc=$?
checks=$((checks + 1))
if [[ $rc != 0 ]]; then
  failed=$((failed + 1))
  echo "FAILED: sbatch --wait of the job array exited $rc" >&2
  cat sbatch.out logs/*.log 2>/dev/null | sed 's/^/  /' >&2
fi
check "three array tasks ran and wrote their shards" [ "$(ls logs/shard_*.hdf5 2>/dev/null | wc -l)" = 3 ]
check "each task took its shard from Slurm" grep -q "record: shard 2/3 (from SLURM_ARRAY_TASK_ID)" logs/record-*_2.log
expect_rc 0 merge logs/shard_0.hdf5 logs/shard_1.hdf5 logs/shard_2.hdf5 --out merged.hdf5
check "merge: every demo exactly once" has out "merge: 4 demos from 3 files, each exactly once"
expect_rc 0 record "$scene" --episodes 4 --steps 40 --out whole.hdf5 --quiet
check "the array's demos equal the unsharded recording's" "$py" -c "
import h5py
a, b = h5py.File('merged.hdf5', 'r')['data'], h5py.File('whole.hdf5', 'r')['data']
assert sorted(a.keys()) == sorted(b.keys()) == ['demo_%d' % i for i in range(4)]
for k in a:
    assert (a[k]['state_hashes'][:] == b[k]['state_hashes'][:]).all() and a[k].attrs['final_hash'] == b[k].attrs['final_hash']
"
expect_rc 0 replay merged.hdf5 --verify

echo "test_slurm: $checks checks, $failed failed"
[[ $failed == 0 ]]
