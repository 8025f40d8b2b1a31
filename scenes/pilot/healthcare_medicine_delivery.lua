-- Hospital ward medicine delivery: a service robot (robots.service_tray: 0.5 m diff-drive
-- base, a 0.40 x 0.30 m tray at 0.90 m) carries a medicine box (0.12 x 0.08 x 0.06 m,
-- 0.2-0.4 kg) from the pharmacy (x < 0) through its automatic sliding door, along a 14 m
-- ward corridor where two nurses and a visitor walk (scenario.human; they stop for a robot
-- in their way), into patient room `room` (1..4, north of the corridor) to the bedside.
-- The sliding door opens while the robot is within 1.6 m of it (`door_speed`); the robot must
-- not touch the panel. The route (kit.route) is the ward's mapped path: the pharmacy door,
-- the corridor at the room's door, the room's doorway and the bedside stop.
--
-- observation: pose {x, y, yaw}, twist {v, w}, route {dx, dy, face error, stop, dwell
--   fraction, done, total} (kit.route), door {open fraction, dx, dy} (the sliding door's
--   centre in the robot frame), people {dx, dy, vx, vy} x 3 (robot frame; tracker noise
--   `track_noise` m), box {tilt deg, on tray 0/1}, scan (lidar 72 beams, 360 deg, 8 m)
-- action: base {v (m/s, -0.3..0.8), w (rad/s, -1.2..1.2)}; act() applies acceleration limits
-- success: the bedside stop held for 1.5 s (the nurse takes the box) with the box on the tray
-- failure: the box fell off the tray or tilted > 30 deg, the robot touched the door panel,
--          tipped, or hit a person above the ISO/TS 15066 limits (scenario.safety)
-- reward:  +1 per route point, -0.01 per second, -5 per person contact event
-- metrics: route points done, box tilt (max), door waits (s), path length, time + safety

local service_tray = require "robots.service_tray"
local safety = require "scenario.safety"
local kit = require "kit"

local R, rt = kit.rover.new(), kit.route.new()
local bot, mon, box, gate
local walkers = {}

local CORRIDOR = {0.1, -1.25, 14, 1.25}
local ROOM_W, ROOM_D = 3.0, 3.5

local scene = {
    name = "healthcare_medicine_delivery",
    domain = "healthcare",
    description = "Service robot carries medicine from the pharmacy through a sliding door and a ward corridor to a patient's bedside",
    instruction = function(params)
        return string.format("Take the medicine from the pharmacy to the bedside in patient room %d.", params.room)
    end,
    timestep = 0.005,
    time_limit = 90,
    world = {contact_forces = true, static_space = true},
    policy = "policies.medicine_delivery",
    view = {eye = {7, -9, 9}, target = {7, 1.5, 0}, fov = 50},
    params = kit.rover.params(0.6, {
        room = {default = 2, min = 1, max = 4, integer = true, randomize = true, description = "patient room (1..4, west to east)"},
        bed_side = {default = 0.0, min = -0.6, max = 0.6, randomize = true, description = "bed's offset along x in its room (m)"},
        box_mass = {default = 0.3, min = 0.2, max = 0.4, randomize = true, description = "medicine box mass (kg)"},
        box_friction = {default = 0.5, min = 0.35, max = 0.7, randomize = true, description = "Coulomb mu of the box"},
        nurse_speed = {default = 1.1, min = 0.8, max = 1.4, randomize = true, description = "nurses' walking speed (m/s)"},
        nurse_phase = {default = 0.3, min = 0.0, max = 1.0, randomize = true, description = "fraction of a loop the nurses start into their walk"},
        track_noise = {default = 0.03, min = 0.0, max = 0.08, randomize = true, description = "people-tracker position noise (m)"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "ward floor mu"},
        door_speed = {default = 0.6, min = 0.05, max = 1.5, description = "sliding door panel speed (m/s)"},
    }),
}

local function room_x(k) return CORRIDOR[1] + 0.9 + ROOM_W * (k - 0.5) end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.floor_friction, color = {0.78, 0.8, 0.78}})
    -- pharmacy with its door east, the corridor, four patient rooms along its north side
    kit.room.walls(world, {-3, -2, 0, 2}, {doors = {{side = "e", at = 0, width = 1.2}}})
    local doors = {{side = "w", at = 0, width = 1.2}}
    for k = 1, 4 do doors[#doors + 1] = {side = "n", at = room_x(k), width = 1.1} end
    kit.room.walls(world, CORRIDOR, {doors = doors})
    for k = 1, 4 do
        local x0 = room_x(k) - ROOM_W / 2
        kit.room.walls(world, {x0 + 0.05, 1.35, x0 + ROOM_W - 0.05, 1.35 + ROOM_D},
                   {doors = {{side = "s", at = room_x(k), width = 1.1}}, color = {0.86, 0.9, 0.92}})
        local bx = room_x(k) + (k == p.room and p.bed_side or 0)
        world:geom{type = "box", size = {1.0, 2.0, 0.6}, pos = {bx + 0.55, 1.35 + ROOM_D - 1.05, 0.3},
                   color = {0.9, 0.9, 0.95}}
    end
    -- pharmacy counter and a linen trolley parked in the corridor
    world:geom{type = "box", size = {0.6, 2.0, 1.0}, pos = {-2.6, 0, 0.5}, color = {0.6, 0.65, 0.7}}
    world:geom{type = "box", size = {0.9, 0.5, 1.0}, pos = {4.0, -0.95, 0.5}, color = {0.5, 0.55, 0.8}}
    gate = kit.door.sliding(world, {name = "pharmacy_door", x = 0.05, y = 0, axis = "y", width = 1.2, speed = p.door_speed})

    bot = service_tray.build(world, {name = "medbot", pos = {-1.6, 0}, yaw = 0})
    R:attach(bot, s)
    local tx, ty, tz = bot:tray_pos()
    world:material{name = "box", friction = p.box_friction}
    box = world:body{name = "medicine", pos = {tx, ty, tz + 0.031}, mass = p.box_mass,
                     geoms = {{type = "box", size = {0.12, 0.08, 0.06}, material = "box", color = {0.95, 0.95, 1}}}}
    R:lidar(world)

    local ph, v = p.nurse_phase, p.nurse_speed
    local common = {yield_to = {bot.chassis}, state = s}
    walkers = kit.people.walkers(world, common, {
        {name = "nurse1", path = {{1.0, 0.8}, {13.2, 0.8}}, speed = v, wait = 2.0, offset = ph * 24},
        {name = "nurse2", path = {{13.2, -0.8}, {1.0, -0.8}}, speed = 0.9 * v,
         wait = 1.0, offset = (1 - ph) * 24, color = {0.3, 0.5, 0.8}},
        {name = "visitor", path = {{7.0, 0.9}, {7.0, -0.9}},
         speed = 0.8, wait = 3.0, offset = ph * 8, color = {0.7, 0.4, 0.5}},
    })
    mon = safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.33}, {body = bot.upper, radius = 0.25}},
                             humans = walkers, state = s})
    local rx = room_x(p.room) + p.bed_side
    rt:set(s, {{-0.7, 0}, {0.9, 0}, {room_x(p.room), 0, tol = 0.12}, {room_x(p.room), 1.8, tol = 0.2}, {rx - 0.4, 2.3, tol = 0.2},
               {rx - 0.4, 1.35 + ROOM_D - 1.05, stop = true, face = 0, dwell = 1.5, name = "bedside"}})
    s.tilt, s.door_wait, s.touched_door, s.seen_contacts = 0, 0, false, 0
end

scene.observation = R:nav_entries(rt, {
    door = {shape = {3}, fn = function(ctx, out)
        out[1] = gate:fraction(ctx.state)
        out[2], out[3] = R:to_local(gate.x, gate.y)
    end},
    people = R:people_entry(3, function() return walkers end, function(ctx) return ctx.params.track_noise end),
    box = {shape = {2}, fn = function(_, out)
        out[1], out[2] = kit.util.tilt_deg(box), bot:on_tray(box) and 1 or 0
    end},
    scan = {sensor = "scan"},
})

R:route_task(scene, rt, {low = {-0.3, -1.2}, high = {0.8, 1.2}, turn_accel = 2.0})

function scene.step(ctx)
    local s = ctx.state
    mon:update(ctx)
    kit.people.update(walkers, ctx)
    local x, y = R:pose()
    gate:update(ctx, gate:near(x, y, 1.6))
    if gate:fraction(s) < 1 and gate:near(x, y, 1.6) then s.door_wait = s.door_wait + ctx.dt end
    if #ctx.world:contact_pairs{bot.robot, gate.body} > 0 then s.touched_door = true end
    R:track(ctx)
    rt:follow(ctx, R, bot:on_tray(box))
    s.tilt = math.max(s.tilt, kit.util.tilt_deg(box))
end

function scene.reward(ctx)
    local s = ctx.state
    local r = rt:progress(ctx)
    if s.safety.contacts > s.seen_contacts then
        r = r - 5 * (s.safety.contacts - s.seen_contacts)
        s.seen_contacts = s.safety.contacts
    end
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    if not bot:on_tray(box) then return true, "the medicine box fell off the tray" end
    if kit.util.tilt_deg(box) > 30 then return true, "the medicine box tipped over on the tray" end
    if s.touched_door then return true, "the robot hit the sliding door" end
    return R:failed(ctx, "a person")
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = R:metrics(ctx, mon)
    m.route_done = rt:count(s)
    m.box_tilt_max = s.tilt
    m.door_wait = s.door_wait
    return m
end

return scene
