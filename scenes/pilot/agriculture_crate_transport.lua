-- Agriculture crate transport: a field logistics robot (robots.diffdrive sized as a small
-- orchard platform: 0.9 x 0.6 x 0.2 m chassis, 45 kg, 0.16 m wheels 0.15 m ahead of
-- the centre, 40 N m motors, one rear caster: a 3-point support that keeps both wheels
-- loaded on uneven ground) carries a full harvest crate (0.6 x 0.4 x 0.31 m, `crate_mass` 8-14 kg, loose
-- on the flat deck, held only by friction) from the picking alley, round the headland,
-- to the collection point in the next alley. The ground is uneven (heightfield: smooth
-- bumps up to `bump_height` plus +-1 cm roughness on a 0.2 m grid); hedge rows (1.6 m
-- high, 0.5 m wide) line the alleys. A farm worker (scenario.human) walks back and forth
-- across the headland.
--
-- Observation: pose {3} (x, y, yaw; gaussian noise `loc_noise`), goal {4} (next waypoint
--   in the robot frame: forward, left (m); waypoint index (0-based), count), crate {2}
--   (crate centre offset from the deck centre in the chassis frame, m: a load sensor),
--   human {3} (the worker in the robot frame: forward, left (m), distance; the scene
--   always has its one worker), imu {10}
-- Action: twist {2}: forward speed [-0.5, 1.0] m/s, yaw rate [-1.0, 1.0] rad/s
-- success: the chassis within 0.5 m of the collection point, slower than 0.05 m/s, crate
--          on the deck
-- failure: the crate fell off (its centre > 0.45 m from the deck centre or below the deck
--          top), the robot tipped (up z < 0.8), or a contact with the worker exceeded its
--          ISO/TS 15066 limit (safety monitor); hedge rows are keep-out zones, counted in
--          safety_keepout_violations
-- reward:  progress along the waypoints (m) - 2 x crate slip on the deck (m) per step
-- metrics: crate max slip (m), waypoints reached, path length, min up z, and the
--          scenario.safety metrics (keep-out zones: the hedge rows)

local diffdrive = require "robots.diffdrive"
local kit = require "kit"
local scenario = require "scenario"

local bot, crate, worker, mon    -- handles of the current episode (set in build)

local CRATE = {0.6, 0.4, 0.31}
local DECK_Z = 0.26              -- m, chassis top above the ground at rest (wheel r + h/2)
local ROWS_Y = {-1.5, 1.5, 4.5}  -- m, hedge row centre lines, x from 1 to 11
local ROW_X = {1.0, 11.0}
local WAYPOINTS = {{10.8, 0}, {12.6, 0.8}, {12.6, 2.2}, {10.8, 3.0}, {2.0, 3.0}}

local scene = {
    name = "agriculture_crate_transport",
    domain = "agriculture",
    description = "Field robot carries a loose 10 kg harvest crate round the headland over uneven ground",
    timestep = 0.002,
    time_limit = 60,
    view = {eye = {3.00, -8.00, 6.50}, target = {3.50, 1.00, 0.50}, fov = 45},
    world = {iterations = 30},
    policy = "policies.crate_transport",
    params = {
        crate_mass = {default = 10, min = 8, max = 14, randomize = true, description = "crate with fruit, kg"},
        crate_friction = {default = 0.5, min = 0.3, max = 0.7, randomize = true, description = "Coulomb mu of the crate (deck 0.8)"},
        crate_offset = {default = 0.0, min = -0.08, max = 0.08, randomize = true, description = "crate x offset on the deck, m"},
        bump_height = {default = 0.05, min = 0.02, max = 0.08, randomize = true, description = "ground bump amplitude, m"},
        ground_friction = {default = 0.8, min = 0.6, max = 1.0, randomize = true, description = "Coulomb mu of the soil"},
        loc_noise = {default = 0.02, min = 0.0, max = 0.05, randomize = true, description = "localization noise stddev, m"},
        worker_speed = {default = 1.0, min = 0.6, max = 1.3, randomize = true, description = "worker walking speed, m/s"},
        worker_offset = {default = 0, min = 0, max = 8, randomize = true, description = "worker start along the walk, m"},
    },
}

local function crate_offset()
    local cx, cy, cz = crate:pos()
    local x, y, yaw = bot:pose2d()
    local fx, fy = kit.terrain.to_local(x, y, yaw, cx, cy)
    local _, _, bz = bot.chassis:to_world(0, 0, 0.1)
    return fx, fy, cz - CRATE[3] / 2 - bz
end

local function wp_dist(ctx)
    return kit.track.dist_to(WAYPOINTS, ctx.state.wp + 1, bot:pose2d())
end

function scene.build(world, ctx)
    local p = ctx.params
    world:material{name = "soil", friction = p.ground_friction}
    world:material{name = "hedge", friction = 0.9}
    kit.room.floor(world, {offset = -0.01, material = "soil", color = {0.4, 0.33, 0.22}})
    kit.terrain.heightfield(world, {size = {18, 9}, centre = {7, 1.5}, dx = 0.2, bumps = 30, bump_height = p.bump_height,
                                bump_width = {0.4, 1.0}, rough = 0.01, keep_flat = {{0, 0, 1.0}},
                                material = "soil", color = {0.45, 0.37, 0.25}})
    local keepout = {}
    for _, y in ipairs(ROWS_Y) do
        world:geom{type = "box", size = {ROW_X[2] - ROW_X[1], 0.5, 1.6}, pos = {(ROW_X[1] + ROW_X[2]) / 2, y, 0.8},
                   material = "hedge", color = {0.2, 0.5, 0.2}}
        -- the robot's centre must stay 0.3 m (half its width) + 0.1 m off the hedge
        keepout[#keepout + 1] = {ROW_X[1] - 0.4, y - 0.25 - 0.4, ROW_X[2] + 0.4, y + 0.25 + 0.4}
    end
    bot = diffdrive.build(world, {name = "bot", pos = {0, 0}, yaw = 0, chassis_size = {0.9, 0.6, 0.2}, chassis_mass = 45,
                                  wheel_radius = 0.16, wheel_width = 0.06, wheel_mass = 2, wheel_x = 0.15, casters = 1,
                                  caster_x = 0.36, caster_radius = 0.05, motor_fmax = 40,
                                  max_wheel_speed = 8})
    world:material{name = "crate", friction = p.crate_friction}
    crate = world:body{name = "crate", pos = {p.crate_offset, 0, DECK_Z + CRATE[3] / 2 + 0.002}, mass = p.crate_mass,
                       geoms = {{type = "box", size = CRATE, material = "crate", color = {0.85, 0.45, 0.1}}}}
    worker = scenario.human.spawn(world, {name = "worker", path = {{14.3, -1.2}, {14.3, 4.2}}, speed = p.worker_speed,
                                 loop = true, wait = 2, offset = p.worker_offset})
    world:sensor{type = "imu", name = "imu", body = bot.chassis, noise = {stddev = 0.02}}
    mon = scenario.safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.5}}, humans = {worker},
                             keepout = keepout, state = ctx.state})
    world:geom{type = "cylinder", radius = 0.5, length = 0.01, pos = {WAYPOINTS[#WAYPOINTS][1], WAYPOINTS[#WAYPOINTS][2], 0.12},
               color = {0.2, 0.8, 0.2, 0.5}, category = 0, collide = 0}

    local s = ctx.state
    s.wp = 0
    s.prev_d = wp_dist(ctx)
    s.path, s.up_min, s.px, s.py = 0, 1, 0, 0
    s.slip = 0
    s.prev_slip = 0
    s.c0x, s.c0y = crate_offset()
    s.nx, s.ny, s.nyaw = 0, 0, 0
end

scene.observation = {
    pose = kit.track.pose_entry(),
    goal = {shape = {4}, fn = function(ctx, out)
        local s = ctx.state
        local w = WAYPOINTS[math.min(s.wp + 1, #WAYPOINTS)]
        out[1], out[2] = kit.terrain.to_local(s.nx, s.ny, s.nyaw, w[1], w[2])
        out[3], out[4] = s.wp, #WAYPOINTS
    end},
    crate = {shape = {2}, fn = function(ctx, out) out[1], out[2] = crate_offset() end},
    human = {shape = {3}, fn = function(ctx, out)
        local x, y, yaw = bot:pose2d()
        local hx, hy = worker:pos()
        local fx, fy = kit.terrain.to_local(x, y, yaw, hx, hy)
        out[1], out[2], out[3] = fx, fy, math.sqrt(fx * fx + fy * fy)
    end},
    imu = {sensor = "imu"},
}

scene.action = {twist = {shape = {2}, low = {-0.5, -1.0}, high = {1.0, 1.0}}}

function scene.act(ctx, action)
    bot:set_twist(action.twist[1], action.twist[2])
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    worker:update(ctx)
    local x, y, yaw = kit.track.motion(s, bot)
    if s.wp < #WAYPOINTS - 1 and wp_dist(ctx) < 0.6 then s.wp = s.wp + 1 end
    local fx, fy = crate_offset()
    local slip = math.sqrt((fx - s.c0x) ^ 2 + (fy - s.c0y) ^ 2)
    if slip > s.slip then s.slip = slip end
    kit.track.noisy_pose(s, x, y, yaw, p.loc_noise)
    mon:update(ctx)
end

function scene.reward(ctx)
    local s = ctx.state
    local d = wp_dist(ctx)
    local r = 0
    if s.wp == (s.wp_rew or 0) then r = s.prev_d - d end
    s.wp_rew = s.wp
    s.prev_d = d
    local fx, fy = crate_offset()
    local slip = math.sqrt((fx - s.c0x) ^ 2 + (fy - s.c0y) ^ 2)
    r = r - 2 * math.max(0, slip - s.prev_slip)
    s.prev_slip = slip
    return r
end

function scene.failure(ctx)
    local fx, fy, dz = crate_offset()
    if math.sqrt(fx * fx + fy * fy) > 0.45 or dz < -0.08 then return true, "the crate fell off the deck" end
    if bot:up_z() < 0.8 then return true, "the robot tipped" end
    return mon:failed_now("the worker")
end

function scene.success(ctx)
    local s = ctx.state
    if s.wp < #WAYPOINTS - 1 then return false end
    local vx, vy = bot.chassis:linvel()
    return wp_dist(ctx) < 0.5 and math.sqrt(vx * vx + vy * vy) < 0.05
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = mon:metrics()
    m.crate_max_slip = s.slip
    m.waypoints = s.wp
    m.goal_distance = wp_dist(ctx)
    m.path_length = s.path
    m.min_up_z = s.up_min
    return m
end

return scene
