-- Hospitality: a luggage robot (a diff-drive cart, robots.diffdrive sized 0.8 x 0.56 m,
-- 45 kg, with a railed luggage deck) carries two suitcases from the front desk across a
-- hotel lobby to the guest's lift, among guests crossing the lobby.
--
-- Lobby x -1.5..13, y -4..4 (walls 3 m), marble floor (mu `floor_friction`). Front desk
-- 0.6 x 2.4 x 1.1 m at x = -1.0 behind the start; the staff strip behind it is a safety
-- keep-out zone. Lounge tables and sofas (boxes) along the side walls. The lift door is in
-- the east wall at y = `goal_y`; the delivery point is 0.9 m in front of it.
-- Luggage deck: a 0.70 x 0.50 m plate 0.28 m above the floor with 8 cm rails, fixed to the
-- chassis. Suitcases: 0.55 x 0.38 x 0.22 m (mass `bag_mass` kg) lying flat and 0.40 x 0.30
-- x 0.18 m (0.6 x `bag_mass`) on top of it, mu `bag_friction`: nothing straps them down.
-- Guests (scenario.human, yield to the cart when it stands in their way): three cross the
-- lobby along y at x = 3.0, 6.2 and 9.4 (speed `guest_speed` x 1, 0.85, 1.1, waiting 1 s at
-- each end, phases from `guest_phase`); one stands talking at (`chat_x`, -1.8).
--
-- Observation: pose {3} (x, y, yaw; world), twist {2} (forward m/s, yaw rate), goal {3}
--   (delivery point in the robot frame: dx, dy, distance), people {4, 4} (per guest:
--   forward, left (m; noise 0.02 / light), vx, vy (robot frame)), load {2} (bags on the
--   deck 0..2, largest bag tilt deg)
-- Action: base {2} (v in [-0.3, 1.0] m/s, w in [-1, 1] rad/s; ramped at `accel` m/s^2 and
--   2 rad/s^2)
-- success: the chassis within 0.3 m of the delivery point, slower than 0.05 m/s, both bags
--   on the deck, held for 0.5 s
-- failure: a bag fell off the deck, a contact with a guest above its ISO/TS 15066 limit,
--   the cart tipped
-- reward: -0.01/s, +5 on success (once), -5 per bag lost
-- metrics: bags_on_deck, path_length, time_to_deliver, and the scenario.safety metrics

local diffdrive = require "robots.diffdrive"
local kit = require "kit"
local scenario = require "scenario"

local bot, deck, bags, guests, mon    -- handles of the current episode (set in build)

local LOBBY = {-1.5, -4, 13, 4}
local DECK_Z = 0.28
local BAGS = {{0.55, 0.38, 0.22, 1.0}, {0.40, 0.30, 0.18, 0.6}}

local scene = {
    name = "hospitality_hotel_luggage",
    domain = "hospitality",
    description = "A luggage cart robot delivers two suitcases across a hotel lobby to the lift, among guests",
    instruction = function(p)
        return string.format("Carry the guest's two suitcases from the front desk to the lift at y = %.1f m; " ..
                             "give way to guests and do not drop a bag.", p.goal_y)
    end,
    timestep = 0.004,
    time_limit = 45,
    world = {iterations = 30, contact_forces = true},
    policy = "policies.hotel_luggage",
    view = {eye = {-2.5, -7.5, 6.5}, target = {6, 0, 0}, fov = 50},
    params = {
        goal_y = {default = 0.5, min = -2.0, max = 2.0, randomize = true, description = "lift door position along the east wall, m"},
        bag_mass = {default = 15, min = 8, max = 23, randomize = true, description = "big suitcase mass, kg (the small one 0.6x)"},
        bag_friction = {default = 0.5, min = 0.35, max = 0.7, randomize = true, description = "Coulomb mu of the suitcases"},
        floor_friction = {default = 0.8, min = 0.6, max = 1.0, randomize = true, description = "wheel-floor mu (marble)"},
        guest_speed = {default = 1.1, min = 0.8, max = 1.4, randomize = true, description = "guests' walking speed, m/s"},
        guest_phase = {default = 0.3, min = 0.0, max = 1.0, randomize = true, description = "where along their walks the guests start (0..1)"},
        chat_x = {default = 5.0, min = 4.0, max = 8.0, randomize = true, description = "x of the guest standing and talking, m"},
        light = {default = 1.0, min = 0.6, max = 1.0, randomize = true, description = "lighting (people position noise 0.02/light m)"},
        accel = {default = 0.8, min = 0.5, max = 1.0, description = "base acceleration limit, m/s^2"},
    },
}

local function on_deck(b)
    local x, y, z = b:pos()
    local lx, ly = bot:to_local(x, y)
    return math.abs(lx) < 0.40 and math.abs(ly) < 0.30 and z > DECK_Z
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.floor_friction, material = "marble", color = {0.82, 0.8, 0.76}})
    kit.room.walls(world, LOBBY, {height = 3.0, doors = {{side = "e", at = p.goal_y, width = 1.2}}})
    -- the lift car behind the door (closed at its back)
    world:geom{type = "box", size = {1.6, 1.6, 0.02}, pos = {LOBBY[3] + 0.9, p.goal_y, 2.6}, color = {0.6, 0.6, 0.65}}
    kit.room.walls(world, {LOBBY[3] + 0.1, p.goal_y - 0.8, LOBBY[3] + 1.7, p.goal_y + 0.8},
               {height = 2.6, color = {0.7, 0.7, 0.75}, doors = {{side = "w", at = p.goal_y, width = 1.2}}})
    world:material{name = "wood", friction = 0.6}
    world:geom{type = "box", size = {0.6, 2.4, 1.1}, pos = {-1.0, 0, 0.55}, material = "wood", color = {0.45, 0.3, 0.2}}
    for _, t in ipairs({{2.0, 3.2}, {4.6, 3.2}, {7.8, -3.2}, {10.8, 3.2}}) do
        kit.props.table(world, {x = t[1], y = t[2], size = {0.7, 0.7}, top = 0.5, material = "wood"})
        world:geom{type = "box", size = {1.6, 0.7, 0.45}, pos = {t[1] + 1.2, t[2], 0.225}, color = {0.5, 0.2, 0.25}}
    end
    -- delivery mark
    s.gx, s.gy = LOBBY[3] - 0.9, p.goal_y
    world:geom{type = "box", size = {0.6, 0.6, 0.002}, pos = {s.gx, s.gy, 0.001}, color = {0.3, 0.6, 0.3}, collide = 0, category = 0}

    bot = diffdrive.build(world, {name = "cart", pos = {0, 0}, yaw = 0, chassis_size = {0.8, 0.56, 0.16},
                                  chassis_mass = 45, wheel_radius = 0.1, wheel_x = 0.0, casters = 2, caster_x = 0.32,
                                  caster_lift = 0.003, motor_fmax = 40, wheel_friction = 1.0})
    local rail = {0.2, 0.2, 0.22}
    deck = world:body{name = "cart/deck", pos = {0, 0, DECK_Z - 0.01}, mass = 4, geoms = {
        {type = "box", size = {0.70, 0.50, 0.02}, color = {0.55, 0.55, 0.58}},
        {type = "box", size = {0.02, 0.50, 0.08}, pos = {0.34, 0, 0.05}, color = rail},
        {type = "box", size = {0.02, 0.50, 0.08}, pos = {-0.34, 0, 0.05}, color = rail},
        {type = "box", size = {0.70, 0.02, 0.08}, pos = {0, 0.24, 0.05}, color = rail},
        {type = "box", size = {0.70, 0.02, 0.08}, pos = {0, -0.24, 0.05}, color = rail},
        {type = "cylinder", radius = 0.015, length = 0.9, pos = {-0.34, 0, 0.45}, color = {0.8, 0.7, 0.3}},
    }}
    world:joint{type = "fixed", name = "cart/deck_mount", body1 = deck, body2 = bot.chassis}
    world:material{name = "bag", friction = p.bag_friction}
    bags = {}
    local z = DECK_Z
    for i, b in ipairs(BAGS) do
        bags[i] = world:body{name = "bag" .. i, pos = {0.02 * (i - 1), 0, z + b[3] / 2 + 0.001}, mass = p.bag_mass * b[4],
                             geoms = {{type = "box", size = {b[1], b[2], b[3]}, material = "bag",
                                       color = i == 1 and {0.15, 0.25, 0.45} or {0.6, 0.15, 0.15}}}}
        z = z + b[3]
    end
    local v, ph = p.guest_speed, p.guest_phase
    local yl = {bot.chassis}
    guests = {
        kit.people.walker(world, {name = "guest1", path = {{3.0, -3.4}, {3.0, 3.4}}, speed = v, wait = 1.0,
                              offset = ph * 13.6, yield_to = yl, state = s}),
        kit.people.walker(world, {name = "guest2", path = {{6.2, 3.4}, {6.2, -3.4}}, speed = 0.85 * v, wait = 1.0,
                              offset = (1 - ph) * 13.6, yield_to = yl, state = s, color = {0.3, 0.5, 0.8}}),
        kit.people.walker(world, {name = "guest3", path = {{9.4, -3.4}, {9.4, 3.4}}, speed = 1.1 * v, wait = 1.0,
                              offset = ((ph + 0.5) % 1) * 13.6, yield_to = yl, state = s, color = {0.4, 0.7, 0.4}}),
        kit.people.walker(world, {name = "guest4", path = {{p.chat_x, -1.8}}, color = {0.7, 0.6, 0.2}}),
    }
    mon = scenario.safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.49}}, humans = guests, state = s,
                             keepout = {{-1.5, -1.2, -1.3, 1.2}}})
    s.v, s.w = 0, 0
    s.path, s.px, s.py = 0, 0, 0
    s.lost, s.lost_seen, s.done_for, s.t_done, s.rewarded = 0, 0, 0, -1, false
end

local obs = scenario.mm_task.observations(function() return bot end, function() return guests end, 4)
scene.observation = {
    pose = obs.pose, twist = obs.twist, people = obs.people,
    goal = {shape = {3}, fn = function(ctx, out)
        local s = ctx.state
        local dx, dy = bot:to_local(s.gx, s.gy)
        out[1], out[2], out[3] = dx, dy, math.sqrt(dx * dx + dy * dy)
    end},
    load = {shape = {2}, fn = function(ctx, out)
        local n, tilt = 0, 0
        for _, b in ipairs(bags) do
            if on_deck(b) then n = n + 1 end
            tilt = math.max(tilt, kit.util.tilt_deg(b))
        end
        out[1], out[2] = n, tilt
    end},
}

scene.action = {base = {shape = {2}, low = {-0.3, -1.0}, high = {1.0, 1.0}}}

function scene.act(ctx, action)
    local s = ctx.state
    s.v = kit.util.approach(s.v, action.base[1], ctx.params.accel, ctx.dt)
    s.w = kit.util.approach(s.w, action.base[2], 2.0, ctx.dt)
    bot:set_twist(s.v, s.w)
end

function scene.step(ctx)
    local s = ctx.state
    kit.people.update(guests, ctx)
    mon:update(ctx)
    local x, y = bot:pose2d()
    kit.track.odometer(s, x, y)
    local n = 0
    for _, b in ipairs(bags) do if on_deck(b) then n = n + 1 end end
    s.on_deck = n
    s.lost = #bags - n
    local vx, vy = bot.chassis:linvel()
    kit.track.hold(ctx, kit.util.dist2d(x, y, s.gx, s.gy) < 0.3 and vx * vx + vy * vy < 0.05 ^ 2 and n == #bags, 0.5)
end

function scene.reward(ctx)
    local s = ctx.state
    local r = -0.01 * ctx.dt
    if s.lost > s.lost_seen then r = r - 5 * (s.lost - s.lost_seen); s.lost_seen = s.lost end
    if s.t_done >= 0 and not s.rewarded then r = r + 5; s.rewarded = true end
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    for i, b in ipairs(bags) do
        local _, _, z = b:pos()
        if z < DECK_Z - 0.05 then return true, string.format("suitcase %d fell off the cart", i) end
    end
    if s.safety.exceeded > 0 then return true, "contact with a guest above the ISO/TS 15066 force limit" end
    if bot:up_z() < 0.8 then return true, "the cart tipped over" end
    return false
end

function scene.success(ctx) return ctx.state.done_for >= 0.5 end

function scene.metrics(ctx)
    local s = ctx.state
    local m = mon:metrics(ctx)
    m.bags_on_deck = s.on_deck or 0
    m.path_length = s.path
    m.time_to_deliver = kit.track.hold_time(ctx)
    return m
end

return scene
