-- Restaurant delivery: a service robot (robots.service_tray: 0.5 m differential-drive
-- base, 30 kg, a mast carrying a 0.40 x 0.30 m tray at 0.90 m) carries a cup (a
-- cylinder, radius 3.5 cm, height 10 cm, 0.3 kg) from A = (0, 0) to a table at
-- B = (goal_x, goal_y), drawn from the episode RNG within the params' ranges.
-- step() runs a point-to-point controller with acceleration limits (the cup is held
-- by friction only, mu 0.55): turn in place towards B, drive there with a
-- proportional heading correction, slow down on approach, stop.
--
-- success: the tray centre within 0.2 m of B, the robot stopped (< 2 cm/s) and the
--          cup still on the tray
-- failure: the cup fell below the tray's top surface - 5 cm
-- reward:  -(distance of the tray to B) * dt per step
-- metrics: cup slip on the tray (max and final), time to deliver, path length

local robots = require "robots"
local kit = require "kit"

local bot, cup                   -- handles of the current episode (set in build)

local CUP_R, CUP_H, CUP_M = 0.035, 0.10, 0.3
local GOAL_TOL = 0.2             -- m
local STOP_SPEED = 0.02          -- m/s

local scene = {
    name = "tray_delivery",
    domain = "examples",
    description = "Service robot carries a cup on its tray from A to a table at B",
    timestep = 0.002,
    time_limit = 40,
    view = {eye = {1.80, -4.60, 3.60}, target = {1.90, 0.00, 0.40}, fov = 45},
    params = {
        goal_x = {default = 3.5, min = 2.5, max = 4.5, randomize = true, description = "B, x (m)"},
        goal_y = {default = 1.0, min = -1.5, max = 1.5, randomize = true, description = "B, y (m)"},
        speed = {default = 0.5, min = 0.1, max = 1.0, description = "cruise speed, m/s"},
        accel = {default = 0.5, min = 0.1, max = 3.0, description = "linear acceleration limit, m/s^2"},
        turn_rate = {default = 0.8, min = 0.2, max = 2.0, description = "max yaw rate, rad/s"},
        turn_accel = {default = 1.0, min = 0.2, max = 5.0, description = "yaw acceleration limit, rad/s^2"},
        cup_friction = {default = 0.5, min = 0.1, max = 1.0, description = "Coulomb mu of the cup"},
    },
}

local function tray_goal_dist(ctx)
    local x, y = bot:tray_pos()
    return math.sqrt((ctx.state.gx - x) ^ 2 + (ctx.state.gy - y) ^ 2)
end

local function cup_slip(ctx)
    local lx, ly = bot:tray_local(cup:pos())
    return math.sqrt((lx - ctx.state.cup_lx) ^ 2 + (ly - ctx.state.cup_ly) ^ 2)
end

function scene.build(world, ctx)
    kit.room.floor(world, {color = {0.62, 0.58, 0.5}})
    bot = robots.service_tray.build(world, {name = "waiter", pos = {0, 0}, yaw = 0})
    local tx, ty, tz = bot:tray_pos()
    world:material{name = "ceramic", friction = ctx.params.cup_friction}
    cup = world:body{
        name = "cup", pos = {tx, ty, tz + CUP_H / 2 + 0.001}, mass = CUP_M,
        geoms = {{type = "cylinder", radius = CUP_R, length = CUP_H, material = "ceramic",
                  color = {0.95, 0.95, 0.95}}},
    }
    -- B: a floor marker (visual only: category and collide 0)
    local s = ctx.state
    s.gx, s.gy = ctx.params.goal_x, ctx.params.goal_y
    world:geom{type = "box", size = {0.6, 0.6, 0.002}, pos = {s.gx + 0.0, s.gy, 0.001},
               color = {0.3, 0.6, 0.3}, collide = 0, category = 0}
    s.cup_lx, s.cup_ly = bot:tray_local(cup:pos())
    s.v, s.w = 0, 0             -- commanded twist (rate-limited)
    s.phase = "turn"            -- "turn", "drive", "stop"
    s.slip_max = 0
    s.path = 0
    s.px, s.py = bot:pose2d()
    s.t_done = -1
end


function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    local x, y, yaw = bot:pose2d()
    kit.track.odometer(s, x, y)
    local slip = cup_slip(ctx)
    if slip > s.slip_max then s.slip_max = slip end

    -- steer the tray centre (= chassis centre here) to B
    local tx, ty = bot:tray_pos()
    local dx, dy = s.gx - tx, s.gy - ty
    local d = math.sqrt(dx * dx + dy * dy)
    local err = robots.kin.wrap(math.atan(dy, dx) - yaw)
    local v_want, w_want = 0, 0
    if s.phase == "turn" then
        w_want = robots.kin.clamp(2.0 * err, -p.turn_rate, p.turn_rate)
        if math.abs(err) < 0.02 and math.abs(s.w) < 0.05 then s.phase = "drive" end
    elseif s.phase == "drive" then
        -- v at which braking at `accel` stops at the goal, capped at the cruise speed
        v_want = math.min(p.speed, math.sqrt(2 * p.accel * 0.8 * math.max(d - 0.03, 0)))
        w_want = robots.kin.clamp(2.0 * err, -p.turn_rate, p.turn_rate) * math.min(1, d / 0.3)
        if d < 0.05 or (d < GOAL_TOL * 0.5 and math.abs(err) > 1.2) then s.phase = "stop" end
    end
    s.v = kit.util.approach(s.v, v_want, p.accel, ctx.dt)
    s.w = kit.util.approach(s.w, w_want, p.turn_accel, ctx.dt)
    bot:set_twist(s.v, s.w)
    if s.phase == "stop" and s.t_done < 0 and bot:speed() < STOP_SPEED and s.v == 0 then s.t_done = ctx.t end
end

function scene.reward(ctx)
    return -tray_goal_dist(ctx) * ctx.dt
end

function scene.failure(ctx)
    local _, _, cz = cup:pos()
    local _, _, tz = bot:tray_pos()
    if cz < tz - 0.05 then
        return true, string.format("the cup fell off the tray (cup z %.3f m, tray %.3f m)", cz, tz)
    end
    if bot:up_z() < 0.8 then return true, "the robot tipped over" end
    return false
end

function scene.success(ctx)
    local s = ctx.state
    return s.phase == "stop" and s.v == 0 and bot:speed() < STOP_SPEED
        and tray_goal_dist(ctx) < GOAL_TOL and bot:on_tray(cup)
end

function scene.metrics(ctx)
    local s = ctx.state
    return {
        goal_distance = tray_goal_dist(ctx),
        cup_slip = cup_slip(ctx),
        cup_slip_max = s.slip_max,
        path_length = s.path,
        time_to_deliver = (s.t_done >= 0) and s.t_done or ctx.t,
        cup_on_tray = bot:on_tray(cup) and 1 or 0,
    }
end

return scene
