-- Restaurant tray delivery: a service robot (robots.service_tray: 0.5 m differential-drive
-- base, 30 kg, a 0.40 x 0.30 m tray at 0.90 m with a 15 mm rim) carries two filled cups
-- (cylinders r 4 cm, h 9.5 cm, 0.25-0.4 kg: a 250 ml cup with coffee) from the kitchen pass
-- (robot start, x = 0) across a 9 x 7 m dining room to the serving point beside a table at
-- (goal_x, goal_y), while 3 scripted diners (scenario.human) walk across the aisle and
-- along the back wall (they stop for a robot standing in their way). The policy commands the base twist; act() applies the base's
-- acceleration limits (firmware-like, params accel / turn_accel) before the wheel motors.
--
-- observation: pose {x, y, yaw} (m, rad, world), twist {v, w} (measured), goal {dx, dy, d}
--   (serving point in the robot frame, m), people {dx, dy, vx, vy} x 3 (tracked diners in
--   the robot frame, m and m/s; tracker noise grows with `darkness`), cups {max tilt (deg),
--   all on tray 0/1}, scan (2D lidar about 0.2 m above the floor, 72 beams over 360 deg, 8 m)
-- action: base {v (m/s, -0.3..0.8), w (rad/s, -1.2..1.2)}
-- success: the tray within 0.25 m of the serving point, robot stopped (< 3 cm/s), both
--          cups upright on the tray, for 0.5 s
-- failure: a cup tilted > 30 deg or left the tray, the robot tipped, a contact with a diner
--          above its ISO/TS 15066 body-region limit (scenario.safety)
-- reward:  progress towards the serving point - 0.1 per second - 5 per diner contact event
-- metrics: goal distance, cup tilt (max), cup slip, time, path length + scenario.safety's

local service_tray = require "robots.service_tray"
local scenario = require "scenario"

local bot, mon
local cups, diners = {}, {}

local CUP_R, CUP_H = 0.04, 0.095
local GOAL_TOL, STOP_SPEED = 0.25, 0.03
local TILT_MAX = 30                       -- deg
local ROOM = {-1.5, -3.5, 7.5, 3.5}       -- xmin ymin xmax ymax (m)

local scene = {
    name = "restaurant_tray_delivery",
    domain = "restaurant",
    description = "Service robot carries two cups from the kitchen pass to a table among walking diners",
    timestep = 0.002,
    time_limit = 40,
    view = {eye = {7.68, -7.89, 6.26}, target = {3.62, 0.80, 0.72}, fov = 45},
    world = {contact_forces = true},
    policy = "policies.restaurant_delivery",
    params = {
        goal_x = {default = 5.0, min = 4.2, max = 5.8, randomize = true, description = "serving point x (m)"},
        goal_y = {default = 0.8, min = -1.8, max = 1.8, randomize = true, description = "serving point y (m)"},
        cup_mass = {default = 0.32, min = 0.25, max = 0.40, randomize = true, description = "mass of a filled cup (kg)"},
        cup_friction = {default = 0.5, min = 0.35, max = 0.7, randomize = true, description = "Coulomb mu of the cups"},
        cup_offset = {default = 0.0, min = -0.05, max = 0.05, randomize = true, description = "cups' placement offset along the tray x (m)"},
        diner_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "walking speed of the diners (m/s)"},
        diner_phase = {default = 0.0, min = 0.0, max = 1.0, randomize = true, description = "fraction of a loop the diners start into their walk"},
        darkness = {default = 0.0, min = 0.0, max = 0.8, randomize = true, description = "dim light: 0 bright .. 1 dark (people-tracker noise 2 cm + 15 cm x darkness)"},
        lidar_noise = {default = 0.01, min = 0.0, max = 0.03, randomize = true, description = "lidar range noise stddev (m)"},
        accel = {default = 0.6, min = 0.1, max = 8.0, description = "base acceleration limit applied by act (m/s^2)"},
        turn_accel = {default = 1.5, min = 0.2, max = 10.0, description = "base yaw acceleration limit applied by act (rad/s^2)"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "floor tiles' Coulomb mu"},
    },
}

local kit = require "kit"
local function goal_dist(ctx)
    local x, y = bot:tray_pos()
    return math.sqrt((ctx.state.gx - x) ^ 2 + (ctx.state.gy - y) ^ 2)
end
-- a 0.8 x 0.8 m restaurant table, top at 0.75 m, central pedestal
local function table_box(world, cx, cy, mat) kit.props.table(world, {x = cx, y = cy, material = mat}) end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    world:material{name = "tiles", friction = p.floor_friction}
    world:material{name = "wood", friction = 0.6}
    kit.room.floor(world, {material = "tiles", color = {0.7, 0.66, 0.6}})
    -- walls
    kit.room.walls(world, ROOM)
    -- kitchen pass counter behind the start
    world:geom{type = "box", size = {0.5, 2.0, 1.05}, pos = {-0.85, 0, 0.525}, material = "wood", color = {0.6, 0.6, 0.62}}
    -- the target table, 0.55 m beyond the serving point (its near edge 0.15 m from the tray)
    s.gx, s.gy = p.goal_x, p.goal_y
    table_box(world, s.gx + 0.55, s.gy, "wood")
    -- other tables along the walls
    for _, t in ipairs({{2.5, 2.7}, {4.5, 2.7}, {2.5, -2.7}, {4.5, -2.7}, {6.8, 2.7}, {6.8, -2.7}}) do
        table_box(world, t[1], t[2], "wood")
    end
    world:geom{type = "box", size = {0.6, 0.6, 0.002}, pos = {s.gx, s.gy, 0.001}, color = {0.3, 0.6, 0.3}, collide = 0, category = 0}

    bot = service_tray.build(world, {name = "waiter", pos = {0, 0}, yaw = 0})
    local tx, ty, tz = bot:tray_pos()
    world:material{name = "cup", friction = p.cup_friction}
    cups = {}
    for i, cy in ipairs({-0.07, 0.07}) do
        cups[i] = world:body{name = "cup" .. i, pos = {tx + p.cup_offset, ty + cy, tz + CUP_H / 2 + 0.001}, mass = p.cup_mass,
                             geoms = {{type = "cylinder", radius = CUP_R, length = CUP_H, material = "cup", color = {0.95, 0.95, 0.95}}}}
    end
    world:sensor{type = "lidar", name = "scan", body = bot.chassis, pos = {0.2, 0, 0.1}, h_beams = 72,
                         h_fov = 2 * math.pi, range_min = 0.05, range_max = 8, rate = 10,
                         noise = {stddev = p.lidar_noise}}
    -- diners: two crossing the aisle, one walking a loop between the tables
    local v = p.diner_speed
    local yl = {yield_to = {bot.chassis}, state = s}
    local function with(t) for k, x in pairs(yl) do t[k] = x end return t end
    diners = {
        scenario.human.spawn(world, with{name = "diner1", path = {{1.6, -3.0}, {1.6, 3.0}}, speed = v, wait = 1.5,
                            offset = p.diner_phase * 12.0}),
        scenario.human.spawn(world, with{name = "diner2", path = {{3.4, 3.0}, {3.4, -3.0}}, speed = v * 0.9, wait = 2.0,
                            offset = (1 - p.diner_phase) * 12.0, color = {0.3, 0.5, 0.8}}),
        scenario.human.spawn(world, with{name = "diner3", path = {{7.1, -2.0}, {7.1, 2.0}}, speed = v * 0.8,
                            wait = 1.0, offset = p.diner_phase * 8, color = {0.4, 0.7, 0.4}}),
    }
    mon = scenario.safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.33}, {body = bot.upper, radius = 0.25}},
                             humans = diners, state = s,
                             keepout = {{-1.1, -1.0, -0.6, 1.0}}})   -- behind the pass counter
    for i, c in ipairs(cups) do
        local lx, ly = bot:tray_local(c:pos())
        s["cup" .. i .. "_lx"], s["cup" .. i .. "_ly"] = lx, ly
    end
    s.v, s.w = 0, 0
    s.tilt_max, s.slip_max, s.path, s.px, s.py = 0, 0, 0, 0, 0
    s.still, s.t_done = 0, -1
    s.prev_d = math.sqrt(s.gx ^ 2 + s.gy ^ 2)
    s.contacts_seen = 0
end

scene.observation = {
    pose = {shape = {3}, fn = function(ctx, out) local x, y, yaw = bot:pose2d(); out[1], out[2], out[3] = x, y, yaw end},
    twist = {shape = {2}, fn = function(_, out) out[1], out[2] = kit.rover.twist(bot) end},
    goal = {shape = {3}, fn = function(ctx, out)
        local x, y, yaw = bot:pose2d()
        local dx, dy = kit.util.to_local(x, y, yaw, ctx.state.gx, ctx.state.gy)
        out[1], out[2], out[3] = dx, dy, math.sqrt(dx * dx + dy * dy)
    end},
    people = {shape = {3, 4}, fn = function(ctx, out)
        local x, y, yaw = bot:pose2d()
        local sd = 0.02 + 0.15 * ctx.params.darkness
        local c, s = math.cos(yaw), math.sin(yaw)
        for i, h in ipairs(diners) do
            local hx, hy = h:pos()
            local vx, vy = h:vel()
            local dx, dy = kit.util.to_local(x, y, yaw, hx + math.normal(0, sd), hy + math.normal(0, sd))
            local k = (i - 1) * 4
            out[k + 1], out[k + 2], out[k + 3], out[k + 4] = dx, dy, c * vx + s * vy, -s * vx + c * vy
        end
    end},
    cups = {shape = {2}, fn = function(ctx, out)
        local m, on = 0, 1
        for _, c in ipairs(cups) do
            m = math.max(m, kit.util.tilt_deg(c))
            if not bot:on_tray(c) then on = 0 end
        end
        out[1], out[2] = m, on
    end},
    scan = {sensor = "scan"},
}

scene.action = {
    base = {shape = {2}, low = {-0.3, -1.2}, high = {0.8, 1.2}},
}

function scene.act(ctx, action)
    local s, p = ctx.state, ctx.params
    s.v = kit.util.approach(s.v, action.base[1], p.accel, ctx.dt)
    s.w = kit.util.approach(s.w, action.base[2], p.turn_accel, ctx.dt)
    bot:set_twist(s.v, s.w)
end

function scene.step(ctx)
    local s = ctx.state
    mon:update(ctx)                      -- contacts and distances of the step just taken
    for _, h in ipairs(diners) do h:update(ctx) end
    local x, y = bot:pose2d()
    kit.track.odometer(s, x, y)
    for i, c in ipairs(cups) do
        s.tilt_max = math.max(s.tilt_max, kit.util.tilt_deg(c))
        local lx, ly = bot:tray_local(c:pos())
        s.slip_max = math.max(s.slip_max, math.sqrt((lx - s["cup" .. i .. "_lx"]) ^ 2 + (ly - s["cup" .. i .. "_ly"]) ^ 2))
    end
    local ok = goal_dist(ctx) < GOAL_TOL and bot:speed() < STOP_SPEED
    for _, c in ipairs(cups) do ok = ok and bot:on_tray(c) and kit.util.tilt_deg(c) < 10 end
    if ok then s.still = s.still + ctx.dt else s.still = 0 end
    if s.still >= 0.5 and s.t_done < 0 then s.t_done = ctx.t end
end

function scene.reward(ctx)
    local s = ctx.state
    local d = goal_dist(ctx)
    local r = (s.prev_d - d) - 0.1 * ctx.dt
    s.prev_d = d
    local n = s.safety.contacts
    if n > s.contacts_seen then r = r - 5 * (n - s.contacts_seen); s.contacts_seen = n end
    return r
end

function scene.failure(ctx)
    for i, c in ipairs(cups) do
        local t = kit.util.tilt_deg(c)
        if t > TILT_MAX then return true, string.format("cup %d tilted %.0f deg (spilled)", i, t) end
        if not bot:on_tray(c) then return true, string.format("cup %d left the tray", i) end
    end
    if bot:up_z() < 0.8 then return true, "the robot tipped over" end
    return scenario.safety.failed(ctx, "a diner")
end

function scene.success(ctx)
    return ctx.state.still >= 0.5
end

function scene.metrics(ctx)
    local m = kit.track.copy(mon:metrics(ctx), ctx.state, {cup_tilt_max = "tilt_max", cup_slip_max = "slip_max", path_length = "path"})
    m.goal_distance = goal_dist(ctx)
    m.time_to_deliver = kit.track.hold_time(ctx)
    return m
end

return scene
