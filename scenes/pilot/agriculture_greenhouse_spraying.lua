-- Greenhouse spraying: a mobile sprayer (robots.diffdrive, 0.5 x 0.4 m, centred axle,
-- a spray boom each side) drives two aisles of a 16 x 9 m greenhouse between four 12 m
-- benches of potted plants (kit.props.table) and sprays every plant: a plant is covered
-- once it spent `dose` s in a boom's spray window (0.25-1.3 m to that side, within 0.3 m
-- along) with that boom on. Spraying with no uncovered plant in the window is waste;
-- spraying while a person is within 1.8 m (the drift cloud) is an exposure, which ends the
-- episode. A grower walks the middle aisle (scenario.human).
--
-- observation: pose {x, y, yaw}, twist {v, w}, route {dx, dy, face error, stop, dwell
--   fraction, done, total} (kit.route: the serpentine through the two spraying aisles),
--   booms {2, 2}: per side (left, right) uncovered plants in the window now, and the
--   distance ahead (m, robot frame) to the next uncovered plant on that side within 3 m
--   (99 none), people {dx, dy, vx, vy} (robot frame)
-- action: base {v (m/s, -0.3..0.8), w (rad/s, -1.5..1.5)}; spray {left, right} (> 0.5 on)
-- success: the route's end reached with at least `coverage` of the plants covered
-- failure: a person sprayed (within 1.8 m of an open boom), spray waste above `max_waste`
--          s, the robot tipped or hit the grower above the ISO/TS 15066 limits
-- reward:  +0.1 per plant covered, -0.05 per second of waste, -0.01 per second
-- metrics: plants covered, coverage fraction, spray waste (s), path length, time + safety

local diffdrive = require "robots.diffdrive"
local safety = require "scenario.safety"
local kit = require "kit"

local R, rt = kit.rover.new(), kit.route.new()
local bot, mon
local crew = {}

local BENCH_Y = {-3, -1, 1, 3}
local X0, X1 = 2, 14
local WIN_NEAR, WIN_FAR, WIN_ALONG = 0.25, 1.3, 0.3
local DRIFT = 1.8

local scene = {
    name = "agriculture_greenhouse_spraying",
    domain = "agriculture",
    description = "Mobile sprayer covers four benches of plants from two greenhouse aisles, closing its booms near people",
    instruction = "Spray every plant on the benches, and never spray near a person.",
    timestep = 0.005,
    time_limit = 120,
    world = {contact_forces = true, static_space = true},
    policy = "policies.greenhouse_spraying",
    view = {eye = {8, -11, 9}, target = {8, 0, 0}, fov = 55},
    params = kit.rover.params(0.8, {
        spacing = {default = 0.6, min = 0.45, max = 0.9, randomize = true, description = "plant spacing along a bench (m)"},
        missing = {default = 0.1, min = 0.0, max = 0.3, randomize = true, description = "fraction of empty pot places"},
        dose = {default = 0.25, min = 0.1, max = 1.0, description = "time in an open boom's window that covers a plant (s)"},
        coverage = {default = 0.95, min = 0.5, max = 1.0, description = "fraction of plants to cover"},
        max_waste = {default = 8, min = 0, max = 60, description = "largest accepted spray waste (s, both booms summed)"},
        grower_speed = {default = 0.9, min = 0.6, max = 1.2, randomize = true, description = "grower's walking speed (m/s)"},
        grower_phase = {default = 0.0, min = 0.0, max = 1.0, randomize = true, description = "fraction of the grower's walk at the start"},
        floor_friction = {default = 0.7, min = 0.5, max = 0.9, randomize = true, description = "concrete path mu"},
    }),
}

-- plant positions (robot frame) relative to the booms
local function window(ctx, fn)
    local x, y, yaw = R:pose()
    for i, pl in ipairs(ctx.state.plants) do
        local ax, ly = kit.util.to_local(x, y, yaw, pl[1], pl[2])
        local side = ly > 0 and 1 or 2
        local lat = math.abs(ly)
        if lat >= WIN_NEAR and lat <= WIN_FAR then fn(i, pl, side, ax) end
    end
end

local function person_near()
    local x, y = R:pose()
    for _, h in ipairs(crew) do
        local hx, hy = h:pos()
        if kit.util.dist2d(x, y, hx, hy) < DRIFT then return true end
    end
    return false
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.floor_friction, color = {0.6, 0.58, 0.52}})
    kit.room.walls(world, {0, -4.5, 16, 4.5}, {height = 2.8, thickness = 0.05, color = {0.85, 0.92, 0.95, 0.5}})
    s.plants, s.dose, s.covered = {}, {}, {}
    for _, by in ipairs(BENCH_Y) do
        kit.props.table(world, {x = (X0 + X1) / 2, y = by, top = 0.8, size = {X1 - X0, 0.9}, style = "legs",
                            color = {0.5, 0.5, 0.52}})
        for x = X0 + 0.3, X1 - 0.3 + 1e-9, p.spacing do
            if math.random() >= p.missing then
                s.plants[#s.plants + 1] = {x, by}
                world:geom{type = "sphere", radius = 0.16, pos = {x, by, 0.98}, color = {0.25, 0.55, 0.25},
                           collide = 0, category = 0}
            end
        end
    end
    for i = 1, #s.plants do s.dose[i], s.covered[i] = 0, false end
    bot = diffdrive.build(world, {name = "sprayer", pos = {0.8, -2}, yaw = 0, casters = 2, wheel_x = 0,
                                  caster_lift = 0.004})
    R:attach(bot, s)
    crew = {kit.people.walker(world, {name = "grower", path = {{0.8, 0}, {13.5, 0}}, speed = p.grower_speed, wait = 3,
                                  offset = p.grower_phase * 27, yield_to = {bot.chassis}, state = s})}
    mon = safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.3}}, humans = crew, state = s})
    rt:set(s, {{X1 + 0.7, -2, tol = 0.3}, {X1 + 1.0, 0, tol = 0.4}, {X1 + 0.7, 2, tol = 0.3},
               {X0 - 0.8, 2, stop = true, dwell = 0.5, name = "end"}})
    s.ncov, s.waste, s.exposed, s.rewarded, s.spray = 0, 0, false, 0, {false, false}
end

scene.observation = R:nav_entries(rt, {
    booms = {shape = {2, 2}, fn = function(ctx, out)
        out[1], out[2], out[3], out[4] = 0, 99, 0, 99
        local x, y, yaw = R:pose()
        for i, pl in ipairs(ctx.state.plants) do
            if not ctx.state.covered[i] then
                local ax, ly = kit.util.to_local(x, y, yaw, pl[1], pl[2])
                local lat, k = math.abs(ly), ly > 0 and 0 or 2
                if lat >= WIN_NEAR and lat <= WIN_FAR then
                    if math.abs(ax) <= WIN_ALONG then out[k + 1] = out[k + 1] + 1 end
                    if ax > -WIN_ALONG and ax < 3 and ax < out[k + 2] then out[k + 2] = ax end
                end
            end
        end
    end},
    people = R:people_entry(1, function() return crew end),
})

local function spray_act(ctx, action)
    local s = ctx.state
    s.spray[1], s.spray[2] = action.spray[1] > 0.5, action.spray[2] > 0.5
end

R:route_task(scene, rt, {low = {-0.3, -1.5}, high = {0.8, 1.5}, turn_accel = 2.5, act = spray_act,
                         action = {spray = {shape = {2}, low = 0, high = 1}}})

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    R:step(ctx, mon, crew, rt)
    if not (s.spray[1] or s.spray[2]) then return end
    if person_near() then s.exposed = true end
    local useful = {false, false}
    window(ctx, function(i, _, side, along)
        if s.spray[side] and math.abs(along) <= WIN_ALONG and not s.covered[i] then
            useful[side] = true
            s.dose[i] = s.dose[i] + ctx.dt
            if s.dose[i] >= p.dose then s.covered[i], s.ncov = true, s.ncov + 1 end
        end
    end)
    for k = 1, 2 do
        if s.spray[k] and not useful[k] then s.waste = s.waste + ctx.dt end
    end
end

function scene.reward(ctx) return kit.track.gain(ctx, ctx.state.ncov, 0.1) end

function scene.failure(ctx)
    local s = ctx.state
    if s.exposed then return true, "sprayed with a person within 1.8 m" end
    if s.waste > ctx.params.max_waste then return true, string.format("spray waste %.1f s over the limit", s.waste) end
    return R:failed(ctx, "the grower")
end

function scene.success(ctx)
    local s = ctx.state
    return rt:done(s) and s.ncov >= ctx.params.coverage * #s.plants
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = R:metrics(ctx, mon)
    m.plants_covered = s.ncov
    m.coverage = #s.plants > 0 and s.ncov / #s.plants or 1
    m.spray_waste = s.waste
    return m
end

return scene
