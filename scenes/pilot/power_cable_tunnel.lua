-- Cable tunnel inspection: an inspection robot (robots.diffdrive, 0.5 x 0.4 m, centred
-- axle) drives a 32 m utility tunnel (2.4 m wide, kit.room.corridor) lined on both walls
-- with three tiers of cable trays, past cable-joint boxes standing on the floor, and finds
-- the hot spots (overheating joints, 60-95 C on a 35 C tray) with a forward thermal camera.
-- The camera's hot-spot reader (kit.sight: 90 deg field of view, 4 m) reports per side the
-- hottest apparent temperature in view and how far ahead it is: a small spot fills fewer
-- pixels with range, so its apparent excess falls as 1.5 m / distance beyond 1.5 m; noise
-- 0.5 C and 4 % of the distance. The policy reports each hot spot (action `report`); a
-- report matches a hot spot on that side within `tolerance` (1 m) along the tunnel, else
-- it is a false alarm. A maintenance electrician works at a tray (standing, scenario.human).
--
-- observation: pose {x, y, yaw}, twist {v, w}, route {dx, dy, face error, stop, dwell
--   fraction, done, total} (kit.route: the tunnel's centre line to its far end),
--   thermal {2, 3}: per side (left, right) the hottest apparent temperature in view (C),
--   its distance ahead (m) and height (m), people {dx, dy, vx, vy} (robot frame)
-- action: base {v (m/s, -0.3..0.8), w (rad/s, -1.5..1.5)}; report {flag (> 0.5 reports, once
--   per rising edge: an action held over several steps counts once),
--   x (m, world, along the tunnel), side (> 0 left, else right)}
-- success: the far end reached with every hot spot reported
-- failure: a false alarm, the robot tipped, or hit the electrician above the ISO/TS 15066 limits
-- reward:  +1 per hot spot found, -0.01 per second
-- metrics: hot spots found, false alarms, location error (max, m), path length, time + safety

local diffdrive = require "robots.diffdrive"
local safety = require "scenario.safety"
local kit = require "kit"

local R, rt = kit.rover.new(), kit.route.new()
local bot, mon
local crew = {}

local LEN, HALF = 32, 1.2
local TIERS = {0.6, 1.1, 1.6}
local TRAY_T = 35                      -- cable tray surface temperature (C)
local CAM = {fov = math.rad(90), range = 4.0}

local scene = {
    name = "power_cable_tunnel",
    domain = "power_utility",
    description = "Inspection robot drives a 32 m cable tunnel and reports overheating cable joints found with a thermal camera",
    instruction = function(params)
        return string.format("Drive to the end of the cable tunnel and report the %d hot spot%s on the cable trays.",
                             params.hot_spots, params.hot_spots == 1 and "" or "s")
    end,
    timestep = 0.005,
    time_limit = 90,
    world = {contact_forces = true, static_space = true},
    policy = "policies.cable_tunnel",
    view = {eye = {-2, -3, 4}, target = {8, 0, 0.8}, fov = 60},
    params = kit.rover.params(0.8, {
        hot_spots = {default = 2, min = 1, max = 3, integer = true, description = "overheating joints (drawn 4 m apart or more)"},
        hot_min = {default = 60, min = 45, max = 80, description = "coolest hot spot (C)"},
        joints_x = {default = 9, min = 6, max = 12, randomize = true, description = "first floor joint box's x (m); then every 9 m, sides alternating"},
        worker_x = {default = 20, min = 14, max = 26, randomize = true, description = "electrician's x (m)"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "concrete floor mu"},
        tolerance = {default = 1.0, min = 0.3, max = 3.0, description = "largest accepted hot-spot location error along the tunnel (m)"},
    }),
}

-- per side: hottest apparent temperature, its distance ahead, its height
local function thermal(ctx, out)
    local x, y, yaw = R:pose()
    local cx, cy = x + 0.25 * math.cos(yaw), y + 0.25 * math.sin(yaw)
    for k = 1, 2 do
        out[(k - 1) * 3 + 1] = TRAY_T + math.normal(0, 0.5)
        out[(k - 1) * 3 + 2], out[(k - 1) * 3 + 3] = 0, 0
    end
    for _, h in ipairs(ctx.state.hot) do
        local seen, _, dist = kit.sight.view(cx, cy, yaw, h.x, h.y, CAM)
        if seen then
            local k = h.y > 0 and 1 or 2
            local fwd = kit.util.to_local(cx, cy, yaw, h.x, h.y)
            local app = TRAY_T + (h.t - TRAY_T) * math.min(1, 1.5 / dist) + math.normal(0, 0.5)
            if app > out[(k - 1) * 3 + 1] then
                out[(k - 1) * 3 + 1] = app
                out[(k - 1) * 3 + 2] = fwd + math.normal(0, 0.04 * dist)
                out[(k - 1) * 3 + 3] = h.z
            end
        end
    end
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.floor_friction, color = {0.5, 0.5, 0.48}})
    kit.room.corridor(world, {{-1, 0}, {LEN, 0}}, {half_width = HALF, end_caps = true, height = 2.4, color = {0.62, 0.62, 0.6}})
    for _, sy in ipairs({1, -1}) do
        for _, z in ipairs(TIERS) do
            world:geom{type = "box", size = {LEN - 1, 0.4, 0.04}, pos = {LEN / 2, sy * (HALF - 0.2), z},
                       color = {0.55, 0.55, 0.6}}
            world:geom{type = "cylinder", radius = 0.05, length = LEN - 1, pos = {LEN / 2, sy * (HALF - 0.25), z + 0.07},
                       rpy = {0, math.pi / 2, 0}, color = {0.1, 0.1, 0.1}}
        end
    end
    local side = 1
    for jx = p.joints_x, LEN - 3, 9 do
        world:geom{type = "box", size = {1.0, 0.7, 0.6}, pos = {jx, side * (HALF - 0.35), 0.3}, color = {0.3, 0.3, 0.32}}
        side = -side
    end
    -- hot spots: x uniform in 3..LEN-3 (redrawn while closer than 4 m to one before), side, tier, temperature
    s.hot = {}
    for i = 1, p.hot_spots do
        local hx
        repeat
            hx = kit.util.uniform(3, LEN - 3)
            local ok = true
            for j = 1, i - 1 do if math.abs(s.hot[j].x - hx) < 4 then ok = false end end
        until ok
        local hy = (math.random() < 0.5 and 1 or -1) * (HALF - 0.2)
        local hz = TIERS[math.random(#TIERS)] + 0.07
        s.hot[i] = {x = hx, y = hy, z = hz, t = kit.util.uniform(p.hot_min, 95), found = false}
        world:geom{type = "sphere", radius = 0.07, pos = {hx, hy * 0.98, hz}, color = {0.9, 0.3, 0.1}, collide = 0, category = 0}
    end
    bot = diffdrive.build(world, {name = "tunnelbot", pos = {0, 0}, yaw = 0, casters = 2, wheel_x = 0, caster_lift = 0.004})
    R:attach(bot, s)
    crew = {kit.people.walker(world, {name = "electrician", path = {{p.worker_x, -(HALF - 0.35)}}, state = s,
                                  yield_to = {bot.chassis}})}
    mon = safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.3}}, humans = crew, state = s})
    rt:set(s, {{LEN - 1.5, 0, stop = true, dwell = 0.5, name = "far end"}})
    s.found, s.false_alarms, s.loc_err, s.rewarded, s.flag = 0, 0, 0, 0, false
end

scene.observation = R:nav_entries(rt, {
    thermal = {shape = {2, 3}, fn = thermal},
    people = R:people_entry(1, function() return crew end),
})

local function report_act(ctx, action)
    local s = ctx.state
    local flag = action.report[1] > 0.5
    local rising = flag and not s.flag
    s.flag = flag
    if rising then
        local x, side = action.report[2], action.report[3] > 0 and 1 or -1
        local best, bd = nil, 1e9
        for _, h in ipairs(s.hot) do
            local d = math.abs(h.x - x)
            if not h.found and (h.y > 0) == (side > 0) and d < bd then best, bd = h, d end
        end
        if best and bd <= ctx.params.tolerance then
            best.found, s.found = true, s.found + 1
            s.loc_err = math.max(s.loc_err, bd)
        else
            s.false_alarms = s.false_alarms + 1
            s.alarm = s.alarm or string.format("false alarm: no unreported hot spot within %.1f m of x = %.2f on the %s",
                                               ctx.params.tolerance, x, side > 0 and "left" or "right")
        end
    end
end

R:route_task(scene, rt, {low = {-0.3, -1.5}, high = {0.8, 1.5}, turn_accel = 2.5, act = report_act,
                         action = {report = {shape = {3}, low = {0, -5, -1}, high = {1, 40, 1}}}})

function scene.step(ctx)
    R:step(ctx, mon, crew, rt)
end

function scene.reward(ctx) return kit.track.gain(ctx, ctx.state.found) end

function scene.failure(ctx)
    local s = ctx.state
    if s.alarm then return true, s.alarm end
    return R:failed(ctx, "the electrician")
end

function scene.success(ctx) return rt:done(ctx.state) and ctx.state.found == #ctx.state.hot end

function scene.metrics(ctx)
    local s = ctx.state
    local m = R:metrics(ctx, mon)
    m.hot_spots_found = s.found
    m.false_alarms = s.false_alarms
    m.location_error_max = s.loc_err
    return m
end

return scene
