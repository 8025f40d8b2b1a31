-- The whole pilot base in one world (issue 19): 132 robots of six kinds working in seven
-- zones at once, with people, on one 120 x 75 m floor. Every zone runs its own task with
-- a scripted fleet controller (waypoint pursuit at 40 Hz); the policy is the base's
-- traffic manager: it sets each zone's speed limit from what it observes.
--
-- Zones (origin x, y of each zone's 30 x 30 m block; the blocks are 35 m apart):
--   logistics      (0, 0)   40 AMRs (robots.diffdrive) in 20 lanes, two per lane, shuttle
--                           totes between a rack station and a packing station 8 m apart
--   restaurant     (35, 0)  20 service robots (robots.service_tray) in 20 aisles between the
--                           kitchen pass (x - 11) and their table (x + 7); 4 diners walk
--                           along the dining room beyond the tables (x + 9.6 .. + 11.1); a
--                           waiter waits while a person is within 1.5 m ahead of it
--   inspection     (70, 0)  20 patrol robots (robots.diffdrive, 2D lidar 90 beams, 5 Hz,
--                           6 m) 4 m apart on a 24 x 16 m loop round a pipe rack, checkpoints
--                           at the loop's corners; 4 quadrupeds (robots.go2) stand watch
--                           at the rack's corners, swaying (the Go2 sway gait)
--   agriculture    (0, 35)  20 field robots (diffdrive, 0.9 x 0.6 m) drive up and down 10
--                           alleys between 11 hedge rows (1.6 m high), two per alley
--   underground    (35, 35) 16 tunnel robots (diffdrive, 2D lidar 180 beams, 5 Hz, 8 m) in
--                           4 tunnels 3 m wide, 24 m long, drive to the face and back
--   manufacturing  (70, 35) 10 six-axis arms (robots.arm6, UR5 size) on pedestals move
--                           between a machine's fixture and an outfeed table (tool down)
--   dispatch       (105, 0) `humanoids` (2; 1-4) humanoids (robots.humanoid, 1.72 m, 67 kg,
--                           walking with their closed-loop capture-point gait h:walk), in aisles
--                           3 m apart, each
--                           carry a tote (4 kg, on the forearms: no weld) from a packing
--                           bench to a dispatch table `dispatch_aisle` (1-3.5 m) ahead and
--                           stop in the hand-over zone in front of it (as in
--                           humanoid_walk_carry; its baseline's steering)
-- 40 + 20 + 20 + 4 + 20 + 16 + 10 + 2 = 132 robots; 4 people.
--
-- WORLD: timestep 0.005 s, the default space (pilotsim's own broad phase: static geometry
-- binned once, docs/performance.md), ODE's direct solver (world.solver = "direct": the
-- humanoids' walk needs 100 QuickStep iterations at 2-3 ms, or the direct solver at 5 ms;
-- docs/fidelity.md); time limit 60 s.
-- Observation: tasks {7} and robots {7}: per zone (in the order above) tasks done and
--   robots in it; separation {1}: the distance (m) from the nearest person to the nearest
--   waiter (the people are in the restaurant), radii (0.26 + 0.34 m) off
-- Action: speed {7} in [0, 1]: each zone's speed limit as a fraction of its top speed
--   (logistics 1.0 m/s, restaurant 0.6, inspection 0.5, agriculture 0.8, underground
--   0.6 m/s; manufacturing: arm motion time 2 s / limit; dispatch: walking 0.2 m/s)
-- success: every zone reached its quota (logistics 80 deliveries, restaurant 15, inspection
--          20 checkpoints, agriculture 15 alley passes, underground 12 runs, manufacturing
--          60 cycles, dispatch: every humanoid's tote handed over, standing still in its
--          hand-over zone with the tote in the hands)
-- failure: a robot tipped over (up z < 0.5), a humanoid fell (pelvis below 0.6 m or torso
--          up z < 0.7) or dropped its tote (0.25 m), or a robot touched a person
-- reward:  tasks done this step
-- metrics: per zone, prefixed by its name: <zone>_tasks and the zone's own (logistics_
--   max_lane_error, restaurant_min_separation, restaurant_waits, inspection_min_clearance,
--   inspection_quadrupeds_up, agriculture_max_row_error, underground_min_wall_range,
--   manufacturing_max_tracking_error, dispatch_min_up_z, dispatch_min_pelvis_height,
--   dispatch_tote_drop_max (m), dispatch_handover_error_max (m, at the hand-overs),
--   dispatch_steps (footsteps), dispatch_late_touchdowns); robots, people, human_contacts

local robots = require "robots"
local human = require "scenario.human"
local kit = require "kit"

local clamp, wrap = kit.util.clamp, kit.util.wrap

local ZONES = {"logistics", "restaurant", "inspection", "agriculture", "underground", "manufacturing",
               "dispatch"}
local ORIGIN = {logistics = {0, 0}, restaurant = {35, 0}, inspection = {70, 0},
                agriculture = {0, 35}, underground = {35, 35}, manufacturing = {70, 35}, dispatch = {105, 0}}
local VMAX = {logistics = 1.0, restaurant = 0.6, inspection = 0.5, agriculture = 0.8, underground = 0.6,
              dispatch = 0.2}
local QUOTA = {logistics = 80, restaurant = 15, inspection = 20, agriculture = 15, underground = 12,
               manufacturing = 60}       -- dispatch: every humanoid once
local NZ = #ZONES
-- Tasks: a delivery at the packing station (logistics), at the table (restaurant), a run
-- at the tunnel face (underground); every corner of the patrol loop, either end of an alley.
local EVERY_LEG = {inspection = true, agriculture = true}
local CONTROL = 5          -- steps between controller updates (40 Hz)

-- Handles of the current episode (set in build).
local movers = {}          -- {bot, zone, route = {{x, y}, ...}}: every wheeled robot
local arms = {}            -- {arm, qa, qb}
local dogs = {}
local people = {}
local lidars = {}          -- {sensor, zone}
local walkers = {}         -- {h = humanoid, tote = Body, gx, gy = hand-over point, front = table edge x}

-- dispatch: the tote across the forearms (as humanoid_walk_carry), the aisles
local CARRY_ARMS = {shoulder_pitch = -0.5, elbow = -1.07}   -- forearms level, 1.157 m
local TOTE = {0.26, 0.56, 0.20}
local TOTE_X, TOTE_Z = 0.31, 1.157 + 0.035 + 0.10

local scene = {
    name = "pilot_base",
    domain = "base",
    description = "132 robots in seven zones of the pilot base at once, with people",
    instruction = "Run the whole pilot base: shuttle totes, serve the tables, patrol the pipe rack, "
        .. "work the orchard alleys, inspect the tunnels, tend the machines and carry totes to "
        .. "dispatch, all at once, without touching anyone.",
    timestep = 0.005,
    time_limit = 60,
    world = {solver = "direct"},
    view = {eye = {52, -50, 60}, target = {52, 20, 0}, fov = 60},
    policy = "policies.pilot_base",
    params = {
        diner_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "diners' walking speed, m/s"},
        diner_offset = {default = 0, min = 0, max = 10, randomize = true, description = "diners' start along their walk, m"},
        lidar_noise = {default = 0.01, min = 0.0, max = 0.03, randomize = true, description = "lidar range noise stddev, m"},
        start_jitter = {default = 0.1, min = 0.0, max = 0.2, randomize = true, description = "robots' start position jitter, m"},
        humanoids = {default = 2, min = 1, max = 4, integer = true,
                     description = "dispatch: humanoids, each with a tote to hand over (each costs about a fifth of the rest of the base)"},
        dispatch_aisle = {default = 3.0, min = 1.0, max = 3.5, randomize = true,
                          description = "dispatch: a humanoid's start to its table's front edge, m"},
    },
}

local function at(zone, x, y)
    local o = ORIGIN[zone]
    return o[1] + x, o[2] + y
end

local function add_mover(zone, bot, route, start_leg)
    movers[#movers + 1] = {bot = bot, zone = zone, route = route, start_leg = start_leg or 1}
end

-- A robot shuttling between zone-local points `from` (where it starts) and `to`;
-- leg 1 of its route is the way to `to`.
local function add_shuttle(zone, bot, from, to)
    local ax, ay = at(zone, from[1], from[2])
    local bx, by = at(zone, to[1], to[2])
    add_mover(zone, bot, {{bx, by}, {ax, ay}})
end

local function box(world, zone, x, y, sx, sy, sz, color)
    local wx, wy = at(zone, x, y)
    world:geom{type = "box", size = {sx, sy, sz}, pos = {wx, wy, sz / 2}, color = color}
end

local function jitter(p) return (math.random() * 2 - 1) * p.start_jitter end

local function build_logistics(world, p)
    for lane = 0, 19 do
        local x = -13.3 + 1.4 * lane
        box(world, "logistics", x, -12.5, 0.8, 0.6, 1.2, {0.5, 0.5, 0.55})   -- rack station
        box(world, "logistics", x, 12.5, 0.8, 0.6, 0.8, {0.6, 0.5, 0.3})     -- packing station
        for half = 0, 1 do
            local y0 = half == 0 and -10 or 2
            local wx, wy = at("logistics", x, y0 + jitter(p))
            local bot = robots.diffdrive.build(world, {name = string.format("amr%d_%d", lane, half), pos = {wx, wy},
                                                yaw = math.pi / 2})
            add_shuttle("logistics", bot, {x, y0}, {x, y0 + 8})
        end
    end
end

local function build_restaurant(world, p)
    for k = 0, 19 do
        local y = -13.3 + 1.4 * k
        box(world, "restaurant", 8.2, y, 0.7, 0.7, 0.75, {0.7, 0.55, 0.35})  -- table
        local wx, wy = at("restaurant", -11 + jitter(p), y)
        local bot = robots.service_tray.build(world, {name = string.format("waiter%d", k), pos = {wx, wy}, yaw = 0})
        add_shuttle("restaurant", bot, {-11, y}, {7.2, y})
    end
    box(world, "restaurant", -12.6, 0, 0.6, 28.5, 1.0, {0.8, 0.8, 0.8})     -- kitchen pass
    for i = 0, 3 do
        local x = 9.6 + 0.5 * i
        local ax, ay = at("restaurant", x, -14)
        local bx, by = at("restaurant", x, 14)
        people[#people + 1] = human.spawn(world, {name = "diner" .. i, path = {{ax, ay}, {bx, by}}, loop = true,
                                                  speed = p.diner_speed, wait = 1,
                                                  offset = (p.diner_offset + 7 * i) % 50})
    end
end

local function build_inspection(world, p)
    -- the pipe rack: 5 bents of 2 columns, 3 pipes along it
    for b = 0, 4 do
        local x = -8 + 4 * b
        box(world, "inspection", x, -2, 0.3, 0.3, 4, {0.5, 0.5, 0.6})
        box(world, "inspection", x, 2, 0.3, 0.3, 4, {0.5, 0.5, 0.6})
    end
    for k = 0, 2 do
        local wx, wy = at("inspection", 0, -1.2 + 1.2 * k)
        world:geom{type = "cylinder", radius = 0.2, length = 18, pos = {wx, wy, 3.2}, rpy = {0, math.pi / 2, 0},
                   color = {0.7, 0.4, 0.2}}
    end
    -- the loop: corners (-12, -8), (12, -8), (12, 8), (-12, 8), 80 m round
    local loop = {}
    for _, c in ipairs({{-12, -8}, {12, -8}, {12, 8}, {-12, 8}}) do
        local x, y = at("inspection", c[1], c[2])
        loop[#loop + 1] = {x, y}
    end
    for k = 0, 19 do
        local d = 4 * k                          -- m along the loop from the first corner
        local seg, lx, ly, yaw
        if d < 24 then seg, lx, ly, yaw = 2, -12 + d, -8, 0
        elseif d < 40 then seg, lx, ly, yaw = 3, 12, -8 + (d - 24), math.pi / 2
        elseif d < 64 then seg, lx, ly, yaw = 4, 12 - (d - 40), 8, math.pi
        else seg, lx, ly, yaw = 1, -12, 8 - (d - 64), -math.pi / 2 end
        local wx, wy = at("inspection", lx, ly)
        local bot = robots.diffdrive.build(world, {name = string.format("patrol%d", k), pos = {wx, wy}, yaw = yaw})
        lidars[#lidars + 1] = {world:sensor{type = "lidar", name = string.format("patrol%d/scan", k), body = bot.chassis,
                                            pos = {0.1, 0, 0.15}, h_beams = 90, rate = 5, range_min = 0.05,
                                            range_max = 6, noise = {stddev = p.lidar_noise}}, "inspection"}
        add_mover("inspection", bot, loop, seg)
    end
    for k, c in ipairs({{-10, -4.5}, {10, -4.5}, {10, 4.5}, {-10, 4.5}}) do
        local wx, wy = at("inspection", c[1], c[2])
        dogs[#dogs + 1] = robots.go2.build(world, {name = "watch" .. k, pos = {wx, wy}, yaw = k * math.pi / 2})
    end
end

local function build_agriculture(world, p)
    for r = 0, 10 do
        box(world, "agriculture", -13 + 2.6 * r, 0, 0.5, 22, 1.6, {0.2, 0.5, 0.2})   -- hedge row
    end
    for a = 0, 9 do
        local x = -11.7 + 2.6 * a
        for k = 0, 1 do
            local y0 = k == 0 and -12 or 12
            local side = k == 0 and -0.45 or 0.45
            local wx, wy = at("agriculture", x + side + jitter(p) * 0.5, y0)
            local bot = robots.diffdrive.build(world, {name = string.format("field%d_%d", a, k), pos = {wx, wy},
                                                yaw = k == 0 and math.pi / 2 or -math.pi / 2,
                                                chassis_size = {0.9, 0.6, 0.2}, chassis_mass = 45, wheel_radius = 0.16,
                                                wheel_width = 0.06, wheel_mass = 2, wheel_x = 0.15, caster_x = 0.36,
                                                caster_radius = 0.05, motor_fmax = 40, max_wheel_speed = 8})
            -- the two robots of an alley pass each other on its two sides (0.45 m off its centre)
            add_shuttle("agriculture", bot, {x + side, y0}, {x + side, -y0})
        end
    end
end

local function build_underground(world, p)
    for t = 0, 3 do
        local y = -10.5 + 7 * t
        box(world, "underground", 0, y - 1.75, 26, 0.5, 2.5, {0.35, 0.3, 0.25})    -- side walls
        box(world, "underground", 0, y + 1.75, 26, 0.5, 2.5, {0.35, 0.3, 0.25})
        box(world, "underground", 13.25, y, 0.5, 3.0, 2.5, {0.3, 0.25, 0.2})        -- the face
        for k = 0, 3 do
            local x0 = -11 + 2.5 * k
            local wx, wy = at("underground", x0, y + (k % 2 == 0 and -0.6 or 0.6))
            local bot = robots.diffdrive.build(world, {name = string.format("tunnel%d_%d", t, k), pos = {wx, wy}, yaw = 0})
            lidars[#lidars + 1] = {world:sensor{type = "lidar", name = string.format("tunnel%d_%d/scan", t, k),
                                                body = bot.chassis, pos = {0.1, 0, 0.15}, h_beams = 180, rate = 5,
                                                range_min = 0.05, range_max = 8, noise = {stddev = p.lidar_noise}},
                                   "underground"}
            -- each robot keeps to its own side of the tunnel, and its own stretch of it
            local side = k % 2 == 0 and -0.6 or 0.6
            add_shuttle("underground", bot, {x0, y + side}, {x0 + 13, y + side})
        end
    end
end

local function build_manufacturing(world, p)
    for k = 0, 9 do
        local x = -11.25 + 2.5 * k
        local wx, wy = at("manufacturing", x, 0)
        local a = robots.arm6.build(world, {name = string.format("cell%d", k), pos = {wx, wy, 0}, yaw = 0, pedestal = 0.5})
        box(world, "manufacturing", x, 0.75, 0.5, 0.4, 0.6, {0.5, 0.5, 0.6})      -- machine fixture
        box(world, "manufacturing", x, -0.75, 0.5, 0.4, 0.6, {0.6, 0.6, 0.5})     -- outfeed table
        local fx, fy = at("manufacturing", x + 0.1, 0.6)
        local tx, ty = at("manufacturing", x + 0.1, -0.6)
        local qa = a:ik_down(fx, fy, 0.85, 0)
        local qb = a:ik_down(tx, ty, 0.85, 0)
        assert(qa and qb, "pilot_base: a manufacturing cell's poses are out of the arm's reach")
        a:set_q(qa, 0.1)
        arms[#arms + 1] = {arm = a, qa = qa, qb = qb}
    end
end

-- 4 aisles along +x: a packing bench behind each humanoid, pallet racks between the
-- aisles, the dispatch table (top 1.0 m) AISLE_LEN ahead; hand-over zone as in
-- humanoid_walk_carry (pelvis 0.25-0.6 m before the table edge, within 0.3 m of its line).
local function build_dispatch(world, p)
    local mat = world:material{name = "base_tote", friction = 0.9}
    for k = 0, p.humanoids - 1 do
        local y = -4.5 + 3 * k
        local x0 = -2
        box(world, "dispatch", x0 - 0.9, y, 0.6, 1.2, 0.9, {0.5, 0.4, 0.3})            -- packing bench
        local front = x0 + p.dispatch_aisle
        box(world, "dispatch", front + 0.4, y, 0.8, 1.2, 1.0, {0.7, 0.6, 0.45})        -- dispatch table
        if k < p.humanoids - 1 then box(world, "dispatch", x0 + 2, y + 1.5, 5, 0.4, 2.2, {0.2, 0.35, 0.65}) end -- rack
        local yaw = (math.random() * 2 - 1) * 0.1 * p.start_jitter / 0.2
        local wx, wy = at("dispatch", x0, y)
        local h = robots.humanoid.build(world, {name = string.format("porter%d", k), pos = {wx, wy}, yaw = yaw,
                                                hip_yaw = true, sensors = true, arms = CARRY_ARMS,
                                                kp = robots.humanoid.walk_gains.kp, kd = robots.humanoid.walk_gains.kd})
        local c, sn = math.cos(yaw), math.sin(yaw)
        local tote = world:body{name = string.format("porter%d/tote", k), pos = {wx + TOTE_X * c, wy + TOTE_X * sn, TOTE_Z},
                                rpy = {0, 0, yaw}, mass = 4,
                                geoms = {{type = "box", size = TOTE, material = mat, color = {0.9, 0.45, 0.1}}}}
        local fx = at("dispatch", front, 0)
        local gx, gy = at("dispatch", front - 0.42, y)
        walkers[#walkers + 1] = {h = h, tote = tote, gx = gx, gy = gy, front = fx}
    end
end

function scene.build(world, ctx)
    local p = ctx.params
    movers, arms, dogs, people, lidars, walkers = {}, {}, {}, {}, {}, {}
    kit.room.floor(world, {color = {0.55, 0.55, 0.5}})
    build_logistics(world, p)
    build_restaurant(world, p)
    build_inspection(world, p)
    build_agriculture(world, p)
    build_underground(world, p)
    build_manufacturing(world, p)
    build_dispatch(world, p)
    local s = ctx.state
    s.leg, s.tasks, s.robots = {}, {}, {}
    for i, m in ipairs(movers) do s.leg[i] = m.start_leg end
    for _, z in ipairs(ZONES) do s.tasks[z], s.robots[z] = 0, 0 end
    for _, m in ipairs(movers) do s.robots[m.zone] = s.robots[m.zone] + 1 end
    s.robots.inspection = s.robots.inspection + #dogs
    s.robots.manufacturing = #arms
    s.robots.dispatch = #walkers
    s.porter = {}
    for i, w in ipairs(walkers) do
        s.porter[i] = {gait = w.h:walk_state(w.tote), v = 0, w = 0, still = 0, done = false}
    end
    s.h_up, s.h_z, s.h_drop, s.h_err = 1, 2, 0, 0
    s.h_fell, s.h_dropped = false, false
    s.speed = {}
    for i = 1, NZ do s.speed[i] = 1 end
    s.arm_phase, s.arm_leg = 0, 1
    s.lane_err, s.row_err, s.track_err = 0, 0, 0
    s.min_sep, s.waits, s.contacts = 99, 0, 0
    s.clear_insp, s.clear_ug = 99, 99
    s.dogs_up = #dogs
    s.done_prev = 0
end

scene.observation = {
    tasks = {shape = {NZ}, fn = function(ctx, out)
        for i, z in ipairs(ZONES) do out[i] = ctx.state.tasks[z] end
    end},
    robots = {shape = {NZ}, fn = function(ctx, out)
        for i, z in ipairs(ZONES) do out[i] = ctx.state.robots[z] end
    end},
    separation = {shape = {1}, fn = function(ctx, out) out[1] = ctx.state.sep_now or 99 end},
}

local ZEROS, ONES = {}, {}
for i = 1, NZ do ZEROS[i], ONES[i] = 0, 1 end
scene.action = {speed = {shape = {NZ}, low = ZEROS, high = ONES}}

function scene.act(ctx, action)
    for i = 1, NZ do ctx.state.speed[i] = clamp(action.speed[i], 0, 1) end
end

local ZONE_INDEX = {}
for i, z in ipairs(ZONES) do ZONE_INDEX[z] = i end

-- A person within 1.5 m ahead of a waiter (within 0.8 m of its path): it waits.
local function person_ahead(x, y, yaw)
    for _, h in ipairs(people) do
        local hx, hy = h:pos()
        local fx, fy = kit.util.to_local(x, y, yaw, hx, hy)
        if fx > -0.3 and fx < 1.5 and math.abs(fy) < 0.8 then return true end
    end
    return false
end

local function drive(ctx, i, m)
    local s = ctx.state
    local x, y, yaw = m.bot:pose2d()
    local leg = s.leg[i]
    local tgt = m.route[leg]
    local dx, dy = tgt[1] - x, tgt[2] - y
    local d = math.sqrt(dx * dx + dy * dy)
    if d < 0.25 then
        s.leg[i] = leg % #m.route + 1
        if leg == 1 or EVERY_LEG[m.zone] then s.tasks[m.zone] = s.tasks[m.zone] + 1 end
        tgt = m.route[s.leg[i]]
        dx, dy = tgt[1] - x, tgt[2] - y
        d = math.sqrt(dx * dx + dy * dy)
    end
    local b = wrap(math.atan(dy, dx) - yaw)
    local vmax = VMAX[m.zone] * s.speed[ZONE_INDEX[m.zone]]
    local v = vmax * math.max(0, math.cos(b)) ^ 4
    v = math.min(v, 0.3 + 0.8 * d)
    if m.zone == "restaurant" and person_ahead(x, y, yaw) then
        v = 0
        s.waits = s.waits + 1
    end
    m.bot:set_twist(v, clamp(2.5 * b, -1.5, 1.5))
    -- how far the robot strays from its lane / row (lanes and rows run along y)
    if m.zone == "logistics" then s.lane_err = math.max(s.lane_err, math.abs(x - tgt[1]))
    elseif m.zone == "agriculture" then s.row_err = math.max(s.row_err, math.abs(x - tgt[1])) end
end

local function arms_step(ctx)
    local s = ctx.state
    local T = 2.0 / math.max(s.speed[6], 0.05)
    s.arm_phase = s.arm_phase + ctx.dt * CONTROL / T
    if s.arm_phase >= 1 then
        s.arm_phase = 0
        s.arm_leg = 3 - s.arm_leg
        s.tasks.manufacturing = s.tasks.manufacturing + (s.arm_leg == 1 and #arms or 0)
    end
    for _, c in ipairs(arms) do
        local from, to = c.qa, c.qb
        if s.arm_leg == 2 then from, to = c.qb, c.qa end
        local want = robots.arm6.interp(from, to, s.arm_phase)
        c.arm:command(want)
        local q = c.arm:q()
        for j = 1, 6 do s.track_err = math.max(s.track_err, math.abs(q[j] - want[j])) end
    end
end

-- the tote's sinking in the hands (its height over the pelvis against the start: the walk
-- lowers the pelvis 8 cm, the tote with it), m
local function tote_drop(w)
    local _, _, z = w.tote:pos()
    local _, _, pz = w.h.pelvis:pos()
    return (TOTE_Z - 0.98) - (z - pz)
end

-- One humanoid, every step: the walk (h:walk needs every physics step), steered as
-- policies.humanoid_carry steers: toward the hand-over point, 0.2 m/s (the zone's limit)
-- while it is more than 0.6 m ahead, half that closer, stop within 0.12 m.
local function porter_step(ctx, i, w)
    local s = ctx.state
    local st = s.porter[i]
    local h = w.h
    if ctx.step % CONTROL == 0 then
        local x, y, yaw = h:pose2d()
        local dx, dy = kit.util.to_local(x, y, yaw, w.gx, w.gy)
        local vmax = VMAX.dispatch * s.speed[ZONE_INDEX.dispatch]
        local want = dx > 0.6 and vmax or 0.5 * vmax
        if dx < 0.12 then want = 0 end
        st.v = kit.util.approach(st.v, want, 0.3, ctx.dt * CONTROL)
        st.w = want > 0 and clamp(math.atan(dy, math.max(dx, 0.5)), -0.2, 0.2) or 0
        st.stop = want < 0.02
    end
    h:walk(st.gait, {vx = st.v, yaw_rate = st.w, stop = st.stop or false, load = w.tote}, ctx.dt)
    if ctx.step % CONTROL ~= 0 then return end
    local vx, vy = h.pelvis:linvel()
    st.still = (st.gait.phase == "stand" and math.sqrt(vx * vx + vy * vy) < 0.05) and st.still + ctx.dt * CONTROL or 0
    local z, up, d = h:pelvis_height(), h:up_z(), tote_drop(w)
    s.h_z, s.h_up, s.h_drop = math.min(s.h_z, z), math.min(s.h_up, up), math.max(s.h_drop, d)
    if z < 0.6 or up < 0.7 then s.h_fell = true end
    if d > 0.25 then s.h_dropped = true end
    if not st.done and st.still > 0.5 and d < 0.05 and kit.util.tilt_deg(w.tote) < 20 then
        local x, y = h:pose2d()
        local gap = w.front - x
        if gap > 0.25 and gap < 0.6 and math.abs(y - w.gy) < 0.3 then
            st.done = true
            s.tasks.dispatch = s.tasks.dispatch + 1
            s.h_err = math.max(s.h_err, kit.util.dist2d(x, y, w.gx, w.gy))
        end
    end
end

function scene.step(ctx)
    local s = ctx.state
    for _, h in ipairs(people) do h:update(ctx) end
    for i, w in ipairs(walkers) do porter_step(ctx, i, w) end
    if ctx.step % CONTROL ~= 0 then return end
    for i, m in ipairs(movers) do drive(ctx, i, m) end
    arms_step(ctx)
    for _, d in ipairs(dogs) do d:sway(ctx.t, {amplitude = 0.03, period = 2.0}) end
    -- people: the nearest robot (restaurant)
    local sep = 99
    for _, h in ipairs(people) do
        local hx, hy = h:pos()
        for _, m in ipairs(movers) do
            if m.zone == "restaurant" then
                local x, y = m.bot:pose2d()
                sep = math.min(sep, math.sqrt((x - hx) ^ 2 + (y - hy) ^ 2) - 0.26 - 0.34)
            end
        end
    end
    s.sep_now = sep
    s.min_sep = math.min(s.min_sep, sep)
    if sep < 0 then s.contacts = s.contacts + 1 end
    if ctx.step % (CONTROL * 25) == 0 then
        local up = 0
        for _, d in ipairs(dogs) do up = up + ((d:up_z() > 0.8) and 1 or 0) end
        s.dogs_up = math.min(s.dogs_up, up)
        for _, l in ipairs(lidars) do
            local data = l[1]:data()
            local lo = 99
            for k = 1, #data do lo = math.min(lo, data[k]) end
            if l[2] == "inspection" then s.clear_insp = math.min(s.clear_insp, lo)
            else s.clear_ug = math.min(s.clear_ug, lo) end
        end
    end
end

local function done(s)
    local n = 0
    for _, z in ipairs(ZONES) do n = n + s.tasks[z] end
    return n
end

function scene.reward(ctx)
    local s = ctx.state
    local n = done(s)
    local r = n - s.done_prev
    s.done_prev = n
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    if s.contacts > 0 then return true, "a robot touched a person" end
    if s.h_fell then return true, "a humanoid fell" end
    if s.h_dropped then return true, "a humanoid dropped its tote" end
    if ctx.step % (CONTROL * 25) == 0 then
        for _, m in ipairs(movers) do
            if m.bot:up_z() < 0.5 then return true, "a robot tipped over" end
        end
    end
    return false
end

function scene.success(ctx)
    local s = ctx.state
    for _, z in ipairs(ZONES) do
        if s.tasks[z] < (QUOTA[z] or s.robots[z]) then return false end
    end
    return true
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = {robots = #movers + #dogs + #arms + #walkers, people = #people, human_contacts = s.contacts}
    for _, z in ipairs(ZONES) do
        m[z .. "_tasks"] = s.tasks[z]
        m[z .. "_robots"] = s.robots[z]
    end
    m = kit.track.copy(m, s, {logistics_max_lane_error = "lane_err", restaurant_min_separation = "min_sep",
                          restaurant_waits = "waits", inspection_min_clearance = "clear_insp",
                          inspection_quadrupeds_up = "dogs_up", agriculture_max_row_error = "row_err",
                          underground_min_wall_range = "clear_ug", manufacturing_max_tracking_error = "track_err",
                          dispatch_min_up_z = "h_up", dispatch_min_pelvis_height = "h_z",
                          dispatch_tote_drop_max = "h_drop", dispatch_handover_error_max = "h_err"})
    local steps, late = 0, 0
    for _, st in ipairs(s.porter) do steps, late = steps + st.gait.steps, late + st.gait.late end
    m.dispatch_steps = steps
    m.dispatch_late_touchdowns = late
    return m
end

return scene
