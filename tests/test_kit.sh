#!/usr/bin/env bash
# The scene kit (scripts/kit): every builder in one world (tests/scenes/kit_tour.lua), with
# physical checks: the conveyor carries a parcel at its speed, boxes rest on the top step
# and the ramp's landing, the crowd walks; the navigation kit (tests/scenes/kit_nav.lua);
# a misspelled robot option is an error.
# usage: test_kit.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"
py=/usr/bin/python3

expect_rc 0 run "$src/tests/scenes/kit_tour.lua" --seed 1 --json
m() { "$py" -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(d["metrics"][sys.argv[2]])' "$tmp/out" "$1"; }
within() { "$py" -c 'import sys; v,a,b=map(float,sys.argv[1:]); sys.exit(0 if a<=v<=b else 1)' "$(m "$1")" "$2" "$3"; }
# 2 s at 0.3 m/s = 0.6 m (a little less while friction brings the parcel up to speed)
check "conveyor carries the parcel ~0.6 m" within parcel_dx 0.5 0.62
check "box rests on the top step (centre 5 cm up)" within steps_rest 0.045 0.055
check "box rests on the ramp's landing" within ramp_rest 0.045 0.055
check "the crowd walks (1.0-1.2 m/s for <= 2 s)" within walked 0.5 2.5
check "5 bodies per person" within people_bodies 15 15
check "3 loose rocks" within rocks 3 3
check "polyline length" within line_length 7 7
check "polyline point at 5 m" within line_x 3 3
# open boxes: 8 cm blocks rest on the 1 cm (tote) and 2 cm (bin body) floors, inside
check "block rests inside the static open box" within tote_rest 0.047 0.052
check "block rests inside the open-box body" within bin_rest 0.057 0.063
expect_rc 0 run "$src/tests/scenes/kit_tour.lua" --seed 1 --json
cp "$tmp/out" "$tmp/out1"
expect_rc 0 run "$src/tests/scenes/kit_tour.lua" --seed 1 --json
check "same seed, same hash" test "$(grep -o '"hash":"[0-9a-f]*"' "$tmp/out")" = "$(grep -o '"hash":"[0-9a-f]*"' "$tmp/out1")"

# the navigation kit (tests/scenes/kit_nav.lua): rover + route + steer through a mitered
# L corridor, a lift, a sliding door, a slab with a hole, kit.sight
expect_rc 0 run "$src/tests/scenes/kit_nav.lua" --seed 1 --json
check "kit_nav: the robot completes its route through the mitered corridor" has "$tmp/out" '"status":"success"'
check "kit_nav: both route points done" within route_done 2 2
check "kit_nav: path about 7 m (5 m + 3 m less the tolerance)" within path 6.3 7.5
check "kit_nav: the lift carried the box to the upper level (top 2 m)" within lift_box_z 2.04 2.06
check "kit_nav: the lift stands at level 2" within lift_level 2 2
check "kit_nav: the 1.2 m door at 0.6 m/s is half open after 1 s" within gate_1s 0.49 0.51
check "kit_nav: a ball over the slab's hole falls through to the floor below" within ball_hole_z -0.91 -0.89
check "kit_nav: a ball over the slab rests on it" within ball_slab_z 0.095 0.105
check "kit_nav: a box on the line of sight occludes" within sight_blocked 1 1
check "kit_nav: a box beside it does not" within sight_clear 0 0
check "kit_nav: a target 9 deg off the axis is in a 60 deg view" within sight_in_view 1 1
check "kit_nav: one 63 deg off is not" within sight_outside_fov 0 0

# robot options are checked by kit.util.options
printf 'local d = require "robots.diffdrive"\nreturn {name = "o", timestep = 0.01, time_limit = 0.02,\n build = function(world) d.build(world, {wheel_radus = 0.1}) end}\n' >"$tmp/opt.lua"
expect_rc 3 run "$tmp/opt.lua"
check "misspelled robot option named" has "$tmp/err" "robots.diffdrive: unknown option 'wheel_radus'"

# the umbrella modules: kit.NAME is require "kit.NAME" (robots, scenario likewise); an unknown name is an error listing the known ones
printf 'local kit = require "kit"\nassert(kit.util == require "kit.util" and kit.room.floor)\nlocal robots, scenario = require "robots", require "scenario"\nassert(robots.diffdrive == require "robots.diffdrive" and scenario.safety == require "scenario.safety")\nreturn {name = "u", timestep = 0.01, time_limit = 0.02,\n build = function(world) kit.room.floor(world, {}) end}\n' >"$tmp/kit_ok.lua"
expect_rc 0 run "$tmp/kit_ok.lua"
printf 'local kit = require "kit"\nreturn {name = "u", timestep = 0.01, time_limit = 0.02,\n build = function(world) kit.rom.floor(world, {}) end}\n' >"$tmp/kit_bad.lua"
expect_rc 3 run "$tmp/kit_bad.lua"
check "kit: an unknown module is named, with the known ones" has "$tmp/err" "kit: no module 'rom' (known: door, people, props, room"
check "kit: the error names the scene's line" has "$tmp/err" "kit_bad.lua:3"
printf 'local robots = require "robots"\nreturn {name = "u", timestep = 0.01, time_limit = 0.02,\n build = function(world) robots.difdrive.build(world) end}\n' >"$tmp/robots_bad.lua"
expect_rc 3 run "$tmp/robots_bad.lua"
check "robots: an unknown robot module is named, with the known ones" has "$tmp/err" "robots: no module 'difdrive' (known: arm6, base, crawler, diffdrive"

# robots.base: every ground robot's handle reads its body the same way (pose2d, up_z, speed)
cat >"$tmp/base.lua" <<'LUA'
local robots = require "robots"
local bots = {}
return {name = "b", timestep = 0.002, time_limit = 0.2,
 build = function(world)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0}
    bots[1] = robots.diffdrive.build(world, {name = "d", pos = {0, 0}, yaw = 0.5})
    bots[2] = robots.crawler.build(world, {name = "c", pos = {0, 3}, yaw = -0.5})
    bots[3] = robots.mobile_manipulator.build(world, {name = "m", pos = {3, 0}, yaw = 0.5})
    bots[4] = robots.service_tray.build(world, {name = "s", pos = {3, 3}, yaw = -0.5})
    bots[5] = robots.humanoid.build(world, {name = "h", pos = {6, 0}, yaw = 0.5})
 end,
 step = function()
    bots[1]:set_twist(0.4, 0); bots[2]:set_twist(0.4, 0); bots[3]:set_twist(0.4, 0); bots[4]:set_twist(0.4, 0)
 end,
 metrics = function()
    local m = {}
    for i, b in ipairs(bots) do
        local x, y, yaw = b:pose2d()
        local vx, vy = (b.chassis or b.pelvis):linvel()
        m["yaw" .. i], m["up" .. i] = yaw, b:up_z()
        m["speed_err" .. i] = math.abs(b:speed() - math.sqrt(vx * vx + vy * vy))
        m["x" .. i], m["y" .. i] = x, y
    end
    return m
 end}
LUA
expect_rc 0 run "$tmp/base.lua" --json
for i in 1 3 5; do check "robots.base: handle $i keeps its start yaw" within yaw$i 0.49 0.51; done
for i in 2 4; do check "robots.base: handle $i keeps its start yaw" within yaw$i -0.51 -0.49; done
for i in 1 2 3 4 5; do check "robots.base: handle $i upright" within up$i 0.99 1.0; done
for i in 1 2 3 4 5; do check "robots.base: handle $i speed is its body's planar speed" within speed_err$i 0 0; done
check "robots.base: set_twist drives the diffdrive forward along its heading" within x1 0.02 0.2
check "robots.base: set_twist drives the crawler forward along its heading" within x2 0.01 0.2

echo "test_kit: $checks checks, $failed failed"
[[ $failed == 0 ]]
