-- Security patrol at night: a patrol robot (robots.diffdrive, 0.5 x 0.4 m, centred axle)
-- with a camera pair at its front (0.5 m up, looking ahead, 96 x 72 px, fov_y 0.8 rad,
-- 5 Hz: an RGB camera with its own lamp and a segmentation camera of the same view, which
-- stands in for a person-segmentation network run on that image) drives the central road
-- of a dark container yard (two rows of three shipping containers, gaps between them) and
-- looks into each gap from four look-out stops. An intruder in dark clothes hides in one
-- gap (`intruder_gap`), shuffling about; a night guard in a yellow hi-vis vest walks the
-- north fence lane. The yard is dark (`darkness` dims the RGB image's light to 2..10 %):
-- only the lamp (`lamp`: colour x lamp / d^2 at d m) shows people a few metres away.
-- The policy sees pixels only: it raises the alarm with the intruder's estimated position
-- (action `alarm`); an alarm further than 2 m from the intruder (or at the guard) is a
-- false alarm. The cameras need the renderer: in a PILOTSIM_RENDER=OFF build the scene
-- fails to build with "camera sensors need the renderer" (no image is faked).
--
-- observation: pose {x, y, yaw}, twist {v, w}, route {dx, dy, face error, stop, dwell
--   fraction, done, total} (kit.route: the look-out stops and the yard's far end),
--   image {72, 96, 3} (RGB uint8 0..255, top row first), seg {72, 96, 1} (int32 body
--   index + 1 per pixel, negative static geometry, 0 sky), scan (lidar 90 beams, 360 deg, 8 m)
-- action: base {v (m/s, -0.3..0.8), w (rad/s, -1.5..1.5)}; alarm {flag (> 0.5; a rising edge
--   raises it), x, y (m, world)}
-- success: every look-out stop done and the intruder reported
-- failure: a false alarm, the robot tipped, or hit a person above the ISO/TS 15066 limits
-- reward:  +5 for the intruder, +0.5 per stop, -0.01 per second
-- metrics: stops done, intruder found (0/1), alarm error (m), false alarms, path length, time + safety

local diffdrive = require "robots.diffdrive"
local safety = require "scenario.safety"
local kit = require "kit"

local R, rt = kit.rover.new(), kit.route.new()
local bot, mon, intruder, guard

local ROWS = {3.5, -3.5}
local CONTAINERS = {{1.5, 4.0}, {5.5, 8.0}, {9.5, 12.0}}      -- x spans; 2.4 m wide rows
local GAPS = {{4.75, 1}, {4.75, -1}, {8.75, 1}, {8.75, -1}}    -- x, row side
local ALARM_TOL = 2.0
local W, H, FOV_Y = 96, 72, 0.8

local scene = {
    name = "security_night_patrol",
    domain = "security",
    description = "Night patrol robot checks the gaps of a dark container yard with a lamp-lit camera and reports an intruder",
    instruction = "Patrol the container yard, look into every gap between the containers and raise the alarm at any intruder.",
    timestep = 0.005,
    time_limit = 90,
    world = {contact_forces = true, static_space = true},
    policy = "policies.night_patrol",
    view = {eye = {7, -11, 10}, target = {7, 0, 0}, fov = 55, darkness = 0.75},
    params = {
        intruder_gap = {default = 1, min = 1, max = 4, integer = true, randomize = true, description = "gap the intruder hides in (1..4)"},
        darkness = {default = 0.95, min = 0.9, max = 0.98, randomize = true, description = "0 lit .. 1 pitch dark: dims the RGB camera's light (not its lamp)"},
        lamp = {default = 4.0, min = 0.0, max = 10.0, description = "the camera lamp's intensity: colour x lamp / d^2 at d m (0: no lamp)"},
        guard_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "guard's walking speed (m/s)"},
        yard_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "asphalt mu"},
        accel = {default = 0.8, min = 0.1, max = 5.0, description = "base acceleration limit applied by act (m/s^2)"},
    },
}

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.yard_friction, color = {0.25, 0.25, 0.27}})
    kit.room.walls(world, {-0.5, -6.5, 14, 6.5}, {height = 2.4, thickness = 0.05, color = {0.5, 0.5, 0.5}})
    s.boxes = {}
    for _, ry in ipairs(ROWS) do
        for k, c in ipairs(CONTAINERS) do
            world:geom{type = "box", size = {c[2] - c[1], 2.4, 2.6}, pos = {(c[1] + c[2]) / 2, ry, 1.3},
                       color = ({{0.6, 0.2, 0.15}, {0.15, 0.3, 0.55}, {0.2, 0.45, 0.25}})[k]}
            s.boxes[#s.boxes + 1] = {c[1], ry - 1.2, c[2], ry + 1.2}
        end
    end
    bot = diffdrive.build(world, {name = "patrol", pos = {0.5, 0}, yaw = 0, casters = 2, wheel_x = 0, caster_lift = 0.004})
    R:attach(bot, s)
    R:lidar(world, {beams = 90})
    for _, c in ipairs({{"image", "rgb"}, {"seg", "segmentation"}}) do
        world:sensor{type = "camera", name = c[1], body = bot.chassis, pos = {0.26, 0, 0.4}, camera = c[2], width = W,
                     height = H, fov_y = FOV_Y, near = 0.05, far = 40, rate = 5, darkness = p.darkness, lamp = p.lamp}
    end
    local g = GAPS[p.intruder_gap]
    local gy = g[2] * 3.8
    intruder = kit.people.walker(world, {name = "intruder", path = {{g[1], gy - 0.4 * g[2]}, {g[1], gy + 0.3 * g[2]}}, speed = 0.3,
                                     wait = 2.0, offset = math.random() * 1.4, color = {0.15, 0.15, 0.15}})
    guard = kit.people.walker(world, {name = "guard", path = {{0.5, 5.6}, {13.3, 5.6}}, speed = p.guard_speed, wait = 3,
                                  offset = math.random() * 25, color = {0.9, 0.8, 0.1}})
    mon = safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.3}}, humans = {intruder, guard}, state = s})
    local n, sth = math.pi / 2, -math.pi / 2
    rt:set(s, {{4.75, 0, stop = true, face = n, dwell = 1.5, name = "gap 1"},
               {4.75, 0, stop = true, face = sth, dwell = 1.5, name = "gap 2"},
               {8.75, 0, stop = true, face = n, dwell = 1.5, name = "gap 3"},
               {8.75, 0, stop = true, face = sth, dwell = 1.5, name = "gap 4"},
               {12.8, 0, stop = true, dwell = 0.5, name = "far end"}})
    s.found, s.alarm_err, s.false_alarms, s.flag, s.rewarded = false, -1, 0, false, 0
end

scene.observation = {
    pose = R:pose_entry(),
    twist = R:twist_entry(),
    route = rt:entry(R),
    image = {sensor = "image"},
    seg = {sensor = "seg"},
    scan = {sensor = "scan"},
}

local function alarm_act(ctx, action)
    local s = ctx.state
    local flag = action.alarm[1] > 0.5
    if flag and not s.flag then
        local ix, iy = intruder:pos()
        local d = kit.util.dist2d(ix, iy, action.alarm[2], action.alarm[3])
        if d <= ALARM_TOL and not s.found then
            s.found, s.alarm_err = true, d
        elseif not s.found or d > ALARM_TOL then
            s.false_alarms = s.false_alarms + 1
            s.false_msg = s.false_msg or string.format("false alarm at (%.1f, %.1f): no intruder within %.0f m",
                                                       action.alarm[2], action.alarm[3], ALARM_TOL)
        end
    end
    s.flag = flag
end

R:route_task(scene, rt, {low = {-0.3, -1.5}, high = {0.8, 1.5}, turn_accel = 2.5, act = alarm_act,
                         action = {alarm = {shape = {3}, low = {0, -10, -10}, high = {1, 20, 10}}}})

function scene.step(ctx)
    mon:update(ctx)
    intruder:update(ctx)
    guard:update(ctx)
    R:track(ctx)
    rt:follow(ctx, R)
end

function scene.reward(ctx)
    local s = ctx.state
    local r = kit.track.gain(ctx, rt:count(s), 0.5)
    if s.found and not s.paid then r, s.paid = r + 5, true end
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    if s.false_msg then return true, s.false_msg end
    return R:failed(ctx, "a person")
end

function scene.success(ctx) return rt:done(ctx.state) and ctx.state.found end

function scene.metrics(ctx)
    local s = ctx.state
    local m = R:metrics(ctx, mon)
    m.stops_done = rt:count(s)
    m.intruder_found = s.found and 1 or 0
    m.alarm_error = s.alarm_err
    m.false_alarms = s.false_alarms
    return m
end

return scene
