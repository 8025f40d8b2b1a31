-- Hotel room service: a service robot (robots.service_tray: 0.5 m diff-drive base, a
-- 0.40 x 0.30 m tray at 0.90 m) carries a covered plate (0.24 x 0.24 x 0.08 m, 0.5-0.9 kg)
-- from the lobby up one storey by lift to a guest room. The lift (kit.door.lift) is a
-- kinematic cab platform, 1.4 x 1.4 m, in a shaft with a sliding landing door on each
-- floor (kit.door.sliding); floors are slabs with the shaft left open (kit.room.slab). The
-- lift is driven by the scene as a building's controller answers a robot: standing at the
-- call point opens the ground-floor landing door; standing still in the cab closes it,
-- takes the cab up 3 m (0.5 m/s) and opens the upper door. Upstairs the robot drives along
-- the corridor to room `room` (1..3), waits at its door until the guest opens it (after
-- 2 s), and puts the plate on the table inside. A guest crosses the lobby.
--
-- observation: pose {x, y, yaw} and z (floor height under the robot, m), twist {v, w},
--   route {dx, dy, face error, stop, dwell fraction, done, total} (kit.route: call point,
--   cab, corridor, room door, table), lift {cab top z (m), moving 0/1, ground door open
--   fraction, upper door open fraction, room door open fraction}, plate {tilt deg, on tray
--   0/1}, people {dx, dy, vx, vy} (robot frame), scan (lidar 72 beams, 360 deg, 8 m)
-- action: base {v (m/s, -0.3..0.8), w (rad/s, -1.2..1.2)}; act() applies acceleration limits
-- success: the table stop held 1.5 s with the plate on the tray
-- failure: the plate fell off or tipped, the robot touched a door panel, fell into the
--          shaft, tipped, or hit the guest above the ISO/TS 15066 limits
-- reward:  +1 per route point, -0.01 per second
-- metrics: route points done, lift rides, plate tilt (max), path length, time + safety

local service_tray = require "robots.service_tray"
local safety = require "scenario.safety"
local kit = require "kit"

local R, rt = kit.rover.new(), kit.route.new()
local bot, mon, plate, cab, gate1, gate2, room_door
local guests = {}

local UP = 3.0                                   -- upper floor height (m)
local HOLE = {6.03, -0.72, 7.47, 0.72}           -- shaft opening in both slabs
local CAB = {6.75, 0}
local ROOM_W = 2.0

local scene = {
    name = "hospitality_room_service",
    domain = "hospitality",
    description = "Service robot takes a room-service plate from the lobby by lift to a guest room upstairs, through lift and room doors",
    instruction = function(params)
        return string.format("Deliver the room-service order to room %d on the first floor, using the lift.", 200 + params.room)
    end,
    timestep = 0.005,
    time_limit = 90,
    world = {contact_forces = true, static_space = true},
    policy = "policies.room_service",
    view = {eye = {3, -8, 8}, target = {4, 1, 1.5}, fov = 60},
    params = kit.rover.params(0.6, {
        room = {default = 2, min = 1, max = 3, integer = true, randomize = true, description = "guest room (201..203, west to east)"},
        plate_mass = {default = 0.7, min = 0.5, max = 0.9, randomize = true, description = "covered plate mass (kg)"},
        plate_friction = {default = 0.5, min = 0.35, max = 0.7, randomize = true, description = "Coulomb mu of the plate"},
        lift_speed = {default = 0.5, min = 0.2, max = 1.0, randomize = true, description = "cab speed (m/s)"},
        guest_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "lobby guest's walking speed (m/s)"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "floor mu"},
    }),
}

local function room_x(k) return -1.0 + ROOM_W * (k - 0.5) end

local function lift_phase(ctx) return ctx.state.lift_phase end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.floor_friction, offset = -1.0, color = {0.3, 0.3, 0.3}})
    local fm = p.floor_friction
    world:material{name = "carpet", friction = fm}
    kit.room.slab(world, {-2, -3, 9, 3}, {z = 0, hole = HOLE, material = "carpet", color = {0.6, 0.5, 0.4}})
    kit.room.slab(world, {-1, -1.2, 7.6, 4.6}, {z = UP, hole = HOLE, material = "carpet", color = {0.55, 0.35, 0.35}})
    -- the shaft: three walls up both storeys, the landing side open at each floor
    local shaft = {color = {0.7, 0.7, 0.72}, height = 6.5, z = -1.0}
    kit.room.wall(world, {HOLE[1], HOLE[4] + 0.05}, {HOLE[3] + 0.1, HOLE[4] + 0.05}, shaft)
    kit.room.wall(world, {HOLE[1], HOLE[2] - 0.05}, {HOLE[3] + 0.1, HOLE[2] - 0.05}, shaft)
    kit.room.wall(world, {HOLE[3] + 0.05, HOLE[2]}, {HOLE[3] + 0.05, HOLE[4]}, shaft)
    -- lobby walls; upstairs the corridor's walls and the rooms north of it
    kit.room.walls(world, {-2, -3, 9, 3}, {height = 2.8})
    kit.room.wall(world, {-1, -1.2}, {HOLE[1] - 0.05, -1.2}, {z = UP, height = 2.5})
    local doors = {}
    for k = 1, 3 do doors[k] = {side = "s", at = room_x(k), width = 1.0} end
    kit.room.walls(world, {-1, 1.3, 5.0, 4.5}, {z = UP, height = 2.5, doors = doors})
    for k = 1, 2 do kit.room.wall(world, {-1 + ROOM_W * k, 1.3}, {-1 + ROOM_W * k, 4.5}, {z = UP, height = 2.5}) end
    -- each room's table by the window
    for k = 1, 3 do
        world:geom{type = "box", size = {0.8, 0.6, 0.75}, pos = {room_x(k), 4.1, UP + 0.375}, color = {0.55, 0.4, 0.28}}
    end
    cab = kit.door.lift(world, {name = "cab", x = CAB[1], y = CAB[2], size = {1.4, 1.4}, levels = {0, UP}, speed = p.lift_speed})
    gate1 = kit.door.sliding(world, {name = "lift_door_0", x = HOLE[1] - 0.05, y = 0, axis = "y", width = 1.44})
    gate2 = kit.door.sliding(world, {name = "lift_door_1", x = HOLE[1] - 0.05, y = 0, axis = "y", width = 1.44, z = UP})
    room_door = kit.door.sliding(world, {name = "room_door", x = room_x(p.room), y = 1.25, axis = "x", width = 1.0, z = UP,
                                     color = {0.45, 0.3, 0.2}})

    bot = service_tray.build(world, {name = "butler", pos = {0, 0}, yaw = 0})
    R:attach(bot, s)
    local tx, ty, tz = bot:tray_pos()
    world:material{name = "plate", friction = p.plate_friction}
    plate = world:body{name = "plate", pos = {tx, ty, tz + 0.041}, mass = p.plate_mass,
                       geoms = {{type = "box", size = {0.24, 0.24, 0.08}, material = "plate", color = {0.85, 0.85, 0.88}}}}
    R:lidar(world)
    guests = {kit.people.walker(world, {name = "guest", path = {{-1.2, -2.2}, {5.5, -2.2}, {5.5, 2.2}, {-1.2, 2.2}},
                                    speed = p.guest_speed, wait = 1.0, offset = math.random() * 20,
                                    yield_to = {bot.chassis}, state = s})}
    mon = safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.33}, {body = bot.upper, radius = 0.25}},
                             humans = guests, state = s})
    local rx = room_x(p.room)
    rt:set(s, {{4.9, 0, stop = true, face = 0, dwell = 1.0, name = "call the lift"},
               {CAB[1], CAB[2], stop = true, dwell = 1.0, tol = 0.2, name = "in the cab"},
               {4.6, 0, tol = 0.3}, {rx, 0.1, tol = 0.2},
               {rx, 0.35, stop = true, face = math.pi / 2, dwell = 2.0, name = "room door"},
               {rx, 3.3, stop = true, face = math.pi / 2, dwell = 1.5, name = "table"}})
    s.lift_phase, s.rides, s.tilt, s.touched = "ground", 0, 0, nil
end

-- the building's lift and door controller
local function controller(ctx)
    local s = ctx.state
    local done = rt:count(s)
    local ph = lift_phase(ctx)
    if ph == "ground" and done >= 1 then s.lift_phase = "boarding"
    elseif ph == "boarding" and done >= 2 then s.lift_phase = "closing"
    elseif ph == "closing" and gate1:fraction(s) <= 0 then
        cab:call(s, 2)
        s.lift_phase = "moving"
    elseif ph == "moving" and cab:level(s) == 2 then
        s.lift_phase, s.rides = "arrived", s.rides + 1
    end
    ph = s.lift_phase
    gate1:update(ctx, ph == "boarding")
    gate2:update(ctx, ph == "arrived")
    cab:update(ctx)
    room_door:update(ctx, done >= 5)
end

scene.observation = R:nav_entries(rt, {
    z = {shape = {1}, fn = function(_, out)
        local _, _, z = bot.chassis:pos()
        out[1] = z > UP / 2 and UP or 0
    end},
    lift = {shape = {5}, fn = function(ctx, out)
        local s = ctx.state
        out[1], out[2] = cab:top(s), cab:level(s) and 0 or 1
        out[3], out[4], out[5] = gate1:fraction(s), gate2:fraction(s), room_door:fraction(s)
    end},
    plate = {shape = {2}, fn = function(_, out) out[1], out[2] = kit.util.tilt_deg(plate), bot:on_tray(plate) and 1 or 0 end},
    people = R:people_entry(1, function() return guests end),
    scan = {sensor = "scan"},
})

R:route_task(scene, rt, {low = {-0.3, -1.2}, high = {0.8, 1.2}, turn_accel = 2.0})

function scene.step(ctx)
    local s = ctx.state
    mon:update(ctx)
    kit.people.update(guests, ctx)
    controller(ctx)
    R:track(ctx)
    rt:follow(ctx, R, bot:on_tray(plate))
    s.tilt = math.max(s.tilt, kit.util.tilt_deg(plate))
    for _, d in ipairs({gate1, gate2, room_door}) do
        if #ctx.world:contact_pairs{bot.robot, d.body} > 0 then s.touched = s.touched or d.name end
    end
end

function scene.failure(ctx)
    local s = ctx.state
    if not bot:on_tray(plate) then return true, "the plate fell off the tray" end
    if kit.util.tilt_deg(plate) > 30 then return true, "the plate tipped over" end
    if s.touched then return true, "the robot hit the door " .. s.touched end
    local _, _, z = bot.chassis:pos()
    if z < -0.2 then return true, "the robot fell into the lift shaft" end
    return R:failed(ctx, "the guest")
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = R:metrics(ctx, mon)
    m.route_done = rt:count(s)
    m.lift_rides = s.rides
    m.plate_tilt_max = s.tilt
    return m
end

return scene
