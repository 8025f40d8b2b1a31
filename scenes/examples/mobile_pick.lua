-- A mobile manipulator (robots.mobile_manipulator: a 0.7 x 0.5 m differential-drive
-- base, 60 kg, with the UR5-sized arm6 and its parallel gripper on a 0.35 m pedestal)
-- drives from the origin to a table (top at 0.75 m, its near edge at x = table_x) and
-- picks up a 0.5 kg box standing 0.25 m behind the edge at y = obj_y with heading
-- obj_yaw (table_x, obj_y, obj_yaw drawn from the episode RNG within their ranges).
--
-- step() runs the whole task as a script over plain state in ctx.state:
--   goto     turn towards a staging point 0.6 m before the table, drive there (speed
--            and acceleration limited), arm in its travel pose
--   align    turn in place to face the table (+x)
--   approach creep forward until the chassis front is `gap` from the table edge
--   settle   wait until the base is still
--   reach / descend / close / lift / hold: joint-space minimum-jerk moves between
--            inverse-kinematics poses computed from the base's actual pose
--
-- success: the box's bottom at least 0.1 m above the table top, held between both
--          fingers, continuously for 1 s
-- failure: the box fell (0.1 m below the table top), the base tipped, a pick target out
--          of the arm's reach
-- reward:  -(distance of the TCP to the box) * dt per step
-- metrics: base stop position error, box height gained, time lifted, total time

local robots = require "robots"
local kit = require "kit"
local kin = robots.kin

local robot, box                 -- handles of the current episode (set in build)

local TABLE_Z = 0.75             -- m, table top
local TABLE = {0.8, 1.2}         -- m, top extents x y
local OBJ_BEHIND = 0.25          -- m, object centre behind the table's near edge
local BOX = {0.06, 0.06, 0.10}   -- m
local LIFT_OK, HOLD_OK = 0.10, 1.0

local scene = {
    name = "mobile_pick",
    domain = "examples",
    description = "Mobile manipulator drives to a table and picks up a box",
    timestep = 0.002,
    time_limit = 30,
    view = {eye = {2.64, -3.24, 2.63}, target = {1.14, 0.00, 0.57}, fov = 45},
    world = {iterations = 50},
    params = {
        table_x = {default = 2.3, min = 2.0, max = 2.6, randomize = true, description = "table near edge, x (m)"},
        obj_y = {default = 0.0, min = -0.25, max = 0.25, randomize = true, description = "box y, m"},
        obj_yaw = {default = 0.0, min = -0.5, max = 0.5, randomize = true, description = "box heading, rad"},
        gap = {default = 0.05, min = 0.02, max = 0.2, description = "chassis front to table edge at the stop, m"},
        speed = {default = 0.5, min = 0.1, max = 0.8, description = "cruise speed, m/s"},
        accel = {default = 0.6, min = 0.1, max = 2.0, description = "acceleration limit, m/s^2"},
        move_time = {default = 1.5, min = 0.5, max = 4.0, description = "duration of each arm move, s"},
    },
}

local function approach_rate(cur, want, rate, dt)
    local d = kin.clamp(want - cur, -rate * dt, rate * dt)
    return cur + d
end

local function box_bottom()
    local _, _, z = box:pos()
    return z - BOX[3] / 2
end

local function start_move(ctx, q, T)
    local s = ctx.state
    s.q_from, s.q_to, s.t_move, s.T_move = s.q_to, q, ctx.t, T
end

-- IK to `dz` above the grasp point (the box's centre, as seen when the reach began, + 2 cm),
-- fingers across the box.
local function pick_q(ctx, dz)
    local s = ctx.state
    local q, why = robot.arm:ik_down(s.gx, s.gy, s.gz + 0.02 + dz, ctx.params.obj_yaw)
    if not q then s.error = "pick target: " .. why end
    return q
end

local function set_phase(ctx, ph)
    local s, p = ctx.state, ctx.params
    s.phase, s.t_phase = ph, ctx.t
    if ph == "reach" then
        s.gx, s.gy, s.gz = box:pos()
        s.q_to = robot:carry_q()
        local q = pick_q(ctx, 0.15)
        if q then start_move(ctx, q, p.move_time * 1.3) end
    elseif ph == "descend" then
        local q = pick_q(ctx, 0.0)
        if q then start_move(ctx, q, p.move_time) end
    elseif ph == "close" then
        robot.arm:grip(0)
    elseif ph == "lift" then
        local q = pick_q(ctx, 0.15)
        if q then start_move(ctx, q, p.move_time) end
    end
end

function scene.build(world, ctx)
    local p = ctx.params
    kit.room.floor(world, {color = {0.58, 0.58, 0.55}})
    world:material{name = "wood", friction = 0.6}
    local tx = p.table_x + TABLE[1] / 2
    world:geom{type = "box", size = {TABLE[1], TABLE[2], 0.04}, pos = {tx, 0, TABLE_Z - 0.02},
               material = "wood", color = {0.6, 0.45, 0.3}}
    for _, c in ipairs({{1, 1}, {1, -1}, {-1, 1}, {-1, -1}}) do
        world:geom{type = "box", size = {0.05, 0.05, TABLE_Z - 0.04},
                   pos = {tx + c[1] * (TABLE[1] / 2 - 0.05), c[2] * (TABLE[2] / 2 - 0.05), (TABLE_Z - 0.04) / 2},
                   material = "wood", color = {0.5, 0.38, 0.25}}
    end
    robot = robots.mobile_manipulator.build(world, {name = "mm", pos = {0, 0}, yaw = 0})
    box = world:body{
        name = "box", pos = {p.table_x + OBJ_BEHIND, p.obj_y, TABLE_Z + BOX[3] / 2 + 0.0005},
        rpy = {0, 0, p.obj_yaw}, mass = 0.5,
        geoms = {{type = "box", size = BOX, color = {0.2, 0.5, 0.85}}},
    }
    local s = ctx.state
    -- chassis-centre targets: staging point and final stop
    s.stop_x = p.table_x - p.gap - robot:front_x()
    s.sx, s.sy = s.stop_x - 0.6, p.obj_y
    s.v, s.w = 0, 0
    s.phase, s.t_phase = "goto", 0
    s.q_to = robot:carry_q()
    s.q_from, s.t_move, s.T_move = s.q_to, 0, 1
    s.gx, s.gy, s.gz = 0, 0, 0
    s.error = ""
    s.t_lifted, s.lift_time = -1, 0
    s.stop_err = -1
    s.still = 0
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    if s.error ~= "" then return end
    local x, y, yaw = robot:pose2d()
    local v_want, w_want = 0, 0
    if s.phase == "goto" then
        local dx, dy = s.sx - x, s.sy - y
        local d = math.sqrt(dx * dx + dy * dy)
        local err = kin.wrap(math.atan(dy, dx) - yaw)
        if math.abs(err) > 0.05 and d > 0.1 and math.abs(s.v) < 0.05 then
            w_want = kin.clamp(2.0 * err, -0.8, 0.8)            -- turn in place first
        else
            v_want = math.min(p.speed, math.sqrt(2 * p.accel * 0.8 * math.max(d - 0.02, 0)))
            w_want = kin.clamp(2.0 * err, -0.8, 0.8) * math.min(1, d / 0.3)
        end
        if d < 0.04 then set_phase(ctx, "align") end
    elseif s.phase == "align" then
        local err = kin.wrap(-yaw)
        w_want = kin.clamp(2.0 * err, -0.6, 0.6)
        if math.abs(err) < 0.01 and math.abs(s.w) < 0.02 then set_phase(ctx, "approach") end
    elseif s.phase == "approach" then
        local d = s.stop_x - x
        v_want = math.min(0.2, math.sqrt(2 * 0.3 * math.max(d, 0)))
        w_want = kin.clamp(2.0 * kin.wrap(-yaw), -0.3, 0.3)
        if d < 0.005 then set_phase(ctx, "settle") end
    elseif s.phase == "settle" then
        if robot:speed() < 0.01 and s.v == 0 then s.still = s.still + ctx.dt else s.still = 0 end
        if s.still > 0.3 then
            s.stop_err = math.abs(s.stop_x - x)
            set_phase(ctx, "reach")
        end
    end
    s.v = approach_rate(s.v, v_want, p.accel, ctx.dt)
    s.w = approach_rate(s.w, w_want, 1.5, ctx.dt)
    robot:set_twist(s.v, s.w)

    if s.error ~= "" then return end
    local sm = (ctx.t - s.t_move) / s.T_move
    robot.arm:command(robots.arm6.interp(s.q_from, s.q_to, sm))
    if s.phase == "reach" and sm >= 1.05 then
        set_phase(ctx, "descend")
    elseif s.phase == "descend" and sm >= 1.15 then
        set_phase(ctx, "close")
    elseif s.phase == "close" and ctx.t - s.t_phase >= 0.6 then
        set_phase(ctx, "lift")
    elseif s.phase == "lift" and sm >= 1.0 then
        set_phase(ctx, "hold")
    end

    if box_bottom() - TABLE_Z >= LIFT_OK and robot.arm:holding(box) then
        if s.t_lifted < 0 then s.t_lifted = ctx.t end
        s.lift_time = ctx.t - s.t_lifted
    else
        s.t_lifted, s.lift_time = -1, 0
    end
end

function scene.reward(ctx)
    local x, y, z = robot.arm:tcp()
    local bx, by, bz = box:pos()
    return -math.sqrt((x - bx) ^ 2 + (y - by) ^ 2 + (z - bz) ^ 2) * ctx.dt
end

function scene.failure(ctx)
    local s = ctx.state
    if s.error ~= "" then return true, s.error end
    if box_bottom() < TABLE_Z - 0.1 then return true, "the box fell off the table" end
    if robot:up_z() < 0.9 then return true, string.format("the base tipped (up z = %.2f)", robot:up_z()) end
    return false
end

function scene.success(ctx)
    return ctx.state.lift_time >= HOLD_OK
end

function scene.metrics(ctx)
    local s = ctx.state
    return {
        stop_error = s.stop_err,
        box_lift = box_bottom() - TABLE_Z,
        lift_time = s.lift_time,
        grip_width = robot.arm:gripper_width(),
        box_held = robot.arm:holding(box) and 1 or 0,
    }
end

return scene
