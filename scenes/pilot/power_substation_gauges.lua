-- Substation gauge reading by camera: an inspection robot (robots.diffdrive, 0.5 x 0.4 m,
-- centred axle) with an RGB camera on a mast (96 x 72 px, 5 Hz, 1.2 m up, 0.2 m ahead of
-- the chassis centre, looking ahead, fov_y 0.35 rad, with its own lamp) drives the aisle
-- between four fenced transformer bays of an outdoor substation and reads the
-- oil-temperature gauge on a post in front of each bay: a white dial (0.24 m) with a red
-- needle over 0..100 (-135..+135 deg from straight up, clockwise as seen from the aisle),
-- facing the aisle. The policy sees only the rendered image (and its route): it must find
-- the needle in the pixels and report each value (action `report`); a report further than
-- `tolerance` from the true value (the needle the scene drew) is a misread. `darkness`
-- dims the daylight (0 day .. 0.8 dusk; the lamp is not dimmed). The bays are keep-out zones.
-- The camera needs the renderer: in a PILOTSIM_RENDER=OFF build the scene fails to build
-- with "camera sensors need the renderer" (no image is faked).
--
-- observation: pose {x, y, yaw}, twist {v, w}, route {dx, dy, face error, stop, dwell
--   fraction, done, total} (kit.route: one stop 1.2 m in front of each gauge, facing it),
--   image {72, 96, 3} (the camera's RGB image, uint8 0..255, top row first)
-- action: base {v (m/s, -0.3..0.8), w (rad/s, -1.5..1.5)}; report {flag (> 0.5 reports),
--   gauge index (1..4, rounded), value (0..100)}: the first report of each gauge counts
-- success: every gauge reported within `tolerance` (each stop is done 1 s after its report)
-- failure: a report off by more than `tolerance`, a bay entered, the robot tipped
-- reward:  +1 per gauge read right, -0.01 per second
-- metrics: gauges read, reading error (max, units), path length, time + scenario.safety's

local diffdrive = require "robots.diffdrive"
local safety = require "scenario.safety"
local kit = require "kit"

local R, rt = kit.rover.new(), kit.route.new()
local bot, mon

local BAYS = {{4, 2, 8, 6}, {4, -6, 8, -2}, {10, 2, 14, 6}, {10, -6, 14, -2}}
local GAUGES = {{5.0, 1.6, -1}, {7.0, -1.6, 1}, {11.0, 1.6, -1}, {13.0, -1.6, 1}}   -- x, y, face normal y
local SWEEP = math.rad(135)
local W, H = 96, 72
local DIAL_Z, DIAL_R, NEEDLE = 1.2, 0.12, 0.1   -- dial centre height, radius, needle length (m)

local scene = {
    name = "power_substation_gauges",
    domain = "power_utility",
    description = "Inspection robot reads four transformer oil-temperature gauges in a substation from its camera images",
    instruction = "Read the oil-temperature gauge of every transformer bay and report each value.",
    timestep = 0.005,
    time_limit = 80,
    world = {contact_forces = true, static_space = true},
    policy = "policies.substation_gauges",
    view = {eye = {9, -12, 10}, target = {9, 0, 0}, fov = 50},
    params = {
        gauge_jitter = {default = 0.0, min = -0.4, max = 0.4, randomize = true, description = "shift of every gauge post along the aisle (m)"},
        darkness = {default = 0.3, min = 0.0, max = 0.8, randomize = true, description = "0 day .. 1 night: dims the daylight in the camera image"},
        lamp = {default = 0.6, min = 0.0, max = 2.0, description = "the camera lamp's intensity (renderer units: 1 lights a white wall 1 m away fully)"},
        tolerance = {default = 5, min = 1, max = 20, description = "largest accepted reading error (gauge units of 0..100)"},
        start_yaw = {default = 0.0, min = -0.5, max = 0.5, randomize = true, description = "robot start heading (rad)"},
        gravel_friction = {default = 0.7, min = 0.5, max = 0.9, randomize = true, description = "gravel yard mu"},
        accel = {default = 0.8, min = 0.1, max = 5.0, description = "base acceleration limit applied by act (m/s^2)"},
    },
}

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.gravel_friction, color = {0.55, 0.53, 0.5}})
    kit.room.walls(world, {-2, -7, 18, 7}, {height = 2.2, thickness = 0.05, color = {0.6, 0.6, 0.6}})
    s.g, s.bays = {}, {}
    for i, b in ipairs(BAYS) do
        kit.room.walls(world, b, {height = 1.8, thickness = 0.05, color = {0.65, 0.65, 0.6}})
        local cx, cy = (b[1] + b[3]) / 2, (b[2] + b[4]) / 2
        world:geom{type = "box", size = {2.6, 2.0, 2.5}, pos = {cx, cy, 1.25}, color = {0.45, 0.5, 0.45}}
        s.bays[i] = {b[1] - 0.2, b[2] - 0.2, b[3] + 0.2, b[4] + 0.2}
    end
    for i, g in ipairs(GAUGES) do
        local value = math.random() * 100
        local x = g[1] + p.gauge_jitter
        s.g[i] = {x, g[2], g[3], value}
        world:geom{type = "box", size = {0.08, 0.08, 1.2}, pos = {x, g[2], 0.6}, color = {0.3, 0.3, 0.35}}
        world:geom{type = "cylinder", radius = DIAL_R, length = 0.03, pos = {x, g[2] + 0.055 * g[3], DIAL_Z},
                   rpy = {math.pi / 2, 0, 0}, color = {0.95, 0.95, 0.9}, name = "gauge" .. i}
        -- the needle: from the dial's centre, th from straight up, clockwise seen from the
        -- aisle (the viewer's right is -ny along x); a box's z axis turned about y by -ny th
        local th = (value / 100 * 2 - 1) * SWEEP
        world:geom{type = "box", size = {0.012, 0.004, NEEDLE}, rpy = {0, -g[3] * th, 0},
                   pos = {x - g[3] * math.sin(th) * NEEDLE / 2, g[2] + 0.072 * g[3], DIAL_Z + math.cos(th) * NEEDLE / 2},
                   color = {0.85, 0.1, 0.08}, category = 0, collide = 0, name = "needle" .. i}
    end
    bot = diffdrive.build(world, {name = "inspector", pos = {0, 0}, yaw = p.start_yaw, casters = 2, wheel_x = 0,
                                  caster_lift = 0.004})
    R:attach(bot, s)
    world:sensor{type = "camera", name = "gauge_cam", body = bot.chassis, pos = {0.2, 0, DIAL_Z - 0.1}, camera = "rgb",
                 width = W, height = H, fov_y = 0.35, near = 0.05, far = 30, rate = 5, darkness = p.darkness,
                 lamp = p.lamp}
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
    image = {sensor = "gauge_cam"},
}

local function report_act(ctx, action)
    local s = ctx.state
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

R:route_task(scene, rt, {low = {-0.3, -1.5}, high = {0.8, 1.5}, turn_accel = 2.5, act = report_act,
                         action = {report = {shape = {3}, low = {0, 1, 0}, high = {1, 4, 100}}}})

function scene.step(ctx)
    local s = ctx.state
    mon:update(ctx)
    R:track(ctx)
    rt:follow(ctx, R, s.reported[rt:index(s)] == true)
end

function scene.reward(ctx) return kit.track.gain(ctx, ctx.state.nread) end

function scene.failure(ctx)
    local s = ctx.state
    if s.misread then return true, s.misread end
    if s.safety.keepout_steps > 0 then return true, "the robot entered a transformer bay" end
    return R:failed(ctx, "a person")
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
