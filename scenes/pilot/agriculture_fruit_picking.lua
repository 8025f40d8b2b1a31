-- Agriculture fruit picking: a mobile manipulator (robots.mobile_manipulator: 60 kg
-- diff-drive base, UR5-sized arm6 on a 0.5 m mast, parallel gripper squeezing with
-- `grip_force` per finger) drives along an apple fruiting wall (a 2D trellis: posts every
-- 2.5 m, wires at 0.6, 1.0 and 1.4 m) and picks the ripe (red) apples into the padded bin
-- on its rear deck, leaving the unripe (green) ones.
--
-- Every apple (a sphere of diameter `fruit_diameter`, 7-8 cm, mass `fruit_mass`,
-- 0.15-0.20 kg: a medium Gala/Fuji apple) hangs on its stem, a BREAKABLE ball joint at
-- the apple's top (world:joint{type = "ball", break_force = ...}; a pivot with 0.005 N m
-- of dry friction, so the apple swings aside when a finger touches it first): it comes
-- off when the stem carries more than `stem_break_force` N (10-14 N; published
-- fruit-detachment forces of apples are ~10-30 N). The gripper's squeeze (`grip_force`,
-- 6-10 N per finger) stays below it, so closing on an apple does not tear it off, and
-- its friction (2 fingers x squeeze x mu) is enough to pull it off downwards-outwards.
-- The gripper's pad gap command moves at 0.06 m/s (a fast close slams the pads in).
--
-- Bruising: an apple is bruised when the summed contact force between it and any one
-- other body (a finger, the bin, another apple, the ground) exceeds `bruise_force` N in
-- a step (15-20 N: about the static load at which apple flesh bruises). Apples are
-- compliant (contact stiffness 5 kN/m, damping 20 N s/m) and the bin floor is foam
-- padded (2 kN/m, 15 N s/m), so lowering an apple in is gentle and dropping it is not.
--
-- A farm worker walks the next alley (behind the trellis, y = 1.7 m). The safety monitor
-- tracks the chassis with a 0.6 m radius (it covers the arm's reach sideways); keep-out:
-- the trellis band y 0.45..1.25 m (the chassis centre stays 0.4 m off the wire plane).
--
-- Observation: base {3} (x, y, yaw, world), fruits {7, 7} (per apple: x, y in the
--   robot frame (chassis centre, x forward, y left), z (height above the ground),
--   ripe (1 red / 0 green: the colour classifier), state (0 hanging, 1 off its stem,
--   2 in the bin), bruised (0/1), held (1 between both fingers); positions carry a
--   per-episode perception error of stddev `perception_noise` x (1 + darkness)),
--   tcp {4} (tool centre point in the robot frame, x y z, and the gripper's pad gap, m),
--   bin {4} (bin floor centre in the robot frame x y, the floor top's height, and how
--   many apples it holds), progress {2} (ripe apples in the bin, apples required)
-- Action: base {2} (forward speed [-0.3, 0.5] m/s, yaw rate [-0.8, 0.8] rad/s),
--   tcp {4} (target tool centre point in the robot frame x y z (m), and the fingers'
--   closing direction relative to the chassis heading (rad); the scene moves the
--   commanded point towards it at 0.4 m/s and solves the arm's top-down IK each step; an
--   unreachable point holds the arm (counted)), grip {1} (pad gap, 0 = squeeze .. 0.12 m)
-- success: `fruits_required` ripe apples in the bin, with no more than `max_bruised`
--          bruised apples
-- failure: more than `max_bruised` bruised apples; an unripe apple picked (its stem
--          broke); an apple dropped (off its stem, neither held nor in the bin, and
--          lower than 0.2 m or loose for 1 s); the base tipped; a contact with the worker above its
--          ISO/TS 15066 limit
-- reward:  +1 per ripe apple into the bin, -1 per newly bruised apple, -0.01 per second
-- metrics: apples in the bin (ripe, unripe), bruised, picked, peak fruit contact force,
--          peak stem load, time to finish, IK holds, path length, and the scenario.safety
--          metrics

local robots = require "robots"
local scenario = require "scenario"
local kit = require "kit"

local robot, worker, mon        -- handles of the current episode (set in build)
local fruits, stems = {}, {}    -- apple bodies and their stem joints, in slot order

local N_FRUITS, N_RIPE = 7, 4
local WIRE_Y = 0.85              -- m, the trellis plane
local ROBOT_Y = 0.25             -- m, the base's start line
local ARM_X = 0.2                -- m, arm mast ahead of the chassis centre
local PEDESTAL = 0.5             -- m, mast height (base plane 0.77 m above the ground)
-- Bin on the rear deck, in the chassis frame: inner 0.36 x 0.30 m, walls 0.14 m, 1 cm foam floor,
-- split into four 0.18 x 0.15 m cells by 6 cm dividers.
local BIN = {x = -0.15, y = 0.11, lx = 0.36, ly = 0.30, wall = 0.14, t = 0.01}
local DECK_Z = 0.27              -- m, chassis top above the ground
local TCP_SPEED = 0.4            -- m/s, the Cartesian command's rate limit
local GRIP_SPEED = 0.06          -- m/s, the pad gap command's rate limit

local scene = {
    name = "agriculture_fruit_picking",
    domain = "agriculture",
    description = "Mobile manipulator picks ripe apples off a trellis (breakable stems, bruising) into its bin",
    timestep = 0.002,
    time_limit = 60,
    view = {eye = {4.15, -3.98, 3.90}, target = {1.82, 1.01, 0.72}, fov = 45},
    world = {iterations = 50, contact_forces = true},   -- 50: the arm's servos under load (as mobile_pick)
    policy = "policies.fruit_picking",
    params = {
        fruit_mass = {default = 0.18, min = 0.15, max = 0.20, randomize = true, description = "apple mass, kg"},
        fruit_diameter = {default = 0.075, min = 0.07, max = 0.08, randomize = true, description = "apple diameter, m"},
        fruit_friction = {default = 0.75, min = 0.6, max = 0.9, randomize = true, description = "Coulomb mu of the apple skin"},
        fruit_jitter = {default = 0.04, min = 0.0, max = 0.08, randomize = true, description = "max shift of each apple along the row, m"},
        stem_break_force = {default = 12, min = 10, max = 14, randomize = true, description = "stem breaks above this pull, N"},
        bruise_force = {default = 18, min = 15, max = 20, description = "contact force that bruises an apple, N"},
        grip_force = {default = 8, min = 6, max = 10, description = "squeeze per finger (servo effort limit), N"},
        fruits_required = {default = 3, min = 1, max = 4, integer = true, description = "ripe apples to pick"},
        max_bruised = {default = 0, min = 0, max = 3, integer = true, description = "bruised apples tolerated"},
        darkness = {default = 0.2, min = 0.0, max = 0.8, randomize = true, description = "0 daylight .. 1 dusk: scales the perception error"},
        perception_noise = {default = 0.0015, min = 0.0, max = 0.003, randomize = true, description = "stddev of the apples' position error, m"},
        ground_friction = {default = 0.8, min = 0.6, max = 1.0, randomize = true, description = "Coulomb mu of the alley floor"},
        worker_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "worker walking speed, m/s"},
    },
}

-- Chassis pose; world point -> robot frame and back (z is height above the ground either way).
local function to_robot(px, py)
    local x, y, yaw = robot:pose2d()
    local dx, dy = px - x, py - y
    local c, s = math.cos(yaw), math.sin(yaw)
    return c * dx + s * dy, -s * dx + c * dy
end

local function to_world(fx, fy)
    local x, y, yaw = robot:pose2d()
    local c, s = math.cos(yaw), math.sin(yaw)
    return x + c * fx - s * fy, y + s * fx + c * fy
end

local function in_bin(i)
    local px, py, pz = fruits[i]:pos()
    local fx, fy = to_robot(px, py)
    return math.abs(fx - BIN.x) < BIN.lx / 2 and math.abs(fy - BIN.y) < BIN.ly / 2 and pz < DECK_Z + BIN.wall + 0.02
end

local function build_bin(world)
    local c = robot.chassis
    local z0 = 0.12                   -- chassis half height: the deck in the chassis link frame
    local col = {0.35, 0.45, 0.7}
    local g = function(t) t.color = t.color or col; c:geom(t) end
    g{type = "box", size = {BIN.lx, BIN.ly, BIN.t}, pos = {BIN.x, BIN.y, z0 + BIN.t / 2}, material = "foam",
      color = {0.2, 0.2, 0.25}}
    local wt = 0.01
    g{type = "box", size = {BIN.lx + 2 * wt, wt, BIN.wall}, pos = {BIN.x, BIN.y + BIN.ly / 2 + wt / 2, z0 + BIN.wall / 2}, material = "foam"}
    g{type = "box", size = {BIN.lx + 2 * wt, wt, BIN.wall}, pos = {BIN.x, BIN.y - BIN.ly / 2 - wt / 2, z0 + BIN.wall / 2}, material = "foam"}
    g{type = "box", size = {wt, BIN.ly, BIN.wall}, pos = {BIN.x + BIN.lx / 2 + wt / 2, BIN.y, z0 + BIN.wall / 2}, material = "foam"}
    g{type = "box", size = {wt, BIN.ly, BIN.wall}, pos = {BIN.x - BIN.lx / 2 - wt / 2, BIN.y, z0 + BIN.wall / 2}, material = "foam"}
    -- dividers: four cells (a picking tray), so apples do not roll into each other
    local dh = 0.06
    g{type = "box", size = {BIN.lx, wt, dh}, pos = {BIN.x, BIN.y, z0 + BIN.t + dh / 2}, material = "foam"}
    g{type = "box", size = {wt, BIN.ly, dh}, pos = {BIN.x, BIN.y, z0 + BIN.t + dh / 2}, material = "foam"}
end

function scene.build(world, ctx)
    local p = ctx.params
    local dt = ctx.dt
    -- Contact softness from stiffness k and damping c: erp = h k / (h k + c), cfm = 1 / (h k + c).
    local function soft(k, c) return (dt * k) / (dt * k + c), 1 / (dt * k + c) end
    local ferp, fcfm = soft(5000, 20)
    local berp, bcfm = soft(2000, 15)
    world:material{name = "soil", friction = p.ground_friction}
    world:material{name = "wood", friction = 0.7}
    world:material{name = "apple", friction = p.fruit_friction, soft_erp = ferp, soft_cfm = fcfm}
    world:material{name = "foam", friction = 0.8, soft_erp = berp, soft_cfm = bcfm}
    kit.room.floor(world, {material = "soil", color = {0.42, 0.36, 0.25}})

    -- Trellis: posts (0.1 m square, 2.2 m) every 2.5 m, three wires.
    for k = 0, 2 do
        world:geom{type = "box", size = {0.1, 0.1, 2.2}, pos = {-0.2 + 2.5 * k, WIRE_Y, 1.1}, material = "wood",
                   color = {0.45, 0.33, 0.2}}
    end
    for _, z in ipairs({0.6, 1.0, 1.4}) do
        world:geom{type = "cylinder", radius = 0.003, length = 5.0, pos = {2.3, WIRE_Y, z}, rpy = {0, math.pi / 2, 0},
                   material = "wood", color = {0.6, 0.6, 0.6}}
    end

    robot = robots.mobile_manipulator.build(world, {name = "picker", pos = {0, ROBOT_Y}, yaw = 0, arm_x = ARM_X,
                                             arm = {pedestal = PEDESTAL, pedestal_mass = 8, grip_force = p.grip_force, open_width = 0.12},
                                             carry_point = {0.30, 0, 0.30}})
    build_bin(world)

    -- Apples: 7 slots along the row, 4 ripe and 3 unripe in a random order.
    local ripe = {}
    for i = 1, N_FRUITS do ripe[i] = (i <= N_RIPE) end
    for i = N_FRUITS, 2, -1 do
        local j = math.random(i)
        ripe[i], ripe[j] = ripe[j], ripe[i]
    end
    local r = p.fruit_diameter / 2
    local s = ctx.state
    s.fruit = {}
    fruits, stems = {}, {}
    local sd = p.perception_noise * (1 + p.darkness)
    for i = 1, N_FRUITS do
        local x = 1.0 + 0.5 * (i - 1) + (2 * math.random() - 1) * p.fruit_jitter
        local y = WIRE_Y - 0.22 + (2 * math.random() - 1) * 0.03
        local z = 0.95 + 0.2 * math.random()
        local color = ripe[i] and {0.8, 0.1, 0.1} or {0.45, 0.7, 0.2}
        local b = world:body{name = "apple" .. i, pos = {x, y, z}, mass = p.fruit_mass,
                             geoms = {{type = "sphere", radius = r, material = "apple", color = color}}}
        fruits[i] = b
        -- the stem (its top at the apple's top) and the spur back to the wire: drawn only
        world:geom{type = "cylinder", radius = 0.004, length = WIRE_Y - y, pos = {x, (y + WIRE_Y) / 2, z + r + 0.01},
                   rpy = {math.pi / 2, 0, 0}, category = 0, collide = 0, color = {0.4, 0.3, 0.15}}
        -- a pivot with a little dry friction (the apple swings, damped): a finger touching
        -- it first pushes it aside instead of bending the stem
        stems[i] = world:joint{type = "ball", name = "stem" .. i, body1 = b, anchor = {x, y, z + r},
                               friction = 0.005, break_force = p.stem_break_force}
        s.fruit[i] = {ripe = ripe[i], state = 0, bruised = false, ex = math.normal(0, sd), ey = math.normal(0, sd),
                      ez = math.normal(0, sd), x0 = x, z0 = z}
    end

    worker = scenario.human.spawn(world, {name = "worker", path = {{0.0, 1.7}, {5.0, 1.7}}, speed = p.worker_speed,
                                 loop = true, wait = 3})
    -- the chassis stands for the whole robot: its radius covers the arm's reach sideways
    mon = scenario.safety.new(world, {robot_bodies = {{body = robot.chassis, radius = 0.6}},
                             humans = {worker}, keepout = {{-1.0, WIRE_Y - 0.4, 6.0, WIRE_Y + 0.4}},
                             state = ctx.state})

    local cx, cy, cz = robot.arm:tcp()
    local fx, fy = to_robot(cx, cy)
    s.cmd = {fx, fy, cz, math.pi / 2}      -- the carry pose's tool point and finger direction
    s.ik_holds = 0
    s.grip = 0.12
    s.in_bin, s.unripe_in_bin, s.bruised, s.picked = 0, 0, 0, 0
    s.peak_fruit_force, s.peak_stem_load = 0, 0
    s.path, s.px, s.py = 0, 0, ROBOT_Y
    s.done_t = -1
    s.fail = ""
end

local function held(i)
    return robot.arm:holding(fruits[i])
end

scene.observation = {
    base = {shape = {3}, fn = function(ctx, out) out[1], out[2], out[3] = robot:pose2d() end},
    fruits = {shape = {N_FRUITS, 7}, fn = function(ctx, out)
        for i = 1, N_FRUITS do
            local f = ctx.state.fruit[i]
            local px, py, pz = fruits[i]:pos()
            local fx, fy = to_robot(px + f.ex, py + f.ey)
            local k = (i - 1) * 7
            out[k + 1], out[k + 2], out[k + 3] = fx, fy, pz + f.ez
            out[k + 4] = f.ripe and 1 or 0
            out[k + 5] = f.state
            out[k + 6] = f.bruised and 1 or 0
            out[k + 7] = held(i) and 1 or 0
        end
    end},
    tcp = {shape = {4}, fn = function(ctx, out)
        local x, y, z = robot.arm:tcp()
        out[1], out[2] = to_robot(x, y)
        out[3] = z
        out[4] = robot.arm:gripper_width()
    end},
    bin = {shape = {4}, fn = function(ctx, out)
        out[1], out[2], out[3], out[4] = BIN.x, BIN.y, DECK_Z + BIN.t, ctx.state.in_bin + ctx.state.unripe_in_bin
    end},
    progress = {shape = {2}, fn = function(ctx, out)
        out[1], out[2] = ctx.state.in_bin, ctx.params.fruits_required
    end},
}

scene.action = {
    base = {shape = {2}, low = {-0.3, -0.8}, high = {0.5, 0.8}},
    tcp = {shape = {4}, low = {-1.2, -1.2, 0.0, -math.pi}, high = {1.2, 1.2, 1.8, math.pi}},
    grip = {shape = {1}, low = 0, high = 0.12},
}

function scene.act(ctx, action)
    local s = ctx.state
    robot:set_twist(action.base[1], action.base[2])
    -- Cartesian command: move towards the target at TCP_SPEED, then top-down IK.
    local t, c = action.tcp, s.cmd
    local dx, dy, dz = t[1] - c[1], t[2] - c[2], t[3] - c[3]
    local d = math.sqrt(dx * dx + dy * dy + dz * dz)
    local stepl = TCP_SPEED * ctx.dt
    if d > stepl then
        local k = stepl / d
        dx, dy, dz = dx * k, dy * k, dz * k
    end
    local nc = {c[1] + dx, c[2] + dy, c[3] + dz, t[4]}
    local _, _, yaw = robot:pose2d()
    local wx, wy = to_world(nc[1], nc[2])
    local q = robot.arm:ik_down(wx, wy, nc[3], yaw + nc[4])
    if q then
        s.cmd = nc
        robot.arm:command(q)
    else
        s.ik_holds = s.ik_holds + 1
    end
    -- the pad gap command closes/opens at GRIP_SPEED (a fast close slams the pads into the apple)
    -- (opening starts from the pads' actual gap, not from a squeeze target below it)
    if action.grip[1] > s.grip then s.grip = math.max(s.grip, robot.arm:gripper_width() - 0.004) end
    s.grip = s.grip + robots.kin.clamp(action.grip[1] - s.grip, -GRIP_SPEED * ctx.dt, GRIP_SPEED * ctx.dt)
    robot.arm:grip(s.grip)
end

-- Bruising: summed contact force per (apple, other body) pair in this step.
local function contact_loads(ctx)
    local s, p = ctx.state, ctx.params
    local idx = {}
    for i = 1, N_FRUITS do idx[fruits[i]:name()] = i end
    local load, keys = {}, {}
    for _, c in ipairs(ctx.world:contacts()) do
        local n1 = c.body1 and c.body1:name() or "static"
        local n2 = c.body2 and c.body2:name() or "static"
        for side = 1, 2 do
            local me, other = n1, n2
            if side == 2 then me, other = n2, n1 end
            local i = idx[me]
            if i then
                local key = i .. "|" .. other
                local a = load[key]
                if not a then a = {0, 0, 0, i}; load[key] = a; keys[#keys + 1] = key end
                a[1], a[2], a[3] = a[1] + c.force[1], a[2] + c.force[2], a[3] + c.force[3]
            end
        end
    end
    for _, key in ipairs(keys) do
        local a = load[key]
        local f = math.sqrt(a[1] ^ 2 + a[2] ^ 2 + a[3] ^ 2)
        if f > s.peak_fruit_force then s.peak_fruit_force = f end
        local fr = s.fruit[a[4]]
        if f > p.bruise_force and not fr.bruised then
            fr.bruised = true
            s.bruised = s.bruised + 1
        end
    end
end

function scene.step(ctx)
    local s = ctx.state
    worker:update(ctx)
    local x, y = robot:pose2d()
    kit.track.odometer(s, x, y)
    contact_loads(ctx)
    local nb, nu = 0, 0
    for i = 1, N_FRUITS do
        -- (f.loose: seconds off the stem, neither held nor in the bin)
        local f = s.fruit[i]
        local ld = stems[i]:load()
        if f.state == 0 and ld > s.peak_stem_load then s.peak_stem_load = ld end
        if f.state == 0 and stems[i]:broken() then
            f.state = 1
            s.picked = s.picked + 1
            if not f.ripe and s.fail == "" then s.fail = "picked an unripe apple (apple " .. i .. ")" end
        end
        if f.state >= 1 then
            local binned = in_bin(i) and not held(i)
            f.state = binned and 2 or 1
            if binned then if f.ripe then nb = nb + 1 else nu = nu + 1 end end
            -- dropped: off its stem, neither held nor in the bin, and on the ground or
            -- loose for 1 s (wherever it came to rest)
            local _, _, pz = fruits[i]:pos()
            if binned or held(i) then f.loose = 0 else f.loose = (f.loose or 0) + ctx.dt end
            if (pz < 0.2 or f.loose > 1.0) and not binned and not held(i) and s.fail == "" then
                s.fail = "dropped apple " .. i
            end
        end
    end
    s.in_bin, s.unripe_in_bin = nb, nu
    mon:update(ctx)
end

function scene.reward(ctx)
    local s = ctx.state
    local r = (s.in_bin - (s.r_bin or 0)) - (s.bruised - (s.r_bruised or 0)) - 0.01 * ctx.dt
    s.r_bin, s.r_bruised = s.in_bin, s.bruised
    return r
end

function scene.failure(ctx)
    local s, p = ctx.state, ctx.params
    if s.bruised > p.max_bruised then
        return true, string.format("%d apples bruised (limit %d)", s.bruised, p.max_bruised)
    end
    if s.fail ~= "" then return true, s.fail end
    if robot:up_z() < 0.9 then return true, "the base tipped" end
    return mon:failed_now("the worker")
end

function scene.success(ctx)
    return kit.track.finish(ctx.state, ctx.state.in_bin >= ctx.params.fruits_required, ctx.t)
end

function scene.metrics(ctx)
    local m = kit.track.copy(mon:metrics(), ctx.state, {
        apples_in_bin = "in_bin", unripe_in_bin = "unripe_in_bin", apples_picked = "picked",
        apples_bruised = "bruised", peak_fruit_force = "peak_fruit_force", peak_stem_load = "peak_stem_load",
        ik_holds = "ik_holds", path_length = "path",
    })
    m.time_to_finish = kit.track.finish_time(ctx.state, ctx.t)
    return m
end

return scene
