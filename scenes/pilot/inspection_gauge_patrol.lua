-- Industrial inspection: a wheeled patrol robot (robots.diffdrive, 0.5 x 0.4 m, 20 kg,
-- a 2D lidar at 0.3 m) reads four pressure gauges in a 16 x 11 m plant hall. Each gauge
-- (a 10 cm dial at 1.2 m on a post, facing `normal`) counts as read once the robot stood
-- 0.8-1.5 m in front of it (within 45 deg of its face normal), its heading within 15 deg
-- of the gauge, nearly still (< 5 cm/s), for `dwell` s (longer in dim light: the camera
-- needs a longer exposure). A worker (scenario.human) walks the hall; a marked hazard
-- zone around a pump must not be entered.
--
-- observation: pose {x, y, yaw}, twist {v, w}, gauges {dx, dy, nx, ny, read, dwell
--   fraction} x 4 (gauge position and face normal in the robot frame; route order),
--   people {dx, dy, vx, vy} (robot frame), hazard {xmin, ymin, xmax, ymax} (world),
--   scan (lidar: 181 beams over 270 deg, 10 m, 10 Hz)
-- action: base {v (m/s, -0.3..0.8), w (rad/s, -1.5..1.5)}; act() applies acceleration limits
-- success: all four gauges read
-- failure: the robot entered the hazard zone, tipped, or hit the worker above the
--          ISO/TS 15066 limits
-- reward:  +1 per gauge read, -0.01 per second
-- metrics: gauges read, path length, time + scenario.safety's

local diffdrive = require "robots.diffdrive"
local scenario = require "scenario"

local bot, mon, worker

local GAUGES = {                          -- x, y, face normal (route order)
    {3.0, 4.0, 0, -1}, {6.5, 0.0, 0, 1}, {12.0, 2.0, -1, 0}, {8.0, -4.0, 0, 1},
}
local HAZARD = {4.2, -3.4, 5.8, -1.8}     -- pump skid, m
local R_MIN, R_MAX, ANG_MAX, FACE_MAX = 0.8, 1.5, math.rad(15), math.rad(45)

local scene = {
    name = "inspection_gauge_patrol",
    domain = "industrial_inspection",
    description = "Patrol robot reads four gauges in a plant hall, facing each within range and angle for a dwell time",
    timestep = 0.004,
    time_limit = 90,
    view = {eye = {11.12, -11.59, 7.92}, target = {5.85, -0.28, 0.72}, fov = 45},
    world = {contact_forces = true},
    policy = "policies.inspection_patrol",
    params = {
        gauge_jitter = {default = 0.0, min = 0.0, max = 0.3, randomize = true, description = "max random shift of each gauge post along its mounting line (m)"},
        start_yaw = {default = 0.0, min = -0.6, max = 0.6, randomize = true, description = "robot start heading (rad)"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "concrete floor mu"},
        darkness = {default = 0.0, min = 0.0, max = 1.0, randomize = true, description = "0 lit .. 1 dark hall: dwell = 1.5 s + 1.5 s x darkness"},
        lidar_noise = {default = 0.01, min = 0.0, max = 0.03, randomize = true, description = "lidar range noise stddev (m)"},
        worker_speed = {default = 1.1, min = 0.8, max = 1.4, randomize = true, description = "worker walking speed (m/s)"},
        accel = {default = 0.8, min = 0.1, max = 5.0, description = "base acceleration limit applied by act (m/s^2)"},
    },
}

local kit = require "kit"
local function wrap(a) return (a + math.pi) % (2 * math.pi) - math.pi end

local function gauge_ok(ctx, i)
    local g = ctx.state.g[i]
    local x, y, yaw = bot:pose2d()
    local dx, dy = x - g[1], y - g[2]
    local d = math.sqrt(dx * dx + dy * dy)
    if d < R_MIN or d > R_MAX then return false end
    if (dx * g[3] + dy * g[4]) / d < math.cos(FACE_MAX) then return false end
    if math.abs(wrap(math.atan(-dy, -dx) - yaw)) > ANG_MAX then return false end
    local vx, vy = bot.chassis:linvel()
    return math.sqrt(vx * vx + vy * vy) < 0.05
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    world:material{name = "concrete", friction = p.floor_friction}
    kit.room.floor(world, {material = "concrete", color = {0.55, 0.55, 0.55}})
    for _, g in ipairs({{{17, 0.2, 3}, {6.5, -5.6, 1.5}}, {{17, 0.2, 3}, {6.5, 5.6, 1.5}},
                        {{0.2, 11, 3}, {-1.6, 0, 1.5}}, {{0.2, 11, 3}, {14.6, 0, 1.5}}}) do
        world:geom{type = "box", size = g[1], pos = g[2], color = {0.75, 0.75, 0.7}}
    end
    s.g = {}
    for i, g in ipairs(GAUGES) do
        -- shift along the mounting line (perpendicular to the normal)
        local j = (math.random() * 2 - 1) * p.gauge_jitter
        local x, y = g[1] - g[4] * j, g[2] + g[3] * j
        s.g[i] = {x, y, g[3], g[4]}
        world:geom{type = "box", size = {0.1, 0.1, 1.3}, pos = {x, y, 0.65}, color = {0.3, 0.3, 0.35}}
        world:geom{type = "cylinder", radius = 0.08, length = 0.03, pos = {x + 0.065 * g[3], y + 0.065 * g[4], 1.2},
                   rpy = {math.pi / 2 * math.abs(g[4]) * (g[4] ~= 0 and 1 or 0), math.pi / 2 * math.abs(g[3]), 0},
                   color = {0.95, 0.95, 0.9}, name = "gauge" .. i}
        -- a pipe the gauge sits on, behind the post
        world:geom{type = "cylinder", radius = 0.1, length = 1.6, pos = {x - 0.2 * g[3], y - 0.2 * g[4], 0.4},
                   rpy = {math.pi / 2 * math.abs(g[3]), math.pi / 2 * math.abs(g[4]), 0}, color = {0.7, 0.5, 0.2}}
    end
    -- the pump skid inside the hazard zone and storage tanks along the walls
    world:geom{type = "box", size = {1.0, 0.8, 0.9}, pos = {5.0, -2.6, 0.45}, color = {0.2, 0.4, 0.7}}
    world:geom{type = "box", size = {HAZARD[3] - HAZARD[1], HAZARD[4] - HAZARD[2], 0.002},
               pos = {(HAZARD[1] + HAZARD[3]) / 2, (HAZARD[2] + HAZARD[4]) / 2, 0.001},
               color = {0.9, 0.8, 0.1}, collide = 0, category = 0}
    for _, t in ipairs({{0.5, 4.6}, {10.0, 4.6}, {13.6, -4.4}, {0.5, -4.6}}) do
        world:geom{type = "cylinder", radius = 0.7, length = 2.5, pos = {t[1], t[2], 1.25}, color = {0.6, 0.62, 0.65}}
    end
    bot = diffdrive.build(world, {name = "patrol", pos = {0, 0}, yaw = p.start_yaw})
    world:sensor{type = "lidar", name = "scan", body = bot.chassis, pos = {0.15, 0, 0.2}, h_beams = 181,
                         h_fov = math.rad(270), range_min = 0.05, range_max = 10, rate = 10, noise = {stddev = p.lidar_noise}}
    worker = scenario.human.spawn(world, {name = "worker", path = {{1.0, -4.6}, {11.5, -4.6}, {11.5, -0.5}, {9.5, -0.5}}, speed = p.worker_speed,
                                 wait = 2.0, offset = math.random() * 20, yield_to = {bot.chassis}, state = s})
    mon = scenario.safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.32}}, humans = {worker},
                             keepout = {HAZARD}, state = s})
    s.read, s.dwell = {false, false, false, false}, {0, 0, 0, 0}
    s.nread, s.v, s.w, s.path, s.px, s.py = 0, 0, 0, 0, 0, 0
    s.need = 1.5 + 1.5 * p.darkness
end

scene.observation = {
    pose = {shape = {3}, fn = function(ctx, out) local x, y, yaw = bot:pose2d(); out[1], out[2], out[3] = x, y, yaw end},
    twist = {shape = {2}, fn = function(_, out) out[1], out[2] = kit.rover.twist(bot) end},
    gauges = {shape = {4, 6}, fn = function(ctx, out)
        local s = ctx.state
        local x, y, yaw = bot:pose2d()
        local c, sn = math.cos(yaw), math.sin(yaw)
        for i, g in ipairs(s.g) do
            local k = (i - 1) * 6
            local dx, dy = kit.util.to_local(x, y, yaw, g[1], g[2])
            out[k + 1], out[k + 2] = dx, dy
            out[k + 3], out[k + 4] = c * g[3] + sn * g[4], -sn * g[3] + c * g[4]
            out[k + 5] = s.read[i] and 1 or 0
            out[k + 6] = math.min(1, s.dwell[i] / s.need)
        end
    end},
    people = {shape = {4}, fn = function(ctx, out)
        local x, y, yaw = bot:pose2d()
        local hx, hy = worker:pos()
        local vx, vy = worker:vel()
        local c, s = math.cos(yaw), math.sin(yaw)
        out[1], out[2] = kit.util.to_local(x, y, yaw, hx, hy)
        out[3], out[4] = c * vx + s * vy, -s * vx + c * vy
    end},
    hazard = {shape = {4}, fn = function(ctx, out) for i = 1, 4 do out[i] = HAZARD[i] end end},
    scan = {sensor = "scan"},
}

scene.action = {base = {shape = {2}, low = {-0.3, -1.5}, high = {0.8, 1.5}}}

function scene.act(ctx, action)
    local s, p = ctx.state, ctx.params
    s.v = kit.util.approach(s.v, action.base[1], p.accel, ctx.dt)
    s.w = kit.util.approach(s.w, action.base[2], 3, ctx.dt)
    bot:set_twist(s.v, s.w)
end

function scene.step(ctx)
    local s = ctx.state
    mon:update(ctx)
    worker:update(ctx)
    local x, y = bot:pose2d()
    kit.track.odometer(s, x, y)
    for i = 1, #s.g do
        if not s.read[i] then
            if gauge_ok(ctx, i) then s.dwell[i] = s.dwell[i] + ctx.dt else s.dwell[i] = 0 end
            if s.dwell[i] >= s.need then s.read[i] = true; s.nread = s.nread + 1 end
        end
    end
end

function scene.reward(ctx)
    local s = ctx.state
    local r = -0.01 * ctx.dt
    if s.nread > (s.rewarded or 0) then r = r + (s.nread - (s.rewarded or 0)); s.rewarded = s.nread end
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    if s.safety.keepout_steps > 0 then return true, "the robot entered the hazard zone" end
    if bot:up_z() < 0.8 then return true, "the robot tipped over" end
    return scenario.safety.failed(ctx, "the worker")
end

function scene.success(ctx) return ctx.state.nread == #GAUGES end

function scene.metrics(ctx)
    local m = kit.track.copy(mon:metrics(ctx), ctx.state, {gauges_read = "nread", path_length = "path"})
    m.time = ctx.t
    return m
end

return scene
