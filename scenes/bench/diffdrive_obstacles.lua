--[[
bench/diffdrive_obstacles: a differential-drive robot drives a fixed forward/turn
pattern among 20 static obstacles in a 10 x 10 m walled area.

WORLD (pilotsim defaults unless listed): gravity (0, 0, -9.81); timestep 0.002 s,
time limit 10 s (5000 steps); dWorldQuickStep, 20 iterations, SOR w 1.3; world ERP 0.2,
CFM 1e-5; contact surface layer 0.001 m; max correcting vel 1.0 m/s; hash space; up to
8 contacts per geom pair; no auto-disable, no damping.
Materials (Coulomb friction; a contact gets sqrt(mu1 * mu2); no restitution; softness
= the world ERP/CFM): "default" 0.8 (ground, walls, obstacles, chassis box),
"robot/wheel" 1.0 (tyres), "robot/caster" 0.001 (caster spheres).

CONTACTS: the contact pass of docs/ode-notes.md ("The contact pass, step by step"),
which other engines' versions of this scene should reproduce.

STATIC GEOMETRY (no bodies), identity orientation unless stated, in this order:
  ground plane z = 0 (normal (0,0,1), d = 0)
  4 walls, 0.5 m high, inner faces at x = +-5 and y = +-5:
    box 0.1 x 10.2 x 0.5 at (+5.05, 0, 0.25) and (-5.05, 0, 0.25)
    box 10.0 x 0.1 x 0.5 at (0, +5.05, 0.25) and (0, -5.05, 0.25)
  10 boxes (size x y z, centre (x, y, z/2)) and 10 upright cylinders (radius, length =
  height, axis along world z, centre (x, y, h/2)), listed in OBSTACLES below in
  creation order (boxes first).

ROBOT: robots.diffdrive (scripts/robots/diffdrive.lua) with its defaults, name "robot",
start pose (0, 0) facing +x, at rest:
  chassis: box 0.5 x 0.4 x 0.15, 20 kg, centre (0, 0, 0.10), inertia diag (0.304167,
    0.454167, 0.683333), geoms: the box (offset 0) and one rear caster sphere r 0.025
    (material robot/caster) at chassis-frame offset (-0.20, 0, -0.075)
  wheels: cylinders r 0.10, length 0.04, axis along y (geom offset rotation roll
    +pi/2, quaternion (cos pi/4, sin pi/4, 0, 0)), 1 kg, inertia diag (0.00263333,
    0.005, 0.00263333), body centres (0.10, +0.23, 0.10) (left) and (0.10, -0.23, 0.10)
    (right), material robot/wheel. Wheels + caster = a 3-point support.
  joints: hinge wheel (body1) to chassis (body2), anchor = wheel centre, axis (0, 1, 0),
    velocity motor Vel 0 / FMax 20 N m from the start; created left, right.
  Creation order: materials wheel, caster; chassis; left wheel + hinge; right wheel + hinge.

DRIVING PATTERN (step callback, before each physics step k = 0, 1, ...): with
c = k % 2000 (a 4 s cycle), forward for c < 1250 (2.5 s: both wheel motors Vel = 5 rad/s,
0.5 m/s), otherwise turn left in place (left wheel -2.3 rad/s, right +2.3 rad/s, a yaw
rate of 1.0 rad/s), FMax 20 N m. The callback only calls set_motor when the mode changes
(k = 0, 1250, 2000, 3250, 4000, ...), which is equivalent to setting it every step.
The robot drives a rough 1.3 m square and, from about t = 9.2 s, pushes against and
slides along cylinder 1 (chassis box against a static cylinder).
--]]

local diffdrive = require "robots.diffdrive"
local kit = require "kit"

-- Boxes: {x, y, sx, sy, sz}; cylinders: {x, y, radius, height}.
local BOXES = {
    {3.0, 0.5, 0.5, 0.5, 0.5},
    {-2.5, 2.0, 0.6, 0.4, 0.6},
    {2.0, -3.0, 0.4, 0.8, 0.4},
    {-3.5, -1.5, 0.5, 0.5, 0.8},
    {0.5, 3.5, 1.0, 0.3, 0.5},
    {-1.0, -3.0, 0.4, 0.4, 0.4},
    {4.0, 3.5, 0.6, 0.6, 0.6},
    {-4.0, 4.0, 0.5, 0.5, 0.5},
    {2.5, 2.5, 0.3, 0.9, 0.5},
    {-2.0, -0.5, 0.4, 0.4, 1.0},
}
local CYLINDERS = {
    {0.6, 1.60, 0.20, 0.6},
    {1.8, -1.2, 0.15, 0.5},
    {-1.5, 1.2, 0.25, 0.8},
    {3.8, -1.0, 0.20, 0.6},
    {-3.0, 3.2, 0.30, 0.5},
    {0.0, -2.0, 0.20, 0.7},
    {-4.2, 0.5, 0.20, 0.6},
    {1.2, 4.3, 0.25, 0.6},
    {4.2, -4.0, 0.30, 0.5},
    {-2.8, -4.0, 0.20, 0.9},
}


local robot                              -- set in build
local shuttled = {}                      -- {robot}, made once (the step allocates nothing)

local scene = {
    name = "diffdrive_obstacles",
    domain = "bench",
    description = "Diff-drive robot with a fixed drive pattern among 20 obstacles",
    timestep = 0.002,
    time_limit = 10,
}

function scene.build(world, ctx)
    kit.room.floor(world, {color = {0.6, 0.6, 0.55}})
    kit.room.walls(world, {-5, -5, 5, 5}, {height = 0.5, color = {0.4, 0.4, 0.45}})
    for i = 1, #BOXES do
        local b = BOXES[i]
        world:geom{type = "box", size = {b[3], b[4], b[5]}, pos = {b[1], b[2], b[5] / 2},
                   color = {0.7, 0.5, 0.3}, name = "obstacle_box" .. i}
    end
    for i = 1, #CYLINDERS do
        local c = CYLINDERS[i]
        world:geom{type = "cylinder", radius = c[3], length = c[4], pos = {c[1], c[2], c[4] / 2},
                   color = {0.3, 0.6, 0.4}, name = "obstacle_cyl" .. i}
    end
    robot = diffdrive.build(world, {name = "robot", pos = {0, 0}, yaw = 0})
    shuttled[1] = robot
    ctx.state.mode = 0                   -- 0 = not set yet, 1 = forward, 2 = turning
end

function scene.step(ctx)
    diffdrive.shuttle(ctx.state, ctx.step, shuttled)
end

function scene.metrics(ctx)
    local x, y, yaw = robot:pose2d()
    return {robot_x = x, robot_y = y, robot_yaw_deg = math.deg(yaw), robot_up_z = robot:up_z()}
end

return scene
