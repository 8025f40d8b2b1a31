-- Retail shelf picking: a wheeled mobile manipulator (robots.mobile_manipulator, 91.7 kg,
-- UR5-sized arm and parallel gripper on a 0.35 m pedestal) with a shopping tote on its rear
-- deck drives down a 2.0 m supermarket aisle between two gondola runs (x 1.0 .. 6.0 m;
-- 1.8 m tall, shelves 0.40 m deep, shelf tops at 0.15, 0.62, 1.09 and 1.56 m) and picks an
-- online order (`order_size` products) from the left gondola into the tote: 400 g cans
-- (7.4 cm x 11 cm, 0.40 kg), 0.5 l bottles (6.6 cm x 21 cm, 0.50 kg) and 500 g boxes of
-- rice (7.5 x 6 x 18 cm, 0.50 kg), masses scaled by item_mass (0.9-1.15). Each ordered
-- product stands in the front row of the 0.62 m or the 1.09 m shelf between two neighbours
-- of its kind (dynamic, 15 cm apart); the rest of the stock is static. Two shoppers
-- (scenario.human) walk in the aisle: one up and down it 0.15 m right of its centre line,
-- one browsing along the right gondola. Products are taken with a front grasp (tool
-- horizontal, pointing into the shelf: mode 2) and held by scenario.grasp's attach (a
-- pinch lock) until released.
--
-- observation: clock {t}, pose {x, y, yaw} (world), twist {v, w}, aisle {left shelf front y,
--   right shelf front y} (world, m), order {4, 6} (per ordered product: x, y, z of its centre
--   in the chassis frame (gaussian perception noise obj_noise / light), kind (1 can, 2
--   bottle, 3 box), height (m), status (0 on the shelf, 1 held, 2 in the tote, 3 dropped,
--   -1 no such order line)), ee {x, y, z, gripper width} (TCP, chassis frame), grip {held
--   product index or 0}, tote {x, y, rim z} (tote interior centre and its rim height,
--   chassis frame), people {2, 4} (dx, dy, vx, vy per shopper, robot frame)
-- action: base {v, w}, arm {mode, x, y, z, yaw}, grip {g}: as restaurant_table_bussing
-- success: every ordered product in the tote, none held, for 0.5 s
-- failure: an ordered product dropped (off its shelf and not held or in the tote), more than
--          max_knocked neighbouring products knocked over or off their shelf (moved > 5 cm),
--          a contact with a shopper above its ISO/TS 15066 limit, the robot tipped
-- reward:  +1 per product newly in the tote (-1 when one leaves it), -0.05 per second,
--          -1 per knocked product, -5 per shopper contact event
-- metrics: items_picked, order_size, items_dropped, knocked, impact_max, time_to_complete,
--          grasps, ik_failures, path_length + scenario.safety's (keep-out: the 0.3 m
--          browsing strip in front of the right gondola)

local mobile_manipulator = require "robots.mobile_manipulator"
local scenario = require "scenario"
local mm = scenario.mm_task
local kit = require "kit"

local bot, mon, grip, tote
local items, nb, shoppers = {}, {}, {}

local AISLE = 1.0                    -- m, shelf fronts at y = +-AISLE
local DEPTH = 0.40                   -- m, shelf depth
local RUN = {1.0, 6.0}               -- m, gondola run along x
local TOPS = {0.15, 0.62, 1.09, 1.56}  -- m, shelf top heights (the first is the base deck)
local PICK_LEVELS = {2, 3}           -- shelves the orders come from
local BAYS = {1.6, 2.5, 3.4, 4.3, 5.2}   -- m, x of the order slots
local DECK_Z = 0.27
local TOTE = {x = -0.165, outer = {0.36, 0.50, 0.16}, wall = 0.01, floor = 0.01}
local KINDS = {
    {name = "can", shape = "cylinder", r = 0.037, h = 0.11, mass = 0.40},
    {name = "bottle", shape = "cylinder", r = 0.033, h = 0.21, mass = 0.50},
    {name = "box", shape = "box", size = {0.075, 0.06, 0.18}, h = 0.18, mass = 0.50},
}
local MAX_ORDER = 4

local scene = {
    name = "retail_shelf_picking",
    domain = "retail",
    description = "Mobile manipulator picks an order from supermarket shelves into its tote among shoppers",
    timestep = 0.004,
    time_limit = 60,
    view = {eye = {6.65, -7.44, 5.45}, target = {3.19, -0.01, 0.72}, fov = 45},
    -- 60 solver iterations: with fewer, QuickStep's unconverged friction lets the parked
    -- base creep by millimetres per second
    world = {contact_forces = true, iterations = 60, max_contacts = 4},
    policy = "policies.shelf_picking",
    params = mm.params({accel = {0.5, 0.1, 4.0}, turn_accel = {1.5, 0.2, 8.0}, arm_speed = {2.5, 0.2, 3.0}}, {
        order_size = {default = 3, min = 1, max = MAX_ORDER, integer = true, description = "products in the order"},
        max_knocked = {default = 0, min = 0, max = 5, integer = true, description = "neighbouring products that may be knocked before the episode fails"},
        item_mass = {default = 1.0, min = 0.9, max = 1.15, randomize = true, description = "scale of the products' nominal masses"},
        item_friction = {default = 0.5, min = 0.3, max = 0.7, randomize = true, description = "Coulomb mu of the products (shelf: 0.5)"},
        item_jitter = {default = 0.0, min = 0.0, max = 0.02, randomize = true, description = "max random shift of each product from its facing (m)"},
        start_x = {default = 0.0, min = -0.3, max = 0.3, randomize = true, description = "robot start x (m)"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "floor's Coulomb mu"},
        light = {default = 1.0, min = 0.4, max = 1.0, randomize = true, description = "store light level, 1 bright .. 0.4 dim (scales perception noise by 1/light;"
                 .. " for renderers: ambient level)"},
        obj_noise = {default = 0.002, min = 0.0, max = 0.004, randomize = true, description = "product position perception noise stddev in full light (m)"},
        shopper_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "shoppers' walking speed (m/s)"},
        shopper_phase = {default = 0.0, min = 0.0, max = 1.0, randomize = true, description = "fraction of a loop the shoppers start into their walk"},
    }),
}

local function in_tote(ctx, i)
    -- above the tote's floor within its walls (up to 0.25 m above the rim: released
    -- products falling in count)
    return ctx.state.grasp.held ~= i and tote:has(items[i], 0.25)
end

local function status(ctx, i)
    if ctx.state.grasp.held == i then return 1 end
    if in_tote(ctx, i) then return 2 end
    local _, _, z = items[i]:pos()
    if z < ctx.state.order[i].top - 0.05 then return 3 end
    return 0
end

local function knocked(ctx)
    local n = 0
    for i, b in ipairs(nb) do
        local o = ctx.state.nb0[i]
        local x, y, z = b:pos()
        if math.sqrt((x - o[1]) ^ 2 + (y - o[2]) ^ 2) > 0.05 or z < o[3] - 0.05 then n = n + 1 end
    end
    return n
end

local function product(world, name, kind, x, y, top, mass, kinematic)
    local k = KINDS[kind]
    local g
    if k.shape == "box" then
        g = {type = "box", size = k.size, material = "product", color = {0.9, 0.8, 0.3}}
    else
        g = {type = "cylinder", radius = k.r, length = k.h, material = "product",
             color = kind == 1 and {0.75, 0.2, 0.15} or {0.3, 0.6, 0.85, 0.8}}
    end
    return world:body{name = name, kind = kinematic and "static" or "dynamic", pos = {x, y, top + k.h / 2 + 0.0005},
                      mass = mass, geoms = {g}}
end

local function gondola(world, side)
    kit.props.gondola(world, {x0 = RUN[1], x1 = RUN[2], front = AISLE, side = side, depth = DEPTH, tops = TOPS,
                          material = "shelf"})
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    world:material{name = "floor", friction = p.floor_friction}
    world:material{name = "shelf", friction = 0.5}
    world:material{name = "product", friction = p.item_friction}
    kit.room.floor(world, {material = "floor", color = {0.78, 0.78, 0.75}})
    gondola(world, 1)
    gondola(world, -1)

    -- the order: distinct bays of the left gondola, shelves 2 or 3, a random kind each
    local bays = {}
    for i = 1, #BAYS do bays[i] = i end
    for i = #bays, 2, -1 do local j = math.random(i); bays[i], bays[j] = bays[j], bays[i] end
    local n = p.order_size
    local pick = {}
    for i = 1, n do pick[i] = bays[i] end
    table.sort(pick)
    s.order = {}
    items, nb = {}, {}
    s.nb0 = {}
    local taken = {}
    for i, b in ipairs(pick) do
        local kind = math.random(3)
        local lvl = PICK_LEVELS[math.random(#PICK_LEVELS)]
        local k = KINDS[kind]
        local half = (k.shape == "box") and k.size[2] / 2 or k.r
        local y = AISLE + 0.015 + half
        local top = TOPS[lvl]
        local function j() return (2 * math.random() - 1) * p.item_jitter end
        local x = BAYS[b]
        items[i] = product(world, "order" .. i, kind, x + j(), y + j(), top, k.mass * p.item_mass)
        s.order[i] = {kind = kind, h = k.h, top = top}
        for _, dx in ipairs({-0.15, 0.15}) do
            local q = product(world, "stock" .. (#nb + 1), kind, x + dx + j(), y + j(), top, k.mass * p.item_mass)
            nb[#nb + 1] = q
            local qx, qy, qz = q:pos()
            s.nb0[#nb] = {qx, qy, qz}
        end
        taken[b .. ":" .. lvl] = true
    end
    -- static stock: packs of products filling the other facings (both gondolas)
    for _, side in ipairs({1, -1}) do
        for lvl = 1, #TOPS do
            for b = 1, #BAYS do
                if not (side == 1 and taken[b .. ":" .. lvl]) then
                    local h = 0.12 + 0.08 * ((b + lvl) % 3)
                    world:geom{type = "box", size = {0.6, 0.3, h}, pos = {BAYS[b], side * (AISLE + 0.05 + 0.15), TOPS[lvl] + h / 2},
                               material = "product", color = {0.3 + 0.15 * (b % 3), 0.5, 0.3 + 0.2 * (lvl % 2)}}
                end
            end
        end
    end

    local lane = AISLE - 0.45          -- m, start lane: the chassis 0.2 m from the left shelf
    bot = mobile_manipulator.build(world, {name = "mm", pos = {p.start_x, lane}, yaw = 0})
    tote = mm.deck_box(world, bot, {name = "tote", mount = "tote/mount", x = TOTE.x, outer = TOTE.outer, wall = TOTE.wall,
                                    floor = TOTE.floor, deck_z = DECK_Z, mass = 1.0, color = {0.2, 0.35, 0.7}})
    grip = scenario.grasp.new(world, {flange = bot.arm.flange, fingers = {bot.arm.finger_left, bot.arm.finger_right},
                             items = items, state = s, break_speed = 100})

    local v = p.shopper_speed
    local function walker(t) t.yield_to = {bot.chassis}; t.state = s; return scenario.human.spawn(world, t) end
    shoppers = {
        walker{name = "shopper1", path = {{0.3, -0.15}, {6.6, -0.15}}, speed = v, wait = 2.0, offset = p.shopper_phase * 12.6},
        walker{name = "shopper2", path = {{1.5, -0.68}, {3.0, -0.68}, {4.6, -0.68}}, speed = 0.6 * v, wait = 4.0,
               offset = (1 - p.shopper_phase) * 6.2, color = {0.3, 0.5, 0.8}},
    }
    -- keep-out: the browsing strip in front of the right gondola (the shoppers' side)
    mon = scenario.safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.43}, {body = bot.arm.flange, radius = 0.15},
                                             {body = bot.arm.links[4], radius = 0.1}},
                             humans = shoppers, state = s,
                             keepout = {{RUN[1], -AISLE, RUN[2], -AISLE + 0.3}}})
    mm.init_state(s, bot)
    s.path, s.px, s.py = 0, p.start_x, lane
    s.in_tote, s.done_for, s.t_done, s.knocked, s.knocked_seen = 0, 0, -1, 0, 0
    s.contacts_seen = 0
end

-- clock, pose, twist, ee, grip and people, the action space and act() come from
-- scenario.mm_task (shared with restaurant_table_bussing); the entries below are this scene's own.
scene.observation = mm.observations(function() return bot end, function() return shoppers end, 2)
scene.observation.aisle = {shape = {2}, fn = function(ctx, out) out[1], out[2] = AISLE, -AISLE end}
scene.observation.order = {shape = {MAX_ORDER, 6}, fn = function(ctx, out)
    local sd = ctx.params.obj_noise / ctx.params.light
    for i = 1, MAX_ORDER do
        local k = (i - 1) * 6
        local o = ctx.state.order[i]
        if o then
            out[k + 1], out[k + 2], out[k + 3] = mm.seen(bot, items[i], sd)
            out[k + 4], out[k + 5], out[k + 6] = o.kind, o.h, status(ctx, i)
        else
            out[k + 1], out[k + 2], out[k + 3], out[k + 4], out[k + 5], out[k + 6] = 0, 0, 0, 0, 0, -1
        end
    end
end}
scene.observation.tote = {shape = {3}, fn = function(ctx, out)
    local x0, y0, x1, y1 = tote:inner()
    out[1], out[2], out[3] = (x0 + x1) / 2, (y0 + y1) / 2, tote:rim()
end}

mm.task(scene, {bot = function() return bot end, z_max = 1.8})

function scene.step(ctx)
    local s = ctx.state
    mm.step(ctx, bot, mon, shoppers, {grip})
    local n = 0
    for i = 1, #items do if in_tote(ctx, i) then n = n + 1 end end
    s.n_tote = n
    s.knocked = knocked(ctx)
    mm.hold_done(ctx, n == #items)
end

function scene.reward(ctx)
    local s = ctx.state
    local r = kit.track.gain(ctx, s.n_tote or 0, 1, "in_tote", 0.05)
    if s.knocked > s.knocked_seen then r = r - (s.knocked - s.knocked_seen); s.knocked_seen = s.knocked end
    r = r - mm.contact_penalty(s)
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    for i = 1, #items do
        if status(ctx, i) == 3 then
            return true, string.format("ordered product %d (%s) dropped", i, KINDS[s.order[i].kind].name)
        end
    end
    if s.knocked > ctx.params.max_knocked then
        return true, string.format("%d product(s) knocked off their facing (at most %d allowed)", s.knocked, ctx.params.max_knocked)
    end
    return mm.failed(ctx, bot, "a shopper")
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = mm.metrics(ctx, mon, "time_to_complete")
    local dropped = 0
    for i = 1, #items do if status(ctx, i) == 3 then dropped = dropped + 1 end end
    m.items_picked = s.n_tote or 0
    m.order_size = #items
    m.items_dropped = dropped
    m.knocked = s.knocked
    m.impact_max = s.grasp.impact_max
    m.grasps = s.grasp.attaches
    return m
end

return scene
