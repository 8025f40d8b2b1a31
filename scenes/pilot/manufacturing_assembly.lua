-- Manufacturing assembly: the UR5 of assets/ (robots.ur5_gripper: the URDF's links and
-- collision meshes, servos with the harmonic drives' armature) with a parallel-jaw gripper
-- picks a steel pin from the bench and inserts it into the bore of an assembly fixture.
-- The grasp is friction only: closing commands a 34 mm pad gap on the 40 mm pin, so each
-- finger servo (5000 N/m) squeezes with about 15 N, at most `grip_force` N (mu
-- `pad_friction` against the pin); nothing welds the pin to the gripper.
--
-- Bench: top 0.75 m, x -0.2..1.0, y -0.6..0.6; the arm's base at (0, 0) on it.
-- Pin: a cylinder r 0.02 m, h 0.10 m, `pin_mass` kg, standing at (`pin_x`, `pin_y`).
-- Fixture: a block with a square bore 0.046 m across (3 mm clearance each side of the
-- pin), 0.05 m deep, its top 0.80 m, at (`fixture_x`, `fixture_y`).
-- A worker walks along the far side of the bench (x = 1.45, y -1.5 .. 1.5); the strip
-- beyond x = 1.1 m is a safety keep-out for the arm's links.
--
-- Observation: tcp {5} (scenario.arm_cell: tool point world x, y, z; pad gap; 0),
--   pin {5} (x, y, top z (world, m; noise `sensor_noise`), tilt (deg), 1 when a finger
--   touches it), fixture {3} (bore axis x, y; bore floor z)
-- Action: tcp {4} (target tool point, world; tool yaw), grip {1} (> 0.5 close to a 34 mm
--   gap): see scenario.arm_cell (0.8 m/s, 2 m/s^2); robots.ur5_gripper's ik_down follows the tool point
-- success: the pin in the bore (axis within 6 mm, resting on the bore floor, tilted < 8
--   deg), no finger touching it, for 0.3 s
-- failure: the pin dropped (off the bench, or lying down outside the fixture), a contact
--   with the worker above the ISO/TS 15066 limit
-- reward: +1 on insertion, -1 on a drop, -0.01/s
-- metrics: inserted, grasp_slip (largest pin drop relative to the fingers while held, m),
--   ik_holds, insertion_time, and the scenario.safety metrics

local ur5g = require "robots.ur5_gripper"
local kit = require "kit"
local scenario = require "scenario"

local arm, pin, worker, mon   -- handles of the current episode (set in build)

local TOP = 0.75
local PIN = {r = 0.02, h = 0.10}
local BORE = {w = 0.046, depth = 0.05}

local scene = {
    name = "manufacturing_assembly",
    domain = "manufacturing",
    description = "A UR5 with a friction-grasp parallel gripper inserts a pin into a fixture's bore",
    instruction = "Pick up the steel pin standing on the bench and insert it into the bore of the assembly fixture.",
    timestep = 0.002,
    time_limit = 15,
    world = {iterations = 40, contact_forces = true},
    policy = "policies.assembly",
    view = {eye = {1.4, -1.2, 1.5}, target = {0.4, 0, 0.8}, fov = 50},
    params = {
        pin_x = {default = 0.45, min = 0.38, max = 0.52, randomize = true, description = "pin position, m"},
        pin_y = {default = 0.22, min = 0.15, max = 0.30, randomize = true, description = "pin position, m"},
        fixture_x = {default = 0.45, min = 0.38, max = 0.52, randomize = true, description = "fixture bore position, m"},
        fixture_y = {default = -0.22, min = -0.30, max = -0.15, randomize = true, description = "fixture bore position, m"},
        pin_mass = {default = 0.25, min = 0.15, max = 0.35, randomize = true, description = "pin mass, kg"},
        pad_friction = {default = 1.0, min = 0.7, max = 1.2, randomize = true, description = "finger pad mu"},
        grip_force = {default = 30, min = 5, max = 40, description = "finger force limit, N"},
        sensor_noise = {default = 0.0005, min = 0.0, max = 0.0015, randomize = true, description = "pin position noise stddev, m"},
        worker_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "worker walking speed, m/s"},
    },
}

local function touched(ctx) return arm:touching(ctx.world, pin) end

local function inserted(ctx)
    local p = ctx.params
    local x, y, z = pin:pos()
    return kit.util.dist2d(x, y, p.fixture_x, p.fixture_y) < 0.006 and z - PIN.h / 2 < TOP + 0.05 - BORE.depth + 0.004
           and kit.util.tilt_deg(pin) < 8
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = 0.8, material = "floor", color = {0.5, 0.52, 0.5}})
    world:material{name = "steel", friction = 0.4}
    world:geom{type = "box", size = {1.2, 1.2, TOP}, pos = {0.4, 0, TOP / 2}, material = "steel", color = {0.45, 0.5, 0.55}}
    -- the fixture: a base plate and four blocks around the bore
    local fx, fy, col = p.fixture_x, p.fixture_y, {0.2, 0.45, 0.7}
    local h, w = 0.05, BORE.w
    local side = 0.05
    for _, d in ipairs({{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) do
        local off = w / 2 + side / 2
        local sx = d[1] ~= 0 and side or (w + 2 * side)
        local sy = d[2] ~= 0 and side or w
        world:geom{type = "box", size = {sx, sy, h}, pos = {fx + d[1] * off, fy + d[2] * off, TOP + h / 2}, material = "steel",
                   color = col}
    end
    arm = ur5g.build(world, {name = "ur5", pos = {0, 0, TOP}, grip_force = p.grip_force, pad_friction = p.pad_friction})
    world:material{name = "pin", friction = 0.6}
    pin = world:body{name = "pin", pos = {p.pin_x, p.pin_y, TOP + PIN.h / 2 + 0.0005}, mass = p.pin_mass,
                     geoms = {{type = "cylinder", radius = PIN.r, length = PIN.h, material = "pin", color = {0.8, 0.8, 0.85}}}}
    worker = kit.people.walker(world, {name = "worker", path = {{1.45, -1.5}, {1.45, 1.5}}, speed = p.worker_speed, wait = 1})
    local links = {}
    for k = 2, #arm.links do links[#links + 1] = {body = arm.links[k], radius = 0.07} end
    links[#links + 1] = {body = arm.palm, radius = 0.09}
    mon = scenario.safety.new(world, {robot_bodies = links, humans = {worker}, keepout = {{1.1, -2, 2.0, 2}}, state = s})
    scenario.arm_cell.init_state(s, arm)
    s.nx, s.ny, s.nz = 0, 0, 0
    s.in_for, s.t_done, s.inserted, s.dropped, s.seen, s.slip, s.grip_dz = 0, -1, 0, 0, 0, 0, nil
end

scene.observation = {
    tcp = scenario.arm_cell.tcp_observation(function() return arm end),
    pin = {shape = {5}, fn = function(ctx, out)
        out[1], out[2], out[3] = scenario.arm_cell.seen_top(pin, PIN.h, ctx.state)
        out[4], out[5] = kit.util.tilt_deg(pin), touched(ctx) and 1 or 0
    end},
    fixture = {shape = {3}, fn = function(ctx, out)
        out[1], out[2], out[3] = ctx.params.fixture_x, ctx.params.fixture_y, TOP + 0.05 - BORE.depth
    end},
}

scene.action = scenario.arm_cell.action({0.1, -0.6, 0.76}, {0.8, 0.6, 1.3})

function scene.act(ctx, action) scenario.arm_cell.act(ctx, action, arm, {speed = 0.8, accel = 2.0, close_width = 0.034}) end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    worker:update(ctx)
    mon:update(ctx)
    scenario.arm_cell.draw_noise(s, p.sensor_noise)
    -- slip: how far the pin moved down relative to the tool point while squeezed
    local _, _, pz = pin:pos()
    local _, _, tz = arm:tcp()
    if s.closed and touched(ctx) then
        if not s.grip_dz then s.grip_dz = tz - pz end
        s.slip = math.max(s.slip, (tz - pz) - s.grip_dz)
    else
        s.grip_dz = nil
    end
    if inserted(ctx) and not touched(ctx) then s.in_for = s.in_for + ctx.dt else s.in_for = 0 end
    if s.in_for >= 0.3 and s.t_done < 0 then s.t_done, s.inserted = ctx.t, 1 end
    local x, y = pin:pos()
    local on_fixture = kit.util.dist2d(x, y, p.fixture_x, p.fixture_y) < 0.08
    if pz < TOP - 0.05 or (kit.util.tilt_deg(pin) > 60 and not touched(ctx) and not on_fixture) then s.dropped = 1 end
end

function scene.reward(ctx)
    local s = ctx.state
    return kit.track.gain(ctx, s.inserted - s.dropped, 1, "seen")
end

function scene.failure(ctx)
    local s = ctx.state
    if s.dropped > 0 then return true, "the pin was dropped" end
    return scenario.safety.failed(ctx, "the worker")
end

function scene.success(ctx) return ctx.state.inserted == 1 end

function scene.metrics(ctx)
    local s = ctx.state
    local m = mon:metrics(ctx)
    m.inserted = s.inserted
    m.grasp_slip = s.slip
    m.ik_holds = s.ik_holds
    m.insertion_time = (s.t_done >= 0) and s.t_done or ctx.t
    return m
end

return scene
