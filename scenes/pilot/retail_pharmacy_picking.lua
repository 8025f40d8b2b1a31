-- Retail pharmacy picking: a wheeled dual-arm mobile manipulator (robots.mobile_manipulator
-- with dual = true: a 60 kg diff-drive base, two arm6 arms on 0.35 m pedestals 0.24 m apart)
-- drives down a pharmacy's back-room aisle and fills a prescription: one medicine box from
-- the left shelf (left arm) and one from the right shelf (right arm), into the basket on its
-- deck.
--
-- Aisle: x 0..6, shelf fronts at y = +-0.50 (gondolas 0.4 m deep, a base deck 0.1 m, shelves
-- at 0.45 and 0.80 m, back panels 1.0 m high: the top shelf is open above). Boxes: 0.06 x 0.10
-- x 0.14 m (0.08..0.2 kg) standing on the top shelf, 8 cm behind its front edge, in rows of
-- five per side (x 0.8 .. 5.2, 1.1 m apart). The ordered ones: one on each side, at random
-- among the rows, marked with a green cap (drawn only). The robot starts at (0.4, 0) facing
-- +x. A pharmacist walks across the aisle's far end (x = 6.6). The controlled-drugs
-- cabinet beyond x = 7 is a safety keep-out.
-- Basket: 0.30 x 0.50 x 0.12 m, fixed on the deck 0.15 m behind the chassis centre.
-- Hold: scenario.grasp's attach per gripper.
--
-- Observation: clock, pose, twist, people {1, 4} (scenario.mm_task), ee {2, 4} (per arm:
--   TCP x, y, z in the chassis frame, pad gap), held {2} (per arm: order row held, 0 none),
--   order {2, 5} (per ordered box: x, y (chassis frame; noise `obj_noise`), top z, side (1
--   left, -1 right), status (0 on the shelf, 1 held, 2 in the basket, 3 dropped)),
--   basket {3} (centre x, y in the chassis frame, rim z)
-- Action: base {2}, arm_left {5}, arm_right {5} (scenario.mm_task's arm action per arm),
--   grip {2} (per arm, >= 0.5 closes)
-- success: both ordered boxes in the basket, both grippers empty, for 0.5 s
-- failure: an ordered box dropped, a box that was not ordered taken or knocked off, a
--   contact with the pharmacist above the ISO/TS 15066 limit, the robot tipped
-- reward: +1 per ordered box in the basket, -1 per wrong box, -0.01/s
-- metrics: boxes_picked, wrong_picks, ik_failures, path_length, time_to_fill, scenario.safety's

local mobile_manipulator = require "robots.mobile_manipulator"
local kit = require "kit"
local scenario = require "scenario"
local mm = scenario.mm_task

local bot, basket, boxes, grips, persons, mon   -- handles of the current episode (set in build)

local FRONT = 0.50
local TOP = 0.80
local BOX = {0.06, 0.10, 0.14}
local ROWS = {0.8, 1.9, 3.0, 4.1, 5.2}
local DECK_Z = 0.27
local BASKET = {x = -0.15, outer = {0.30, 0.50, 0.12}, wall = 0.01}

local scene = {
    name = "retail_pharmacy_picking",
    domain = "retail",
    description = "A dual-arm mobile manipulator picks a prescription's two boxes from both sides of a pharmacy aisle",
    instruction = "Fill the prescription: take the two medicine boxes with green caps, one from each side " ..
                  "of the aisle, and put them in your basket; leave every other box in place.",
    timestep = 0.004,
    time_limit = 40,
    world = {iterations = 40, contact_forces = true, max_contacts = 4},
    policy = "policies.pharmacy_picking",
    view = {eye = {-1.2, -2.2, 2.6}, target = {2.5, 0, 0.7}, fov = 55},
    params = mm.params({accel = {0.6, 0.2, 1.0}, turn_accel = {1.5, 0.5, 3.0}, arm_speed = {2.0, 0.5, 2.5}}, {
        box_mass = {default = 0.12, min = 0.08, max = 0.2, randomize = true, description = "medicine box mass, kg"},
        box_friction = {default = 0.5, min = 0.35, max = 0.7, randomize = true, description = "box mu"},
        obj_noise = {default = 0.002, min = 0.0, max = 0.004, randomize = true, description = "box position noise stddev, m"},
        light = {default = 1.0, min = 0.6, max = 1.0, randomize = true, description = "light level (people noise 0.02/light m)"},
        pharmacist_speed = {default = 0.9, min = 0.6, max = 1.2, randomize = true, description = "pharmacist walking speed, m/s"},
    }),
}

local function held_by(ctx, i)
    for k, key in ipairs({"grasp", "grasp2"}) do
        if ctx.state[key].held == i then return k end
    end
    return 0
end

-- 0 on the shelf, 1 held, 2 in the basket, 3 dropped / knocked off
local function status(ctx, i)
    if held_by(ctx, i) > 0 then return 1 end
    local b = boxes[i]
    if basket:has(b, 0.3) then return 2 end
    local _, _, z = b:pos()
    local h = ctx.state.home[i]
    if z > TOP and kit.util.dist2d(h[1], h[2], b:pos()) < 0.05 then return 0 end
    return 3
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = 0.8, material = "vinyl", color = {0.78, 0.78, 0.74}})
    for _, side in ipairs({1, -1}) do
        kit.props.gondola(world, {x0 = 0.2, x1 = 5.8, front = FRONT, side = side, tops = {0.1, 0.45, TOP}, height = 1.0})
    end
    bot = mobile_manipulator.build(world, {name = "pharma", pos = {0.4, 0}, yaw = 0, dual = true, arm_y = 0.12})
    basket = mm.deck_box(world, bot, {name = "pharma/basket", mount = "pharma/basket_mount", x = BASKET.x, outer = BASKET.outer,
                                      wall = BASKET.wall, deck_z = DECK_Z, mass = 0.8, color = {0.85, 0.85, 0.9}})
    -- the boxes: a row of five per side; the ordered one per side at random
    world:material{name = "carton", friction = p.box_friction}
    local pick = {math.random(#ROWS), math.random(#ROWS)}
    boxes, s.home, s.order = {}, {}, {}
    for si, side in ipairs({1, -1}) do
        for r, x in ipairs(ROWS) do
            local ordered = r == pick[si]
            local y = side * (FRONT + 0.08)
            local geoms = {{type = "box", size = BOX, material = "carton", color = {0.92, 0.92, 0.95}}}
            if ordered then
                geoms[2] = {type = "box", size = {0.05, 0.08, 0.004}, pos = {0, 0, BOX[3] / 2 + 0.002}, category = 0, collide = 0,
                            density = 1e-6, color = {0.2, 0.75, 0.3}}
            end
            local i = #boxes + 1
            boxes[i] = world:body{name = "med" .. i, pos = {x, y, TOP + BOX[3] / 2 + 0.001}, mass = p.box_mass, geoms = geoms}
            s.home[i] = {x, y}
            if ordered then s.order[#s.order + 1] = {i = i, side = side} end
        end
    end
    grips = {}
    for k, key in ipairs({"grasp", "grasp2"}) do
        local a = bot.arms[k]
        grips[k] = scenario.grasp.new(world, {flange = a.flange, fingers = {a.finger_left, a.finger_right}, items = boxes, state = s,
                                     break_speed = 100, key = key})
    end
    persons = {kit.people.walker(world, {name = "pharmacist", path = {{6.6, -1.6}, {6.6, 1.6}}, speed = p.pharmacist_speed,
                                     wait = 2, color = {0.9, 0.9, 0.95}})}
    local bodies = {{body = bot.chassis, radius = 0.43}}
    for _, a in ipairs(bot.arms) do bodies[#bodies + 1] = {body = a.flange, radius = 0.15} end
    mon = scenario.safety.new(world, {robot_bodies = bodies, humans = persons, state = s, keepout = {{7.0, -1.5, 8.0, 1.5}}})
    mm.init_state(s, bot)
    s.path, s.px, s.py = 0, 0.4, 0
    s.n_in, s.wrong, s.seen, s.done_for, s.t_done = 0, 0, 0, 0, -1
end

local shared = mm.observations(function() return bot end, function() return persons end, 1)
scene.observation = {
    clock = shared.clock, pose = shared.pose, twist = shared.twist, people = shared.people,
    ee = {shape = {2, 4}, fn = function(ctx, out)
        for k, a in ipairs(bot.arms) do
            local x, y, z = bot:to_chassis(a:tcp())
            out[(k - 1) * 4 + 1], out[(k - 1) * 4 + 2], out[(k - 1) * 4 + 3], out[(k - 1) * 4 + 4] = x, y, z, a:gripper_width()
        end
    end},
    held = {shape = {2}, fn = function(ctx, out)
        local s = ctx.state
        for k, key in ipairs({"grasp", "grasp2"}) do
            out[k] = 0
            for r, o in ipairs(s.order) do if s[key].held == o.i then out[k] = r end end
        end
    end},
    order = {shape = {2, 5}, fn = function(ctx, out)
        local sd = ctx.params.obj_noise
        for r, o in ipairs(ctx.state.order) do
            local x, y, z = bot:to_chassis(boxes[o.i]:pos())
            local k = (r - 1) * 5
            out[k + 1], out[k + 2], out[k + 3] = x + math.normal(0, sd), y + math.normal(0, sd), z + BOX[3] / 2
            out[k + 4], out[k + 5] = o.side, status(ctx, o.i)
        end
    end},
    basket = {shape = {3}, fn = function(ctx, out) out[1], out[2], out[3] = BASKET.x, 0, DECK_Z + BASKET.outer[3] end},
}

mm.task(scene, {bot = function() return bot end, z_max = 1.3, dual = true})

function scene.step(ctx)
    local s = ctx.state
    mm.step(ctx, bot, mon, persons, grips)
    local n, wrong = 0, 0
    local ordered = {}
    for _, o in ipairs(s.order) do
        ordered[o.i] = true
        if status(ctx, o.i) == 2 then n = n + 1 end
    end
    for i = 1, #boxes do
        if not ordered[i] and status(ctx, i) ~= 0 then wrong = wrong + 1 end
    end
    s.n_in, s.wrong = n, wrong
    mm.hold_done(ctx, n == #s.order)
end

function scene.reward(ctx)
    local s = ctx.state
    return kit.track.gain(ctx, s.n_in - s.wrong, 1, "seen")
end

function scene.failure(ctx)
    local s = ctx.state
    for r, o in ipairs(s.order) do
        if status(ctx, o.i) == 3 then return true, string.format("ordered box %d dropped", r) end
    end
    if s.wrong > 0 then return true, "a box that was not ordered was taken or knocked off its shelf" end
    return mm.failed(ctx, bot, "the pharmacist")
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = mm.metrics(ctx, mon, "time_to_fill")
    m.boxes_picked = s.n_in
    m.wrong_picks = s.wrong
    return m
end

return scene
