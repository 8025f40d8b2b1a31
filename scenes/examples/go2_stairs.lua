-- The Go2 quadruped (robots.go2) climbs a flight of steps and then a ramp with its
-- closed-loop trot (dog:walk: IMU attitude and height feedback, foot contact sensing,
-- swing-height and foothold adaptation). Course along +x (kit.terrain.climb): 1 m of
-- flat floor, `n_steps` steps of `rise` m (tread `run` m) up to a 1 m landing, then a
-- ramp of `slope` degrees rising `ramp_rise` m to a top landing. `open_loop` = 1 drives
-- the same course with the open-loop trot (dog:trot) instead: it stalls at the first step.
--
-- The walk steers to hold the lane (y = 0, heading +x); each episode draws the start
-- heading and lateral offset (randomized params).
--
-- success: the base is 0.4 m past the top of the ramp, upright (up z > 0.8)
-- failure: fell (base less than 0.12 m above the course under it) or tipped (up z < 0.6)
-- reward:  forward progress (m)
-- metrics: progress (m), base height over the course, top height reached, min up z,
--          and what the controller sensed: riser hits in swing, edge landings
--          re-placed, touchdowns

local go2 = require "robots.go2"
local kit = require "kit"

local dog, course                -- the robot and the course of the current episode (set in build)

local scene = {
    name = "go2_stairs",
    domain = "examples",
    description = "Go2 quadruped climbs 10 cm steps and a 20 degree ramp with a closed-loop trot",
    timestep = 0.002,
    time_limit = 40,
    world = {iterations = 30},
    view = {eye = {2.5, -4.5, 2.2}, target = {2.5, 0, 0.4}, fov = 50},
    params = {
        n_steps = {default = 3, min = 1, max = 5, integer = true, description = "number of steps"},
        rise = {default = 0.10, min = 0.02, max = 0.12, description = "step rise, m"},
        run = {default = 0.35, min = 0.25, max = 0.5, description = "step run (tread depth), m"},
        slope = {default = 20, min = 0, max = 25, description = "ramp slope, deg"},
        ramp_rise = {default = 0.30, min = 0.05, max = 0.5, description = "height the ramp climbs, m"},
        speed = {default = 0.3, min = 0.1, max = 0.4, description = "commanded walking speed, m/s"},
        start_y = {default = 0.0, min = -0.1, max = 0.1, randomize = true, description = "start offset across the lane, m"},
        start_yaw = {default = 0.0, min = -0.15, max = 0.15, randomize = true, description = "start heading, rad"},
        open_loop = {default = 0, min = 0, max = 1, integer = true, description = "1: the open-loop dog:trot instead"},
    },
}

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {color = {0.55, 0.6, 0.55}})
    course = kit.terrain.climb(world, {x = 1.0, n = p.n_steps, rise = p.rise, run = p.run, slope = p.slope,
                                   ramp_rise = p.ramp_rise})
    dog = go2.build(world, {name = "go2", pos = {0, p.start_y}, yaw = p.start_yaw, sensors = true})
    s.gait = dog:walk_state()
    s.top, s.up_min, s.clear = 0, 1, 0.3
end

function scene.step(ctx)
    local p, s = ctx.params, ctx.state
    local x, y, yaw = dog:pose2d()
    -- hold the lane: turn toward y = 0 and heading 0
    local wz = kit.util.clamp(-2.0 * kit.util.wrap(yaw) - 1.5 * y, -0.6, 0.6)
    local vx = p.speed * kit.util.clamp(ctx.t, 0, 1)
    if p.open_loop == 1 then
        dog:trot(ctx.t, {vx = vx, wz = wz})
    else
        dog:walk(ctx.t, {vx = vx, wz = wz}, s.gait, ctx.dt)
    end
    local _, _, z = dog.base:pos()
    s.top = math.max(s.top, course.height(x))
    s.up_min = math.min(s.up_min, dog:up_z())
    s.clear = z - course.height(x)
end

function scene.reward(ctx)
    local vx = dog.base:linvel()
    return vx * ctx.dt
end

function scene.failure(ctx)
    local up = dog:up_z()
    if ctx.state.clear < 0.12 then return true, "fell" end
    if up < 0.6 then return true, string.format("tipped (up z = %.2f)", up) end
    return false
end

function scene.success(ctx)
    local x = dog:pose2d()
    return x > course.top_x + 0.4 and dog:up_z() > 0.8
end

function scene.metrics(ctx)
    local s = ctx.state
    local x = dog:pose2d()
    return {
        progress = x,
        clearance = s.clear,
        top_height = s.top,
        min_up_z = s.up_min,
        riser_hits = s.gait.riser_hits,
        edge_landings = s.gait.edge_hits,
        touchdowns = s.gait.touchdowns,
    }
end

return scene
