#!/usr/bin/env bash
# Scene-author mistakes that used to pass silently get a warning or an error naming
# file:line: a misspelled top-level field, duplicate body names, spaces set inside build,
# handles stored in ctx.state, an inside-out trimesh; a bad --param is a usage error
# (exit 2); check fails when the scene's policy cannot be found; a policy module is
# found beside the scene.
# usage: test_author_mistakes.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"

# Misspelled top-level field, assigned after the table: the error names its line.
cat >"$tmp/typo.lua" <<'LUA'
local scene = {name = "typo", timestep = 0.01, time_limit = 0.05,
    build = function(world, ctx) end}
scene.time_limt = 3
return scene
LUA
expect_rc 3 check "$tmp/typo.lua"
check "misspelled field names file:line" has "$tmp/err" "typo.lua:3: scene: unknown field 'time_limt'"

# Duplicate names, spaces in build, a handle in ctx.state: warnings with file:line.
cat >"$tmp/warn.lua" <<'LUA'
local scene = {name = "warn", timestep = 0.01, time_limit = 0.05}
local ball
function scene.build(world, ctx)
    ball = world:body{name = "ball", pos = {0, 0, 1}, geoms = {{type = "sphere", radius = 0.1}}}
    world:body{name = "ball", pos = {1, 0, 1}, geoms = {{type = "sphere", radius = 0.1}}}
    ctx.state.ball = ball
    scene.action = {u = {shape = {1}}}
end
return scene
LUA
expect_rc 0 check "$tmp/warn.lua"
check "duplicate body name: line 5" has "$tmp/out" "warn.lua:5: world:body: a body named 'ball' exists already"
check "handle in ctx.state: line 6" has "$tmp/out" "warn.lua:6: ctx.state.ball holds a handle"
check "space set in build: line 7" has "$tmp/out" "warn.lua:7: the scenario's 'action' was set after the scene loaded"
expect_rc 0 run "$tmp/warn.lua"
check "run warns too" has "$tmp/err" "ctx.state.ball holds a handle"

# Inside-out trimesh (a tetrahedron wound clockwise seen from outside): an error;
# the same mesh wound counter-clockwise, and an open sheet, load.
tet() { # tet "INDICES": a static trimesh
  cat <<LUA
return {name = "tet", timestep = 0.01, time_limit = 0.05, build = function(world, ctx)
    world:geom{type = "trimesh",
        vertices = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}, indices = {$1}}
end}
LUA
}
tet "1, 3, 2, 1, 2, 4, 1, 4, 3, 2, 3, 4" >"$tmp/tet_ok.lua"
tet "1, 2, 3, 1, 4, 2, 1, 3, 4, 2, 4, 3" >"$tmp/tet_bad.lua"
tet "1, 3, 2, 1, 2, 4" >"$tmp/tet_open.lua"
expect_rc 0 check "$tmp/tet_ok.lua"
expect_rc 0 check "$tmp/tet_open.lua"
expect_rc 3 check "$tmp/tet_bad.lua"
check "inside-out trimesh named with its line" has "$tmp/err" "tet_bad.lua:2:.*trimesh is inside out"

# A bad --param is a usage error for run, check and eval.
expect_rc 2 run "$src/scenes/examples/pendulum.lua" --param nope=1
expect_rc 2 run "$src/scenes/examples/pendulum.lua" --param damping=abc
expect_rc 2 check "$src/scenes/examples/pendulum.lua" --param nope=1
expect_rc 2 eval "$src/scenes/examples/pendulum.lua" --episodes 1 --param nope=1

# The scene's policy: check fails when it is missing; a module beside the scene is found.
mkdir -p "$tmp/pp/mine"
cat >"$tmp/pp/scene.lua" <<'LUA'
return {name = "pp", timestep = 0.01, time_limit = 0.05, policy = "mine.drive",
    action = {u = {shape = {1}, low = -1, high = 1}},
    metrics = function(ctx) return {u = ctx.action.u[1]} end,
    build = function(world, ctx) end}
LUA
expect_rc 3 check "$tmp/pp/scene.lua"
check "missing policy named" has "$tmp/err" "field 'policy': policy 'mine.drive'"
cat >"$tmp/pp/mine/drive.lua" <<'LUA'
local M = {}
local dt
function M.reset(spec, seed) dt = spec.timestep assert(spec.control_hz == 1 / dt) end
function M.act(obs, action) action.u[1] = dt * 50 end
return M
LUA
expect_rc 0 check "$tmp/pp/scene.lua"
expect_rc 0 run "$tmp/pp/scene.lua" --json
check "policy beside the scene ran, with spec.timestep" has "$tmp/out" '"metrics":{"u":0.5}'

echo "test_author_mistakes: $checks checks, $failed failed"
[[ $failed == 0 ]]
