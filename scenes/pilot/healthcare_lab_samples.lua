-- Hospital lab sample transport: a small transport robot (robots.diffdrive, 0.5 x 0.4 m,
-- centred axle and two casters so it turns on the spot) carries a rack of sample tubes
-- (a 0.30 x 0.20 x 0.10 m box, 0.8-1.5 kg, loose on its flat top) along the lab's
-- L-shaped corridor (2.0 m wide, kit.room.corridor): it collects the rack's tubes at the
-- reception hatch, then stops at the haematology analyser (east wing, y = `a_y`) and the
-- chemistry analyser (north wing, x = `b_x`, on its south wall), standing 2 s at each while the tubes are
-- loaded (its heading towards the analyser's counter). Two lab technicians walk the
-- corridor (scenario.human; they stop for a robot in their way). A spill marked on the
-- floor (a keep-out rectangle) must not be driven into.
--
-- observation: pose {x, y, yaw}, twist {v, w}, route {dx, dy, face error, stop, dwell
--   fraction, done, total} (kit.route), people {dx, dy, vx, vy} x 2 (robot frame),
--   spill {xmin, ymin, xmax, ymax} (world), rack {dx, dy (rack on the chassis, m), on 0/1},
--   scan (lidar 90 beams, 360 deg, 6 m)
-- action: base {v (m/s, -0.3..0.8), w (rad/s, -1.5..1.5)}; act() applies acceleration limits
-- success: all four stops done (hatch, two analysers; the route's last point) with the rack aboard
-- failure: the rack slid off, the robot entered the spill, tipped, or hit a technician
--          above the ISO/TS 15066 limits
-- reward:  +1 per route point, -0.01 per second
-- metrics: stations served, rack slip (max, m), path length, time + scenario.safety's

local diffdrive = require "robots.diffdrive"
local safety = require "scenario.safety"
local kit = require "kit"

local R, rt = kit.rover.new(), kit.route.new()
local bot, mon, rack
local techs = {}

local LINE = {{-0.5, 0}, {8, 0}, {8, 6}, {1, 6}}
local HALF = 1.0
local TOP = 0.1 + 0.075                      -- chassis top (wheel radius + half the box)

local scene = {
    name = "healthcare_lab_samples",
    domain = "healthcare",
    description = "Transport robot takes a sample rack from the reception hatch to two analysers along an L-shaped lab corridor",
    instruction = "Collect the samples at the reception hatch and deliver them to the haematology, then the chemistry analyser.",
    timestep = 0.005,
    time_limit = 80,
    world = {contact_forces = true, static_space = true},
    policy = "policies.lab_samples",
    view = {eye = {4, -6, 11}, target = {4.5, 3, 0}, fov = 55},
    params = kit.rover.params(0.6, {
        a_y = {default = 3.0, min = 1.8, max = 4.2, randomize = true, description = "haematology analyser's y on the east wing (m)"},
        b_x = {default = 4.0, min = 2.2, max = 6.0, randomize = true, description = "chemistry analyser's x on the north wing (m)"},
        spill_x = {default = 4.5, min = 3.0, max = 6.0, randomize = true, description = "spill centre x on the south wing (m)"},
        spill_side = {default = 1, min = -1, max = 1, randomize = true, description = "spill side: > 0 north half of the corridor, else south"},
        rack_mass = {default = 1.0, min = 0.8, max = 1.5, randomize = true, description = "rack with tubes (kg)"},
        rack_friction = {default = 0.5, min = 0.35, max = 0.7, randomize = true, description = "Coulomb mu of the rack on the robot's top"},
        tech_speed = {default = 1.0, min = 0.8, max = 1.3, randomize = true, description = "technicians' walking speed (m/s)"},
        tech_phase = {default = 0.5, min = 0.0, max = 1.0, randomize = true, description = "fraction of a loop the technicians start into"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "vinyl floor mu"},
    }),
}

local function rack_local()
    local x, y, yaw = R:pose()
    local rx, ry, rz = rack:pos()
    local lx, ly = kit.util.to_local(x, y, yaw, rx, ry)
    return lx, ly, rz
end

local function rack_on()
    local lx, ly, rz = rack_local()
    return math.abs(lx) < 0.25 and math.abs(ly) < 0.2 and rz > TOP
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.floor_friction, color = {0.82, 0.84, 0.8}})
    kit.room.corridor(world, LINE, {half_width = HALF, end_caps = true, miter = true, color = {0.92, 0.92, 0.9}})
    -- counters: the reception hatch (south wall), the two analysers
    world:geom{type = "box", size = {1.2, 0.5, 0.9}, pos = {1.5, -HALF + 0.25, 0.45}, color = {0.6, 0.62, 0.66}}
    world:geom{type = "box", size = {0.6, 1.0, 1.3}, pos = {8 + HALF - 0.3, p.a_y, 0.65}, color = {0.85, 0.85, 0.9}}
    world:geom{type = "box", size = {1.0, 0.6, 1.3}, pos = {p.b_x, 6 - HALF + 0.3, 0.65}, color = {0.8, 0.86, 0.9}}
    local sy = p.spill_side > 0 and 0.65 or -0.65
    s.spill = {p.spill_x - 0.3, sy - 0.3, p.spill_x + 0.3, sy + 0.3}
    world:geom{type = "box", size = {0.6, 0.6, 0.002}, pos = {p.spill_x, sy, 0.001}, color = {0.95, 0.85, 0.1},
               collide = 0, category = 0}

    bot = diffdrive.build(world, {name = "labbot", pos = {0, 0}, yaw = 0, casters = 2, wheel_x = 0, caster_lift = 0.004})
    R:attach(bot, s)
    world:material{name = "rack", friction = p.rack_friction}
    rack = world:body{name = "rack", pos = {0, 0, TOP + 0.051}, mass = p.rack_mass,
                      geoms = {{type = "box", size = {0.3, 0.2, 0.1}, material = "rack", color = {0.3, 0.5, 0.9}}}}
    R:lidar(world, {beams = 90, range = 6})

    local common = {yield_to = {bot.chassis}, state = s, speed = p.tech_speed, loop = true}
    techs = kit.people.walkers(world, common, {
        {name = "tech1", path = {{7.25, 1.0}, {7.25, 5.2}}, wait = 2.0, offset = p.tech_phase * 20},
        {name = "tech2", path = {{1.8, 6.75}, {7.2, 6.75}}, wait = 3.0,
         offset = (1 - p.tech_phase) * 12, color = {0.9, 0.9, 0.95}},
    })
    mon = safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.3}}, humans = techs,
                             keepout = {s.spill}, state = s})
    local ymid = sy > 0 and -0.2 or 0.2     -- the route keeps to the spill's other side
    rt:set(s, {{1.5, 0.05, stop = true, face = -math.pi / 2, dwell = 2.0, name = "hatch"},
               {p.spill_x - 1.2, ymid}, {p.spill_x + 1.2, ymid}, {8, 0, tol = 0.25},
               {7.95, p.a_y, stop = true, face = 0, dwell = 2.0, name = "haematology"},
               {8, 6, tol = 0.25},
               {p.b_x, 6.05, stop = true, face = -math.pi / 2, dwell = 2.0, name = "chemistry"}})
    local lx, ly = rack_local()
    s.rack0, s.slip = {lx, ly}, 0
end

scene.observation = R:nav_entries(rt, {
    people = R:people_entry(2, function() return techs end),
    spill = {shape = {4}, fn = function(ctx, out) for i = 1, 4 do out[i] = ctx.state.spill[i] end end},
    rack = {shape = {3}, fn = function(_, out)
        local lx, ly = rack_local()
        out[1], out[2], out[3] = lx, ly, rack_on() and 1 or 0
    end},
    scan = {sensor = "scan"},
})

R:route_task(scene, rt, {low = {-0.3, -1.5}, high = {0.8, 1.5}, turn_accel = 2.5})

function scene.step(ctx)
    local s = ctx.state
    R:step(ctx, mon, techs, rt, rack_on())
    local lx, ly = rack_local()
    s.slip = math.max(s.slip, kit.util.dist2d(lx, ly, s.rack0[1], s.rack0[2]))
end

function scene.failure(ctx)
    local s = ctx.state
    if not rack_on() then return true, "the sample rack slid off the robot" end
    if s.safety.keepout_steps > 0 then return true, "the robot drove into the spill" end
    return R:failed(ctx, "a technician")
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = R:metrics(ctx, mon)
    local served = 0
    for i = 1, rt:count(s) do if rt:point(s, i).stop then served = served + 1 end end
    m.stations_served = served
    m.rack_slip_max = s.slip
    return m
end

return scene
