-- Construction site survey: a six-wheeled survey crawler (robots.crawler, 40 kg,
-- suspension) crosses a 24 x 16 m earthworks site (kit.terrain heightfield: gaussian
-- mounds up to `bump_height` plus +-1.5 cm roughness, static rubble) and takes a GNSS fix at
-- four survey stakes: it must stand within 0.3 m of each stake, still, for 2 s. An
-- excavation and the crane's swing area are keep-out zones; two site workers walk between
-- the site office and the stockpiles (scenario.human; they stop for a robot in their way).
-- The pose comes from the crawler's GNSS (gaussian noise `gnss_noise` m, yaw noise half that
-- in rad) while the stakes are surveyed positions.
--
-- observation: pose {x, y, yaw} (GNSS, noisy), twist {v, w}, route {dx, dy, face error,
--   stop, dwell fraction, done, total} (kit.route, ground truth), people {dx, dy, vx, vy} x 2
--   (robot frame), imu (specific force 3, angular velocity 3, orientation quaternion 4),
--   zones {xmin, ymin, xmax, ymax} x 2 (keep-outs, world)
-- action: base {v (m/s, -0.4..1.0), w (rad/s, -1.5..1.5)}; act() applies acceleration limits
-- success: all four stakes fixed
-- failure: a keep-out zone entered, the crawler rolled over (> 45 deg), or hit a worker
--          above the ISO/TS 15066 limits
-- reward:  +1 per stake, -0.01 per second
-- metrics: stakes surveyed, max tilt (deg), path length, time + scenario.safety's

local crawler = require "robots.crawler"
local safety = require "scenario.safety"
local kit = require "kit"

local R, rt = kit.rover.new(), kit.route.new()
local bot, mon
local workers = {}

local PIT, CRANE = {6, -7, 11, -3.5}, {13, 3.5, 17, 7}
local STAKE_AREAS = {{3, -2, 6, 2}, {8, -1, 11, 2.5}, {13, -2.5, 17, 2}, {18, -3, 21, 3}}

local scene = {
    name = "construction_site_survey",
    domain = "construction",
    description = "Survey crawler takes GNSS fixes at four stakes across rough earthworks, avoiding the excavation and the crane",
    instruction = "Survey the four stakes on the site in order, standing still at each for a GNSS fix.",
    timestep = 0.004,
    time_limit = 90,
    world = {contact_forces = true, static_space = true, iterations = 30},
    policy = "policies.site_survey",
    view = {eye = {10, -16, 11}, target = {11, 0, 0}, fov = 55},
    params = kit.rover.params(1.0, {
        bump_height = {default = 0.15, min = 0.05, max = 0.25, randomize = true, description = "mound height scale (m)"},
        rubble = {default = 25, min = 0, max = 60, integer = true, description = "static rubble pieces"},
        gnss_noise = {default = 0.03, min = 0.0, max = 0.08, randomize = true, description = "GNSS position noise stddev (m; yaw: half, rad)"},
        soil_friction = {default = 0.8, min = 0.55, max = 1.0, randomize = true, description = "soil mu"},
        worker_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "workers' walking speed (m/s)"},
    }),
}

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    world:material{name = "soil", friction = p.soil_friction}
    kit.room.floor(world, {material = "soil", offset = -0.3, color = {0.45, 0.4, 0.32}})
    -- stakes first (four uniform pairs), then the terrain's draws, then the rubble's
    local pts = {}
    for i, a in ipairs(STAKE_AREAS) do
        pts[i] = {kit.util.uniform(a[1], a[3]), kit.util.uniform(a[2], a[4]), stop = true, tol = 0.3, dwell = 2.0,
                  name = "stake" .. i}
    end
    local flat = {{0, 0, 1.2}}
    for _, q in ipairs(pts) do flat[#flat + 1] = {q[1], q[2], 0.8} end
    kit.terrain.heightfield(world, {size = {26, 18}, centre = {10, 0}, dx = 0.25, bumps = 30, bump_height = p.bump_height,
                                bump_width = {0.8, 2.0}, rough = 0.015, keep_flat = flat, material = "soil"})
    kit.terrain.rubble(world, {n = p.rubble, area = {1, -7, 22, 7}, size = {{0.1, 0.3}, {0.1, 0.3}, {0.05, 0.12}},
                           material = "soil", color = {0.55, 0.52, 0.48}})
    for _, r in ipairs({PIT, CRANE}) do
        world:geom{type = "box", size = {r[3] - r[1], r[4] - r[2], 0.02}, pos = {(r[1] + r[3]) / 2, (r[2] + r[4]) / 2, 0.3},
                   color = {0.95, 0.5, 0.1, 0.5}, collide = 0, category = 0}
    end
    for i, q in ipairs(pts) do
        world:geom{type = "cylinder", radius = 0.02, length = 0.5, pos = {q[1], q[2], 0.25}, color = {0.95, 0.2, 0.6},
                   collide = 0, category = 0, name = "stake" .. i}
    end
    -- the site office and two stockpiles
    world:geom{type = "box", size = {3, 2.4, 2.6}, pos = {-0.5, 5.5, 1.3}, color = {0.85, 0.8, 0.3}}
    world:geom{type = "sphere", radius = 1.4, pos = {20, -6.5, -0.3}, color = {0.55, 0.45, 0.35}}
    world:geom{type = "sphere", radius = 1.2, pos = {21, 6.5, -0.3}, color = {0.6, 0.55, 0.5}}

    bot = crawler.build(world, {name = "surveyor", pos = {0, 0}, yaw = 0})
    R:attach(bot, s)
    world:sensor{type = "imu", name = "imu", body = bot.chassis, noise = {stddev = 0.01}}
    local v = p.worker_speed
    local common = {yield_to = {bot.chassis}, state = s, speed = v}
    workers = kit.people.walkers(world, common, {
        {name = "worker1", path = {{1.5, 4}, {19, 5.5}}, wait = 3, offset = 6},
        {name = "worker2", path = {{12, -3}, {18.5, -5.5}}, wait = 2, offset = 3, color = {0.9, 0.6, 0.1}},
    })
    mon = safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.5}}, humans = workers,
                             keepout = {PIT, CRANE}, state = s})
    rt:set(s, pts)
    s.tilt = 0
    s.nx, s.ny, s.nyaw = 0, 0, 0
end

scene.observation = {
    pose = kit.track.pose_entry(),
    twist = R:twist_entry(),
    route = rt:entry(R),
    people = R:people_entry(2, function() return workers end),
    imu = {sensor = "imu"},
    zones = {shape = {2, 4}, fn = function(_, out)
        for i = 1, 4 do out[i], out[4 + i] = PIT[i], CRANE[i] end
    end},
}

R:route_task(scene, rt, {low = {-0.4, -1.5}, high = {1.0, 1.5}, turn_accel = 3.0})

function scene.step(ctx)
    local s = ctx.state
    mon:update(ctx)
    kit.people.update(workers, ctx)
    R:track(ctx)
    local x, y, yaw = R:pose()
    kit.track.noisy_pose(s, x, y, yaw, ctx.params.gnss_noise)
    rt:follow(ctx, R)
    s.tilt = math.max(s.tilt, kit.util.tilt_deg(bot.chassis))
end

function scene.failure(ctx)
    local s = ctx.state
    if s.safety.keepout_steps > 0 then return true, "the crawler entered a keep-out zone" end
    if kit.util.tilt_deg(bot.chassis) > 45 then return true, "the crawler rolled over" end
    return safety.failed(ctx, "a worker")
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = R:metrics(ctx, mon)
    m.stakes_surveyed = rt:count(s)
    m.tilt_max = s.tilt
    return m
end

return scene
