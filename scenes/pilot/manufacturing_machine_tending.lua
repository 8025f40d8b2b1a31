-- Manufacturing machine tending: a 6-DOF arm (robots.arm6, UR5-sized, on a 0.75 m column)
-- takes a steel blank from the infeed fixture, loads it into the chuck of a machining
-- centre, keeps out while the machine's guard door is shut and the spindle runs, then
-- unloads the finished part into the outfeed tray.
--
-- Cell: the arm at (0, 0). Infeed fixture (a plate with a 0.03 m centring ring) at (0.05,
-- 0.5), top 0.75 m. Outfeed tray (0.3 x 0.3 m, 4 cm rim) at (0.05, -0.5), floor 0.75 m.
-- Machine: an enclosure x 0.45..1.25, y -0.45..0.45, 1.8 m high, open at the top, its
-- front (x = 0.45) a 0.5 m wide opening with a sliding guard door; inside, the chuck at
-- (`chuck_x`, 0): a pocket 0.08 m across and 0.04 m deep, its floor 0.80 m up.
-- Blank: a cylinder r 0.035 m, h 0.14 m, `blank_mass` kg, mu 0.5 (grasped mid-way up its
-- part above the pocket; a gripper with a mechanical lock: scenario.grasp's attach).
-- Cycle: `start` > 0.5 with the blank seated in the chuck (within 1.5 cm of its axis,
-- released) and the tool point out of the machine (x < 0.40 m) shuts the door (1 s),
-- runs the spindle `cycle_time` s, and opens the door (1 s): the part is finished.
-- A start request with the arm in the machine or no blank seated is refused (counted).
-- The operator walks back and forth along the cell's infeed side (y = 1.3, x -1.5..0.6,
-- 3 s at each end); the aisle beyond y = 1.0 is a safety keep-out for the arm's links.
--
-- Observation: tcp {5} (scenario.arm_cell: tool point, pad gap, held item 0/1), blank {5}
--   (x, y, top z (world, m; noise `sensor_noise`), finished 0/1, seated in the chuck 0/1),
--   machine {3} (door 0 open .. 1 shut, spindle running 0/1, cycle time left s), cell {6}
--   (chuck x, y, pocket floor z; outfeed tray x, y, floor z)
-- Action: tcp {4}, grip {1} (scenario.arm_cell, 1.0 m/s, 3 m/s^2), start {1}
-- success: the finished part resting in the outfeed tray
-- failure: a tool or arm link inside the machine while the door moves or the spindle runs,
--   the blank dropped (on the floor, or down in the machine outside the chuck), a contact
--   with the operator above the ISO/TS 15066 limit
-- reward: +1 loaded, +1 finished, +1 unloaded, -0.01/s
-- metrics: loaded, finished, unloaded, refused_starts, ik_holds, cycle_start_time, and the
--   scenario.safety metrics

local arm6 = require "robots.arm6"
local kit = require "kit"
local scenario = require "scenario"

local arm, blank, door, grip, operator, mon   -- handles of the current episode (set in build)

local TOP = 0.75
local IN = {0.05, 0.5}
local OUT = {0.05, -0.5}
local MACH = {0.45, -0.45, 1.25, 0.45}
local POCKET_Z = 0.80
local BLANK = {r = 0.035, h = 0.14}
local DOOR_TIME = 1.0

local scene = {
    name = "manufacturing_machine_tending",
    domain = "manufacturing",
    description = "An arm loads a blank into a machining centre, waits out the cycle behind the guard door, unloads the part",
    instruction = "Load the blank from the infeed fixture into the machine's chuck, start the cycle, " ..
                  "stay out while it runs, then put the finished part into the outfeed tray.",
    timestep = 0.004,
    time_limit = 25,
    world = {iterations = 30, contact_forces = true},
    policy = "policies.machine_tending",
    view = {eye = {-1.2, -1.9, 1.9}, target = {0.5, 0, 0.85}, fov = 55},
    params = {
        cycle_time = {default = 4.0, min = 2.0, max = 6.0, randomize = true, description = "spindle run time, s"},
        chuck_x = {default = 0.61, min = 0.56, max = 0.66, randomize = true, description = "chuck position in the machine, m"},
        blank_mass = {default = 0.9, min = 0.5, max = 1.3, randomize = true, description = "blank mass, kg"},
        sensor_noise = {default = 0.001, min = 0.0, max = 0.003, randomize = true, description = "blank position noise stddev, m"},
        operator_speed = {default = 0.8, min = 0.5, max = 1.1, randomize = true, description = "operator walking speed, m/s"},
    },
}

local function tcp_in_machine()
    for k = 5, 9 do     -- wrist_2, wrist_3 (the palm) and both fingers
        local x, y = arm.links[k]:pos()
        if x > MACH[1] - 0.03 and x < MACH[3] and y > MACH[2] and y < MACH[4] then return true end
    end
    return false
end

local function seated(ctx)
    local s = ctx.state
    if s.grasp.held ~= 0 then return false end
    local x, y, z = blank:pos()
    return kit.util.dist2d(x, y, ctx.params.chuck_x, 0) < 0.015 and math.abs(z - (POCKET_Z + BLANK.h / 2)) < 0.01
end

local function in_tray(ctx)
    if ctx.state.grasp.held ~= 0 then return false end
    local x, y, z = blank:pos()
    local vx, vy, vz = blank:linvel()
    return math.abs(x - OUT[1]) < 0.13 and math.abs(y - OUT[2]) < 0.13 and z < TOP + 0.12
           and vx * vx + vy * vy + vz * vz < 0.02 ^ 2
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = 0.8, material = "concrete", color = {0.55, 0.56, 0.55}})
    world:material{name = "steel", friction = 0.5}
    local grey, blue = {0.55, 0.57, 0.6}, {0.25, 0.4, 0.6}
    -- infeed stand with its centring ring, outfeed stand with its tray
    for _, c in ipairs({IN, OUT}) do
        world:geom{type = "box", size = {0.4, 0.4, TOP}, pos = {c[1], c[2], TOP / 2}, material = "steel", color = grey}
    end
    for _, sd in ipairs({{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) do
        world:geom{type = "box", size = {sd[1] == 0 and 0.1 or 0.02, sd[2] == 0 and 0.1 or 0.02, 0.03},
                   pos = {IN[1] + sd[1] * 0.05, IN[2] + sd[2] * 0.05, TOP + 0.015}, material = "steel", color = blue}
        world:geom{type = "box", size = {sd[1] == 0 and 0.3 or 0.01, sd[2] == 0 and 0.3 or 0.01, 0.04},
                   pos = {OUT[1] + sd[1] * 0.145, OUT[2] + sd[2] * 0.145, TOP + 0.02}, material = "steel", color = blue}
    end
    -- the machine: base with the chuck, walls, the front with its door opening
    local mx, my = (MACH[1] + MACH[3]) / 2, (MACH[2] + MACH[4]) / 2
    world:geom{type = "box", size = {0.8, 0.9, POCKET_Z}, pos = {mx, my, POCKET_Z / 2}, material = "steel", color = {0.3, 0.3, 0.32}}
    kit.room.walls(world, {MACH[1], MACH[2], MACH[3], MACH[4]},
               {height = 1.8, thickness = 0.04, material = "steel", color = {0.85, 0.85, 0.8},
                doors = {{side = "w", at = 0, width = 0.5}}})
    for _, sd in ipairs({{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) do
        world:geom{type = "box", size = {sd[1] == 0 and 0.11 or 0.015, sd[2] == 0 and 0.11 or 0.015, 0.04},
                   pos = {p.chuck_x + sd[1] * 0.0475, sd[2] * 0.0475, POCKET_Z + 0.02}, material = "steel", color = {0.6, 0.6, 0.65}}
    end
    -- the guard door: slides along y from beside the opening (open) over it (shut)
    door = world:body{name = "machine/door", kind = "kinematic", pos = {MACH[1] - 0.04, 0.55, 0.9 + POCKET_Z / 2},
                      geoms = {{type = "box", size = {0.02, 0.52, 1.8 - POCKET_Z + 0.0}, material = "steel",
                                color = {0.9, 0.6, 0.1}}}}
    arm = arm6.build(world, {name = "tender", pos = {0, 0, 0}, yaw = 0, pedestal = TOP, pedestal_radius = 0.1})
    world:material{name = "blank", friction = 0.5}
    blank = world:body{name = "blank", pos = {IN[1], IN[2], TOP + BLANK.h / 2 + 0.001}, mass = p.blank_mass,
                       geoms = {{type = "cylinder", radius = BLANK.r, length = BLANK.h, material = "blank",
                                 color = {0.7, 0.7, 0.74}}}}
    grip = scenario.grasp.new(world, {flange = arm.flange, fingers = {arm.finger_left, arm.finger_right}, items = {blank},
                             state = s, break_speed = 100})
    operator = kit.people.walker(world, {name = "operator", path = {{0.6, 1.3}, {-1.5, 1.3}},
                                     speed = p.operator_speed, wait = 3, loop = true})
    local links = {}
    for k = 2, 7 do links[#links + 1] = {body = arm.links[k], radius = 0.08} end
    mon = scenario.safety.new(world, {robot_bodies = links, humans = {operator}, keepout = {{-2.0, 1.0, 2.0, 2.5}}, state = s})
    scenario.arm_cell.init_state(s, arm)
    s.door, s.phase, s.left = 0, "idle", 0     -- door 0 open .. 1 shut; idle, closing, running, opening, done
    s.loaded, s.finished, s.unloaded, s.refused, s.seen = 0, 0, 0, 0, 0
    s.breach, s.t_start = "", -1
    s.nx, s.ny, s.nz = 0, 0, 0
end

scene.observation = {
    tcp = scenario.arm_cell.tcp_observation(function() return arm end),
    blank = {shape = {5}, fn = function(ctx, out)
        out[1], out[2], out[3] = scenario.arm_cell.seen_top(blank, BLANK.h, ctx.state)
        out[4], out[5] = ctx.state.finished, seated(ctx) and 1 or 0
    end},
    machine = {shape = {3}, fn = function(ctx, out)
        local s = ctx.state
        out[1], out[2], out[3] = s.door, s.phase == "running" and 1 or 0, s.left
    end},
    cell = {shape = {6}, fn = function(ctx, out)
        out[1], out[2], out[3] = ctx.params.chuck_x, 0, POCKET_Z
        out[4], out[5], out[6] = OUT[1], OUT[2], TOP
    end},
}

scene.action = scenario.arm_cell.action({-0.6, -0.9, 0.78}, {0.95, 0.9, 1.5})
scene.action.start = {shape = {1}, low = 0, high = 1}

function scene.act(ctx, action)
    local s = ctx.state
    scenario.arm_cell.act(ctx, action, arm)
    if action.start[1] > 0.5 and s.phase == "idle" and s.finished == 0 then
        if seated(ctx) and not tcp_in_machine() then
            s.phase, s.t_start = "closing", ctx.t
        elseif not s.start_held then
            s.refused = s.refused + 1
        end
    end
    s.start_held = action.start[1] > 0.5
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    operator:update(ctx)
    mon:update(ctx)
    grip:update(ctx, s.closed)
    scenario.arm_cell.draw_noise(s, p.sensor_noise)
    -- the machine's cycle
    if s.phase == "closing" then
        s.door = math.min(1, s.door + ctx.dt / DOOR_TIME)
        if s.door >= 1 then s.phase, s.left = "running", p.cycle_time end
    elseif s.phase == "running" then
        s.left = math.max(0, s.left - ctx.dt)
        if s.left <= 0 then s.phase, s.finished = "opening", 1 end
    elseif s.phase == "opening" then
        s.door = math.max(0, s.door - ctx.dt / DOOR_TIME)
        if s.door <= 0 then s.phase = "done" end
    end
    door:set_pos(MACH[1] - 0.04, 0.55 - 0.55 * s.door, 0.9 + POCKET_Z / 2)
    door:set_linvel(0, (s.phase == "closing" and -0.55 or s.phase == "opening" and 0.55 or 0) / DOOR_TIME, 0)
    if s.phase ~= "idle" and s.phase ~= "done" and tcp_in_machine() and s.breach == "" then
        s.breach = s.phase
    end
    if seated(ctx) and s.loaded == 0 then s.loaded = 1 end
    if s.finished == 1 and in_tray(ctx) then s.unloaded = 1 end
end

function scene.reward(ctx)
    local s = ctx.state
    return kit.track.gain(ctx, s.loaded + s.finished + s.unloaded, 1, "seen")
end

function scene.failure(ctx)
    local s = ctx.state
    if s.breach ~= "" then return true, "the arm reached into the machine while its door was " ..
        (s.breach == "running" and "shut and the spindle ran" or s.breach == "closing" and "closing" or "opening") end
    local x, y, z = blank:pos()
    if s.grasp.held == 0 then
        if z < 0.3 then return true, "the blank fell to the floor" end
        if x > MACH[1] and x < MACH[3] and y > MACH[2] and y < MACH[4] and z < POCKET_Z + BLANK.h / 2 + 0.005
           and kit.util.dist2d(x, y, ctx.params.chuck_x, 0) > 0.03 then
            return true, "the blank fell into the machine beside the chuck"
        end
    end
    return scenario.safety.failed(ctx, "the operator")
end

function scene.success(ctx) return ctx.state.unloaded == 1 end

function scene.metrics(ctx)
    local s = ctx.state
    local m = mon:metrics(ctx)
    m.loaded, m.finished, m.unloaded = s.loaded, s.finished, s.unloaded
    m.refused_starts = s.refused
    m.ik_holds = s.ik_holds
    m.cycle_start_time = s.t_start
    return m
end

return scene
