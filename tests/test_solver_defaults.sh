#!/usr/bin/env bash
# Solver settings chosen for the robots a world holds (docs/fidelity.md): a URDF
# robot declares 50 QuickStep iterations and a timestep of at most 2 ms, the world
# adopts that unless the scene sets world.iterations (the scene's value wins, with a
# warning naming the robot), `run --json` and `check` report the settings and where
# they came from; and the quality measured under the defaults holds: the Go2 stands
# with its servos still (jitter below 0.6 mrad; 1.3 mrad at 20 iterations) and the
# UR5's gripper with 15 g fingers lifts a 0.5 kg cube and lets it slip at most 2 mm.
# usage: test_solver_defaults.sh PILOTSIM
set -u
ps=$1
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"

# json_check PYTHON_EXPR: the last line of $tmp/out parses as JSON and the expression (over `d`) is true.
json_check() {
  "$py" -c 'import json, sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
ok = eval("(" + sys.argv[2] + "\n)")
if not ok: print("  json:", json.dumps(d)[:2000], file=sys.stderr)
sys.exit(0 if ok else 1)' "$tmp/out" "$1"
}
hasnt() { ! grep -q -- "$2" "$1"; }

# go2 SCENE_FILE WORLD_FIELD TIMESTEP: the Go2 standing 4 s on its servos; metrics:
# base height change (sag, m) and one calf joint's peak-to-peak (jitter, rad) over the last 2 s.
go2() {
  cat >"$1" <<LUA
local go2 = require "robots.go2"
local dog
return {
    name = "go2_stand", timestep = $3, time_limit = 4, $2
    build = function(world, ctx)
        world:geom{type = "plane", normal = {0, 0, 1}, offset = 0}
        dog = go2.build(world, {name = "go2"})
        ctx.state.qmin, ctx.state.qmax = 1e9, -1e9
    end,
    step = function(ctx)
        dog:stand(0.30)
        local s = ctx.state
        if ctx.t >= 2 then
            s.z2 = s.z2 or dog:base_height()
            s.z4 = dog:base_height()
            local q = dog.robot:q()[3]
            s.qmin, s.qmax = math.min(s.qmin, q), math.max(s.qmax, q)
        end
    end,
    metrics = function(ctx)
        local s = ctx.state
        local w = ctx.world:solver()
        return {sag = s.z4 - s.z2, jitter = s.qmax - s.qmin, lua_iterations = w.iterations,
                lua_from_robot = w.iterations_from == "robot" and 1 or 0}
    end,
}
LUA
}

# Defaults: the world adopts the Go2's need; the servos are still.
go2 "$tmp/go2.lua" "" 0.002
expect_rc 0 run "$tmp/go2.lua" --json --quiet
check "go2 default: 50 iterations from the robot" json_check \
  'd["solver"]["iterations"] == 50 and d["solver"]["iterations_from"] == "robot" and d["solver"]["timestep"] == 0.002'
check "go2 default: needs name the robot" json_check \
  'd["solver"]["needs"] == {"iterations": 50, "iterations_robot": "go2", "max_timestep": 0.002, "max_timestep_robot": "go2"}'
check "go2 default: world:solver() in Lua agrees" json_check \
  'd["metrics"]["lua_iterations"] == 50 and d["metrics"]["lua_from_robot"] == 1'
check "go2 default: no warning" hasnt "$tmp/err" "warn"
check "go2 default: jitter < 0.6 mrad, sag < 1 mm" json_check \
  'd["metrics"]["jitter"] < 6e-4 and abs(d["metrics"]["sag"]) < 1e-3'
cp "$tmp/out" "$tmp/default.json"

# The scene's explicit value wins, with a warning naming the robot and its need.
go2 "$tmp/go2_20.lua" "world = {iterations = 20}," 0.002
expect_rc 0 run "$tmp/go2_20.lua" --json --quiet
check "go2 at world.iterations 20: kept, from the scene" json_check \
  'd["solver"]["iterations"] == 20 and d["solver"]["iterations_from"] == "scene" and d["solver"]["needs"]["iterations"] == 50'
check "go2 at world.iterations 20: warned" has "$tmp/err" \
  "world.iterations 20 is below the 50 robot 'go2' needs"
check "go2 at world.iterations 20: jitters more than at the default" "$py" -c '
import json, sys
a = json.loads(open(sys.argv[1]).read().splitlines()[-1])["metrics"]["jitter"]
b = json.loads(open(sys.argv[2]).read().splitlines()[-1])["metrics"]["jitter"]
print("go2 jitter: default %.3g rad, 20 iterations %.3g rad" % (a, b))
sys.exit(0 if b > 2 * a else 1)' "$tmp/default.json" "$tmp/out"
# A scene value above the need: kept, no warning.
go2 "$tmp/go2_80.lua" "world = {iterations = 80}," 0.002
expect_rc 0 run "$tmp/go2_80.lua" --json --quiet
check "go2 at world.iterations 80: kept" json_check 'd["solver"]["iterations"] == 80 and d["solver"]["iterations_from"] == "scene"'
check "go2 at world.iterations 80: no warning" hasnt "$tmp/err" "warn"
# A timestep above the robot's: warned (a scene's timestep is never changed).
go2 "$tmp/go2_5ms.lua" "" 0.005
expect_rc 0 run "$tmp/go2_5ms.lua" --json --quiet
check "go2 at 5 ms: timestep kept" json_check 'd["solver"]["timestep"] == 0.005 and d["solver"]["iterations"] == 50'
check "go2 at 5 ms: warned" has "$tmp/err" "timestep 0.005 s is above the 0.002 s robot 'go2' is measured at"

# check reports the settings (text and JSON) and the warning.
expect_rc 0 check "$tmp/go2_20.lua"
check "check text: solver line" has "$tmp/out" "solver       20 iterations (scene; robot 'go2' needs 50; robot 'go2' needs timestep <= 0.002 s)"
check "check text: the warning is listed" has "$tmp/out" "below the 50 robot 'go2' needs"
expect_rc 0 check "$tmp/go2.lua" --json
check "check --json: solver block" json_check \
  'd["solver"]["iterations"] == 50 and d["solver"]["iterations_from"] == "robot" and d["warnings"] == []'

# A world without URDF robots keeps the default; an assembled robot may declare a need.
cat >"$tmp/plain.lua" <<'LUA'
return {
    name = "plain", timestep = 0.002, time_limit = 0.01,
    build = function(world)
        local a = world:body{name = "a", pos = {0, 0, 1}, mass = 1, geoms = {{type = "sphere", radius = 0.1}}}
        local b = world:body{name = "b", pos = {0, 0, 0.5}, mass = 1, geoms = {{type = "sphere", radius = 0.1}}}
        local j = world:joint{type = "hinge", body1 = b, body2 = a, anchor = {0, 0, 0.75}, axis = {0, 1, 0}}
        world:robot{name = "pend", links = {a, b}, joints = {{joint = j}}, solver = SOLVER}
    end,
}
LUA
sed 's/solver = SOLVER/solver = nil/' "$tmp/plain.lua" >"$tmp/plain0.lua"
expect_rc 0 run "$tmp/plain0.lua" --json --quiet
check "no need declared: 20 iterations, default" json_check \
  'd["solver"]["iterations"] == 20 and d["solver"]["iterations_from"] == "default" and d["solver"]["needs"]["iterations"] == 0'
sed 's/solver = SOLVER/solver = {iterations = 35}/' "$tmp/plain.lua" >"$tmp/plain35.lua"
expect_rc 0 run "$tmp/plain35.lua" --json --quiet
check "assembled robot's need adopted" json_check \
  'd["solver"]["iterations"] == 35 and d["solver"]["needs"]["iterations_robot"] == "pend"'
# Bad needs: a clear error naming the field and value, non-zero exit.
sed 's/solver = SOLVER/solver = {iterations = -3}/' "$tmp/plain.lua" >"$tmp/bad1.lua"
expect_rc 3 run "$tmp/bad1.lua" --quiet
check "negative iterations refused" has "$tmp/err" "world:robot solver: iterations must be an integer in 0..10000, got -3"
sed 's/solver = SOLVER/solver = {max_timestep = "fast"}/' "$tmp/plain.lua" >"$tmp/bad2.lua"
expect_rc 3 run "$tmp/bad2.lua" --quiet
check "non-number max_timestep refused" has "$tmp/err" "max_timestep"
sed 's/solver = SOLVER/solver = {iterationz = 50}/' "$tmp/plain.lua" >"$tmp/bad3.lua"
expect_rc 3 run "$tmp/bad3.lua" --quiet
check "misspelled need field named" has "$tmp/err" "iterationz"

# The UR5 with its gripper, 15 g fingers (armature 0.1 kg each), picks a 0.5 kg cube
# (mu 0.5, 20 N per finger) and holds it lifted 15 cm: the cube sinks at most 2 mm
# relative to the tool from t = 4 s to 9 s under the defaults (4.4 mm at 20 iterations).
cat >"$tmp/grasp.lua" <<'LUA'
local ur5g = require "robots.ur5_gripper"
local arm, cube, Q
local CX, CY, CZ = 0.45, 0.1, 0.325
local function lerp(a, b, u)
    local q = {}
    for i = 1, #a do q[i] = a[i] + (b[i] - a[i]) * math.min(1, math.max(0, u)) end
    return q
end
return {
    name = "grasp", timestep = 0.002, time_limit = 9,
    build = function(world, ctx)
        world:geom{type = "plane", normal = {0, 0, 1}, offset = 0}
        world:material{name = "part", friction = 0.5}
        world:geom{type = "box", size = {0.2, 0.2, 0.3}, pos = {CX, CY, 0.15}}
        cube = world:body{name = "cube", pos = {CX, CY, CZ}, mass = 0.5,
                          geoms = {{type = "box", size = {0.05, 0.05, 0.05}, material = "part"}}}
        arm = ur5g.build(world, {name = "ur5", grip_force = 20, pad_friction = 0.5, finger_mass = 0.015,
                                 finger_armature = 0.1, open_width = 0.08})
        Q = {above = arm:ik_down(CX, CY, CZ + 0.15, 0)}
        arm.qc = Q.above
        Q.grasp = arm:ik_down(CX, CY, CZ, 0)
        arm.qc = Q.grasp
        Q.lift = arm:ik_down(CX, CY, CZ + 0.15, 0)
        arm:command(Q.above)
        arm.robot:set_q(Q.above)
        ctx.state.q0 = arm:q()
    end,
    step = function(ctx)
        local t = ctx.t
        if t < 1 then arm:command(lerp(ctx.state.q0, Q.above, t))
        elseif t < 2 then arm:command(lerp(Q.above, Q.grasp, t - 1))
        elseif t < 2.5 then arm:grip(0)
        elseif t < 3.5 then arm:command(lerp(Q.grasp, Q.lift, t - 2.5))
        end
        local _, _, tz = arm:tcp()
        local _, _, cz = cube:pos()
        if t >= 4 and ctx.state.d4 == nil then ctx.state.d4 = tz - cz end
        ctx.state.d, ctx.state.cz = tz - cz, cz
    end,
    metrics = function(ctx) return {slip = ctx.state.d - ctx.state.d4, cube_z = ctx.state.cz} end,
}
LUA
expect_rc 0 run "$tmp/grasp.lua" --json --quiet
check "grasp: 50 iterations from the robots" json_check 'd["solver"]["iterations"] == 50'
check "grasp: cube lifted (z > 0.44 m) and slip <= 2 mm" json_check \
  'd["metrics"]["cube_z"] > 0.44 and -5e-4 <= d["metrics"]["slip"] <= 2e-3'
"$py" -c 'import json,sys; m = json.loads(open(sys.argv[1]).read().splitlines()[-1])["metrics"]; print("grasp: slip %.3g m, cube z %.4g m" % (m["slip"], m["cube_z"]))' "$tmp/out"

echo "test_solver_defaults: $((checks - failed)) passed, $failed failed"
[[ $failed == 0 ]]
