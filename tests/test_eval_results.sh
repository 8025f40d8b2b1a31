#!/usr/bin/env bash
# pilotsim eval's results files and the semantics a CI gate relies on:
# --out refuses what is not a results file (binary, symlinked text, FIFO,
# device, pipe, directory) and leaves it byte-identical; a lock keeps a second
# eval off the file; resume reruns episodes whose scene, module or Lua policy
# changed; records are strict UTF-8 JSON with unique keys, bounded size and the
# episode's param values; merge refuses records out of range without spinning;
# policy_error (a dead or unreachable peer) is its own status, retried with
# --retries and by a rerun, never counted in the success rate; any error exits
# 3 whatever --min-success says; seeds stay below 2^53; compare corrects for
# many scenes (Holm-Bonferroni) and exits 1 on a significant difference.
# usage: test_eval_results.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
py=/usr/bin/python3
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_COUNT JOB_COMPLETION_INDEX PILOTSIM_SHARD_COUNT
tmp=$(mktemp -d)
bgpid=
trap '[[ -n $bgpid ]] && kill $bgpid 2>/dev/null; rm -rf "$tmp"' EXIT
ps_out=.
source "$(dirname "$0")/sh_harness.sh"
cd "$tmp" || exit 1

lines() { wc -l <"$1" | tr -d ' '; }
# json_check FILE EXPR: EXPR over `recs`, parsed as strict UTF-8 JSON whose
# objects may not repeat a key.
json_check() {
  "$py" - "$1" "$2" <<'EOF'
import json, sys
def no_dups(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key in %r" % keys)
    return dict(pairs)
raw = open(sys.argv[1], "rb").read()
recs = [json.loads(l, object_pairs_hook=no_dups) for l in raw.decode("utf-8", "strict").splitlines() if l.strip()]
ok = eval(sys.argv[2])
if not ok:
    print("json_check failed: " + sys.argv[2], file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
}

cat >coin.lua <<'EOF'
return { name = "coin", timestep = 0.01, time_limit = 1,
  params = { p = { default = 0.6, min = 0, max = 1 },
             mass = { default = 1, min = 0.5, max = 2, randomize = true },
             n = { default = 3, min = 1, max = 9, integer = true, randomize = true } },
  build = function(world, ctx) ctx.state.win = math.random() < ctx.params.p end,
  failure = function(ctx) return (not ctx.state.win) and ctx.t >= 0.2, "lost" end,
  success = function(ctx) return ctx.state.win and ctx.t >= 0.1 end,
}
EOF

# ---------------------------------------------------------------- --out refusals
expect_rc 0 eval coin.lua --episodes 3 --jobs 2 --out good.jsonl --quiet
head -c 65536 /dev/urandom >bin.dat
cp bin.dat bin.orig
expect_rc 2 eval coin.lua --episodes 3 --out bin.dat --quiet
check "binary --out: refused, naming why" has err "bin.dat is not a pilotsim results file"
check "binary --out: byte-identical" cmp -s bin.dat bin.orig
printf 'first line\nlast line without newline' >notes.txt
cp notes.txt notes.orig
ln -s notes.txt link.jsonl
expect_rc 2 eval coin.lua --episodes 3 --out link.jsonl --quiet
check "symlinked text --out: refused" has err "not a pilotsim results file"
check "symlinked text --out: byte-identical (last line kept)" cmp -s notes.txt notes.orig
mkfifo fifo.jsonl
start=$(date +%s)
timeout 20 "$ps" eval coin.lua --episodes 3 --out fifo.jsonl --quiet >out 2>err
check "FIFO --out: exit 2" test $? = 2
check "FIFO --out: named" has err "fifo.jsonl is a FIFO or pipe"
check "FIFO --out: no hang" test $(( $(date +%s) - start )) -lt 10
timeout 20 "$ps" eval coin.lua --episodes 3 --out /dev/zero --quiet >out 2>err
check "/dev/zero --out: exit 2" test $? = 2
check "/dev/zero --out: a device" has err "character device"
timeout 20 "$ps" eval coin.lua --episodes 3 --out /dev/stdout --quiet 2>err | cat >/dev/null
check "a pipe as --out: exit 2" test "${PIPESTATUS[0]}" = 2
check "a pipe as --out: named" has err "FIFO or pipe"
mkdir dir.jsonl
expect_rc 2 eval coin.lua --episodes 3 --out dir.jsonl --quiet
check "directory --out: named" has err "a directory"
# merge --out follows the same rule, and merge refuses to read FIFOs and devices.
expect_rc 2 merge good.jsonl --out bin.dat
check "merge --out binary: byte-identical" cmp -s bin.dat bin.orig
timeout 20 "$ps" merge fifo.jsonl >out 2>err
check "merge of a FIFO: exit 3, no hang" test $? = 3
timeout 20 "$ps" merge /dev/zero >out 2>err
check "merge of /dev/zero: exit 3, no hang" test $? = 3
# A results file whose only line was cut short (a crash mid-write) is ours.
printf '{"run_id":"2026' >cut.jsonl
expect_rc 0 eval coin.lua --episodes 3 --jobs 2 --out cut.jsonl --quiet
check "a cut first record is dropped and the run completes" json_check cut.jsonl 'len(recs) == 3'

# ---------------------------------------------------------------- the lock
cat >slow.lua <<'EOF'
return { name = "slow", timestep = 0.01, time_limit = 1, build = function() end,
  step = function(ctx) for i = 1, 2e5 do end end,
  success = function(ctx) return ctx.t >= 0.99 end }
EOF
"$ps" eval slow.lua --episodes 40 --jobs 1 --out locked.jsonl --quiet >/dev/null 2>&1 &
bgpid=$!
for _ in $(seq 1 400); do [[ -s locked.jsonl ]] && break; sleep 0.02; done
expect_rc 2 eval slow.lua --episodes 40 --jobs 1 --out locked.jsonl --quiet
check "second eval on the same --out: refused" has err "locked.jsonl is in use: another pilotsim process holds its lock"
kill -TERM $bgpid
wait $bgpid
bgpid=
expect_rc 0 eval slow.lua --episodes 4 --jobs 2 --out locked.jsonl --quiet
check "after the first ends the file is free again" test "$(grep -c "in use" err)" = 0

# ---------------------------------------------------------------- resume keys on content
mkdir -p pack/lib
cat >pack/lib/goal.lua <<'EOF'
return { target = 0 }
EOF
cat >pack/cart.lua <<'EOF'
local goal = require("lib.goal")
local cart
return { name = 'cart', timestep = 0.01, time_limit = 2, policy = "pd.lua",
  observation = { x = {shape = {2}, fn = function(ctx, out) out[1] = cart:pos() - goal.target out[2] = cart:linvel() end} },
  action = { force = {shape = {1}, low = -20, high = 20} },
  build = function(world, ctx) cart = world:body{pos = {1, 0, 0}, mass = 1, gravity = false} end,
  act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end,
  success = function(ctx) return math.abs(cart:pos() - goal.target) < 0.01 and math.abs(cart:linvel()) < 0.01 end,
}
EOF
cat >pack/pd.lua <<'EOF'
local gains = require("lib.gains")
return { act = function(obs, action) action.force[1] = -gains.kp * obs.x[1] - gains.kd * obs.x[2] end }
EOF
cat >pack/lib/gains.lua <<'EOF'
return { kp = 20, kd = 8 }
EOF
expect_rc 0 eval pack/cart.lua --episodes 3 --jobs 2 --min-success 1 --out pack.jsonl --quiet
check "records list every loaded file with its hash" json_check pack.jsonl \
  'all(set(r["sources"]) == {"pack/cart.lua", "pack/lib/goal.lua", "pack/pd.lua", "pack/lib/gains.lua"} and all(len(h) == 16 for h in r["sources"].values()) for r in recs)'
expect_rc 0 eval pack/cart.lua --episodes 3 --jobs 2 --min-success 1 --out pack.jsonl
check "unchanged: nothing rerun" has err "0 episodes to run"
echo '-- a comment' >>pack/lib/goal.lua
expect_rc 0 eval pack/cart.lua --episodes 3 --jobs 2 --min-success 1 --out pack.jsonl
check "scene module edited: its episodes rerun" has err "3 episodes to run"
check "... and the resume says why" has err "3 whose scene, modules or policy changed since"
echo 'return { kp = 2, kd = 0.1 }' >pack/lib/gains.lua
expect_rc 1 eval pack/cart.lua --episodes 3 --jobs 2 --min-success 1 --out pack.jsonl
check "policy module edited: its episodes rerun, with the new policy's results" has out "^cart  *3  *0  *0.0%"
echo '-- same policy, new bytes' >>pack/pd.lua
expect_rc 1 eval pack/cart.lua --episodes 3 --jobs 2 --min-success 1 --out pack.jsonl
check "policy file edited: its episodes rerun" has err "3 episodes to run"
expect_rc 1 merge pack.jsonl --min-success 1
check "merge keeps only the latest of the rerun records" has out "^cart  *3  *0"

# ---------------------------------------------------------------- record contents
check "param values: the drawn randomized ones and the others" json_check good.jsonl \
  'all(0.5 <= r["param_values"]["mass"] <= 2 and r["param_values"]["n"] in range(1, 10) and r["param_values"]["p"] == 0.6 for r in recs) and len({r["param_values"]["mass"] for r in recs}) == 3'
expect_rc 0 eval coin.lua --episodes 2 --jobs 2 --param mass=1.25 --out ov.jsonl --quiet
check "param values: an override is the value" json_check ov.jsonl 'all(r["param_values"]["mass"] == 1.25 for r in recs)'
check "seeds below 2^53, attempts 1" json_check good.jsonl 'all(0 <= r["seed"] < 2**53 and r["attempts"] == 1 for r in recs)'
big=$("$py" -c 'import json; print(max(json.loads(l)["seed"] for l in open("good.jsonl")))')
expect_rc 0 run coin.lua --seed "$big" --json
check "run --seed takes a seed eval wrote" has out "\"seed\":$big"
expect_rc 0 run coin.lua --seed 9007199254740991 --json
check "run --seed takes 2^53-1" has out '"seed":9007199254740991'

# A message cut mid-character, metric names with NUL bytes, a huge record.
cat >nasty.lua <<'EOF'
return { name = "nasty", timestep = 0.01, time_limit = 0.05, params = { big = { default = 0, min = 0, max = 1 } },
  build = function() end,
  failure = function(ctx) return ctx.step >= 2, string.rep("x", 4090) .. "\u{20AC}\u{20AC}" end,
  metrics = function(ctx)
    local m = { ["a\0one"] = 1, ["a\0two"] = 2, ok = 3 }
    if ctx.params.big > 0 then
      for i = 1, 3000 do m["m" .. i .. string.rep("y", 600)] = i end
      m[string.rep("z", 3000000)] = 1
    end
    return m
  end,
}
EOF
expect_rc 0 eval nasty.lua --episodes 2 --jobs 2 --out nasty.jsonl --quiet
check "strict UTF-8 and unique keys despite a cut message and NUL names" json_check nasty.jsonl \
  'len(recs) == 2 and all(r["metrics"]["a"] in (1, 2) and r["metrics"]["ok"] == 3 and "1 metric dropped" in r["message"] for r in recs)'
check "a cut character becomes U+FFFD" json_check nasty.jsonl 'all("\ufffd" in r["message"] for r in recs)'
expect_rc 0 eval nasty.lua --episodes 2 --jobs 2 --param big=1 --out huge.jsonl --quiet
check "a scene cannot make a huge line (cap 1 MiB)" "$py" -c '
import sys
ls = open("huge.jsonl", "rb").read().splitlines()
sys.exit(0 if len(ls) == 2 and all(len(l) <= 1 << 20 for l in ls) else 1)'
check "a capped record says what it dropped" json_check huge.jsonl \
  'all("metrics dropped" in r["message"] and all(len(k) <= 200 for k in r["metrics"]) and len(r["metrics"]) <= 1000 for r in recs)'

# merge does not trust numbers: 1e15 episodes, a seed past 2^53, a duplicate key.
"$py" - good.jsonl <<'EOF'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
def put(name, rec, raw=None):
    open(name, "w").write((raw or json.dumps(rec)) + "\n")
put("many.jsonl", dict(r, episodes=10**15, episode=5))
put("seed.jsonl", dict(r, seed=2**60))
put("epi.jsonl", dict(r, episode=7, episodes=3))
line = json.dumps(r)
put("dup.jsonl", None, line[:-1] + ', "status": "success"}')
put("inf.jsonl", dict(r, **{"return": float("-inf")}))  # json writes -Infinity: not JSON
put("hex.jsonl", None, line.replace('"steps": %d' % r["steps"], '"steps": 0x10'))
EOF
start=$(date +%s)
timeout 20 "$ps" merge many.jsonl >out 2>err
check "merge: 1e15 episodes refused at once (exit 3)" test $? = 3
check "merge: the field is named" has err "field episodes (1 to 100000000) out of range"
check "merge: no spinning" test $(( $(date +%s) - start )) -lt 5
expect_rc 3 merge seed.jsonl
check "merge: a seed past 2^53 refused" has err "seed (must be below 2^53)"
expect_rc 3 merge epi.jsonl
check "merge: episode >= episodes refused" has err "episode (must be below episodes)"
expect_rc 3 merge dup.jsonl
check "merge: a duplicate key refused" has err "key 'status' appears twice"
expect_rc 3 merge inf.jsonl
check "merge: -Infinity is not a JSON number" has err "bad number"
expect_rc 3 merge hex.jsonl
check "merge: a hex number is not JSON" has err "bad number"

# ---------------------------------------------------------------- policy_error
cat >cart.lua <<'EOF'
local cart
return { name = 'cart', timestep = 0.01, time_limit = 5,
  observation = { x = {shape = {2}, fn = function(ctx, out) local x = cart:pos() local v = cart:linvel() out[1] = x out[2] = v end} },
  action = { force = {shape = {1}, low = -20, high = 20} },
  build = function(world, ctx) cart = world:body{pos = {1, 0, 0}, mass = 1, gravity = false} end,
  act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end,
  success = function(ctx) local x = cart:pos() local v = cart:linvel() return math.abs(x) < 0.01 and math.abs(v) < 0.01 end,
}
EOF
server="$py $src/tools/python/policy_server.py --stdio"
expect_rc 0 eval cart.lua --policy "exec:$server" --episodes 2 --jobs 2 --quiet
check "a healthy exec peer succeeds" has out "^cart  *2  *2  *100.0%"
# A port nobody listens on.
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_rc 3 eval cart.lua --policy "tcp://127.0.0.1:$port" --episodes 2 --jobs 2 --out unreach.jsonl --quiet
check "unreachable peer: policy_error, not failure" json_check unreach.jsonl \
  'len(recs) == 2 and all(r["status"] == "policy_error" and "Connection refused" in r["message"] for r in recs)'
check "unreachable peer: left out of the rate" has out "^cart  *2  *0  *-  "
check "unreachable peer: the report says why it exits 3" has out "^errors: 2 episodes could not be evaluated"
# A peer that dies at once unless a marker exists: --min-success 0 cannot hide it.
flaky="exec:if [ -e ok.marker ]; then exec $server; else exit 1; fi"
expect_rc 3 eval cart.lua --policy "$flaky" --episodes 3 --jobs 2 --min-success 0 --out flaky.jsonl --quiet
check "dead peer: policy_error naming the exit" json_check flaky.jsonl \
  'len(recs) == 3 and all(r["status"] == "policy_error" and "exited with status 1" in r["message"] for r in recs)'
# A rerun with the same --out runs the policy_error episodes again.
touch ok.marker
expect_rc 0 eval cart.lua --policy "$flaky" --episodes 3 --jobs 2 --min-success 0 --out flaky.jsonl
check "rerun: the policy_error episodes run again" has err "3 episodes to run"
check "rerun: now successes" has out "^cart  *3  *3  *100.0%"
expect_rc 0 merge flaky.jsonl
check "merge: retried records supersede the policy_error ones" has out "^cart  *3  *3  *100.0%"
# --retries: the first attempt of each episode fails, the retry succeeds.
rm -f ok.marker
once="exec:if [ -e ok.marker ]; then exec $server; else touch ok.marker; exit 1; fi"
expect_rc 0 eval cart.lua --policy "$once" --episodes 1 --jobs 1 --retries 2 --out retry.jsonl
check "--retries: success on the second attempt" json_check retry.jsonl \
  'len(recs) == 1 and recs[0]["status"] == "success" and recs[0]["attempts"] == 2'
check "--retries: the retry is announced" has err "policy_error .*retry 1 of 2"
expect_rc 2 eval cart.lua --episodes 1 --retries -1
# Other errors exit 3 whatever the threshold too.
cat >boom.lua <<'EOF'
return { name = "boom", timestep = 0.01, time_limit = 0.1, build = function() end,
  step = function(ctx) error("boom") end }
EOF
expect_rc 3 eval boom.lua coin.lua --episodes 6 --jobs 2 --min-success 0 --quiet
check "script_error with --min-success 0: the tests pass" has out "eval: 2 passed, 0 failed"
check "... but the errors make it exit 3" has out "^errors: 6 episodes"

# ---------------------------------------------------------------- compare
# Synthetic runs over four scenes with known counts: the p-values and Holm's
# adjustment are recomputed here; one scene differs before the correction but
# not after it.
"$py" - good.jsonl <<'EOF'
import json, sys
base = json.loads(open(sys.argv[1]).readline())
counts = {"s1": (2, 20, 18, 20), "s2": (10, 20, 17, 20), "s3": (10, 20, 11, 20), "s4": (5, 20, 6, 20)}
for side in (0, 1):
    with open("ab_%s.jsonl" % "ab"[side], "w") as f:
        for name, c in counts.items():
            ok, n = c[2 * side], c[2 * side + 1]
            for e in range(n):
                r = dict(base, scene=name, episode=e, episodes=n, scenes=4, seed=e,
                         status="success" if e < ok else "failure")
                f.write(json.dumps(r) + "\n")
EOF
expect_rc 1 compare ab_a.jsonl ab_b.jsonl
"$py" - out <<'EOF' >holm.txt 2>&1
import math, re, sys
def fisher(a, b, c, d):
    r1, r2, c1, n = a + b, c + d, a + c, a + b + c + d
    p = lambda x: math.comb(r1, x) * math.comb(r2, c1 - x) / math.comb(n, c1)
    po = p(a)
    return min(1, sum(p(x) for x in range(max(0, c1 - r2), min(r1, c1) + 1) if p(x) <= po * (1 + 1e-7)))
counts = {"s1": (2, 20, 18, 20), "s2": (10, 20, 17, 20), "s3": (10, 20, 11, 20), "s4": (5, 20, 6, 20)}
ps = {k: fisher(a, n - a, b, m - b) for k, (a, n, b, m) in counts.items()}
order = sorted(ps, key=ps.get)
adj, run = {}, 0
for j, k in enumerate(order):
    run = max(run, min(1, (len(order) - j) * ps[k]))
    adj[k] = run
out = open(sys.argv[1]).read()
for k in counts:
    m = re.search(r"^%s .*\s(\d\.\d{4})\s+(\d\.\d{4})\s+(.*)$" % k, out, re.M)
    assert m, (k, out)
    assert abs(float(m.group(1)) - ps[k]) < 1e-4 and abs(float(m.group(2)) - adj[k]) < 1e-4, (k, m.groups(), ps[k], adj[k])
    assert ("significant)" in m.group(3)) == (adj[k] < 0.05), (k, m.group(3))
assert ps["s2"] < 0.05 <= adj["s2"], (ps["s2"], adj["s2"])  # significant alone, not after the correction
print("holm ok", {k: round(v, 4) for k, v in adj.items()})
EOF
check "compare: Fisher p and Holm-adjusted p as recomputed ($(tail -n 1 holm.txt))" has holm.txt "holm ok"
check "compare: only s1 differs after the correction" has out "1 significant difference"
expect_rc 0 compare ab_a.jsonl ab_a.jsonl
expect_rc 0 compare ab_a.jsonl ab_b.jsonl --alpha 1e-6
check "compare --alpha 1e-6: nothing significant" has out "alpha 1e-06: 0 significant differences"
expect_rc 2 compare ab_a.jsonl ab_b.jsonl --alpha 2

echo "test_eval_results: $checks checks, $failed failed"
[[ $failed == 0 ]]
