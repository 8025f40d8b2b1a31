-- The Unitree Go2 quadruped (robots.go2: URDF model, 16.1 kg, 12 position-servo
-- joints, kp 200 N m/rad, kd 5 N m s/rad) stands for `stand_time` seconds, takes a
-- shove at half that time (a horizontal force of `push` newtons for 0.2 s in a random
-- direction drawn from the episode RNG), then trots forward for `walk_time` seconds
-- (speed ramped up over the first second) and stands again for one second.
--
-- success: at the end, upright (up z > 0.95), standing (base 0.22..0.40 m above the
--          ground), its height drifted < 3 cm over the standing phase, and it walked
--          at least `min_distance` along its start heading
-- failure: the base fell (below 0.15 m) or tipped (up z < 0.7)
-- reward:  forward velocity during the walk, -|height error| while standing (per s)

local robots = require "robots"
local kit = require "kit"

local dog                        -- the robot of the current episode (set in build)

local STAND_H = 0.30             -- m, thigh joint to foot
local RAMP = 1.0                 -- s, speed ramp at the start of the walk
local SETTLE = 1.0               -- s, the standing height reference is taken here

local scene = {
    name = "go2_walk",
    domain = "examples",
    description = "Go2 quadruped stands 10 s (with a shove), then trots forward",
    timestep = 0.002,
    time_limit = 20,
    view = {eye = {1.20, -2.20, 1.20}, target = {0.40, 0.00, 0.25}, fov = 45},
    world = {iterations = 30},
    params = {
        stand_time = {default = 10, min = 2, max = 15, description = "standing phase, s"},
        walk_time = {default = 7, min = 1, max = 8, description = "trotting phase, s"},
        speed = {default = 0.3, min = 0.0, max = 0.5, description = "commanded trot speed, m/s"},
        period = {default = 0.4, min = 0.3, max = 0.8, description = "trot period, s"},
        push = {default = 30, min = 0, max = 60, description = "shove during the stand, N (0.2 s)"},
        min_distance = {default = 0.8, min = 0.0, max = 4.0, description = "distance to walk for success, m"},
    },
}

local function phase(ctx)
    local p = ctx.params
    local t = ctx.t
    if t < p.stand_time then return "stand", t end
    t = t - p.stand_time
    if t < p.walk_time then return "walk", t end
    return "rest", t - p.walk_time
end

local function progress(ctx)
    local s = ctx.state
    local x, y = dog:pose2d()
    return (x - s.x0) * math.cos(s.yaw0) + (y - s.y0) * math.sin(s.yaw0)
end

function scene.build(world, ctx)
    kit.room.floor(world, {color = {0.55, 0.6, 0.55}})
    dog = robots.go2.build(world, {name = "go2", pos = {0, 0}, yaw = 0, height = STAND_H})
    local s = ctx.state
    s.x0, s.y0, s.yaw0 = dog:pose2d()
    s.push_dir = 2 * math.pi * math.random()
    s.h_ref = -1
    s.h_drift = 0
    s.h_min = math.huge
    s.up_min = 1
    s.walking = false
    s.walk_x0 = 0
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    local ph, t = phase(ctx)
    local h = dog:base_height()
    if h < s.h_min then s.h_min = h end
    local up = dog:up_z()
    if up < s.up_min then s.up_min = up end
    if ph == "stand" then
        dog:stand(STAND_H)
        if t >= SETTLE and s.h_ref < 0 then s.h_ref = h end
        if s.h_ref > 0 then s.h_drift = math.max(s.h_drift, math.abs(h - s.h_ref)) end
        local tp = p.stand_time / 2
        if t >= tp and t < tp + 0.2 and p.push > 0 then
            dog.base:add_force(p.push * math.cos(s.push_dir), p.push * math.sin(s.push_dir), 0)
        end
    elseif ph == "walk" then
        if not s.walking then s.walking, s.walk_x0 = true, progress(ctx) end
        dog:trot(t, {vx = p.speed * robots.kin.smoothstep(t / RAMP), period = p.period, height = STAND_H})
    else
        dog:stand(STAND_H)
    end
end

function scene.reward(ctx)
    local ph = phase(ctx)
    if ph == "walk" then
        local vx, vy = dog.base:linvel()
        local yaw0 = ctx.state.yaw0
        return (vx * math.cos(yaw0) + vy * math.sin(yaw0)) * ctx.dt
    end
    local s = ctx.state
    if s.h_ref > 0 then return -math.abs(dog:base_height() - s.h_ref) * ctx.dt end
    return 0
end

function scene.failure(ctx)
    local h, up = dog:base_height(), dog:up_z()
    if h < 0.15 then return true, string.format("base fell to %.3f m", h) end
    if up < 0.7 then return true, string.format("base tipped (up z = %.2f)", up) end
    return false
end

function scene.success(ctx)
    local s, p = ctx.state, ctx.params
    if ctx.t < p.stand_time + p.walk_time + 1.0 - 1e-9 then return false end
    local h = dog:base_height()
    return dog:up_z() > 0.95 and h > 0.22 and h < 0.40 and s.h_drift < 0.03
        and progress(ctx) >= p.min_distance
end

function scene.metrics(ctx)
    local s = ctx.state
    local _, _, yaw = dog:pose2d()
    return {
        distance = progress(ctx),
        walk_distance = progress(ctx) - s.walk_x0,
        base_height = dog:base_height(),
        stand_height = s.h_ref,
        stand_height_drift = s.h_drift,
        min_height = s.h_min,
        min_up_z = s.up_min,
        heading_change_deg = math.deg(robots.kin.wrap(yaw - s.yaw0)),
    }
end

return scene
