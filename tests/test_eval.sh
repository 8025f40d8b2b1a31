#!/usr/bin/env bash
# pilotsim eval / merge / compare end to end: determinism across --jobs and
# shards, resume, fault isolation (script errors, hangs, crashes), SIGTERM,
# JUnit, thresholds and the Wilson interval.
# usage: test_eval.sh PILOTSIM SOURCE_DIR PD_POLICY_LIB
set -u
ps=$1
src=$2
pdlib=$3
py=/usr/bin/python3
# Shard indices from a surrounding Slurm array or Indexed Job must not leak in.
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_COUNT JOB_COMPLETION_INDEX PILOTSIM_SHARD_COUNT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ps_out=.
source "$(dirname "$0")/sh_harness.sh"
cd "$tmp" || exit 1

lines() { wc -l <"$1" | tr -d ' '; }
last_line_is() { [[ $(tail -n 1 "$1") == "$2" ]]; }

# Records with the fields that legitimately differ (wall time, run id) dropped,
# sorted by (scene, episode): what must be identical between two runs.
normalize() {
  "$py" - "$1" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in recs:
    del r["wall_time"], r["run_id"]
recs.sort(key=lambda r: (r["scene"], r["scene_hash"], r["policy"], r["episode"]))
for r in recs:
    print(json.dumps(r, sort_keys=True))
EOF
}
same_records() { normalize "$1" >"$1.norm" && normalize "$2" >"$2.norm" && cmp -s "$1.norm" "$2.norm"; }
# json_check FILE PYTHON-EXPRESSION (over `recs`, a list of records): true when it holds
json_check() {
  "$py" - "$1" "$2" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ok = eval(sys.argv[2])
if not ok:
    print("json_check failed: " + sys.argv[2], file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
}

# Scenes. coin: a seeded coin flip with probability p of success; reward and a
# safety metric from the same draw. flaky: step() errors on about a third of
# the seeds. hang: every step is seconds of Lua work. slow: ~0.1 s episodes.
cat >coin.lua <<'EOF'
return { name = "coin", timestep = 0.01, time_limit = 1,
  params = { p = { default = 0.6, min = 0, max = 1, description = "success probability" } },
  build = function(world, ctx)
    ctx.state.win = math.random() < ctx.params.p
    ctx.state.r = math.random()
  end,
  reward = function(ctx) return ctx.state.r end,
  failure = function(ctx) return (not ctx.state.win) and ctx.t >= 0.2, "lost the toss" end,
  success = function(ctx) return ctx.state.win and ctx.t >= 0.1 end,
  metrics = function(ctx) return { r = ctx.state.r, safety_violations = ctx.state.r < 0.3 and 1 or 0 } end,
}
EOF
cat >flaky.lua <<'EOF'
return { name = "flaky", timestep = 0.01, time_limit = 0.3,
  build = function(world, ctx) ctx.state.bad = math.random() < 0.35 end,
  step = function(ctx)
    if ctx.state.bad and ctx.step == 5 then error("bad seed " .. ctx.seed) end
  end,
  success = function(ctx) return ctx.t >= 0.2 end,
}
EOF
cat >hang.lua <<'EOF'
return { name = "hang", timestep = 0.01, time_limit = 1000, build = function() end,
  step = function(ctx) for i = 1, 5e7 do end end }
EOF
cat >slow.lua <<'EOF'
return { name = "slow", timestep = 0.01, time_limit = 1, build = function() end,
  step = function(ctx) for i = 1, 2e5 do end end,
  success = function(ctx) return ctx.t >= 0.99 end }
EOF
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
printf 'return {\n  name = "x",\n  timestep = = 1,\n}\n' >syntax.lua

# Usage errors exit 2, load errors 3.
expect_rc 0 eval --help
check "help names --shard" has out "--shard i/k"
expect_rc 0 --help
check "top-level help lists eval" has out "eval SCENE"
expect_rc 2 eval --episodes 2
expect_rc 2 eval coin.lua
check "missing --episodes named" has err "missing --episodes"
expect_rc 2 eval coin.lua --episodes 0
expect_rc 2 eval coin.lua --episodes 2 --shard 3/3
expect_rc 2 eval coin.lua --episodes 2 --min-success 1.5
expect_rc 2 eval coin.lua --episodes 2 --bogus
expect_rc 2 merge
expect_rc 2 compare a.jsonl
expect_rc 3 eval syntax.lua --episodes 2
check "load error names file:line" has err "syntax.lua:3:"
expect_rc 2 eval coin.lua --episodes 2 --param nope=1
expect_rc 3 eval cart.lua --episodes 2 --policy nope.lua
expect_rc 3 eval cart.lua --episodes 2 --policy lib:nope.so

# --jobs 1 and --jobs 2 give the same records; the seeds repeat `pilotsim run`.
expect_rc 3 eval coin.lua flaky.lua --episodes 12 --jobs 1 --out j1.jsonl --quiet
expect_rc 3 eval coin.lua flaky.lua --episodes 12 --jobs 2 --out j2.jsonl --quiet
check "24 records" test "$(lines j1.jsonl)" = 24
check "--jobs 1 and --jobs 2 give identical records" same_records j1.jsonl j2.jsonl
check "last line is the tally" last_line_is out "eval: 1 passed, 1 failed"
check "records carry their fields" json_check j1.jsonl 'all(set(r) >= {"run_id","version","scene","path","scene_hash","policy","episode","seed","status","steps","sim_time","wall_time","return","metrics","safety","message"} for r in recs)'
check "safety_* metrics go to safety" json_check j1.jsonl 'all(("safety_violations" in r["safety"]) and ("safety_violations" not in r["metrics"]) and "r" in r["metrics"] for r in recs if r["scene"] == "coin")'
check "seeds differ per episode" json_check j1.jsonl 'len({r["seed"] for r in recs}) == 24'
read -r seed0 hash0 < <("$py" -c 'import json,sys
for l in open("j1.jsonl"):
    r = json.loads(l)
    if r["scene"] == "coin" and r["episode"] == 3: print(r["seed"], r["hash"])')
rhash=$("$ps" run coin.lua --seed "$seed0" --json | sed -n 's/.*"hash":"\([0-9a-f]*\)".*/\1/p')
check "pilotsim run --seed <record's seed> reproduces the episode" test "$rhash" = "$hash0"
# A different base seed gives different seeds.
expect_rc 0 eval coin.lua --episodes 4 --jobs 1 --seed 5 --out s5.jsonl --quiet
check "--seed changes the episode seeds" json_check s5.jsonl "all(r['seed'] != $seed0 for r in recs if r['episode'] == 3)"

# Script errors on some seeds are recorded and the batch goes on.
check "flaky: some script errors, the rest succeed" json_check j1.jsonl \
  '0 < sum(r["status"] == "script_error" for r in recs if r["scene"] == "flaky") < 12 and all(r["status"] in ("success", "script_error") for r in recs if r["scene"] == "flaky")'
check "script error message names file:line" json_check j1.jsonl \
  'all("flaky.lua:4:" in r["message"] and "bad seed" in r["message"] for r in recs if r["status"] == "script_error")'

# Shards: 3 ways then merged == unsharded; the environment picks the shard too.
# Exit 3 exactly when a shard's records hold an error (script_error here).
for i in 0 1 2; do
  "$ps" eval coin.lua flaky.lua --episodes 12 --jobs 2 --shard $i/3 --out shard$i.jsonl --quiet >out 2>err
  rc=$?
  if json_check shard$i.jsonl 'any(r["status"] == "script_error" for r in recs)' 2>/dev/null; then want=3; else want=0; fi
  check "shard $i/3 exits $want (got $rc)" test $rc = $want
done
check "shards split the episodes" test $(( $(lines shard0.jsonl) + $(lines shard1.jsonl) + $(lines shard2.jsonl) )) = 24
check "shard 1 takes every third episode" json_check shard1.jsonl 'sorted((0 if r["scene"] == "coin" else 12) + r["episode"] for r in recs) == list(range(1, 24, 3))'
expect_rc 3 merge shard2.jsonl shard0.jsonl shard1.jsonl --out merged.jsonl --junit merged.xml
check "merged shards equal the unsharded run" same_records merged.jsonl j1.jsonl
check "merge prints the report" last_line_is out "eval: 1 passed, 1 failed"
check "merged file is sorted by (scene, episode)" json_check merged.jsonl '[(r["scene"], r["episode"]) for r in recs] == sorted((r["scene"], r["episode"]) for r in recs)'
expect_rc 3 merge shard0.jsonl shard1.jsonl
check "merge names a missing episode" has err "missing: coin .* episode 2"
expect_rc 3 merge shard0.jsonl shard1.jsonl shard2.jsonl shard1.jsonl
check "merge names a duplicate episode" has err "duplicate: coin .* episode 1"
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3 "$ps" eval coin.lua flaky.lua --episodes 12 --out slurm1.jsonl --quiet >/dev/null 2>&1
check "SLURM_ARRAY_TASK_ID/COUNT pick shard 1/3" same_records slurm1.jsonl shard1.jsonl
JOB_COMPLETION_INDEX=2 PILOTSIM_SHARD_COUNT=3 "$ps" eval coin.lua flaky.lua --episodes 12 --out k8s2.jsonl --quiet >/dev/null 2>&1
check "JOB_COMPLETION_INDEX with PILOTSIM_SHARD_COUNT picks shard 2/3" same_records k8s2.jsonl shard2.jsonl
JOB_COMPLETION_INDEX=2 "$ps" eval coin.lua --episodes 12 >/dev/null 2>err
check "JOB_COMPLETION_INDEX without a count is a usage error" test $? = 2

# Resume: episodes already in --out are not run again; the report covers all.
expect_rc 3 eval coin.lua flaky.lua --episodes 4 --jobs 2 --out res.jsonl --quiet
expect_rc 3 eval coin.lua flaky.lua --episodes 6 --jobs 2 --out res.jsonl
check "resume adds only the new episodes" test "$(lines res.jsonl)" = 12
check "resume says what it skipped" has err "holds 8 episodes of this run"
check "resume reports over all records" json_check res.jsonl 'sorted((r["scene"], r["episode"]) for r in recs) == sorted((s, e) for s in ("coin", "flaky") for e in range(6))'
check "report counts 6 episodes per scene" has out "^coin  *6 "
printf '{"run_id":"cut sh' >>res.jsonl
expect_rc 3 eval coin.lua flaky.lua --episodes 6 --jobs 2 --out res.jsonl
check "a cut-off last line is dropped" test "$(lines res.jsonl)" = 12
check "nothing left to run" has err "0 episodes to run"
check "resumed records equal a fresh run's" "$py" -c '
import json
def load(path):
    out = []
    for l in open(path):
        r = json.loads(l)
        for k in ("wall_time", "run_id", "episodes"):  # episodes: 4, 6 or 12 depending on the run
            del r[k]
        if r["episode"] < 6:
            out.append(json.dumps(r, sort_keys=True))
    return sorted(out)
a, b = load("res.jsonl"), load("j1.jsonl")
raise SystemExit(0 if a == b and len(a) == 12 else 1)'

# A hang is cut by --timeout, the rest completes.
start=$(date +%s)
expect_rc 3 eval hang.lua coin.lua --episodes 3 --jobs 2 --timeout 1 --out hang.jsonl --quiet
check "hang: timeout_wall recorded" json_check hang.jsonl 'sorted(r["status"] for r in recs if r["scene"] == "hang") == ["timeout_wall"] * 3'
check "hang: the other scene completes" json_check hang.jsonl 'sum(r["scene"] == "coin" and r["status"] in ("success", "failure") for r in recs) == 3'
check "hang: killed promptly" test $(( $(date +%s) - start )) -lt 30
check "hang: the message names the limit" json_check hang.jsonl 'all("wall-clock limit of 1 s" in r["message"] for r in recs if r["scene"] == "hang")'

# A crashing policy: each episode is recorded as crashed and the batch completes.
expect_rc 3 eval cart.lua --policy "lib:$pdlib?crash" --episodes 4 --jobs 2 --out crash.jsonl --junit crash.xml --quiet
check "crash: 4 crashed records" json_check crash.jsonl 'len(recs) == 4 and all(r["status"] == "crashed" for r in recs)'
# (a signal; under the sanitizers the worker exits with status 1 instead)
check "crash: the message says how the worker died" json_check crash.jsonl 'all("killed by signal" in r["message"] or "exited with status" in r["message"] for r in recs)'
expect_rc 0 eval cart.lua --policy "lib:$pdlib" --episodes 2 --jobs 2 --out pd.jsonl --quiet
check "the PD library policy succeeds" json_check pd.jsonl 'all(r["status"] == "success" and r["policy"].startswith("lib:") for r in recs)'
# The library is a loaded file: resume reruns its episodes when it changes.
cp "$pdlib" libpd_copy.so
expect_rc 0 eval cart.lua --policy "lib:./libpd_copy.so" --episodes 2 --jobs 2 --out pdc.jsonl --quiet
check "the library is listed with its hash" json_check pdc.jsonl 'all("./libpd_copy.so" in r["sources"] for r in recs)'
expect_rc 0 eval cart.lua --policy "lib:./libpd_copy.so" --episodes 2 --jobs 2 --out pdc.jsonl
check "unchanged library: nothing rerun" has err "0 episodes to run"
printf '\0' >>libpd_copy.so
expect_rc 0 eval cart.lua --policy "lib:./libpd_copy.so" --episodes 2 --jobs 2 --out pdc.jsonl
check "changed library: its episodes rerun" has err "2 episodes to run"

# A scene's baseline policy resolves beside the scene; --no-policy drops it.
mkdir -p base
sed 's/^return { name = .cart., /return { name = "cart_pd", policy = "pd.lua", /' cart.lua >base/cart_pd.lua
cat >base/pd.lua <<'EOF'
return { act = function(obs, action) action.force[1] = -20 * obs.x[1] - 8 * obs.x[2] end }
EOF
expect_rc 0 eval base/cart_pd.lua --episodes 2 --jobs 2 --out base.jsonl --quiet
check "baseline policy used and recorded as declared" json_check base.jsonl 'all(r["status"] == "success" and r["policy"] == "pd.lua" for r in recs)'
expect_rc 0 eval base/cart_pd.lua --episodes 2 --jobs 2 --no-policy --out nopol.jsonl --quiet
check "--no-policy runs without it" json_check nopol.jsonl 'all(r["status"] == "timeout" and r["policy"] == "" for r in recs)'
# An example scene (module paths, assets) through the workers.
expect_rc 0 eval "$src/scenes/examples/pendulum.lua" --episodes 1 --quiet
check "example scene succeeds" has out "^pendulum  *1  *1  *100.0%"

# SIGTERM mid-run: finished episodes stay in the file, exit 3, partial report.
"$ps" eval slow.lua --episodes 200 --jobs 2 --out "$tmp/term.jsonl" --quiet >term.out 2>term.err &
pid=$!
for _ in $(seq 1 600); do
  [[ -s term.jsonl && $(lines term.jsonl) -ge 3 ]] && break
  sleep 0.05
done
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM exits 3" test $rc = 3
n=$(lines term.jsonl)
check "SIGTERM keeps the finished episodes ($n)" test "$n" -ge 3 -a "$n" -lt 200
check "SIGTERM leaves whole records" json_check term.jsonl 'all(r["status"] == "success" for r in recs)'
check "SIGTERM prints the partial report" has term.out "^interrupted: $n of 200 episodes finished"
check "SIGTERM report ends with the tally" last_line_is term.out "eval: 1 passed, 0 failed"
no_survivor() { ! pgrep -f -- "--out $tmp/ter[m].jsonl" >/dev/null; } # [m]: the pattern never matches itself
check "no worker survives" no_survivor

# JUnit: one testcase per scene (named by the scene, no seed), the counts as
# properties, one line per episode in system-out; an <error> when an episode
# could not be evaluated, a <failure> when the test failed.
expect_rc 3 eval coin.lua flaky.lua --episodes 12 --jobs 2 --junit j.xml --quiet
"$py" - j.xml j2.jsonl crash.xml <<'EOF' >junit.txt 2>&1
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
recs = [json.loads(l) for l in open(sys.argv[2])]
cases = root.findall(".//testcase")
assert [c.get("name") for c in cases] == ["coin", "flaky"], [c.get("name") for c in cases]
assert int(root.get("tests")) == 2 and int(root.get("errors")) == 1 and int(root.get("failures")) == 0, root.attrib
coin, flaky = cases
props = {p.get("name"): p.get("value") for p in coin.iter("property")}
n_ok = sum(r["scene"] == "coin" and r["status"] == "success" for r in recs)
assert props["episodes"] == "12" and props["successes"] == str(n_ok), props
assert props["min_success"] == "none (no errors)", props
assert coin.find("failure") is None and coin.find("error") is None
out = coin.find("system-out").text.splitlines()
assert len(out) == 13 and all(" seed " in l for l in out[1:]), out
assert any("lost the toss" in l for l in out), out
err = flaky.find("error")
n_err = sum(r["scene"] == "flaky" and r["status"] == "script_error" for r in recs)
assert err is not None and err.get("message").startswith("%d episode" % n_err), err.attrib
assert sum("script_error: " in l and "bad seed" in l for l in flaky.find("system-out").text.splitlines()) == n_err
crash = ET.parse(sys.argv[3]).getroot()
assert int(crash.get("errors")) == 1 and int(crash.get("tests")) == 1, crash.attrib
print("junit ok")
EOF
check "JUnit parses with the right counts ($(tail -n 1 junit.txt))" has junit.txt "junit ok"
# The names stay the same when the scene file changes (Jenkins/GitLab history).
mkdir -p edited && sed 's/lost the toss/lost the coin toss/' coin.lua >edited/coin.lua
expect_rc 0 eval edited/coin.lua --episodes 3 --jobs 2 --junit j_edit.xml --quiet
check "JUnit testcase name does not change with the scene's content" "$py" -c '
import xml.etree.ElementTree as ET
a = [c.get("classname") + "/" + c.get("name") for c in ET.parse("j.xml").getroot().iter("testcase")]
b = [c.get("classname") + "/" + c.get("name") for c in ET.parse("j_edit.xml").getroot().iter("testcase")]
raise SystemExit(0 if b[0] == a[0] == "pilotsim.eval/coin" else 1)'

# Thresholds: each scene's --min-success is a test; exit 0 when all pass.
expect_rc 0 eval coin.lua --episodes 20 --jobs 2 --min-success 0.1 --quiet
check "threshold met" last_line_is out "eval: 1 passed, 0 failed"
check "threshold line" has out "PASS coin: success rate .* >= 10.0% (--min-success)"
expect_rc 1 eval coin.lua --episodes 20 --jobs 2 --min-success 95% --junit th.xml --quiet
check "threshold missed" last_line_is out "eval: 0 passed, 1 failed"
check "threshold testcase fails in JUnit" "$py" -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse("th.xml").getroot()
t = [c for c in r.iter("testcase") if c.get("name") == "coin"]
p = {x.get("name"): x.get("value") for x in t[0].iter("property")} if t else {}
sys.exit(0 if len(t) == 1 and t[0].find("failure") is not None and p.get("min_success") == "0.95" else 1)'
expect_rc 0 eval coin.lua --episodes 20 --jobs 2 --min-success 0 --quiet
expect_rc 3 merge j1.jsonl --min-success 1
check "merge applies the threshold" last_line_is out "eval: 0 passed, 2 failed"

# Wilson 95% interval: against a hand computation. 3/3 gives [n/(n+z^2), 1] =
# [43.9%, 100.0%]; the coin run's interval is recomputed from its records.
expect_rc 0 eval slow.lua --episodes 3 --jobs 2 --quiet
check "Wilson 3/3 = [43.9%, 100.0%]" has out "^slow  *3  *3  *100.0%  \[43.9%, 100.0%\]"
expect_rc 0 eval coin.lua --episodes 40 --jobs 2 --out w.jsonl --quiet
"$py" - w.jsonl out <<'EOF' >wilson.txt 2>&1
import json, math, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
n = len(recs); k = sum(r["status"] == "success" for r in recs)
z = 1.959963984540054
p = k / n
c = (p + z * z / (2 * n)) / (1 + z * z / n)
h = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
want = "[%.1f%%, %.1f%%]" % (100 * (c - h), 100 * (c + h))
line = [l for l in open(sys.argv[2]) if l.startswith("coin ")][0]
assert want in line, (want, line)
assert re.search(r"\b%d\s+%d\s+%.1f%%" % (n, k, 100 * p), line), line
mean = sum(r["return"] for r in recs) / n
assert ("%.4g" % mean) in line, (mean, line)
viol = sum(r["safety"]["safety_violations"] > 0 for r in recs)
assert re.search(r"s\s+%d\s+\d+\s+success=" % viol, line), (viol, line)
print("wilson ok", k, n, want)
EOF
check "Wilson interval, mean return and safety count match ($(tail -n 1 wilson.txt))" has wilson.txt "wilson ok"

# compare: Fisher's exact test; a run against itself does not differ, p=0.05
# against p=0.95 does.
expect_rc 0 eval coin.lua --episodes 30 --jobs 2 --param p=0.05 --out lo.jsonl --quiet
expect_rc 0 eval coin.lua --episodes 30 --jobs 2 --param p=0.95 --out hi.jsonl --quiet
check "params are recorded" json_check hi.jsonl 'all(r["params"] == {"p": "0.95"} for r in recs)'
expect_rc 0 compare lo.jsonl lo.jsonl
check "a run does not differ from itself" has out "not significant"
expect_rc 1 compare lo.jsonl hi.jsonl
check "p=0.05 vs p=0.95 differs (exit 1)" has out "B higher (significant)"
check "compare names its test" has out "Fisher's exact test, two-sided, Holm-Bonferroni across 1 scene, alpha 0.05"
# A resume with other params is another run: nothing is skipped.
expect_rc 0 eval coin.lua --episodes 30 --jobs 2 --param p=0.95 --out lo.jsonl --quiet
check "other params are not resumed" test "$(lines lo.jsonl)" = 60

echo "test_eval: $checks checks, $failed failed"
[[ $failed == 0 ]]
