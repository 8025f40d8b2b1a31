-- Restaurant table bussing: a wheeled mobile manipulator (robots.mobile_manipulator: 0.7 x
-- 0.5 m differential-drive base, 60 kg, UR5-sized arm with a parallel gripper on a 0.35 m
-- pedestal; 91.7 kg) with a bus tub on its rear deck clears a four-seat table (1.2 x 0.8 m,
-- top at 0.75 m) the guests have left: two dinner plates (26 cm, 0.45-0.65 kg), a soup
-- bowl (15 cm, 0.28-0.45 kg) and two ceramic cups (8 cm, 9.5 cm tall, 0.22-0.35 kg). It
-- drives from the service station (x = 0) to the table, stops with its deck front 5 cm under
-- the table top, picks every item and places it in the tub, while three diners
-- (scenario.human) walk past: across the aisle, behind the table and alongside the robot.
--
-- Gripper: scenario.grasp's attach (a pinch lock or suction seal): while the gripper is
-- commanded closed and a finger pad touches an item, the item is welded to the flange;
-- opening releases it. Cups are pinched (fingers open around the cup, then closed); plates
-- and bowls are taken from the top (fingers closed, pressed onto the item).
--
-- observation: clock {t} (s), pose {x, y, yaw} (world), twist {v, w}, table {dx, dy, dyaw, top z}
--   (near-edge centre of the table and its inward heading, robot frame), items {5, 6}
--   (per item: x, y, z of its centre in the chassis frame (m; gaussian perception noise
--   obj_noise / light), kind (1 cup, 2 plate, 3 bowl), height (m), status (0 on the table,
--   1 held, 2 in the tub, 3 dropped)), ee {x, y, z, gripper width} (TCP, chassis frame),
--   grip {held item index or 0}, tub {x, y, floor z} (tub interior centre, chassis frame),
--   people {3, 4} (dx, dy, vx, vy per diner, robot frame; tracker noise grows in dim light)
-- action: base {v (-0.3..0.6 m/s), w (-1..1 rad/s)} (ramped by accel / turn_accel),
--   arm {mode, x, y, z, yaw}: mode 0 = travel pose; 1 = TCP at (x, y, z) in the chassis
--   frame, tool down, fingers closing along chassis heading yaw; 2 = TCP at (x, y, z),
--   tool horizontal (front grasp). The joint targets move to the IK solution at most
--   arm_speed rad/s (synchronised); an unreachable target holds the arm (ik_failures).
--   grip {g}: >= 0.5 closes the gripper (and attaches what the pads touch), < 0.5 opens it
-- success: all five items in the tub, none held, for 0.5 s
-- failure: an item dropped on the floor, an item broke (impact speed above break_speed),
--          a contact with a diner above its ISO/TS 15066 limit, the robot tipped
-- reward:  +1 per item newly in the tub (-1 when one leaves it), -0.05 per second,
--          -5 per diner contact event
-- metrics: items_bussed, items_dropped, items_broken, impact_max, time_to_clear, grasps,
--          ik_failures, path_length + scenario.safety's (keep-out: the kitchen pass)

local mobile_manipulator = require "robots.mobile_manipulator"
local scenario = require "scenario"
local mm = scenario.mm_task
local kit = require "kit"

local bot, mon, grip, tub
local items, diners = {}, {}

local TABLE_Z = 0.75                 -- m, table top
local TABLE = {0.8, 1.2}             -- m, top depth (x) and width (y)
local ROOM = {-1.5, -3.0, 5.5, 3.0}  -- m, xmin ymin xmax ymax
local TUB = {x = -0.13, outer = {0.34, 0.46, 0.12}, wall = 0.012, floor = 0.01}
local DECK_Z = 0.27                  -- m, chassis top
-- kind, name, radius, height, slot (depth behind the near edge, lateral from the table centre)
local ITEMS = {
    {kind = 2, name = "plate1", r = 0.13, h = 0.02, slot = {0.20, 0.28}},
    {kind = 2, name = "plate2", r = 0.13, h = 0.02, slot = {0.20, -0.28}},
    {kind = 3, name = "bowl", r = 0.075, h = 0.065, slot = {0.27, 0.0}},
    {kind = 1, name = "cup1", r = 0.04, h = 0.095, slot = {0.45, 0.17}},
    {kind = 1, name = "cup2", r = 0.04, h = 0.095, slot = {0.45, -0.17}},
}
local KIND_NAME = {"cup", "plate", "bowl"}

local scene = {
    name = "restaurant_table_bussing",
    domain = "restaurant",
    description = "Mobile manipulator clears plates, a bowl and cups from a table into its bus tub among walking diners",
    timestep = 0.004,
    time_limit = 90,
    view = {eye = {5.13, -6.12, 4.91}, target = {2.06, 0.45, 0.72}, fov = 45},
    -- 60 solver iterations: with fewer, QuickStep's unconverged friction lets the parked
    -- base creep by millimetres per second
    world = {contact_forces = true, iterations = 60, max_contacts = 4},
    policy = "policies.table_bussing",
    params = mm.params({accel = {0.5, 0.1, 4.0}, turn_accel = {1.5, 0.2, 8.0}, arm_speed = {2.5, 0.2, 3.0}}, {
        table_x = {default = 2.6, min = 2.3, max = 2.9, randomize = true, description = "table near edge, x (m)"},
        table_y = {default = 0.0, min = -0.3, max = 0.3, randomize = true, description = "table centre, y (m)"},
        start_yaw = {default = 0.0, min = -0.3, max = 0.3, randomize = true, description = "robot start heading (rad)"},
        item_jitter = {default = 0.0, min = 0.0, max = 0.03, randomize = true, description = "max random shift of each item from its place setting (m)"},
        item_friction = {default = 0.5, min = 0.3, max = 0.7, randomize = true, description = "Coulomb mu of the crockery"},
        cup_mass = {default = 0.28, min = 0.22, max = 0.35, randomize = true, description = "ceramic cup (kg)"},
        plate_mass = {default = 0.55, min = 0.45, max = 0.65, randomize = true, description = "26 cm dinner plate (kg)"},
        bowl_mass = {default = 0.35, min = 0.28, max = 0.45, randomize = true, description = "15 cm soup bowl (kg)"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "floor tiles' Coulomb mu"},
        light = {default = 1.0, min = 0.3, max = 1.0, randomize = true, description = "dining-room light level, 1 bright .. 0.3 dim (scales perception noise by 1/light;"
                 .. " for renderers: ambient level)"},
        obj_noise = {default = 0.002, min = 0.0, max = 0.004, randomize = true, description = "item position perception noise stddev in full light (m)"},
        diner_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "diners' walking speed (m/s)"},
        diner_phase = {default = 0.0, min = 0.0, max = 1.0, randomize = true, description = "fraction of a loop the diners start into their walk"},
        break_speed = {default = 2.0, min = 0.2, max = 5.0, description = "impact speed that breaks crockery (m/s)"},
    }),
}


local function in_tub(ctx, i)
    return ctx.state.grasp.held ~= i and tub:has(items[i], 0.05)
end

local function status(ctx, i)
    if ctx.state.grasp.held == i then return 1 end
    if in_tub(ctx, i) then return 2 end
    local _, _, z = items[i]:pos()
    if z < 0.2 then return 3 end
    return 0
end

local function table_box(world, cx, cy, mat)
    kit.props.table(world, {x = cx, y = cy, top = TABLE_Z, size = TABLE, style = "legs", material = mat})
end

local function chair(world, x, y, back_dx)
    world:geom{type = "box", size = {0.45, 0.45, 0.05}, pos = {x, y, 0.45}, material = "wood", color = {0.45, 0.3, 0.2}}
    world:geom{type = "box", size = {0.05, 0.45, 0.5}, pos = {x + back_dx, y, 0.72}, material = "wood", color = {0.45, 0.3, 0.2}}
    world:geom{type = "box", size = {0.4, 0.4, 0.42}, pos = {x, y, 0.21}, material = "wood", color = {0.3, 0.2, 0.12, 0.3}}
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    world:material{name = "tiles", friction = p.floor_friction}
    world:material{name = "wood", friction = 0.5}
    world:material{name = "ceramic", friction = p.item_friction}
    kit.room.floor(world, {material = "tiles", color = {0.7, 0.66, 0.6}})
    kit.room.walls(world, ROOM)
    -- kitchen pass counter behind the service station
    world:geom{type = "box", size = {0.5, 2.0, 1.05}, pos = {-1.2, 0, 0.525}, material = "wood", color = {0.6, 0.6, 0.62}}
    -- the table to clear, its chairs (far side) and a neighbouring table
    local tx, ty = p.table_x, p.table_y
    s.tx, s.ty = tx, ty
    table_box(world, tx + TABLE[1] / 2, ty, "wood")
    chair(world, tx + TABLE[1] + 0.1, ty + 0.3, 0.2)
    chair(world, tx + TABLE[1] + 0.1, ty - 0.3, 0.2)
    table_box(world, tx + TABLE[1] / 2, 2.3, "wood")

    bot = mobile_manipulator.build(world, {name = "mm", pos = {0, 0}, yaw = p.start_yaw})
    -- the bus tub (0.34 x 0.46 x 0.12 m polypropylene, 1.2 kg) bolted on the rear deck
    tub = mm.deck_box(world, bot, {name = "tub", mount = "tub/mount", x = TUB.x, outer = TUB.outer, wall = TUB.wall,
                                   floor = TUB.floor, deck_z = DECK_Z, yaw = p.start_yaw, mass = 1.2, color = {0.25, 0.3, 0.35}})

    local masses = {p.cup_mass, p.plate_mass, p.bowl_mass}
    items = {}
    for i, it in ipairs(ITEMS) do
        local j = p.item_jitter
        local x = tx + it.slot[1] + (2 * math.random() - 1) * j
        local y = ty + it.slot[2] + (2 * math.random() - 1) * j
        items[i] = world:body{name = it.name, pos = {x, y, TABLE_Z + it.h / 2 + 0.0005}, mass = masses[it.kind],
                              geoms = {{type = "cylinder", radius = it.r, length = it.h, material = "ceramic",
                                        color = it.kind == 1 and {0.95, 0.95, 0.92} or {0.97, 0.97, 0.97}}}}
    end
    grip = scenario.grasp.new(world, {flange = bot.arm.flange, fingers = {bot.arm.finger_left, bot.arm.finger_right},
                             items = items, state = s, break_speed = p.break_speed})

    local v = p.diner_speed
    local function walker(t) t.yield_to = {bot.chassis}; t.state = s; return scenario.human.spawn(world, t) end
    diners = {
        walker{name = "diner1", path = {{1.2, -2.6}, {1.2, 2.6}}, speed = v, wait = 1.5, offset = p.diner_phase * 10.4},
        walker{name = "diner2", path = {{tx + 1.75, 2.6}, {tx + 1.75, -2.6}}, speed = 0.9 * v, wait = 2.0,
               offset = (1 - p.diner_phase) * 10.4, color = {0.3, 0.5, 0.8}},
        walker{name = "diner3", path = {{tx + 0.4, ty - 1.25}, {0.6, ty - 1.25}}, speed = 0.8 * v, wait = 3.0,
               offset = p.diner_phase * 2 * (tx - 0.2), color = {0.4, 0.7, 0.4}},
    }
    mon = scenario.safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.43}, {body = bot.arm.flange, radius = 0.15},
                                             {body = bot.arm.links[4], radius = 0.1}},
                             humans = diners, state = s,
                             keepout = {{-1.5, -1.0, -0.8, 1.0}}})     -- the kitchen pass
    mm.init_state(s, bot)
    s.path, s.px, s.py = 0, 0, 0
    s.in_tub, s.done_for, s.t_done = 0, 0, -1
    s.contacts_seen = 0
end

-- clock, pose, twist, ee, grip and people, the action space and act() come from
-- scenario.mm_task (shared with retail_shelf_picking); the entries below are this scene's own.
scene.observation = mm.observations(function() return bot end, function() return diners end, 3)
scene.observation.table = {shape = {4}, fn = function(ctx, out)
    local x, y, yaw = bot:pose2d()
    local dx, dy = kit.util.to_local(x, y, yaw, ctx.state.tx, ctx.state.ty)
    out[1], out[2], out[3], out[4] = dx, dy, math.atan(math.sin(-yaw), math.cos(-yaw)), TABLE_Z
end}
scene.observation.items = {shape = {#ITEMS, 6}, fn = function(ctx, out)
    local sd = ctx.params.obj_noise / ctx.params.light
    for i, it in ipairs(ITEMS) do
        local k = (i - 1) * 6
        out[k + 1], out[k + 2], out[k + 3] = mm.seen(bot, items[i], sd)
        out[k + 4], out[k + 5], out[k + 6] = it.kind, it.h, status(ctx, i)
    end
end}
scene.observation.tub = {shape = {3}, fn = function(ctx, out)
    local x0, y0, x1, y1, fz = tub:inner()
    out[1], out[2], out[3] = (x0 + x1) / 2, (y0 + y1) / 2, fz
end}

mm.task(scene, {bot = function() return bot end, z_max = 1.6})

function scene.step(ctx)
    local s = ctx.state
    mm.step(ctx, bot, mon, diners, {grip})
    local n = 0
    for i = 1, #items do if in_tub(ctx, i) then n = n + 1 end end
    s.n_tub = n
    mm.hold_done(ctx, n == #items)
end

function scene.reward(ctx)
    local s = ctx.state
    return kit.track.gain(ctx, s.n_tub or 0, 1, "in_tub", 0.05) - mm.contact_penalty(s)
end

function scene.failure(ctx)
    local s = ctx.state
    local b = s.grasp.broken
    if b ~= 0 then
        return true, string.format("%s (%s) broke: impact %.1f m/s above %.1f m/s", ITEMS[b].name, KIND_NAME[ITEMS[b].kind],
                                   s.grasp.impact_max, ctx.params.break_speed)
    end
    for i, it in ipairs(ITEMS) do
        if status(ctx, i) == 3 then return true, string.format("%s (%s) dropped on the floor", it.name, KIND_NAME[it.kind]) end
    end
    return mm.failed(ctx, bot, "a diner")
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = mm.metrics(ctx, mon, "time_to_clear")
    local dropped = 0
    for i = 1, #items do if status(ctx, i) == 3 then dropped = dropped + 1 end end
    m.items_bussed = s.n_tub or 0
    m.items_dropped = dropped
    m.items_broken = (s.grasp.broken ~= 0) and 1 or 0
    m.impact_max = s.grasp.impact_max
    m.grasps = s.grasp.attaches
    return m
end

return scene
