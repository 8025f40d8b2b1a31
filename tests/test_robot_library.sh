#!/usr/bin/env bash
# The robot library in scripts/robots/: for each module, a small inline scene requires
# it, drives its actuators for a short time and reports the motion as metrics; the
# checks read them from `pilotsim run --json`.
# usage: test_robot_library.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
checks=0
failed=0

# run NAME [ARGS...]: runs $tmp/NAME.lua, keeps the JSON in $tmp/NAME.json
run() {
  local name=$1; shift
  "$ps" run "$tmp/$name.lua" --json --quiet --module-path "$src/scripts" "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"
  local rc=$?
  checks=$((checks + 1))
  if [[ $rc -ne 0 ]] || ! grep -q '"status":"timeout"\|"status":"success"' "$tmp/$name.json"; then
    failed=$((failed + 1))
    echo "FAILED: $name ran with exit code $rc" >&2
    sed 's/^/  stdout: /' "$tmp/$name.json" >&2
    sed 's/^/  stderr: /' "$tmp/$name.err" >&2
  fi
}

# expect NAME DESCRIPTION PYTHON_EXPR: the expression sees the metrics as m
# (m["x"]) and the whole result as d; prints the metrics when it is false.
expect() {
  local name=$1 what=$2 expr=$3
  checks=$((checks + 1))
  if ! "$py" -c '
import json, math, sys
d = json.load(open(sys.argv[1]))
m = d.get("metrics", {})
sys.exit(0 if eval(sys.argv[2]) else 1)
' "$tmp/$name.json" "$expr" 2>>"$tmp/$name.err"; then
    failed=$((failed + 1))
    echo "FAILED: $name: $what ($expr)" >&2
    "$py" -c 'import json,sys; print("  metrics:", json.dumps(json.load(open(sys.argv[1])).get("metrics")))' "$tmp/$name.json" >&2 2>/dev/null
  fi
}

# ------------------------------------------------------------------ robots.kin
cat >"$tmp/kin.lua" <<'EOF'
local kin = require "robots.kin"
local m = {}
return { name = "kin", timestep = 0.01, time_limit = 0.01, build = function() end,
  metrics = function(ctx)
    local q = kin.quat_axis_angle({0, 0, 1}, math.pi / 2)
    local v = kin.rotate(q, {1, 0, 0})
    local A = kin.pose({1, 2, 3}, kin.quat_yaw(0.7))
    local B = kin.pose({0.3, -0.2, 0.1}, kin.quat_axis_angle({0, 1, 0}, 0.4))
    local p = kin.pose_apply(kin.pose_mul(kin.pose_inv(A), A), {0.5, 0.6, 0.7})
    local AB = kin.pose_mul(A, B)
    local back = kin.pose_apply(kin.pose_inv(AB), kin.pose_apply(AB, {0.1, 0.2, 0.3}))
    return {rx = v[1], ry = v[2], rz = v[3], px = p[1], py = p[2], pz = p[3],
            bx = back[1], by = back[2], bz = back[3], wrap = kin.wrap(3 * math.pi),
            yaw = kin.yaw_of(table.unpack(kin.quat_yaw(-2.5))), s0 = kin.smoothstep(0),
            s5 = kin.smoothstep(0.5), s1 = kin.smoothstep(2)}
  end }
EOF
run kin
expect kin "rotating x by 90 deg about z gives y" 'abs(m["rx"]) < 1e-12 and abs(m["ry"] - 1) < 1e-12 and abs(m["rz"]) < 1e-12'
expect kin "pose inverse composes to identity" 'abs(m["px"] - 0.5) + abs(m["py"] - 0.6) + abs(m["pz"] - 0.7) < 1e-12'
expect kin "pose_mul/pose_inv round trip" 'abs(m["bx"] - 0.1) + abs(m["by"] - 0.2) + abs(m["bz"] - 0.3) < 1e-12'
expect kin "wrap, yaw_of, smoothstep" 'abs(m["wrap"] - math.pi) < 1e-12 and abs(m["yaw"] + 2.5) < 1e-12 and m["s0"] == 0 and m["s5"] == 0.5 and m["s1"] == 1'

# ------------------------------------------------------------- robots.diffdrive
cat >"$tmp/diffdrive.lua" <<'EOF'
local diffdrive = require "robots.diffdrive"
local r
return { name = "diffdrive", timestep = 0.002, time_limit = 4,
  build = function(world, ctx)
    world:geom{type = "plane"}
    r = diffdrive.build(world, {name = "dd", pos = {0, 0}, yaw = 0})
  end,
  step = function(ctx)
    if ctx.t < 2 then r:set_wheels(5, 5) else r:set_wheels(-3, 3) end
    if ctx.step == 999 then ctx.state.x2, ctx.state.y2, ctx.state.yaw2 = r:pose2d() end
  end,
  metrics = function(ctx)
    local x, y, yaw = r:pose2d()
    return {x2 = ctx.state.x2, y2 = ctx.state.y2, yaw2 = ctx.state.yaw2, yaw = yaw, up = r:up_z(),
            wl = r.left:rate(), wr = r.right:rate()}
  end }
EOF
run diffdrive
# 5 rad/s x 0.1 m = 0.5 m/s for 2 s (minus the spin-up)
expect diffdrive "both wheels forward drive it forward ~1 m" 'm["x2"] > 0.85 and m["x2"] < 1.05 and abs(m["y2"]) < 0.02 and abs(m["yaw2"]) < 0.02'
expect diffdrive "opposite wheels turn it left in place" 'm["yaw"] > 1.0 and m["wr"] > 2.5 and m["wl"] < -2.5 and m["up"] > 0.99'

# --------------------------------------------------------- robots.service_tray
cat >"$tmp/service_tray.lua" <<'EOF'
local service_tray = require "robots.service_tray"
local r, cup
return { name = "service_tray", timestep = 0.002, time_limit = 4,
  build = function(world, ctx)
    world:geom{type = "plane"}
    r = service_tray.build(world, {name = "st"})
    local x, y, z = r:tray_pos()
    ctx.state.tz0 = z
    cup = world:body{name = "cup", pos = {x + 0.05, y, z + 0.051}, mass = 0.3,
                     geoms = {{type = "cylinder", radius = 0.035, length = 0.1}}}
    ctx.state.v = 0
  end,
  step = function(ctx)
    local s = ctx.state
    local want = (ctx.t < 2.5) and 0.4 or 0
    s.v = s.v + math.max(-0.5 * ctx.dt, math.min(0.5 * ctx.dt, want - s.v))
    r:set_twist(s.v, 0)
  end,
  metrics = function(ctx)
    local x, y, z = r:tray_pos()
    local lx, ly, lz = r:tray_local(cup:pos())
    return {tray_x = x, tray_z0 = ctx.state.tz0, tray_z = z, on_tray = r:on_tray(cup) and 1 or 0,
            cup_lx = lx, cup_lz = lz, up = r:up_z(), speed = r:speed()}
  end }
EOF
run service_tray
expect service_tray "the tray's top is at 0.90 m" 'abs(m["tray_z0"] - 0.90) < 0.01 and abs(m["tray_z"] - 0.90) < 0.01'
# ramp to 0.4 m/s at 0.5 m/s^2, cruise, ramp down from 2.5 s: 1.0 m
expect service_tray "the robot drove ~1 m forward and stopped" 'm["tray_x"] > 0.9 and m["tray_x"] < 1.1 and m["speed"] < 0.05'
expect service_tray "the cup is still on the tray" 'm["on_tray"] == 1 and abs(m["cup_lx"] - 0.05) < 0.02 and abs(m["cup_lz"] - 0.05) < 0.01'

# ------------------------------------------------------------------ robots.arm6
cat >"$tmp/arm6.lua" <<'EOF'
local arm6 = require "robots.arm6"
local arm
return { name = "arm6", timestep = 0.002, time_limit = 3, world = {iterations = 50},
  build = function(world, ctx)
    world:geom{type = "plane"}
    arm = arm6.build(world, {name = "arm", pos = {0, 0, 0.5}})
    local s = ctx.state
    s.q0 = arm:q()
    s.w0 = arm:gripper_width()
    s.x0, s.y0, s.z0 = arm:tcp()
    s.fx0, s.fy0, s.fz0 = arm:fk(arm:q())
    s.target = {0.5, -1.2, 1.8, 0.3, 0.9, -0.4}
    s.ik = arm:ik_down(0.55, -0.2, 0.35, 0.3)
  end,
  step = function(ctx)
    local s = ctx.state
    if ctx.t < 1.5 then
      arm:command(s.target)
      arm:grip(0)
      if ctx.step == 700 then s.q1 = arm:q(); s.w1 = arm:gripper_width() end
    else
      arm:command(s.ik)
      arm:grip(0.08)
    end
  end,
  metrics = function(ctx)
    local s = ctx.state
    local x, y, z = arm:tcp()
    local fx, fy, fz = arm:fk(arm:q())
    local m = {w0 = s.w0, w1 = s.w1, w2 = arm:gripper_width(), dof = arm.robot:dof(), mass = arm.robot:mass(),
               home_err = 0, track_err = 0,
               fk_err0 = math.sqrt((s.x0 - s.fx0) ^ 2 + (s.y0 - s.fy0) ^ 2 + (s.z0 - s.fz0) ^ 2),
               fk_err = math.sqrt((x - fx) ^ 2 + (y - fy) ^ 2 + (z - fz) ^ 2),
               ik_err = math.sqrt((x - 0.55) ^ 2 + (y + 0.2) ^ 2 + (z - 0.35) ^ 2)}
    -- closing direction: from the left finger to the right one, folded into [0, pi)
    local lx, ly, lz = arm.finger_left:pos()
    local rx, ry, rz = arm.finger_right:pos()
    m.close_dir = math.atan(ry - ly, rx - lx) % math.pi
    m.close_dz = math.abs(rz - lz)
    for i = 1, 6 do
      m.home_err = math.max(m.home_err, math.abs(s.q0[i] - arm.home[i]))
      m.track_err = math.max(m.track_err, math.abs(s.q1[i] - s.target[i]))
    end
    return m
  end }
EOF
run arm6
expect arm6 "built at its home pose with the gripper open" 'm["home_err"] < 1e-9 and abs(m["w0"] - 0.10) < 1e-9 and m["dof"] == 8'
# after motion the bodies sit off the ideal chain by the solver's joint error (< 1 mm)
expect arm6 "forward kinematics match the bodies" 'm["fk_err0"] < 1e-9 and m["fk_err"] < 0.002'
expect arm6 "every joint reached its commanded angle within 0.02 rad in 1.4 s" 'm["track_err"] < 0.02'
expect arm6 "the gripper closed (no object) and reopened to 8 cm" 'm["w1"] < 0.005 and abs(m["w2"] - 0.08) < 0.003'
expect arm6 "the tool centre point reached the IK target within 1 cm" 'm["ik_err"] < 0.01'
expect arm6 "the fingers close along the requested heading (0.3 rad), level" 'abs(m["close_dir"] - 0.3) < 0.02 and m["close_dz"] < 0.002'

# --------------------------------------------------- robots.mobile_manipulator
cat >"$tmp/mobile_manipulator.lua" <<'EOF'
local mm = require "robots.mobile_manipulator"
local r
return { name = "mobile_manipulator", timestep = 0.002, time_limit = 4, world = {iterations = 50},
  build = function(world, ctx)
    world:geom{type = "plane"}
    r = mm.build(world, {name = "mm"})
    local s = ctx.state
    s.x0, s.y0, s.z0 = r.arm:tcp()
    s.v = 0
  end,
  step = function(ctx)
    local s = ctx.state
    local want = (ctx.t < 2.5) and 0.4 or 0
    s.v = s.v + math.max(-0.6 * ctx.dt, math.min(0.6 * ctx.dt, want - s.v))
    r:set_twist(s.v, 0)
    local q = r:carry_q()
    q[1] = 0.6
    r.arm:command(q)
    r.arm:grip(0)
  end,
  metrics = function(ctx)
    local s = ctx.state
    local x = r:pose2d()
    return {x = x, pan = r.arm:q()[1], width = r.arm:gripper_width(), up = r:up_z(), mass = r:mass(),
            tcp_z0 = s.z0}
  end }
EOF
run mobile_manipulator
expect mobile_manipulator "the base drove ~1 m forward" 'm["x"] > 0.85 and m["x"] < 1.1'
expect mobile_manipulator "the arm panned to 0.6 rad and the gripper closed" 'abs(m["pan"] - 0.6) < 0.02 and m["width"] < 0.005'
expect mobile_manipulator "upright, carry pose 0.45 m above the arm base" 'm["up"] > 0.99 and abs(m["tcp_z0"] - (0.27 + 0.35 + 0.45)) < 0.005 and abs(m["mass"] - 91.69) < 0.1'

# ------------------------------------------------------------------- robots.go2
cat >"$tmp/go2.lua" <<'EOF'
local go2 = require "robots.go2"
local kin = require "robots.kin"
local dog
return { name = "go2", timestep = 0.002, time_limit = 8,
  build = function(world, ctx)
    world:geom{type = "plane"}
    dog = go2.build(world, {name = "go2"})
    ctx.state.h_min, ctx.state.up_min = 1, 1
  end,
  step = function(ctx)
    local s, t = ctx.state, ctx.t
    if t < 1.5 then dog:stand(0.30)
    elseif t < 3.0 then dog:stand(0.30 - 0.10 * kin.smoothstep((t - 1.5) / 0.8))
    elseif t < 4.5 then dog:stand(0.20 + 0.10 * kin.smoothstep((t - 3.0) / 0.8))
    else dog:trot(t - 4.5, {vx = 0.3}) end
    if ctx.step == 749 then s.h_stand, s.x_stand = dog:base_height(), dog:pose2d() end
    if ctx.step == 1499 then s.h_crouch = dog:base_height() end
    if ctx.step == 2249 then s.h_up, s.x_up = dog:base_height(), dog:pose2d() end
    s.h_min = math.min(s.h_min, dog:base_height())
    s.up_min = math.min(s.up_min, dog:up_z())
  end,
  metrics = function(ctx)
    local s = ctx.state
    local x = dog:pose2d()
    return {h_stand = s.h_stand, h_crouch = s.h_crouch, h_up = s.h_up, h_min = s.h_min, up_min = s.up_min,
            walked = x - s.x_up, drift = math.abs(s.x_up - s.x_stand), q_calf = dog.robot:position("FL_calf_joint")}
  end }
EOF
run go2
expect go2 "stands ~0.32 m high (hips 0.30 m above the feet)" 'abs(m["h_stand"] - 0.323) < 0.02'
expect go2 "crouches by ~0.1 m and stands back up" 'abs(m["h_stand"] - m["h_crouch"] - 0.10) < 0.02 and abs(m["h_up"] - m["h_stand"]) < 0.01'
expect go2 "stays up and upright throughout" 'm["h_min"] > 0.18 and m["up_min"] > 0.95'
expect go2 "trots forward at least 0.5 m in 3.5 s" 'm["walked"] > 0.5 and m["drift"] < 0.05'

cat >"$tmp/go2_sway.lua" <<'EOF'
local go2 = require "robots.go2"
local dog
return { name = "go2_sway", timestep = 0.002, time_limit = 8,
  build = function(world, ctx)
    world:geom{type = "plane"}
    dog = go2.build(world, {name = "go2"})
    ctx.state.ymin, ctx.state.ymax, ctx.state.hmin, ctx.state.hmax = 1, -1, 1, 0
  end,
  step = function(ctx)
    local s, t = ctx.state, ctx.t
    if t < 1 then dog:stand(0.28)
    elseif t < 5 then
      dog:sway(t - 1, {amplitude = 0.04, bob = 0.02, period = 2, height = 0.28})
      if t > 2 then
        local _, y = dog:pose2d()
        local h = dog:base_height()
        s.ymin, s.ymax = math.min(s.ymin, y), math.max(s.ymax, y)
        s.hmin, s.hmax = math.min(s.hmin, h), math.max(s.hmax, h)
      end
    else
      dog:trot(t - 5, {vx = 0.1, wz = 0.6})
      if ctx.step == 2500 then s.yaw5 = select(3, dog:pose2d()) end
    end
  end,
  metrics = function(ctx)
    local s = ctx.state
    return {sway = (s.ymax - s.ymin) / 2, bob = (s.hmax - s.hmin) / 2,
            turned = select(3, dog:pose2d()) - s.yaw5, up = dog:up_z()}
  end }
EOF
run go2_sway
expect go2_sway "sways +-4 cm sideways and bobs +-2 cm" 'abs(m["sway"] - 0.04) < 0.015 and abs(m["bob"] - 0.02) < 0.007'
expect go2_sway "a turning trot (0.6 rad/s) turns it left > 0.9 rad in 3 s" 'm["turned"] > 0.9 and m["up"] > 0.95'

# -------------------------------------------------------------- robots.humanoid
cat >"$tmp/humanoid.lua" <<'EOF'
local humanoid = require "robots.humanoid"
local h, g
return { name = "humanoid", timestep = 0.002, time_limit = 6, world = {iterations = 50},
  build = function(world, ctx)
    world:geom{type = "plane"}
    h = humanoid.build(world, {name = "h", pos = {0, 0}})
    g = humanoid.build(world, {name = "g", pos = {0, 2}, mode = "ragdoll"})
    ctx.state.z0 = h:pelvis_height()
  end,
  step = function(ctx)
    local s = ctx.state
    if ctx.t >= 0.5 then h:command{l_shoulder_pitch = -math.pi / 2, r_elbow = -1.0, waist_yaw = 0.3} end
    if ctx.t < 0.2 then g.torso:add_force(60, 0, 0) end
    if ctx.step == 1249 then s.lsp, s.relb, s.waist = h:q("l_shoulder_pitch"), h:q("r_elbow"), h:q("waist_yaw") end
  end,
  metrics = function(ctx)
    local s = ctx.state
    return {lsp = s.lsp, relb = s.relb, waist = s.waist, z0 = s.z0, z = h:pelvis_height(), up = h:up_z(),
            head = h:head_height(), ragdoll_head = g:head_height(), dof = h.robot:dof(), mass = h.robot:mass()}
  end }
EOF
run humanoid
expect humanoid "17 joints, 67.2 kg, head at 1.62 m" 'm["dof"] == 17 and abs(m["mass"] - 67.2) < 1e-6 and abs(m["head"] - 1.62) < 0.01'
expect humanoid "the arm raise reaches -pi/2 within 0.05 rad in 2 s" 'abs(m["lsp"] + math.pi / 2) < 0.05'
expect humanoid "elbow and waist reach their targets within 0.05 rad" 'abs(m["relb"] + 1.0) < 0.05 and abs(m["waist"] - 0.3) < 0.05'
expect humanoid "the PD humanoid keeps standing" 'abs(m["z"] - m["z0"]) < 0.02 and m["up"] > 0.99'
expect humanoid "the pushed ragdoll collapses (head down from 1.62 m)" 'm["ragdoll_head"] < 0.5'

# --------------------------------------------------------------- robots.crawler
cat >"$tmp/crawler.lua" <<'EOF'
local crawler = require "robots.crawler"
local r
return { name = "crawler", timestep = 0.002, time_limit = 5, world = {iterations = 30},
  build = function(world, ctx)
    world:geom{type = "plane"}
    world:geom{type = "box", size = {0.3, 3, 0.08}, pos = {1.2, 0, 0.04}}   -- a kerb to climb
    r = crawler.build(world, {name = "rover"})
    ctx.state.zc0 = select(3, r.chassis:pos())
    ctx.state.susp_max = 0
  end,
  step = function(ctx)
    local s = ctx.state
    if ctx.t < 3 then r:set_twist(0.6, 0) else r:set_twist(0, 1.5) end
    if ctx.step == 1499 then s.x3, s.y3, s.yaw3 = r:pose2d() end
    for _, v in ipairs(r:suspension()) do s.susp_max = math.max(s.susp_max, v) end
  end,
  metrics = function(ctx)
    local s = ctx.state
    local _, _, yaw = r:pose2d()
    return {x3 = s.x3, y3 = s.y3, yaw3 = s.yaw3, turned = yaw - s.yaw3, up = r:up_z(),
            susp_max = s.susp_max, zc0 = s.zc0, dof = r.robot:dof(), w = r.robot:velocity("wheel_FL")}
  end }
EOF
run crawler
expect crawler "12 joints; sprung chassis ~0.23 m up" 'm["dof"] == 12 and abs(m["zc0"] - 0.23) < 0.01'
expect crawler "drives forward over an 8 cm kerb ~1.6 m in 3 s" 'm["x3"] > 1.4 and abs(m["y3"]) < 0.1 and abs(m["yaw3"]) < 0.1'
expect crawler "the suspension took the kerb" 'm["susp_max"] > 0.02'
expect crawler "skid-steers left in place" 'm["turned"] > 0.3 and m["up"] > 0.95'

echo "test_robot_library: $checks checks, $failed failed"
[[ $failed -eq 0 ]]
