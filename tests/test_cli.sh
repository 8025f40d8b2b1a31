#!/usr/bin/env bash
# CLI behaviour: help, exit codes, JSON output, errors that name file:line,
# and determinism across processes (same seed, same hash).
# usage: test_cli.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"


# Help and usage errors.
expect_rc 0 --help
check "--help lists run" has "$tmp/out" "run SCENE"
expect_rc 0 run --help
check "run --help lists --seed" has "$tmp/out" "--seed"
expect_rc 0 list --help
expect_rc 0 bench --help
check "bench --help names --policies" has "$tmp/out" "--policies"
expect_rc 2 bench --policies --sensors
# The bare-ODE twins make their contacts in pilotsim's order (pairs sorted by geom
# slot): the two sides of every benchmark world end in the same state.
expect_rc 0 bench --steps 400 --repeat 1 --json
check "bench: pilotsim and bare ODE trajectories identical on all three worlds" \
  test "$(grep -o '"identical":true' "$tmp/out" | wc -l)" -eq 3
# Every policy interface drives the cart with the same PD law: the bench runs
# each (the Python binding may be skipped under ASan) and their trajectories agree.
expect_rc 0 bench --policies --steps 300 --repeat 1 --json
policy_bench_ok() {
  /usr/bin/python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ran = {v["interface"]: v["ran"] for v in d["variants"]}
need = ["none", "lua", "lib", "exec", "tcp"]
ok = all(ran.get(k) for k in need) and d["policies_identical"] and "python" in ran
ok = ok and all(v["steps_per_s"] > 0 for v in d["variants"] if v["ran"])
print(d if not ok else "", end="")
sys.exit(0 if ok else 1)
PY
}
check "bench --policies runs lua, lib, exec and tcp with identical trajectories" policy_bench_ok
expect_rc 0 bench --eval --episodes 4 --repeat 1 --json
check "bench --eval: identical results for 1 and 2 workers" has "$tmp/out" '"results_identical":true'
check "bench --eval reports jobs 2" has "$tmp/out" '"jobs":2,'
# bench --scale (scenes/bench/fleet.lua): fields and their relations, not timings;
# the same n gives the same final state hash in another process.
expect_rc 0 bench --scale --n 1 --n 3 --n 3 --steps 20 --repeat 1 --json
scale_bench_ok() {
  /usr/bin/python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["runs"]
ok = d["world"] == "fleet" and d["steps"] == 20 and [x["n"] for x in r] == [1, 3, 3]
for x in r:
    ok = ok and x["us_per_step"] > 0 and x["cpu_us_per_step"] > 0 and x["rtf"] > 0 and x["cpu_rtf"] > 0
    ok = ok and abs(x["us_per_robot_step"] * x["n"] - x["us_per_step"]) < 0.01 * x["us_per_step"]
    ok = ok and abs(x["rtf"] * x["us_per_step"] - 2000) < 20 and x["max_rss_kib"] > 1000
ok = ok and r[1]["hash"] == r[2]["hash"] and r[0]["hash"] != r[1]["hash"]
print(d if not ok else "", end="")
sys.exit(0 if ok else 1)
PY
}
check "bench --scale reports us/robot-step, RTF, max RSS and equal hashes for equal n" scale_bench_ok
expect_rc 0 bench --scale --n 2 --steps 10 --repeat 1
check "bench --scale table has a us/robot-step column" has "$tmp/out" "us/robot-step"
# world.static_space (the fleet's static quadtree): in this world, where robots
# touch only the floor, the trajectory is bit for bit the one of a single space.
sed 's/world = {static_space = true, space = "sap"}/world = {space = "sap"}/' "$src/scenes/bench/fleet.lua" > "$tmp/fleet_one_space.lua"
expect_rc 0 run "$tmp/fleet_one_space.lua" --param n=3 --steps 600 --seed 1 --quiet --json
cp "$tmp/out" "$tmp/one_space.json"
expect_rc 0 run "$src/scenes/bench/fleet.lua" --param n=3 --steps 600 --seed 1 --quiet --json
same_fleet_hash() {
  /usr/bin/python3 - "$tmp/one_space.json" "$tmp/out" "$tmp/fleet_one_space.lua" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
ok = a["hash"] == b["hash"] and a["steps"] == 600 and 'world = {space = "sap"}' in open(sys.argv[3]).read()
print("" if ok else (a, b), end="")
sys.exit(0 if ok else 1)
PY
}
check "fleet: static_space gives the single-space trajectory" same_fleet_hash
sed 's/world = {static_space = true, space = "sap"}/world = {static_space = 1}/' "$src/scenes/bench/fleet.lua" > "$tmp/fleet_bad.lua"
expect_rc 3 run "$tmp/fleet_bad.lua" --steps 1
check "a non-boolean world.static_space is named" has "$tmp/err" "world.static_space must be a boolean"
sed 's/world = {static_space = true, space = "sap"}/world = {solver = "exact"}/' "$src/scenes/bench/fleet.lua" > "$tmp/fleet_bad.lua"
expect_rc 3 run "$tmp/fleet_bad.lua" --steps 1
check "an unknown world.solver is named" has "$tmp/err" 'world.solver must be "quickstep" or "direct"'
sed 's/world = {static_space = true, space = "sap"}/world = {static_space = true, space = "sap", solver = "direct"}/' "$src/scenes/bench/fleet.lua" > "$tmp/fleet_direct.lua"
expect_rc 0 run "$tmp/fleet_direct.lua" --steps 20 --json
check "world.solver = \"direct\" steps and says so" has "$tmp/out" '"solver":"direct"'
expect_rc 2 bench --n 3
expect_rc 2 bench --scale --sensors
expect_rc 0 version
expect_rc 2
expect_rc 2 frobnicate
check "unknown command named" has "$tmp/err" "unknown command 'frobnicate'"
expect_rc 2 run
expect_rc 2 run "$src/tests/scenes/random_pile.lua" --seed abc
check "bad seed named" has "$tmp/err" "--seed needs a non-negative integer"
expect_rc 2 run "$src/tests/scenes/random_pile.lua" --bogus
expect_rc 2 run "$src/tests/scenes/random_pile.lua" --steps 0

# Scene and runtime errors exit 3 with file:line.
printf 'return {\n  name = "x",\n  timestep = = 1,\n}\n' >"$tmp/syntax.lua"
expect_rc 3 run "$tmp/syntax.lua"
check "syntax error names file:line" has "$tmp/err" "syntax.lua:3:"
printf 'return {\n  name = "x",\n  timestep = "fast",\n  time_limit = 1,\n  build = function() end,\n}\n' >"$tmp/mistyped.lua"
expect_rc 3 run "$tmp/mistyped.lua"
check "mistyped field names file:line:field" has "$tmp/err" "mistyped.lua:3: field 'timestep'"
expect_rc 2 run "$src/tests/scenes/random_pile.lua" --param nope=1
check "unknown param named" has "$tmp/err" "unknown param 'nope'"
expect_rc 3 run "$tmp/missing.lua"
printf 'return { name = "e", timestep = 0.01, time_limit = 1,\n build = function(world, ctx)\n  local b = world:body{mass = 1}\n  b:set_pos(1, 2)\n end }\n' >"$tmp/scripterr.lua"
expect_rc 3 run "$tmp/scripterr.lua"
check "script error names file:line" has "$tmp/err" "scripterr.lua:4:"
check "script error status" has "$tmp/out" "script_error"

# Episode outcomes: 0 success/timeout, 1 failure/diverged.
printf 'return { name = "f", timestep = 0.01, time_limit = 1, build = function() end,\n failure = function(ctx) return ctx.t > 0.05, "too slow" end }\n' >"$tmp/fail.lua"
expect_rc 1 run "$tmp/fail.lua"
check "failure status printed" has "$tmp/out" "f: failure"
check "failure reason printed" has "$tmp/err" "too slow"
printf 'return { name = "d", timestep = 0.01, time_limit = 1, build = function(world, ctx)\n ctx.state.b = world:body{name = "rocket", mass = 1} end,\n step = function(ctx) ctx.state.b:add_force(0, 0, 1e12) end }\n' >"$tmp/diverge.lua"
expect_rc 1 run "$tmp/diverge.lua"
check "divergence status" has "$tmp/out" "physics_diverged"
check "divergence names the body and step" has "$tmp/err" "body 'rocket' (#0) linear speed .* at step 1"
printf 'return { name = "s", timestep = 0.01, time_limit = 1, build = function() end,\n success = function(ctx) return ctx.step >= 3 end }\n' >"$tmp/succ.lua"
expect_rc 0 run "$tmp/succ.lua" --json
check "json status" has "$tmp/out" '"status":"success"'
check "json steps" has "$tmp/out" '"steps":3,'
expect_rc 0 run "$src/tests/scenes/random_pile.lua" --steps 10 --json
check "--steps stops early" has "$tmp/out" '"steps":10,'

# Solver health in the JSON result: worst joint gap, hinge axis error, deepest contact.
"$ps" run "$src/tests/scenes/random_pile.lua" --seed 7 --json >"$tmp/out" 2>/dev/null
check "run --json reports solver health" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["solver"]
assert set(s) == {"joint_error_max","angle_error_max","penetration_max","warned_steps","solver","iterations",
                  "iterations_from","timestep","needs"}, s
assert s["iterations"] == 20 and s["iterations_from"] == "default" and s["needs"]["iterations"] == 0, s
assert 0 < s["penetration_max"] < 0.05 and s["warned_steps"] == 0, s' "$tmp/out"

# Determinism across processes; different seeds differ.
hash_of() { "$ps" run "$src/tests/scenes/random_pile.lua" --seed "$1" --json | sed -n 's/.*"hash":"\([0-9a-f]*\)".*/\1/p'; }
h1=$(hash_of 7); h2=$(hash_of 7); h3=$(hash_of 8)
check "hash is 16 hex digits" test ${#h1} -eq 16
check "same seed, two processes, same hash" test "$h1" = "$h2"
check "different seeds differ" test "$h1" != "$h3"
# Overriding a randomized param changes the result; the same override repeats.
o1=$("$ps" run "$src/tests/scenes/random_pile.lua" --seed 7 --param friction=0.3 --json)
o2=$("$ps" run "$src/tests/scenes/random_pile.lua" --seed 7 --param friction=0.3 --json)
check "override repeatable" test "$o1" = "$(echo "$o2" | sed "s/\"wall_time\":[^,]*/$(echo "$o1" | grep -o '"wall_time":[^,]*')/")"

# list
expect_rc 0 list "$src/tests/scenes"
check "list shows the scene" has "$tmp/out" "random_pile"
check "list shows the domain" has "$tmp/out" "test"
mkdir -p "$tmp/scn/lib"
cp "$tmp/succ.lua" "$tmp/scn/ok.lua"
echo 'return {}' >"$tmp/scn/lib/module.lua"
expect_rc 0 list "$tmp/scn"
cp "$tmp/syntax.lua" "$tmp/scn/broken.lua"
expect_rc 3 list "$tmp/scn"
check "list reports a broken scene" has "$tmp/err" "broken.lua:3:"
expect_rc 2 list "$tmp/nowhere"

# Solver health: the bench humanoid ragdoll's impact transients (a hinge axis off by up to
# 0.053 rad for a step or two) are corrected by the solver and do not warn; the
# episode's health is in --json.
for seed in 0 1 2; do
  expect_rc 0 run "$src/scenes/bench/humanoid.lua" --seed $seed --json
  check "humanoid seed $seed: no solver warning" test "$(grep -c 'solver not converged' "$tmp/err")" = 0
  check "humanoid seed $seed: health in --json" has "$tmp/out" '"solver":{"joint_error_max":'
done

echo "test_cli: $checks checks, $failed failed"
[[ $failed == 0 ]]
