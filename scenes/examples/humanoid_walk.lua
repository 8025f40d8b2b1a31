-- A 1.72 m, 67 kg humanoid (robots.humanoid with hip yaw joints) walks with its
-- closed-loop capture-point gait h:walk: it stands for 1 s, walks forward at `vx` m/s
-- turning at `yaw_rate` rad/s, and stops (closes its feet and stands) at `stop_at` s.
-- With `carry` > 0 it walks with its forearms bent forward and a tote of that many kg
-- resting across them (a cradle carry: held by gravity and friction, not welded).
--
-- success: at the end, standing (pelvis above 0.8 m, torso up z > 0.95), the tote (if any)
--          still in the hands
-- failure: fell (pelvis below 0.6 m) or dropped the tote (0.25 m below its start)
-- metrics: distance, heading change, steps, late touchdowns, min torso up z, tote drop

local humanoid = require "robots.humanoid"
local kit = require "kit"

local h, tote                    -- handles of the current episode (set in build)
local TOTE_Z = 1.157 + 0.035 + 0.10

local scene = {
    name = "humanoid_walk",
    domain = "examples",
    description = "Humanoid walks with its closed-loop capture-point gait, optionally carrying a tote",
    timestep = 0.002,
    time_limit = 20,
    view = {eye = {-1.5, -3.5, 1.8}, target = {1.5, 0, 0.9}, fov = 50},
    world = {iterations = 100},
    params = {
        vx = {default = 0.2, min = 0, max = 0.3, description = "forward speed, m/s"},
        yaw_rate = {default = 0, min = -0.3, max = 0.3, description = "turn rate, rad/s"},
        stop_at = {default = 17, min = 2, max = 100, description = "stop walking at this time, s"},
        carry = {default = 0, min = 0, max = 5, description = "tote mass carried on the forearms, kg (0 = none)"},
    },
}

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {color = {0.6, 0.6, 0.58}})
    h = humanoid.build(world, {name = "h", hip_yaw = true, sensors = true, kp = humanoid.walk_gains.kp,
                               kd = humanoid.walk_gains.kd,
                               arms = p.carry > 0 and {shoulder_pitch = -0.5, elbow = -1.07} or false})
    tote = nil
    if p.carry > 0 then
        tote = world:body{name = "tote", pos = {0.31, 0, TOTE_Z}, mass = p.carry,
                          geoms = {{type = "box", size = {0.26, 0.56, 0.20}, color = {0.9, 0.45, 0.1}}}}
    end
    s.gait = h:walk_state(tote)
    s.path, s.px, s.py = 0, 0, 0
    s.up_min, s.drop = 1, 0
end

function scene.step(ctx)
    local p, s = ctx.params, ctx.state
    local go = ctx.t > 1 and ctx.t < p.stop_at
    h:walk(s.gait, {vx = go and p.vx or 0, yaw_rate = go and p.yaw_rate or 0, stop = not go,
                    load = tote or false}, ctx.dt)
    local x, y = h:pose2d()
    kit.track.odometer(s, x, y)
    s.up_min = math.min(s.up_min, h:up_z())
    if tote then
        local _, _, z = tote:pos()
        s.drop = math.max(s.drop, TOTE_Z - z)
    end
end

function scene.failure(ctx)
    if h:pelvis_height() < 0.6 then return true, "the humanoid fell" end
    if ctx.state.drop > 0.25 then return true, "the tote dropped" end
    return false
end

function scene.success(ctx)
    return ctx.t >= scene.time_limit - 1e-9 and h:pelvis_height() > 0.8 and h:up_z() > 0.95
end

function scene.metrics(ctx)
    local s = ctx.state
    local x, y, yaw = h:pose2d()
    return {distance = math.sqrt(x * x + y * y), path = s.path, heading = yaw, steps = s.gait.steps,
            late_touchdowns = s.gait.late, min_up_z = s.up_min, tote_drop = s.drop}
end

return scene
