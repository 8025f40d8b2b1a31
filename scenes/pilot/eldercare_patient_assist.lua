-- Elder care: a service robot (robots.service_tray, its tray 0.2 m ahead of the chassis
-- centre) brings a cup of water to a resident seated in an armchair in a care-home room,
-- stops where the resident can reach the tray, and keeps a safe distance from the resident
-- and from the caregiver walking through the room.
--
-- Room x -0.5..6, y -2.5..2.5 (walls 2.6 m), vinyl floor (mu `floor_friction`). The robot
-- starts at (0.3, 0) facing +x. Armchair (seat 0.45 m, back and arms) against the east
-- wall at y = `chair_y`, facing -x; the resident sits in it (scenario.human standing at the
-- chair's front edge, x = 5.05: the body model has no seated pose, its 0.26 m envelope is
-- what the safety monitor uses). Bed (2.0 x 0.9 x 0.5 m) along the north wall; a bedside
-- table; the floor between the bed and the wall is a keep-out zone (the resident's side of
-- the bed, where tubes and a call cord lie).
-- Cup: a cylinder r 0.04 m, h 0.10 m, `cup_mass` kg (water included), mu `cup_friction`,
-- on the tray.
-- Caregiver: walks x 2.6, y -2.1 <-> 2.1 at `carer_speed` (1 s at each end), stops for the
-- robot when it stands less than 1 m ahead and 0.9 m to the side.
--
-- Observation: pose {3}, twist {2} (as scenario.mm_task), people {2, 4} (resident,
--   caregiver: forward, left (m; noise 0.02 / light), vx, vy; robot frame), goal {4} (the
--   hand-over point: dx, dy (robot frame, m), distance, heading error to face the
--   resident (rad)), cup {2} (tilt deg; 1 on the tray else 0), separation {1} (the safety
--   monitor's separation to the resident, m)
-- Action: base {2} (v in [-0.2, 0.6] m/s, w in [-1, 1] rad/s; ramped at 0.6 m/s^2, 2 rad/s^2)
-- success: the tray centre within 0.7 m of the resident's axis, at least `min_clearance`
--   m of separation, facing the resident within 0.3 rad, slower than 0.02 m/s, the cup on
--   the tray tilted < 10 deg, held for 1 s
-- failure: closer to the resident than `min_clearance` / 2 (the safety monitor's radii:
--   chassis 0.3 m), the cup off the tray, a contact above the ISO/TS 15066 limit
-- reward: -0.01/s, +5 on success (once)
-- metrics: cup_tilt_max, hand_over_distance, path_length, time_to_serve, scenario.safety's

local service_tray = require "robots.service_tray"
local kit = require "kit"
local scenario = require "scenario"

local bot, cup, persons, mon    -- handles of the current episode (set in build)

local ROOM = {-0.5, -2.5, 6, 2.5}
local SEAT_X = 5.05                -- resident's axis (the chair's front edge)
local PARK = 0.82                  -- m, chassis centre to the resident's axis at hand-over
local TRAY_X = 0.2

local scene = {
    name = "eldercare_patient_assist",
    domain = "eldercare",
    description = "A service robot brings a cup of water to a seated resident and keeps a safe distance",
    instruction = "Bring the cup of water on your tray to the resident in the armchair, " ..
                  "stop within their reach without crowding them, and give way to the caregiver.",
    timestep = 0.004,
    time_limit = 35,
    world = {iterations = 30, contact_forces = true},
    policy = "policies.patient_assist",
    view = {eye = {-0.8, -4.5, 3.8}, target = {3.2, 0, 0.5}, fov = 55},
    params = {
        chair_y = {default = 0.3, min = -1.2, max = 1.0, randomize = true, description = "armchair position along the east wall, m"},
        cup_mass = {default = 0.3, min = 0.2, max = 0.4, randomize = true, description = "cup with water, kg"},
        cup_friction = {default = 0.5, min = 0.4, max = 0.7, randomize = true, description = "Coulomb mu of the cup"},
        floor_friction = {default = 0.8, min = 0.6, max = 1.0, randomize = true, description = "wheel-floor mu"},
        carer_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "caregiver walking speed, m/s"},
        carer_phase = {default = 0.5, min = 0.0, max = 1.0, randomize = true, description = "where along the walk the caregiver starts"},
        light = {default = 1.0, min = 0.5, max = 1.0, randomize = true, description = "lighting (people position noise 0.02/light m)"},
        min_clearance = {default = 0.1, min = 0.05, max = 0.3, description = "separation to keep from the resident at hand-over, m"},
    },
}

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.floor_friction, material = "vinyl", color = {0.75, 0.72, 0.62}})
    kit.room.walls(world, ROOM, {height = 2.6, color = {0.92, 0.9, 0.84}})
    world:material{name = "wood", friction = 0.6}
    -- armchair against the east wall, facing -x
    local cy, up = p.chair_y, {0.45, 0.55, 0.5}
    world:geom{type = "box", size = {0.6, 0.65, 0.45}, pos = {5.45, cy, 0.225}, material = "wood", color = up}
    world:geom{type = "box", size = {0.15, 0.65, 1.0}, pos = {5.82, cy, 0.5}, material = "wood", color = up}
    for _, sy in ipairs({1, -1}) do
        world:geom{type = "box", size = {0.6, 0.12, 0.65}, pos = {5.45, cy + sy * 0.385, 0.325}, material = "wood", color = up}
    end
    -- bed along the north wall, a bedside table
    world:geom{type = "box", size = {2.0, 0.9, 0.5}, pos = {2.0, 1.85, 0.25}, material = "wood", color = {0.9, 0.9, 0.95}}
    kit.props.table(world, {x = 3.4, y = 2.2, top = 0.6, size = {0.45, 0.45}, style = "legs", material = "wood"})
    -- the robot and its cup
    bot = service_tray.build(world, {name = "helper", pos = {0.3, 0}, yaw = 0, tray_x = TRAY_X})
    local tx, ty, tz = bot:tray_pos()
    world:material{name = "cup", friction = p.cup_friction}
    cup = world:body{name = "cup", pos = {tx, ty, tz + 0.051}, mass = p.cup_mass,
                     geoms = {{type = "cylinder", radius = 0.04, length = 0.10, material = "cup", color = {0.95, 0.95, 1.0}}}}
    persons = {
        kit.people.walker(world, {name = "resident", path = {{SEAT_X, cy}}, color = {0.6, 0.5, 0.7}}),
        kit.people.walker(world, {name = "carer", path = {{2.6, -2.1}, {2.6, 2.1}}, speed = p.carer_speed, wait = 1.0,
                              offset = p.carer_phase * 8.4, yield_to = {bot.chassis}, yield_width = 0.9, state = s, color = {0.3, 0.6, 0.7}}),
    }
    mon = scenario.safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.3}, {body = bot.upper, radius = 0.2}},
                             humans = persons, state = s, keepout = {{1.0, 1.3, 3.0, 2.5}}})
    s.gx, s.gy = SEAT_X - PARK, cy
    s.v, s.w = 0, 0
    s.path, s.px, s.py = 0, 0.3, 0
    s.tilt_max, s.done_for, s.t_done, s.rewarded, s.min_res = 0, 0, -1, false, 1e9
end

-- separation to the resident alone (the monitor's radii), m
local function sep_resident()
    local hx, hy = persons[1]:pos()
    local best = 1e9
    for _, e in ipairs({{bot.chassis, 0.3}, {bot.upper, 0.2}}) do
        local x, y = e[1]:pos()
        best = math.min(best, kit.util.dist2d(x, y, hx, hy) - persons[1]:radius() - e[2])
    end
    return math.max(best, 0)
end

local function tray_reach()
    local hx, hy = persons[1]:pos()
    local x, y = bot:tray_pos()
    return kit.util.dist2d(x, y, hx, hy)
end

local obs = scenario.mm_task.observations(function() return bot end, function() return persons end, 2)
scene.observation = {
    pose = obs.pose, twist = obs.twist, people = obs.people,
    goal = {shape = {4}, fn = function(ctx, out)
        local s = ctx.state
        local dx, dy = bot:to_local(s.gx, s.gy)
        local _, _, yaw = bot:pose2d()
        out[1], out[2], out[3], out[4] = dx, dy, math.sqrt(dx * dx + dy * dy), kit.util.wrap(0 - yaw)
    end},
    cup = {shape = {2}, fn = function(ctx, out)
        out[1], out[2] = kit.util.tilt_deg(cup), bot:on_tray(cup) and 1 or 0
    end},
    separation = {shape = {1}, fn = function(ctx, out) out[1] = sep_resident() end},
}

scene.action = {base = {shape = {2}, low = {-0.2, -1.0}, high = {0.6, 1.0}}}

function scene.act(ctx, action)
    local s = ctx.state
    s.v = kit.util.approach(s.v, action.base[1], 0.6, ctx.dt)
    s.w = kit.util.approach(s.w, action.base[2], 2.0, ctx.dt)
    bot:set_twist(s.v, s.w)
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    kit.people.update(persons, ctx)
    mon:update(ctx)
    local x, y, yaw = bot:pose2d()
    kit.track.odometer(s, x, y)
    local tilt = kit.util.tilt_deg(cup)
    s.tilt_max = math.max(s.tilt_max, tilt)
    local sep = sep_resident()
    s.min_res = math.min(s.min_res, sep)
    kit.track.hold(ctx, tray_reach() < 0.7 and sep >= p.min_clearance and math.abs(kit.util.wrap(yaw)) < 0.3
                    and bot:speed() < 0.02 and bot:on_tray(cup) and tilt < 10, 1.0)
end

function scene.reward(ctx)
    local s = ctx.state
    local r = -0.01 * ctx.dt
    if s.t_done >= 0 and not s.rewarded then r = r + 5; s.rewarded = true end
    return r
end

function scene.failure(ctx)
    local s, p = ctx.state, ctx.params
    if s.min_res < p.min_clearance / 2 then
        return true, string.format("came within %.2f m of the resident (safe distance %.2f m)", s.min_res, p.min_clearance / 2)
    end
    if not bot:on_tray(cup) then return true, "the cup fell off the tray" end
    return scenario.safety.failed(ctx, "a person")
end

function scene.success(ctx) return ctx.state.done_for >= 1.0 end

function scene.metrics(ctx)
    local m = kit.track.copy(mon:metrics(ctx), ctx.state, {cup_tilt_max = "tilt_max", resident_min_separation = "min_res",
                                                       path_length = "path"})
    m.hand_over_distance = tray_reach()
    m.time_to_serve = kit.track.hold_time(ctx)
    return m
end

return scene
