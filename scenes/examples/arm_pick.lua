-- A 6-DOF arm with UR5-like dimensions (robots.arm6: 0.425 + 0.392 m links, 22 kg,
-- position servos) with a parallel-jaw gripper (two slider fingers, 40 N each, mu 1.2
-- pads) stands on a table and picks up a 0.5 kg box (6 x 6 x 10 cm) placed at a random
-- spot and heading on the table (episode RNG, within the params' ranges).
--
-- step() runs a scripted pick: joint-space minimum-jerk moves between inverse-kinematics
-- poses (tool pointing down, fingers closing across the box): home -> 15 cm above the
-- box -> grasp height -> close -> lift 20 cm -> hold.
--
-- success: the box's bottom at least 0.1 m above the table top, held between both
--          fingers, continuously for 1 s
-- failure: the box fell off the table, or an inverse-kinematics target was out of reach
-- reward:  +1 per second while the box is lifted and held
-- metrics: box height gained, time lifted, grip width, TCP tracking error at the grasp

local arm6 = require "robots.arm6"
local kit = require "kit"

local arm, box                   -- handles of the current episode (set in build)

local TABLE_Z = 0.75             -- m, table top
local BOX = {0.06, 0.06, 0.10}   -- m
local BOX_M = 0.5                -- kg
local LIFT_OK = 0.10             -- m, the box's bottom above the table for success
local HOLD_OK = 1.0              -- s

local scene = {
    name = "arm_pick",
    domain = "examples",
    description = "6-DOF arm with a parallel gripper grasps and lifts a 0.5 kg box",
    timestep = 0.002,
    time_limit = 15,
    view = {eye = {0.99, -1.62, 1.87}, target = {0.24, 0.00, 0.84}, fov = 45},
    world = {iterations = 50},
    params = {
        box_x = {default = 0.55, min = 0.45, max = 0.65, randomize = true, description = "box x from the arm base, m"},
        box_y = {default = 0.0, min = -0.2, max = 0.2, randomize = true, description = "box y, m"},
        box_yaw = {default = 0.0, min = -0.6, max = 0.6, randomize = true, description = "box heading, rad"},
        box_friction = {default = 0.8, min = 0.3, max = 1.2, description = "Coulomb mu of the box"},
        grip_force = {default = 40, min = 5, max = 100, description = "per finger, N"},
        move_time = {default = 1.5, min = 0.5, max = 4.0, description = "duration of each arm move, s"},
    },
}

-- The scripted sequence: {phase name, duration factor of move_time}.
local PLAN = {"approach", "descend", "close", "lift", "hold"}

local function box_bottom()
    local _, _, z = box:pos()
    return z - BOX[3] / 2
end

local function target_q(ctx, dz)
    local s = ctx.state
    local q, why = arm:ik_down(s.bx, s.by, s.bz + 0.02 + dz, s.grasp_yaw)
    if not q then s.ik_error = why end
    return q
end

-- Starts a joint-space move from the current targets to q over T seconds.
local function start_move(ctx, q, T)
    local s = ctx.state
    s.q_from = s.q_to
    s.q_to = q
    s.t_move = ctx.t
    s.T_move = T
end

local function next_phase(ctx)
    local s, p = ctx.state, ctx.params
    s.k = s.k + 1
    s.phase = PLAN[s.k]
    s.t_phase = ctx.t
    if s.phase == "approach" then
        local q = target_q(ctx, 0.15)
        if q then start_move(ctx, q, p.move_time * 1.3) end
    elseif s.phase == "descend" then
        local q = target_q(ctx, 0.0)
        if q then start_move(ctx, q, p.move_time) end
    elseif s.phase == "close" then
        arm:grip(0)
    elseif s.phase == "lift" then
        local q = target_q(ctx, 0.20)
        if q then start_move(ctx, q, p.move_time) end
    end
end

function scene.build(world, ctx)
    local p = ctx.params
    kit.room.floor(world, {color = {0.55, 0.55, 0.52}})
    world:material{name = "wood", friction = 0.6}
    world:geom{type = "box", size = {1.2, 1.0, 0.04}, pos = {0.3, 0, TABLE_Z - 0.02}, material = "wood",
               color = {0.6, 0.45, 0.3}}
    arm = arm6.build(world, {name = "arm", pos = {0, 0, TABLE_Z}, grip_force = p.grip_force})
    world:material{name = "box", friction = p.box_friction}
    box = world:body{
        name = "box", pos = {p.box_x, p.box_y, TABLE_Z + BOX[3] / 2 + 0.0005}, rpy = {0, 0, p.box_yaw},
        mass = BOX_M, geoms = {{type = "box", size = BOX, material = "box", color = {0.85, 0.3, 0.2}}},
    }
    local s = ctx.state
    s.bx, s.by, s.bz = box:pos()
    s.grasp_yaw = p.box_yaw            -- fingers close along the box's x side
    s.q_to = arm:q()
    s.q_from = s.q_to
    s.t_move, s.T_move = 0, 1
    s.k = 0
    s.t_lifted = -1
    s.lift_time = 0
    s.tcp_err = -1
    s.ik_error = ""
    next_phase(ctx)
end

function scene.step(ctx)
    local s = ctx.state
    if s.ik_error ~= "" then return end
    local sm = (ctx.t - s.t_move) / s.T_move
    arm:command(arm6.interp(s.q_from, s.q_to, sm))
    local dt = ctx.t - s.t_phase
    if s.phase == "approach" and sm >= 1.05 then
        next_phase(ctx)
    elseif s.phase == "descend" and sm >= 1.15 then
        local x, y, z = arm:tcp()
        s.tcp_err = math.sqrt((x - s.bx) ^ 2 + (y - s.by) ^ 2 + (z - s.bz - 0.02) ^ 2)
        next_phase(ctx)
    elseif s.phase == "close" and dt >= 0.6 then
        next_phase(ctx)
    elseif s.phase == "lift" and sm >= 1.0 then
        next_phase(ctx)
    end
    -- lifted-and-held bookkeeping
    local up = box_bottom() - TABLE_Z >= LIFT_OK and arm:holding(box)
    if up then
        if s.t_lifted < 0 then s.t_lifted = ctx.t end
        s.lift_time = ctx.t - s.t_lifted
    else
        s.t_lifted = -1
        s.lift_time = 0
    end
end

function scene.reward(ctx)
    return (ctx.state.t_lifted >= 0) and ctx.dt or 0
end

function scene.failure(ctx)
    if ctx.state.ik_error ~= "" then return true, "inverse kinematics: " .. ctx.state.ik_error end
    if box_bottom() < TABLE_Z - 0.1 then return true, "the box fell off the table" end
    return false
end

function scene.success(ctx)
    return ctx.state.lift_time >= HOLD_OK
end

function scene.metrics(ctx)
    local s = ctx.state
    return {
        box_lift = box_bottom() - TABLE_Z,
        lift_time = s.lift_time,
        grip_width = arm:gripper_width(),
        tcp_error_at_grasp = s.tcp_err,
        box_held = arm:holding(box) and 1 or 0,
    }
end

return scene
