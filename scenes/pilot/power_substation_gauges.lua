-- Substation gauge reading: an inspection robot (robots.diffdrive, 0.5 x 0.4 m, centred
-- axle, a camera at 0.5 m looking ahead) drives the aisle between four fenced transformer
-- bays of an outdoor substation and reads the oil-temperature gauge on a post in front of
-- each bay (a dial 0..100 over a needle sweep of -135..+135 deg, facing the aisle). The
-- camera's gauge reader (kit.sight: 60 deg field of view, 3 m, no occlusion here) reports
-- the dial nearest the image centre: its index and the needle angle, with noise that grows
-- with distance, obliqueness and `darkness` (dusk: the robot's lamp only); averaging frames
-- brings it down. The policy reports each value (action `report`); a report further than
-- `tolerance` from the true value is a misread. The bays are keep-out zones.
--
-- observation: pose {x, y, yaw}, twist {v, w}, route {dx, dy, face error, stop, dwell
--   fraction, done, total} (kit.route: one stop 1.2 m in front of each gauge, facing it),
--   camera {seen 0/1, gauge index (0 none), needle angle (rad), distance (m)}
-- action: base {v (m/s, -0.3..0.8), w (rad/s, -1.5..1.5)}; report {flag (> 0.5 reports),
--   gauge index (1..4, rounded), value (0..100)}: the first report of each gauge counts
-- success: every gauge reported within `tolerance` (each stop is done 1 s after its report)
-- failure: a report off by more than `tolerance`, a bay entered, the robot tipped
-- reward:  +1 per gauge read right, -0.01 per second
-- metrics: gauges read, reading error (max, units), path length, time + scenario.safety's

local diffdrive = require "robots.diffdrive"
local safety = require "scenario.safety"
local room = require "kit.room"
local rover = require "kit.rover"
local route = require "kit.route"
local sight = require "kit.sight"

local R, rt = rover.new(), route.new()
local bot, mon

local BAYS = {{4, 2, 8, 6}, {4, -6, 8, -2}, {10, 2, 14, 6}, {10, -6, 14, -2}}
local GAUGES = {{5.0, 1.6, -1}, {7.0, -1.6, 1}, {11.0, 1.6, -1}, {13.0, -1.6, 1}}   -- x, y, face normal y
local SWEEP = math.rad(135)
local CAM = {fov = math.rad(60), range = 3.0}

local scene = {
    name = "power_substation_gauges",
    domain = "power_utility",
    description = "Inspection robot reads four transformer oil-temperature gauges in a substation with a camera gauge reader",
    instruction = "Read the oil-temperature gauge of every transformer bay and report each value.",
    timestep = 0.005,
    time_limit = 80,
    world = {contact_forces = true, static_space = true},
    policy = "policies.substation_gauges",
    view = {eye = {9, -12, 10}, target = {9, 0, 0}, fov = 50},
    params = {
        gauge_jitter = {default = 0.0, min = -0.4, max = 0.4, randomize = true, description = "shift of every gauge post along the aisle (m)"},
        darkness = {default = 0.3, min = 0.0, max = 0.8, randomize = true, description = "0 day .. 1 night: needle noise 0.02 rad + 0.01 rad/m + 0.06 rad x darkness"},
        tolerance = {default = 5, min = 1, max = 20, description = "largest accepted reading error (gauge units of 0..100)"},
        start_yaw = {default = 0.0, min = -0.5, max = 0.5, randomize = true, description = "robot start heading (rad)"},
        gravel_friction = {default = 0.7, min = 0.5, max = 0.9, randomize = true, description = "gravel yard mu"},
        accel = {default = 0.8, min = 0.1, max = 5.0, description = "base acceleration limit applied by act (m/s^2)"},
    },
}

-- the camera's gauge reader: the visible dial nearest the image centre
local function reader(ctx)
    local x, y, yaw = R:pose()
    local cx, cy = x + 0.2 * math.cos(yaw), y + 0.2 * math.sin(yaw)
    local best, bb, bd = 0, 1e9, 0
    for i, g in ipairs(ctx.state.g) do
        local seen, bearing, dist = sight.view(cx, cy, yaw, g[1], g[2], CAM)
        if seen and sight.facing(0, g[3], cx, cy, g[1], g[2]) > 0.5 and math.abs(bearing) < bb then
            best, bb, bd = i, math.abs(bearing), dist
        end
    end
    return best, bd
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    room.floor(world, {friction = p.gravel_friction, color = {0.55, 0.53, 0.5}})
    room.walls(world, {-2, -7, 18, 7}, {height = 2.2, thickness = 0.05, color = {0.6, 0.6, 0.6}})
    s.g, s.bays = {}, {}
    for i, b in ipairs(BAYS) do
        room.walls(world, b, {height = 1.8, thickness = 0.05, color = {0.65, 0.65, 0.6}})
        local cx, cy = (b[1] + b[3]) / 2, (b[2] + b[4]) / 2
        world:geom{type = "box", size = {2.6, 2.0, 2.5}, pos = {cx, cy, 1.25}, color = {0.45, 0.5, 0.45}}
        s.bays[i] = {b[1] - 0.2, b[2] - 0.2, b[3] + 0.2, b[4] + 0.2}
    end
    for i, g in ipairs(GAUGES) do
        local value = math.random() * 100
        local x = g[1] + p.gauge_jitter
        s.g[i] = {x, g[2], g[3], value}
        world:geom{type = "box", size = {0.08, 0.08, 1.2}, pos = {x, g[2], 0.6}, color = {0.3, 0.3, 0.35}}
        world:geom{type = "cylinder", radius = 0.09, length = 0.03, pos = {x, g[2] + 0.055 * g[3], 1.2},
                   rpy = {math.pi / 2, 0, 0}, color = {0.95, 0.95, 0.9}, name = "gauge" .. i}
    end
    bot = diffdrive.build(world, {name = "inspector", pos = {0, 0}, yaw = p.start_yaw, casters = 2, wheel_x = 0,
                                  caster_lift = 0.004})
    R:attach(bot, s)
    mon = safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.3}}, keepout = s.bays, state = s})
    local pts = {}
    for i, g in ipairs(s.g) do
        pts[i] = {g[1], g[2] + 1.2 * g[3], stop = true, face = g[3] > 0 and -math.pi / 2 or math.pi / 2, dwell = 1.0,
                  name = "gauge" .. i}
    end
    rt:set(s, pts)
    s.reported, s.err_max, s.nread, s.rewarded, s.misread = {}, 0, 0, 0, nil
end

scene.observation = {
    pose = R:pose_entry(),
    twist = R:twist_entry(),
    route = rt:entry(R),
    camera = {shape = {4}, fn = function(ctx, out)
        local i, dist = reader(ctx)
        out[1], out[2], out[3], out[4] = 0, 0, 0, 0
        if i == 0 then return end
        local g = ctx.state.g[i]
        local x, y = R:pose()
        local oblique = 1 - sight.facing(0, g[3], x, y, g[1], g[2])
        local sd = 0.02 + 0.01 * dist + 0.06 * ctx.params.darkness + 0.2 * oblique
        out[1], out[2], out[4] = 1, i, dist
        out[3] = (g[4] / 100 * 2 - 1) * SWEEP + math.normal(0, sd)
    end},
}

scene.action = {
    base = {shape = {2}, low = {-0.3, -1.5}, high = {0.8, 1.5}},
    report = {shape = {3}, low = {0, 1, 0}, high = {1, 4, 100}},
}

function scene.act(ctx, action)
    local s = ctx.state
    R:drive(ctx, action.base[1], action.base[2], ctx.params.accel, 2.5)
    local i = math.floor(action.report[2] + 0.5)
    if action.report[1] > 0.5 and not s.reported[i] then
        local err = math.abs(action.report[3] - s.g[i][4])
        s.reported[i] = true
        s.err_max = math.max(s.err_max, err)
        if err > ctx.params.tolerance then
            s.misread = s.misread or string.format("gauge %d misread: reported %.1f, it shows %.1f", i, action.report[3], s.g[i][4])
        else
            s.nread = s.nread + 1
        end
    end
end

function scene.step(ctx)
    local s = ctx.state
    mon:update(ctx)
    R:track(ctx)
    rt:follow(ctx, R, s.reported[rt:index(s)] == true)
end

function scene.reward(ctx)
    local s = ctx.state
    local r = (s.nread - s.rewarded) - 0.01 * ctx.dt
    s.rewarded = s.nread
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    if s.misread then return true, s.misread end
    if s.safety.keepout_steps > 0 then return true, "the robot entered a transformer bay" end
    local bad, why = R:failed(ctx, "a person")
    if bad then return true, why end
    return false
end

function scene.success(ctx) return rt:done(ctx.state) and ctx.state.nread == #GAUGES end

function scene.metrics(ctx)
    local s = ctx.state
    local m = R:metrics(ctx, mon)
    m.gauges_read = s.nread
    m.reading_error_max = s.err_max
    return m
end

return scene
