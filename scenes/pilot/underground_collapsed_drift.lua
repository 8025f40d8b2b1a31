-- Underground collapsed drift: a six-wheeled crawler (robots.crawler) surveys a partly
-- collapsed mine drift (4 m wide, 14 m long, 2.8 m walls). Two roof falls have left piles
-- of rock blocks (static boxes 0.3-0.6 m (cut smaller at the span edges), 0.6-1.2 m high) across the drift, each with one
-- narrow passage (`gap` wide, at a random offset); the floor is rough (heightfield) with
-- loose rubble. Four survey markers (reflective prisms on tripods: 0.8 m, 4 kg cylinders on
-- 0.4 x 0.3 m footplates, dynamic bodies) stand against the walls. The crawler must reach the survey point at the
-- far end with its lidar having seen at least `markers_required` markers.
--
-- A marker counts as seen when a lidar beam's hit is a body (hits() > 0) and the beam's
-- end point lies within 0.2 m of the marker's axis (checked at every lidar sample).
-- Sensing as in underground_tunnel_inspection: 360-degree 2D lidar (90 beams, 0.1-8 m,
-- 10 Hz) with dust attenuation/spurious returns and range noise, IMU, noisy localization;
-- `darkness` is recorded for cameras.
--
-- Observation: scan {90} (beam k at azimuth -pi + 2 pi (k-1)/90, chassis frame), imu {10},
--   pose {3} (noisy x, y, yaw), goal {4} (survey point in the robot frame: forward, left;
--   markers seen, markers required), env {2} (darkness, dust)
-- Action: twist {2}: forward speed [-0.6, 1.0] m/s, yaw rate [-1.5, 1.5] rad/s
-- success: the chassis within `goal_radius` of the survey point and >= markers_required seen
-- failure: tipped over (up z < 0.5); a marker knocked over (its axis tilted > 30 deg)
-- reward:  progress to the survey point (m) + 0.5 per marker seen
-- metrics: markers seen, goal distance, path length, min up z, lidar beams lost, darkness,
--          dust, scenario.safety metrics (no people: separation -1; keep-out: the piles'
--          unstable toe zone 0.4 m in front of each pile)

local robots = require "robots"
local kit = require "kit"
local safety = require "scenario.safety"

local rover, lidar, mon          -- handles of the current episode (set in build)
local markers = {}

local HALF_W, LEN, WALL_H = 2.0, 14.0, 2.8
local PILES_X = {5.0, 9.5}       -- m, pile centre lines
local PILE_DEPTH = 1.2           -- m along the drift
local MARKERS = {{3.0, 1.75}, {7.2, -1.75}, {7.4, 1.75}, {12.0, -1.75}}

local scene = {
    name = "underground_collapsed_drift",
    domain = "underground",
    description = "Crawler threads the passages of a collapsed drift to a survey point, lidar-surveying markers",
    timestep = 0.002,
    time_limit = 60,
    view = {eye = {-3.00, -3.00, 6.50}, target = {5.00, 0.00, 0.00}, fov = 45},
    world = {iterations = 30},
    policy = "policies.collapsed_drift",
    params = {
        gap = {default = 1.3, min = 1.15, max = 1.6, randomize = true, description = "passage width through each pile, m"},
        gap1_y = {default = 0.6, min = -1.1, max = 1.1, randomize = true, description = "passage centre, first pile, m"},
        gap2_y = {default = -0.6, min = -1.1, max = 1.1, randomize = true, description = "passage centre, second pile, m"},
        goal_y = {default = 0.0, min = -1.0, max = 1.0, randomize = true, description = "survey point y, m"},
        goal_radius = {default = 0.5, min = 0.2, max = 1.0, description = "m"},
        markers_required = {default = 4, min = 1, max = 4, integer = true, description = "markers the lidar must see"},
        dust = {default = 0.3, min = 0.0, max = 0.5, randomize = true, description = "lidar attenuation by dust"},
        darkness = {default = 0.9, min = 0.6, max = 1.0, randomize = true, description = "0 lit .. 1 dark (recorded)"},
        lidar_noise = {default = 0.02, min = 0.0, max = 0.04, randomize = true, description = "lidar range noise stddev, m"},
        loc_noise = {default = 0.03, min = 0.0, max = 0.06, randomize = true, description = "localization noise stddev, m"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "Coulomb mu of the floor"},
        bump_height = {default = 0.06, min = 0.0, max = 0.1, randomize = true, description = "floor bump amplitude, m"},
        marker_mass = {default = 4.0, min = 2.5, max = 6.0, randomize = true, description = "marker tripod mass, kg"},
    },
}

local GOAL_X = 12.8

local function goal_dist(ctx)
    local x, y = rover:pose2d()
    return math.sqrt((GOAL_X - x) ^ 2 + (ctx.params.goal_y - y) ^ 2)
end

-- a pile of blocks across the drift at x = px with a passage of width w centred at gy
local function pile(world, px, gy, w)
    local lo, hi = gy - w / 2, gy + w / 2
    for _, span in ipairs({{-HALF_W, lo}, {hi, HALF_W}}) do
        local y = span[1]
        while y < span[2] - 0.05 do
            local sy = math.min(kit.terrain.uniform(0.3, 0.6), span[2] - y)
            local x = px - PILE_DEPTH / 2
            while x < px + PILE_DEPTH / 2 - 0.05 do
                local sx = math.min(kit.terrain.uniform(0.3, 0.6), px + PILE_DEPTH / 2 - x)
                local sz = kit.terrain.uniform(0.6, 1.2)
                world:geom{type = "box", size = {sx, sy, sz}, pos = {x + sx / 2, y + sy / 2, sz / 2 - 0.05},
                           rpy = {0, 0, kit.terrain.uniform(-0.08, 0.08)}, material = "rock",
                           color = {0.45 + 0.1 * math.random(), 0.42, 0.38}}
                x = x + sx
            end
            y = y + sy
        end
    end
end

function scene.build(world, ctx)
    local p = ctx.params
    world:material{name = "floor", friction = p.floor_friction}
    world:material{name = "rock", friction = 0.7}
    kit.room.floor(world, {offset = -0.01, material = "floor", color = {0.2, 0.19, 0.18}})
    kit.terrain.heightfield(world, {size = {LEN + 2, 2 * HALF_W + 1}, centre = {LEN / 2 - 1, 0}, dx = 0.2, bumps = 18,
                                bump_height = p.bump_height, bump_width = {0.3, 0.8}, rough = 0.015,
                                keep_flat = {{0, 0, 1.2}, {MARKERS[1][1], MARKERS[1][2], 0.5},
                                             {MARKERS[2][1], MARKERS[2][2], 0.5}, {MARKERS[3][1], MARKERS[3][2], 0.5},
                                             {MARKERS[4][1], MARKERS[4][2], 0.5}}, material = "floor", color = {0.3, 0.28, 0.26}})
    for _, sd in ipairs({1, -1}) do
        world:geom{type = "box", size = {LEN + 2, 0.4, WALL_H}, pos = {LEN / 2 - 1, sd * (HALF_W + 0.2), WALL_H / 2},
                   material = "rock", color = {0.33, 0.31, 0.29}}
    end
    world:geom{type = "box", size = {0.4, 2 * HALF_W + 0.8, WALL_H}, pos = {-1.4, 0, WALL_H / 2}, material = "rock"}
    world:geom{type = "box", size = {0.4, 2 * HALF_W + 0.8, WALL_H}, pos = {LEN - 0.3, 0, WALL_H / 2}, material = "rock"}
    pile(world, PILES_X[1], p.gap1_y, p.gap)
    pile(world, PILES_X[2], p.gap2_y, p.gap)
    -- loose rubble between the piles
    for i = 1, 10 do
        local x, y = kit.terrain.uniform(1.5, 12), kit.terrain.uniform(-1.3, 1.3)
        world:geom{type = "box", size = {kit.terrain.uniform(0.08, 0.2), kit.terrain.uniform(0.08, 0.2), 0.05},
                   pos = {x, y, 0.01},
                   rpy = {0, 0, kit.terrain.uniform(-math.pi, math.pi)}, material = "rock", color = {0.5, 0.47, 0.43}}
    end
    markers = {}
    for i, m in ipairs(MARKERS) do
        -- a prism pole on a tripod (its footprint as a 0.4 m square plate)
        markers[i] = world:body{name = "marker" .. i, pos = {m[1], m[2], 0.03}, mass = p.marker_mass,
                                com = {0, 0, 0.2},
                                geoms = {{type = "cylinder", radius = 0.08, length = 0.8, pos = {0, 0, 0.42},
                                          material = "rock", color = {0.95, 0.9, 0.1}},
                                         {type = "box", size = {0.4, 0.3, 0.02}, material = "rock",
                                          color = {0.3, 0.3, 0.3}}}}
    end
    world:geom{type = "cylinder", radius = p.goal_radius, length = 0.01, pos = {GOAL_X, p.goal_y, 1.5},
               color = {0.2, 0.9, 0.2, 0.5}, category = 0, collide = 0}

    rover = robots.crawler.build(world, {name = "rover", pos = {0, 0}, yaw = 0})
    lidar = rover:mine_sensors(world, {dust = p.dust, noise = p.lidar_noise})
    -- toe zones: in front of each pile, outside its passage
    local keepout = {}
    local gaps = {p.gap1_y, p.gap2_y}
    for i, px in ipairs(PILES_X) do
        local x0, x1 = px - PILE_DEPTH / 2 - 0.4, px - PILE_DEPTH / 2
        keepout[#keepout + 1] = {x0, -HALF_W, x1, gaps[i] - p.gap / 2 - 0.1}
        keepout[#keepout + 1] = {x0, gaps[i] + p.gap / 2 + 0.1, x1, HALF_W}
    end
    mon = safety.new(world, {robot_bodies = {{body = rover.chassis, radius = 0.5}}, keepout = keepout, state = ctx.state})

    local s = ctx.state
    s.seen = {}
    for i = 1, #MARKERS do s.seen[i] = false end
    s.nseen = 0
    s.path, s.up_min, s.px, s.py = 0, 1, 0, 0
    s.prev_d = goal_dist(ctx)
    s.prev_seen = 0
    s.last_stamp = -1
    s.lost, s.beams = 0, 0
    s.nx, s.ny, s.nyaw = 0, 0, 0
end

scene.observation = {
    scan = {sensor = "lidar"},
    imu = {sensor = "imu"},
    pose = kit.track.pose_entry(),
    goal = {shape = {4}, fn = function(ctx, out)
        local s = ctx.state
        local fx, fy = kit.terrain.to_local(s.nx, s.ny, s.nyaw, GOAL_X, ctx.params.goal_y)
        out[1], out[2], out[3], out[4] = fx, fy, s.nseen, ctx.params.markers_required
    end},
    env = {shape = {2}, fn = function(ctx, out) out[1], out[2] = ctx.params.darkness, ctx.params.dust end},
}

scene.action = {twist = {shape = {2}, low = {-0.6, -1.5}, high = {1.0, 1.5}}}

function scene.act(ctx, action)
    rover:set_twist(action.twist[1], action.twist[2])
end

-- marks the markers hit by the current lidar sample
local function survey(ctx)
    local s = ctx.state
    local stamp = lidar:stamp()
    if stamp == s.last_stamp then return end
    s.last_stamp = stamp
    local v, hits = lidar:data(), lidar:hits()
    local n = #v
    local ox, oy = rover.chassis:to_world(0, 0, 0.25)
    local _, _, yaw = rover:pose2d()
    local lost = 0
    for k = 1, n do
        if v[k] >= 7.99 then lost = lost + 1 end
        if hits[k] > 0 then
            local az = yaw - math.pi + 2 * math.pi * (k - 1) / n
            local hx, hy = ox + v[k] * math.cos(az), oy + v[k] * math.sin(az)
            for i, m in ipairs(markers) do
                if not s.seen[i] then
                    local mx, my = m:pos()
                    if (hx - mx) ^ 2 + (hy - my) ^ 2 < 0.04 then
                        s.seen[i] = true
                        s.nseen = s.nseen + 1
                    end
                end
            end
        end
    end
    s.lost, s.beams = s.lost + lost, s.beams + n
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    local x, y, yaw = kit.track.motion(s, rover)
    survey(ctx)
    kit.track.noisy_pose(s, x, y, yaw, p.loc_noise)
    mon:update(ctx)
end

function scene.reward(ctx)
    local s = ctx.state
    local d = goal_dist(ctx)
    local r = s.prev_d - d + 0.5 * (s.nseen - s.prev_seen)
    s.prev_d, s.prev_seen = d, s.nseen
    return r
end

function scene.failure(ctx)
    local up = rover:up_z()
    if up < 0.5 then return true, string.format("the crawler tipped over (up z = %.2f)", up) end
    for i, m in ipairs(markers) do
        if robots.kin.up_z(m:quat()) < math.cos(math.rad(30)) then return true, "survey marker " .. i .. " knocked over" end
    end
    return false
end

function scene.success(ctx)
    return goal_dist(ctx) < ctx.params.goal_radius and ctx.state.nseen >= ctx.params.markers_required
end

function scene.metrics(ctx)
    local s, p = ctx.state, ctx.params
    local m = mon:metrics()
    m.markers_seen = s.nseen
    m.goal_distance = goal_dist(ctx)
    m.path_length = s.path
    m.min_up_z = s.up_min
    m.lidar_lost_fraction = s.beams > 0 and s.lost / s.beams or 0
    m.darkness = p.darkness
    m.dust = p.dust
    return m
end

return scene
