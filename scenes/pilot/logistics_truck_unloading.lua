-- Logistics truck unloading: a 6-DOF arm (robots.arm6, UR5-sized, on a 1.5 m column at the
-- loading dock) with a vacuum tool unloads the cartons stacked at the rear of a trailer
-- onto a belt conveyor that carries them into the warehouse.
--
-- Trailer: its floor 1.0 m above the dock floor, x -3.6..-0.3, y -1.2..1.2, side walls and
-- a roof (2.6 m inside), open at the back (x = -0.3), where the arm stands at (0, 0).
-- Cartons: `n_boxes` (1..4) of 0.30 x 0.30 x 0.25 m, `box_mass` kg each (+-15 %), mu
-- `box_friction`, in two stacks of two at x = -0.48 - `stack_depth`, y = +-0.18 (each
-- carton shifted up to 2 cm and turned up to 0.1 rad at random); the upper ones first.
-- Conveyor: a belt 0.5 m wide, top 0.75 m, along +x from x = -0.2 to 5.0 at y = -0.6,
-- moving at `belt_speed`. A carton counts as unloaded once it has rested on the belt past
-- x = 0.6 (its centre over the belt, upright within 20 deg, moving with the belt). An end stop
-- at x = 5 m makes the belt's far end an accumulation section: cartons queue against it.
-- Vacuum tool: the gripper is kept closed and its finger tips are the suction face; with
-- grip on, a carton one touches is held (scenario.grasp's attach), off releases it. A free
-- carton whose speed changes by more than `crush_speed` m/s in one step (a drop of about
-- 20 cm onto the belt or the floor) counts as damaged.
-- A dock worker walks the dock at y = 1.6 .. 1.8 (x -0.2 .. 4); the walkway (y > 1.3 m) is a
-- safety keep-out for the arm's links.
--
-- Observation: tcp {5} (tool point world x, y, z; pad gap; held carton 0..n), boxes {4, 6}
--   (per carton: x, y, top z (world, m; noise `sensor_noise`), yaw (rad), state (0 in the
--   trailer, 1 held, 2 unloaded, 3 elsewhere; -1 rows beyond n_boxes), mass (kg)), belt {3}
--   (drop point on the belt: x, y, belt top z)
-- Action: tcp {4} (target tool point, world; yaw), grip {1} (> 0.5 vacuum on): see
--   scenario.arm_cell (1.5 m/s, 3 m/s^2)
-- success: every carton unloaded
-- failure: a carton damaged, a carton on the dock floor (its centre below 0.2 m), a contact with the
--   worker above the ISO/TS 15066 limit
-- reward: +1 per carton unloaded, -1 per carton damaged or on the floor, -0.01/s
-- metrics: unloaded, damaged, picks, ik_holds, impact_max, time, scenario.safety's

local arm6 = require "robots.arm6"
local kit = require "kit"
local scenario = require "scenario"

local arm, belt, boxes, grip, worker, mon   -- handles of the current episode (set in build)

local BED_Z = 1.0
local BOX = {0.30, 0.30, 0.25}
local BELT = {x0 = -0.2, x1 = 5.0, y = -0.6, w = 0.5, top = 0.75}
local DONE_X = 0.6
local MAXN = 4

local scene = {
    name = "logistics_truck_unloading",
    domain = "logistics",
    description = "A vacuum arm unloads cartons from a trailer onto a conveyor at a loading dock",
    instruction = function(p)
        return string.format("Unload the %d cartons from the back of the trailer onto the conveyor, " ..
                             "top ones first; do not drop or crush any.", p.n_boxes)
    end,
    timestep = 0.004,
    time_limit = 45,
    world = {iterations = 30, contact_forces = true},
    policy = "policies.truck_unloading",
    view = {eye = {2.2, 2.6, 2.6}, target = {-0.5, -0.2, 1.0}, fov = 55},
    params = {
        n_boxes = {default = 4, min = 1, max = MAXN, integer = true, description = "cartons in the trailer"},
        box_mass = {default = 6, min = 3, max = 10, randomize = true, description = "carton mass, kg"},
        box_friction = {default = 0.5, min = 0.35, max = 0.7, randomize = true, description = "Coulomb mu of the cardboard"},
        stack_depth = {default = 0.05, min = 0.0, max = 0.1, randomize = true, description = "how far inside the trailer the stacks stand, m"},
        belt_speed = {default = 0.3, min = 0.2, max = 0.4, randomize = true, description = "conveyor speed, m/s"},
        sensor_noise = {default = 0.002, min = 0.0, max = 0.005, randomize = true, description = "carton position noise stddev, m"},
        crush_speed = {default = 2.0, min = 1.0, max = 4.0, description = "speed change in one step that damages a carton, m/s"},
        worker_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "dock worker's walking speed, m/s"},
    },
}

-- 0 in the trailer, 1 held, 2 unloaded, 3 elsewhere
local function box_state(ctx, i)
    local s = ctx.state
    if s.grasp.held == i then return 1 end
    local b = boxes[i]
    if s.box[i].done then return 2 end
    local x, y, z = b:pos()
    if x < -0.3 and z > BED_Z then return 0 end
    local vx, vy, vz = b:linvel()
    if x > DONE_X and math.abs(y - BELT.y) < BELT.w / 2 and math.abs(z - (BELT.top + BOX[3] / 2)) < 0.03
       and kit.util.tilt_deg(b) < 20 and math.abs(vx - ctx.params.belt_speed) < 0.1 and vy * vy + vz * vz < 0.01 then
        return 2
    end
    return 3
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = 0.8, material = "concrete", color = {0.6, 0.6, 0.58}})
    world:material{name = "card", friction = p.box_friction}
    world:material{name = "belt", friction = 0.9}
    world:material{name = "steel", friction = 0.4}
    -- the trailer: floor, side walls, front wall, roof (open at the back, x = -0.3)
    local tc = {0.85, 0.85, 0.88}
    world:geom{type = "box", size = {3.3, 2.4, BED_Z}, pos = {-1.95, 0, BED_Z / 2}, material = "steel", color = {0.4, 0.4, 0.42}}
    kit.room.walls(world, {-3.6, -1.2, -0.3, 1.2}, {height = 2.6, material = "steel", color = tc,
                                                  doors = {{side = "e", at = 0, width = 2.4}}})
    world:geom{type = "box", size = {3.5, 2.6, 0.05}, pos = {-1.95, 0, BED_Z + 2.6}, material = "steel", color = tc}
    -- conveyor into the warehouse
    belt = kit.props.conveyor(world, {x0 = BELT.x0, x1 = BELT.x1, y = BELT.y, width = BELT.w, top = BELT.top,
                                  speed = p.belt_speed, material = "belt", frame_material = "steel"})
    -- the end stop of the accumulation section: cartons queue against it
    world:geom{type = "box", size = {0.04, BELT.w + 0.08, 0.35}, pos = {BELT.x1 - 0.02, BELT.y, BELT.top + 0.175},
               material = "steel", color = {0.7, 0.7, 0.2}}
    arm = arm6.build(world, {name = "unloader", pos = {0, 0, 0}, yaw = math.pi, pedestal = 1.5, pedestal_radius = 0.12})
    arm:grip(0)
    -- the cartons: two stacks of two, upper ones listed first
    boxes, s.box = {}, {}
    -- upper layer first (n > 2), then the lower one: never a floating carton
    local layout = {}
    for k = 1, p.n_boxes - 2 do layout[#layout + 1] = {({0.18, -0.18})[k], 2} end
    for k = 1, math.min(p.n_boxes, 2) do layout[#layout + 1] = {({0.18, -0.18})[k], 1} end
    for k = 1, p.n_boxes do
        local sp = layout[k]
        local x = -0.48 - p.stack_depth + kit.util.uniform(-0.02, 0.02)
        local y = sp[1] + kit.util.uniform(-0.02, 0.02)
        local z = BED_Z + BOX[3] * (sp[2] - 0.5) + 0.002 * sp[2]
        local m = p.box_mass * kit.util.uniform(0.85, 1.15)
        boxes[k] = world:body{name = "carton" .. k, pos = {x, y, z}, rpy = {0, 0, kit.util.uniform(-0.1, 0.1)}, mass = m,
                              geoms = {{type = "box", size = BOX, material = "card", color = {0.72, 0.55, 0.34}}}}
        s.box[k] = {mass = m, nx = 0, ny = 0, nz = 0}
    end
    grip = scenario.grasp.new(world, {flange = arm.flange, fingers = {arm.finger_left, arm.finger_right}, items = boxes,
                             state = s, break_speed = p.crush_speed})
    worker = kit.people.walker(world, {name = "worker", path = {{-0.2, 1.7}, {4.0, 1.7}}, speed = p.worker_speed, wait = 2})
    local links = {}
    for k = 2, 7 do links[#links + 1] = {body = arm.links[k], radius = 0.08} end
    mon = scenario.safety.new(world, {robot_bodies = links, humans = {worker}, keepout = {{-0.3, 1.3, 4.0, 2.5}}, state = s})
    scenario.arm_cell.init_state(s, arm)
    s.unloaded, s.damaged, s.floor, s.seen_un, s.seen_bad, s.t_done = 0, 0, 0, 0, 0, -1
end

scene.observation = {
    tcp = scenario.arm_cell.tcp_observation(function() return arm end),
    boxes = {shape = {MAXN, 6}, fn = function(ctx, out)
        local s = ctx.state
        for i = 1, MAXN do
            local k = (i - 1) * 6
            local q = s.box[i]
            if q then
                local qw, _, _, qz = boxes[i]:quat()
                out[k + 1], out[k + 2], out[k + 3] = scenario.arm_cell.seen_top(boxes[i], BOX[3], q)
                out[k + 4], out[k + 5], out[k + 6] = 2 * math.atan(qz, qw), box_state(ctx, i), q.mass
            else
                for j = 1, 6 do out[k + j] = 0 end
                out[k + 5] = -1
            end
        end
    end},
    belt = {shape = {3}, fn = function(ctx, out) out[1], out[2], out[3] = 0.1, BELT.y + 0.05, BELT.top end},
}

scene.action = scenario.arm_cell.action({-1.2, -1.2, 0.6}, {0.8, 1.2, 2.0})

function scene.act(ctx, action) scenario.arm_cell.act(ctx, action, arm, {speed = 1.5, vacuum = true}) end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    belt:update(p.belt_speed)
    worker:update(ctx)
    mon:update(ctx)
    grip:update(ctx, s.closed)
    local un, fl = 0, 0
    for i, b in ipairs(boxes) do
        local q = s.box[i]
        scenario.arm_cell.draw_noise(q, p.sensor_noise)
        if box_state(ctx, i) == 2 then
            q.done = true
            un = un + 1
        end
        local _, _, z = b:pos()
        if z < 0.2 then fl = fl + 1 end
    end
    s.unloaded, s.floor = un, fl
    s.damaged = s.grasp.broken > 0 and 1 or 0
    if un == #boxes and s.t_done < 0 then s.t_done = ctx.t end
end

function scene.reward(ctx)
    local s = ctx.state
    local r = (s.unloaded - s.seen_un) - 0.01 * ctx.dt
    s.seen_un = s.unloaded
    local bad = s.damaged + s.floor
    if bad > s.seen_bad then r = r - (bad - s.seen_bad); s.seen_bad = bad end
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    if s.grasp.broken > 0 then
        return true, string.format("carton %d damaged (a %.1f m/s impact)", s.grasp.broken, s.grasp.impact_max)
    end
    for i, b in ipairs(boxes) do
        local _, _, z = b:pos()
        if z < 0.2 then return true, string.format("carton %d fell to the dock floor", i) end
    end
    return scenario.safety.failed(ctx, "the dock worker")
end

function scene.success(ctx) return ctx.state.unloaded == #boxes end

function scene.metrics(ctx)
    local s = ctx.state
    local m = mon:metrics(ctx)
    m.unloaded = s.unloaded
    m.damaged = s.damaged
    m.picks = s.grasp.attaches
    m.ik_holds = s.ik_holds
    m.impact_max = s.grasp.impact_max
    m.time_to_unload = kit.track.hold_time(ctx)
    return m
end

return scene
