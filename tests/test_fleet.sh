#!/usr/bin/env bash
# Fleet scenes: a space shape sized from an integer param (default or --param) at load
# time, low/high given once per index of the last dimension and broadcast over the others.
# usage: test_fleet.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"

cat >"$tmp/fleet.lua" <<'LUA'
local scene = {name = "fleet", timestep = 0.01, time_limit = 0.02,
    params = {n = {default = 3, min = 1, max = 12, integer = true, description = "robots"}},
    action = {cmd = {shape = {"n", 2}, low = {-1, -2}, high = {1, 2}}},
    observation = {seen = {shape = {"n"}, fn = function(ctx, out) for i = 1, #out do out[i] = i end end}}}
function scene.build(world, ctx) end
function scene.act(ctx, action)
    local a = action.cmd
    ctx.state.count = #a
    ctx.state.a1, ctx.state.a2 = a[1], a[2]
    ctx.state.last = a[#a]
end
function scene.metrics(ctx)
    return {count = ctx.state.count, a1 = ctx.state.a1, a2 = ctx.state.a2, last = ctx.state.last,
            seen = #ctx.obs.seen}
end
return scene
LUA
# a policy that asks for more than the bounds everywhere: the clamp shows the broadcast bounds
cat >"$tmp/push.lua" <<'LUA'
local M = {}
function M.act(obs, action) for i = 1, #action.cmd do action.cmd[i] = (i % 2 == 1) and 5 or -5 end end
return M
LUA
expect_rc 0 run "$tmp/fleet.lua" --policy "$tmp/push.lua" --json
check "3 x 2 action, bounds broadcast per column" has "$tmp/out" '"a1":1,"a2":-2,"count":6,"last":-2,"seen":3'
expect_rc 0 run "$tmp/fleet.lua" --policy "$tmp/push.lua" --param n=12 --json
check "--param n=12 sizes the spaces 12 x 2" has "$tmp/out" '"count":24,.*"seen":12'

# a shape naming a randomized or non-integer param, or an unknown one, is an error
sed 's/integer = true, description/integer = true, randomize = true, description/' "$tmp/fleet.lua" >"$tmp/rand.lua"
expect_rc 3 check "$tmp/rand.lua"
check "randomized size refused" has "$tmp/err" "must name an integer param that is not randomized"
sed 's/shape = {"n", 2}/shape = {"m", 2}/' "$tmp/fleet.lua" >"$tmp/unknown.lua"
expect_rc 3 check "$tmp/unknown.lua"
check "unknown size param named" has "$tmp/err" "shape\[1\] 'm'"
# bounds that match neither one, all, nor the last dimension
sed 's/low = {-1, -2}, high = {1, 2}/low = {-1, -2, -3}, high = {1, 2, 3}/' "$tmp/fleet.lua" >"$tmp/bounds.lua"
expect_rc 3 run "$tmp/bounds.lua"
check "bad bound count explained" has "$tmp/err" "one per index of the last dimension"

# world:contact_pairs: three boxes in a row, 1 and 2 touching, 3 apart; a Robot group
cat >"$tmp/pairs.lua" <<'LUA'
local boxes = {}
local scene = {name = "pairs", timestep = 0.01, time_limit = 0.2}
function scene.build(world, ctx)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0}
    for i, x in ipairs({0, 0.49, 3}) do
        boxes[i] = world:body{name = "box" .. i, pos = {x, 0, 0.25},
                              geoms = {{type = "box", size = {0.5, 0.5, 0.5}}}}
    end
    local arm = world:body{name = "arm", pos = {3, 0, 0.75}, geoms = {{type = "box", size = {0.2, 0.2, 0.5}}}}
    local j = world:joint{type = "hinge", body1 = arm, body2 = boxes[3], anchor = {3, 0, 0.5}, axis = {0, 1, 0}}
    ctx.state.n = 0
    boxes.robot = world:robot{name = "r", links = {boxes[3], arm}, joints = {{joint = j, name = "j"}}}
end
function scene.step(ctx)
    local p = ctx.world:contact_pairs{boxes[1], {boxes[2]}, boxes.robot}
    ctx.state.n = #p
    ctx.state.i, ctx.state.j = p[1] and p[1][1] or 0, p[1] and p[1][2] or 0
end
function scene.metrics(ctx) return {n = ctx.state.n, i = ctx.state.i, j = ctx.state.j} end
return scene
LUA
expect_rc 0 run "$tmp/pairs.lua" --json
check "boxes 1 and 2 touch, the robot touches no group" has "$tmp/out" '"metrics":{"i":1,"j":2,"n":1}'

# 12 robots bumping into each other: contact_pairs finds the same robot pairs as a scan
# of world:contacts() (the metric sums the pairs over every step), and the bench mode
# that times the two runs and keeps the trajectories identical
for q in contacts pairs; do
    expect_rc 0 run "$src/scenes/bench/fleet_contacts.lua" --param query=$q --steps 1000 --json
    grep -o '"robot_pairs":[0-9]*' "$tmp/out" >"$tmp/pairs_$q"
done
check "fleet_contacts: robots do collide" grep -qv '"robot_pairs":0$' "$tmp/pairs_pairs"
check "fleet_contacts: contact_pairs agrees with the contacts scan" cmp -s "$tmp/pairs_contacts" "$tmp/pairs_pairs"
expect_rc 0 bench --contacts --steps 200 --repeat 1 --json
check "bench --contacts: identical trajectories" has "$tmp/out" '"identical":true'
check "bench --contacts: reports both queries" has "$tmp/out" '"query":"pairs"'
expect_rc 2 bench --contacts --sensors

echo "test_fleet: $checks checks, $failed failed"
[[ $failed == 0 ]]
