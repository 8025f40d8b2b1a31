#!/usr/bin/env bash
# Fault injection through pilotsim eval (docs/robustness.md): a worker killed
# mid-episode, a C policy library that segfaults, exec policies that hang,
# exit or send garbage, the results file on a full disk (a file size limit,
# and a tiny tmpfs when mounting is possible), SIGTERM mid-run and the resume
# after it. Each case checks every episode's status, that no finished episode
# is lost (whole JSON lines only) and the exit code.
# usage: test_faults.sh PILOTSIM SOURCE_DIR PD_POLICY_LIB
set -u
ps=$1
src=$2
pdlib=$3
py=/usr/bin/python3
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_COUNT JOB_COMPLETION_INDEX PILOTSIM_SHARD_COUNT
tmp=$(mktemp -d)
mnt=
cleanup() {
  [[ -n $mnt ]] && umount "$mnt" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
ps_out=.
source "$(dirname "$0")/sh_harness.sh"
cd "$tmp" || exit 1

lines() { wc -l <"$1" | tr -d ' '; }
# json_check FILE PYTHON-EXPRESSION over `recs`; also fails on any line that is
# not a whole JSON record (a half-written line).
json_check() {
  "$py" - "$1" "$2" <<'EOF'
import json, sys
data = open(sys.argv[1]).read()
if data and not data.endswith("\n"):
    print("json_check: the last line is cut off", file=sys.stderr)
    sys.exit(1)
recs = [json.loads(l) for l in data.splitlines()]
ok = eval(sys.argv[2])
if not ok:
    print("json_check failed: " + sys.argv[2], file=sys.stderr)
    for r in recs:
        print("  ", r["episode"], r["status"], r["message"][:200], file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
}
# Every episode 0..N-1 exactly once.
all_episodes() { json_check "$1" "sorted(r['episode'] for r in recs) == list(range($2))"; }
no_children_of() { ! pgrep -P "$1" >/dev/null; }

cat >ok.lua <<'EOF'
return { name = "ok", timestep = 0.01, time_limit = 1, build = function() end,
  success = function(ctx) return ctx.t >= 0.05 end }
EOF
# ~0.3 s episodes: long enough to be caught in the middle.
cat >slow.lua <<'EOF'
return { name = "slow", timestep = 0.01, time_limit = 1, build = function() end,
  step = function(ctx) for i = 1, 6e4 do end end,
  success = function(ctx) return ctx.t >= 0.5 end }
EOF
cat >cart.lua <<'EOF'
local cart
return { name = 'cart', timestep = 0.01, time_limit = 0.5,
  observation = { x = {shape = {2}, fn = function(ctx, out) local x = cart:pos() local v = cart:linvel() out[1] = x out[2] = v end} },
  action = { force = {shape = {1}, low = -20, high = 20} },
  build = function(world, ctx) cart = world:body{pos = {1, 0, 0}, mass = 1, gravity = false} end,
  act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end,
}
EOF

# ~0.5 s episodes (a few times that under the sanitizers).
cat >long.lua <<'EOF2'
return { name = "long", timestep = 0.01, time_limit = 1, build = function() end,
  step = function(ctx) for i = 1, 1e6 do end end,
  success = function(ctx) return ctx.t >= 0.5 end }
EOF2

# --- A worker SIGKILLed in the middle of an episode: that episode is
# "crashed" naming the signal, a new worker takes the rest, exit 1 (the
# scene's test fails on a crashed episode).
"$ps" eval long.lua --episodes 4 --jobs 2 --out kill.jsonl --quiet >kill.out 2>kill.err &
pid=$!
for _ in $(seq 1 1000); do [[ -s kill.jsonl ]] && break; sleep 0.02; done
sleep 0.1 # both workers are well into their next episode
victim=$(pgrep -P $pid | head -n 1)
[[ -n $victim ]] && kill -KILL "$victim"
wait $pid
rc=$?
check "SIGKILLed worker: exit 3 (a crashed episode)" test $rc = 3
check "SIGKILLed worker: all 4 episodes recorded once" all_episodes kill.jsonl 4
check "SIGKILLed worker: one crashed episode naming the signal, the rest succeed" json_check kill.jsonl \
  "sum(r['status'] == 'crashed' and 'killed by signal 9' in r['message'] for r in recs) == 1 and sum(r['status'] == 'success' for r in recs) == 3"
check "SIGKILLed worker: the report counts it" has kill.out "crashed=1"
check "SIGKILLed worker: no process left" no_children_of $pid

# --- A C policy library that segfaults in act(): every episode crashed, the
# batch completes, exit 3.
"$ps" eval cart.lua --policy "lib:$pdlib?crash" --episodes 3 --jobs 2 --out segv.jsonl --quiet >segv.out 2>segv.err
check "segfaulting C policy: exit 3" test $? = 3
check "segfaulting C policy: 3 crashed records" json_check segv.jsonl \
  "len(recs) == 3 and all(r['status'] == 'crashed' and ('signal 11' in r['message'] or 'exited with status' in r['message']) for r in recs)"

# --- exec: policies. One that hangs: the episode's wall-clock limit kills the
# worker (and with it the policy's process group): timeout_wall.
start=$(date +%s)
"$ps" eval cart.lua --policy "exec:sleep 307" --episodes 2 --jobs 2 --timeout 1 --out hang.jsonl --quiet >hang.out 2>hang.err
check "hanging exec policy: exit 3" test $? = 3
check "hanging exec policy: timeout_wall for both" json_check hang.jsonl \
  "len(recs) == 2 and all(r['status'] == 'timeout_wall' for r in recs)"
check "hanging exec policy: stopped promptly" test $(( $(date +%s) - start )) -lt 20
no_sleep() { for _ in $(seq 1 100); do pgrep -fx 'sleep 307' >/dev/null || return 0; sleep 0.02; done; return 1; }
check "hanging exec policy: its process is killed too" no_sleep
# One that exits at once, one that dies mid-reply, one that prints garbage:
# policy_error (the transport failed, not the policy) with the reason, exit 3.
"$ps" eval cart.lua --policy "exec:exit 0" --episodes 2 --jobs 1 --out exit.jsonl --quiet >exit.out 2>exit.err
check "exiting exec policy: exit 3" test $? = 3
check "exiting exec policy: policy_error naming the exit" json_check exit.jsonl \
  "len(recs) == 2 and all(r['status'] == 'policy_error' and 'exited with status 0' in r['message'] for r in recs)"
for mode in truncated garbage badmsgpack exit3; do
  "$ps" eval cart.lua --policy "exec:$py $src/tests/policies/bad_peer.py $mode" --episodes 2 --jobs 2 \
    --out "peer_$mode.jsonl" --quiet >peer.out 2>peer.err
  check "exec policy '$mode': exit 3" test $? = 3
  check "exec policy '$mode': policy_error for both episodes" json_check "peer_$mode.jsonl" \
    "len(recs) == 2 and all(r['status'] == 'policy_error' and 'policy' in r['message'] for r in recs)"
done
check "truncated frame named" json_check peer_truncated.jsonl "all('in the middle of the reply' in r['message'] for r in recs)"
check "garbage named" json_check peer_garbage.jsonl "all('frame length' in r['message'] for r in recs)"
check "bad msgpack named" json_check peer_badmsgpack.jsonl "all('malformed msgpack' in r['message'] for r in recs)"

# --- Full disk, as a file size limit (ulimit -f: 2 KiB, about 5 records):
# pilotsim ignores SIGXFSZ, reports EFBIG naming the file, cuts the partial
# line off, writes no later record and exits 3. A re-run without the limit
# resumes and completes.
# (The output goes through cat so that only pilotsim's own files are limited.)
(ulimit -f 2; exec "$ps" eval ok.lua --episodes 20 --jobs 2 --out efbig.jsonl --quiet) > >(cat >efbig.out) 2> >(cat >efbig.err)
rc=$?
sleep 0.2 # the cats
check "file size limit: exit 3" test $rc = 3
check "file size limit: EFBIG named with the file" has efbig.err "writing efbig.jsonl: File too large"
check "file size limit: no half line, records kept" json_check efbig.jsonl "1 <= len(recs) < 20 and all(r['status'] == 'success' for r in recs)"
kept=$(lines efbig.jsonl)
expect_rc 0 eval ok.lua --episodes 20 --jobs 2 --out efbig.jsonl
check "file size limit: the re-run resumes from the $kept kept records" has err "holds $kept episodes of this run"
check "file size limit: then all 20 episodes, once each" all_episodes efbig.jsonl 20

# A truly full filesystem (ENOSPC): a 12 KiB tmpfs with 8 KiB taken, where
# mounting is allowed (root, not in every container).
mkdir -p fs
if [[ $(id -u) == 0 ]] && mount -t tmpfs -o size=12k tmpfs fs 2>/dev/null; then
  mnt=$tmp/fs
  head -c 8192 /dev/zero >fs/filler
  "$ps" eval ok.lua --episodes 40 --jobs 2 --out fs/full.jsonl --quiet >full.out 2>full.err
  check "full tmpfs: exit 3" test $? = 3
  check "full tmpfs: ENOSPC named with the file" has full.err "writing fs/full.jsonl: No space left on device"
  check "full tmpfs: whole records only" json_check fs/full.jsonl "len(recs) < 40 and all(r['status'] == 'success' for r in recs)"
  cp fs/full.jsonl full.jsonl
  umount fs && mnt=
  expect_rc 0 eval ok.lua --episodes 40 --jobs 2 --out full.jsonl --quiet
  check "full tmpfs: the re-run elsewhere completes" all_episodes full.jsonl 40
else
  echo "test_faults: tmpfs not mountable here; ENOSPC case skipped (the file size limit case ran)"
fi

# --- SIGTERM mid-run: exit 3, finished episodes kept whole, no worker left;
# the same command again runs only the rest, and the result is complete.
"$ps" eval slow.lua --episodes 12 --jobs 2 --out term.jsonl --quiet >term.out 2>term.err &
pid=$!
for _ in $(seq 1 400); do [[ -s term.jsonl && $(lines term.jsonl) -ge 2 ]] && break; sleep 0.02; done
kill -TERM $pid
wait $pid
check "SIGTERM: exit 3" test $? = 3
n=$(lines term.jsonl)
check "SIGTERM: finished episodes kept ($n), whole" json_check term.jsonl "2 <= len(recs) < 12 and all(r['status'] == 'success' for r in recs)"
check "SIGTERM: no worker left" no_children_of $pid
expect_rc 0 eval slow.lua --episodes 12 --jobs 2 --out term.jsonl
check "SIGTERM: the re-run skips the $n finished" has err "holds $n episodes of this run"
check "SIGTERM: then every episode exactly once" all_episodes term.jsonl 12

echo "test_faults: $checks checks, $failed failed"
[[ $failed == 0 ]]
