-- Home service, tidying: a mobile manipulator (robots.mobile_manipulator: a 60 kg
-- diff-drive base with the arm6 on a 0.35 m pedestal) picks up the toys lying on a
-- living-room floor and drops them into the toy bin it carries on its deck, while a
-- resident walks about.
--
-- Room x -0.5..5.5, y -2.5..2.5 (walls 2.5 m), floor mu `floor_friction`. Sofa along the
-- north wall, a coffee table at (2.6, 1.45), a rug-edge keep-out (the pet's bed) at
-- x 0.2..1.0, y -2.5..-1.8. Toy bin: an open box 0.36 x 0.50 x 0.16 m (1 kg) fixed on the
-- deck behind the arm, its centre 0.165 m behind the chassis centre, rim 0.43 m up.
-- Toys: `n_toys` (1..3) of a wooden block (0.06 m cube, 0.15 kg), a toy can (cylinder r
-- 0.035, h 0.08 m, 0.12 kg) and a toy brick (0.07 x 0.05 x 0.05 m, 0.1 kg), masses x
-- `toy_mass_scale`, at random places in x 1.3..4.6, y -1.8..0.2 (at least 0.8 m apart),
-- random yaw. Gripper hold: scenario.grasp's attach (a pad touching the toy while closed).
-- The resident walks between (0.6, 0.95) and (4.6, 0.95) (in front of the coffee table) at
-- `resident_speed`, 2 s at each end, and stops for the robot in the way.
--
-- Observation: clock, pose, twist, ee, grip, people {1, 4} (scenario.mm_task), toys {3, 5}
--   (per toy: x, y (chassis frame, m; noise `obj_noise` / light), top z (m), status (0 on
--   the floor, 1 held, 2 in the bin, 3 elsewhere; -1 rows beyond n_toys), yaw relative
--   to the chassis (rad)), bin {3} (the deck bin's centre x, y in the chassis frame, rim z)
-- Action: base {2}, arm {5}, grip {1} (scenario.mm_task)
-- success: every toy in the bin, the gripper empty, for 0.5 s
-- failure: a toy thrown out of the room or onto furniture (status 3 for 3 s), the robot
--   tipped, a contact with the resident above the ISO/TS 15066 limit
-- reward: +1 per toy in the bin, -0.01/s, -5 per human contact
-- metrics: toys_binned, grasps, ik_failures, path_length, time_to_tidy, scenario.safety's

local mobile_manipulator = require "robots.mobile_manipulator"
local kit = require "kit"
local scenario = require "scenario"
local mm = scenario.mm_task

local bot, bin, toys, grip, persons, mon   -- handles of the current episode (set in build)

local ROOM = {-0.5, -2.5, 5.5, 2.5}
local DECK_Z = 0.27
local BIN = {x = -0.165, outer = {0.36, 0.50, 0.16}, wall = 0.01}
local KINDS = {
    {name = "block", geom = {type = "box", size = {0.06, 0.06, 0.06}}, h = 0.06, mass = 0.15, color = {0.85, 0.3, 0.2}},
    {name = "can", geom = {type = "cylinder", radius = 0.035, length = 0.08}, h = 0.08, mass = 0.12, color = {0.2, 0.5, 0.85}},
    {name = "brick", geom = {type = "box", size = {0.07, 0.05, 0.05}}, h = 0.05, mass = 0.10, color = {0.95, 0.8, 0.2}},
}
local MAXN = 3

local scene = {
    name = "home_tidying",
    domain = "home_service",
    description = "A mobile manipulator picks toys up off a living-room floor and drops them into the toy bin on its deck",
    instruction = function(p)
        return string.format("Tidy up: pick up the %d toy%s on the floor and put %s in the toy bin on your deck.",
                             p.n_toys, p.n_toys == 1 and "" or "s", p.n_toys == 1 and "it" or "them")
    end,
    timestep = 0.004,
    time_limit = 35,
    world = {iterations = 40, contact_forces = true, max_contacts = 4},
    policy = "policies.home_tidying",
    view = {eye = {-0.8, -4.2, 4.0}, target = {2.7, -0.3, 0.2}, fov = 55},
    params = mm.params({accel = {0.8, 0.2, 1.0}, turn_accel = {2.0, 0.5, 3.0}, arm_speed = {2.0, 0.5, 2.5}}, {
        n_toys = {default = 2, min = 1, max = MAXN, integer = true, description = "toys on the floor"},
        toy_mass_scale = {default = 1.0, min = 0.7, max = 1.5, randomize = true, description = "scales the toys' masses"},
        floor_friction = {default = 0.8, min = 0.6, max = 1.0, randomize = true, description = "floor mu"},
        resident_speed = {default = 0.9, min = 0.6, max = 1.2, randomize = true, description = "resident walking speed, m/s"},
        light = {default = 1.0, min = 0.5, max = 1.0, randomize = true, description = "light level (noise / light)"},
        obj_noise = {default = 0.002, min = 0.0, max = 0.004, randomize = true, description = "toy position noise stddev, m"},
    }),
}

-- 0 on the floor, 1 held, 2 in the bin, 3 elsewhere
local function status(ctx, i)
    if ctx.state.grasp.held == i then return 1 end
    local b = toys[i]
    if bin:has(b, 0.05) then return 2 end
    local x, y, z = b:pos()
    if z < ctx.state.toy[i].h and x > ROOM[1] and x < ROOM[3] and y > ROOM[2] and y < ROOM[4] then return 0 end
    return 3
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.floor_friction, material = "oak", color = {0.62, 0.48, 0.33}})
    kit.room.walls(world, ROOM, {color = {0.9, 0.88, 0.8}})
    world:material{name = "fabric", friction = 0.8}
    world:geom{type = "box", size = {2.2, 0.75, 0.45}, pos = {2.4, 2.1, 0.225}, material = "fabric", color = {0.35, 0.4, 0.5}}
    world:geom{type = "box", size = {2.2, 0.2, 0.85}, pos = {2.4, 2.4, 0.425}, material = "fabric", color = {0.35, 0.4, 0.5}}
    kit.props.table(world, {x = 2.6, y = 1.45, top = 0.42, size = {1.0, 0.5}, style = "legs"})
    bot = mobile_manipulator.build(world, {name = "helper", pos = {0.3, 0}, yaw = 0})
    -- the toy bin on the deck (open, 1 cm walls), bolted to the chassis
    bin = mm.deck_box(world, bot, {name = "helper/bin", mount = "helper/bin_mount", x = BIN.x, outer = BIN.outer, wall = BIN.wall,
                                   deck_z = DECK_Z, mass = 1.0, color = {0.3, 0.7, 0.4}})
    -- the toys: rejection-sampled positions at least 0.8 m apart
    world:material{name = "toy", friction = 0.6}
    toys, s.toy = {}, {}
    local placed = {}
    for i = 1, p.n_toys do
        local x, y
        repeat
            x, y = kit.util.uniform(1.3, 4.6), kit.util.uniform(-1.8, 0.2)
            local okp = true
            for _, q in ipairs(placed) do if kit.util.dist2d(x, y, q[1], q[2]) < 0.8 then okp = false end end
        until okp
        placed[i] = {x, y}
        local k = KINDS[i]
        local g = kit.util.merged(k.geom, {material = "toy", color = k.color})
        toys[i] = world:body{name = "toy" .. i, pos = {x, y, k.h / 2 + 0.001}, rpy = {0, 0, kit.util.uniform(-math.pi, math.pi)},
                             mass = k.mass * p.toy_mass_scale, geoms = {g}}
        s.toy[i] = {h = k.h, out_for = 0}
    end
    grip = scenario.grasp.new(world, {flange = bot.arm.flange, fingers = {bot.arm.finger_left, bot.arm.finger_right},
                             items = toys, state = s, break_speed = 100})
    persons = {kit.people.walker(world, {name = "resident", path = {{0.6, 0.95}, {4.6, 0.95}}, speed = p.resident_speed, wait = 2,
                                     yield_to = {bot.chassis}, state = s, color = {0.6, 0.4, 0.6}})}
    mon = scenario.safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.43}, {body = bot.arm.flange, radius = 0.15},
                                             {body = bot.arm.links[4], radius = 0.1}},
                             humans = persons, state = s, keepout = {{0.2, -2.5, 1.0, -1.8}}})
    mm.init_state(s, bot)
    s.path, s.px, s.py = 0, 0.3, 0
    s.binned, s.seen, s.done_for, s.t_done, s.contacts_seen = 0, 0, 0, -1, 0
end

scene.observation = mm.observations(function() return bot end, function() return persons end, 1)
scene.observation.toys = {shape = {MAXN, 5}, fn = function(ctx, out)
    local sd = ctx.params.obj_noise / ctx.params.light
    local _, _, byaw = bot:pose2d()
    for i = 1, MAXN do
        local k = (i - 1) * 5
        local q = ctx.state.toy[i]
        if q then
            local x, y, z = bot:to_chassis(toys[i]:pos())
            local qw, _, _, qz = toys[i]:quat()
            out[k + 1], out[k + 2], out[k + 3] = x + math.normal(0, sd), y + math.normal(0, sd), z + q.h / 2
            out[k + 4], out[k + 5] = status(ctx, i), kit.util.wrap(2 * math.atan(qz, qw) - byaw)
        else
            for j = 1, 5 do out[k + j] = 0 end
            out[k + 4] = -1
        end
    end
end}
scene.observation.bin = {shape = {3}, fn = function(ctx, out)
    out[1], out[2], out[3] = BIN.x, 0, DECK_Z + BIN.outer[3]
end}

mm.task(scene, {bot = function() return bot end, z_max = 1.2})

function scene.step(ctx)
    local s = ctx.state
    mm.step(ctx, bot, mon, persons, {grip})
    local n = 0
    for i = 1, #toys do
        local st = status(ctx, i)
        if st == 2 then n = n + 1 end
        local q = s.toy[i]
        q.out_for = st == 3 and q.out_for + ctx.dt or 0
    end
    s.binned = n
    mm.hold_done(ctx, n == #toys)
end

function scene.reward(ctx)
    return kit.track.gain(ctx, ctx.state.binned, 1, "seen") - mm.contact_penalty(ctx.state)
end

function scene.failure(ctx)
    local s = ctx.state
    for i = 1, #toys do
        if s.toy[i].out_for >= 3 then return true, string.format("the %s landed out of reach", KINDS[i].name) end
    end
    return mm.failed(ctx, bot, "the resident")
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = mm.metrics(ctx, mon, "time_to_tidy")
    m.toys_binned = s.binned
    m.grasps = s.grasp.attaches
    return m
end

return scene
