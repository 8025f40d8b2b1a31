-- Underground tunnel inspection: a six-wheeled crawler (robots.crawler, 0.9 x 0.55 m,
-- 40 kg chassis) drives an unlit, dusty mine roadway (3.2 m wide, 2.6 m high walls, about
-- 18.5 m long with a dog-leg) over a rough floor (heightfield: smooth bumps plus +-2 cm
-- roughness) strewn with rubble (static rock slabs) and loose rocks (2-8 kg bodies), and
-- must pass five inspection checkpoints in order, the last at the tunnel end face.
--
-- Sensing (robots.crawler's mine_sensors): a 360-degree 2D lidar (90 beams, 0.1-8 m)
-- 0.25 m above the chassis centre, degraded by airborne dust: `dust` is the lidar's
-- attenuation (each beam's reach is cut to
-- range_max * (1 - dust * U(0.75, 1.25)); lost beams read range_max) and dust * 0.15 its
-- probability of a spurious short return; `lidar_noise` the range noise (stddev, m). An
-- IMU. A localization estimate (pose entry: ground truth + gaussian noise `loc_noise`).
-- `darkness` (0 lit .. 1 pitch dark) is the illumination of the scene: no camera is fitted
-- to this crawler, it is recorded in the metrics and observation so a camera-equipped
-- variant (camera sensors take `darkness`) sees the same value.
--
-- Observation: scan {90} (beam k, 1-based, at azimuth -pi + 2 pi (k-1)/90 in the chassis
--   frame, counter-clockwise), imu {10}, pose {3} (x, y, yaw, noisy), goal {4} (next
--   checkpoint in the robot frame from the noisy pose: forward, left (m), checkpoints
--   passed, total), env {2} (darkness, dust)
-- Action: twist {2}: forward speed [-0.6, 1.0] m/s, yaw rate [-1.5, 1.5] rad/s
-- success: all checkpoints passed (within `checkpoint_radius` of each, in order)
-- failure: the crawler tipped over (up z < 0.5) or entered the collapsed-roof zone's
--          core (it is also a keep-out zone counted by the safety monitor)
-- reward:  +1 per checkpoint, + progress towards the next checkpoint (m), -0.01 per s
-- metrics: checkpoints, path length, min up z, lidar beams lost to dust (fraction),
--          darkness, dust and the scenario.safety metrics (no people underground:
--          separation reads -1, the module's value for "no humans"; keep-out = the
--          unsupported-roof zone)

local crawler = require "robots.crawler"
local kit = require "kit"
local safety = require "scenario.safety"

local rover, lidar, mon          -- handles of the current episode (set in build)

local HALF_W = 1.6               -- m, half tunnel width
local WALL_H = 2.6               -- m
local LINE = {{0, 0}, {7, 0}, {11, 2}, {18.5, 2}}   -- tunnel centreline
local CHECKPOINTS = {{3.5, 0}, {7, 0}, {11, 2}, {14.5, 2}, {17.6, 2}}
-- unsupported roof (keep-out): a floor rectangle against the right wall before the bend
local KEEPOUT = {{3.8, -1.6, 6.2, -0.75}}

local scene = {
    name = "underground_tunnel_inspection",
    domain = "underground",
    description = "Crawler inspects a dark, dusty mine roadway over rubble: five checkpoints to the end face",
    timestep = 0.002,
    time_limit = 60,
    view = {eye = {-3.00, -3.00, 7.00}, target = {7.00, 1.00, 0.00}, fov = 45},
    world = {iterations = 30},
    policy = "policies.tunnel_inspection",
    params = {
        dust = {default = 0.3, min = 0.0, max = 0.6, randomize = true, description = "lidar attenuation by dust (0 clear air)"},
        darkness = {default = 0.9, min = 0.6, max = 1.0, randomize = true, description = "0 lit .. 1 pitch dark (recorded; for cameras)"},
        lidar_noise = {default = 0.02, min = 0.0, max = 0.05, randomize = true, description = "lidar range noise stddev, m"},
        loc_noise = {default = 0.03, min = 0.0, max = 0.08, randomize = true, description = "localization noise stddev, m (yaw: /2 rad)"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "Coulomb mu of the floor"},
        bump_height = {default = 0.08, min = 0.0, max = 0.12, randomize = true, description = "floor bump amplitude, m"},
        rubble = {default = 30, min = 0, max = 60, integer = true, description = "static rock slabs"},
        rocks = {default = 8, min = 0, max = 20, integer = true, description = "loose rocks"},
        rock_mass = {default = 5, min = 2, max = 8, randomize = true, description = "loose rock mass, kg"},
        checkpoint_radius = {default = 0.6, min = 0.3, max = 1.0, description = "m"},
    },
}

local CENTRE = kit.track.polyline(LINE)     -- the centreline: CENTRE:at(u) -> x, y, direction

local function cp_dist(ctx)
    return kit.track.dist_to(CHECKPOINTS, ctx.state.cp + 1, rover:pose2d())
end

function scene.build(world, ctx)
    local p = ctx.params
    world:material{name = "floor", friction = p.floor_friction}
    world:material{name = "rock", friction = 0.7}
    kit.room.floor(world, {offset = -0.01, material = "floor", color = {0.2, 0.19, 0.18}})
    kit.terrain.heightfield(world, {size = {23, 8}, centre = {9, 1}, dx = 0.2, bumps = 24, bump_height = p.bump_height,
                                bump_width = {0.3, 0.8}, rough = 0.02, keep_flat = {{0, 0, 1.2}},
                                material = "floor", color = {0.3, 0.28, 0.26}})
    -- walls: one box per side per centreline segment (overlapping at the bends), end faces
    kit.room.corridor(world, LINE, {half_width = HALF_W, height = WALL_H, thickness = 0.4, overlap = 0.6, material = "rock",
                                color = {0.33, 0.31, 0.29}})
    world:geom{type = "box", size = {0.4, 2 * HALF_W + 0.8, WALL_H}, pos = {-1.2, 0, WALL_H / 2}, material = "rock",
               color = {0.33, 0.31, 0.29}}
    local e = LINE[#LINE]
    world:geom{type = "box", size = {0.4, 2 * HALF_W + 0.8, WALL_H}, pos = {e[1] + 0.2, e[2], WALL_H / 2},
               material = "rock", color = {0.4, 0.36, 0.3}}
    -- rubble slabs and loose rocks along the roadway (not in the first 1.5 m)
    local total = CENTRE:length()
    -- a point across the roadway at a uniform arc length in [u0, total - u1], margin m off the walls
    local function roadway(u0, u1, margin)
        return function()
            local cx, cy, yaw = CENTRE:at(kit.terrain.uniform(u0, total - u1))
            local off = kit.terrain.uniform(-HALF_W + margin, HALF_W - margin)
            return cx - math.sin(yaw) * off, cy + math.cos(yaw) * off
        end
    end
    kit.terrain.rubble(world, {n = p.rubble, at = roadway(1.5, 0.5, 0.2), size = {{0.08, 0.3}, {0.08, 0.3}, {0.03, 0.09}},
                           material = "rock", color = {0.42, 0.4, 0.37}})
    local r = 0.5 * (p.rock_mass / 2500) ^ (1 / 3)       -- granite-ish cube edge / 2... as a box
    kit.terrain.loose(world, {n = p.rocks, name = "rock", at = roadway(2.0, 1.0, 0.3), size = {2.4 * r, 2 * r, 1.2 * r},
                          mass = p.rock_mass, material = "rock"})
    -- the roof-fall keep-out zone, marked on the floor (visual only)
    for _, k in ipairs(KEEPOUT) do
        world:geom{type = "box", size = {k[3] - k[1], k[4] - k[2], 0.005}, pos = {(k[1] + k[3]) / 2, (k[2] + k[4]) / 2, 0.15},
                   color = {0.9, 0.7, 0.1, 0.4}, category = 0, collide = 0}
    end
    for _, c in ipairs(CHECKPOINTS) do
        world:geom{type = "cylinder", radius = 0.1, length = 0.01, pos = {c[1], c[2], 2.0}, color = {0.2, 0.9, 0.2, 0.6},
                   category = 0, collide = 0}
    end

    rover = crawler.build(world, {name = "rover", pos = {0, 0}, yaw = 0})
    lidar = rover:mine_sensors(world, {dust = p.dust, noise = p.lidar_noise})
    mon = safety.new(world, {robot_bodies = {{body = rover.chassis, radius = 0.5}}, keepout = KEEPOUT, state = ctx.state})

    local s = ctx.state
    s.cp = 0
    s.path, s.up_min = 0, 1
    s.px, s.py = 0, 0
    s.prev_d = cp_dist(ctx)
    s.lost, s.beams = 0, 0
    s.nx, s.ny, s.nyaw = 0, 0, 0      -- noisy pose of this step (observation)
end

scene.observation = {
    scan = {sensor = "lidar"},
    imu = {sensor = "imu"},
    pose = kit.track.pose_entry(),
    goal = {shape = {4}, fn = function(ctx, out)
        local s = ctx.state
        local c = CHECKPOINTS[math.min(s.cp + 1, #CHECKPOINTS)]
        local fx, fy = kit.terrain.to_local(s.nx, s.ny, s.nyaw, c[1], c[2])
        out[1], out[2], out[3], out[4] = fx, fy, s.cp, #CHECKPOINTS
    end},
    env = {shape = {2}, fn = function(ctx, out) out[1], out[2] = ctx.params.darkness, ctx.params.dust end},
}

scene.action = {
    twist = {shape = {2}, low = {-0.6, -1.5}, high = {1.0, 1.5}},
}

function scene.act(ctx, action)
    rover:set_twist(action.twist[1], action.twist[2])
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    local x, y, yaw = kit.track.motion(s, rover)
    if s.cp < #CHECKPOINTS and cp_dist(ctx) < p.checkpoint_radius then s.cp = s.cp + 1 end
    -- the localization estimate for the next observation
    kit.track.noisy_pose(s, x, y, yaw, p.loc_noise)
    if ctx.step % 50 == 0 then
        local v = lidar:data()
        local lost = 0
        for i = 1, #v do if v[i] >= 7.99 then lost = lost + 1 end end
        s.lost, s.beams = s.lost + lost, s.beams + #v
    end
    mon:update(ctx)
end

function scene.reward(ctx)
    local s = ctx.state
    local d = cp_dist(ctx)
    local r = s.prev_d - d - 0.01 * ctx.dt
    if s.cp ~= (s.cp_rewarded or 0) then
        r = r + 1
        s.cp_rewarded = s.cp
        d = cp_dist(ctx)
    end
    s.prev_d = d
    return r
end

function scene.failure(ctx)
    local up = rover:up_z()
    if up < 0.5 then return true, string.format("the crawler tipped over (up z = %.2f)", up) end
    local x, y = rover:pose2d()
    for _, k in ipairs(KEEPOUT) do
        if x > k[1] + 0.3 and x < k[3] - 0.3 and y > k[2] and y < k[4] - 0.2 then
            return true, "the crawler drove under the unsupported roof"
        end
    end
    return false
end

function scene.success(ctx)
    return ctx.state.cp >= #CHECKPOINTS
end

function scene.metrics(ctx)
    local s, p = ctx.state, ctx.params
    local m = mon:metrics()
    m.checkpoints = s.cp
    m.path_length = s.path
    m.min_up_z = s.up_min
    m.lidar_lost_fraction = s.beams > 0 and s.lost / s.beams or 0
    m.darkness = p.darkness
    m.dust = p.dust
    return m
end

return scene
