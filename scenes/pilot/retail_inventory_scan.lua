-- Retail inventory scan: a shelf-scanning robot (robots.diffdrive, 0.5 x 0.4 m, centred
-- axle, a label camera on each side) drives the three aisles of a store with two
-- double-sided gondola runs (kit.props.shelf, `run_length` m, four shelf levels) and reads
-- every shelf-edge price label: one label per facing section (`section` m) and level. A
-- side camera reads a label (kit.sight geometry: 0.4-1.4 m to that side, within 0.35 m
-- along) while the robot moves slower than 0.5 m/s (motion blur) with its heading within
-- 15 deg of the aisle; labels on out-of-stock gaps (`gaps`) have no product behind but are
-- read all the same. Two shoppers walk the store (scenario.human; they stop for a robot
-- in their way).
--
-- observation: pose {x, y, yaw}, twist {v, w}, route {dx, dy, face error, stop, dwell
--   fraction, done, total} (kit.route: the serpentine through the aisles back to the dock),
--   scan {labels read, labels in all, left camera reading now 0/1, right 0/1},
--   people {dx, dy, vx, vy} x 2 (robot frame), scan_range (lidar 90 beams, 360 deg, 8 m)
-- action: base {v (m/s, -0.3..0.8), w (rad/s, -1.5..1.5)}; act() applies acceleration limits
-- success: back at the dock with at least `coverage` of the labels read
-- failure: the robot tipped, hit a shopper above the ISO/TS 15066 limits, or drove faster
--          than `near_speed` within 1 m of a shopper (scenario.safety's separation)
-- reward:  +0.05 per label read, -0.01 per second
-- metrics: labels read, coverage fraction, path length, time + scenario.safety's

local diffdrive = require "robots.diffdrive"
local safety = require "scenario.safety"
local kit = require "kit"

local R, rt = kit.rover.new(), kit.route.new()
local bot, mon
local shoppers = {}

local RUN_Y, DEPTH = {-1.6, 1.6}, 0.9
local X0 = 2.5
local LEVELS = {0.15, 0.6, 1.05, 1.5}
local NEAR, FAR, ALONG = 0.4, 1.4, 0.35
local BLUR, SKEW = 0.5, math.rad(15)

local scene = {
    name = "retail_inventory_scan",
    domain = "retail",
    description = "Shelf-scanning robot reads every price label of two gondola runs from three store aisles",
    instruction = "Scan every shelf label in the store's aisles, then return to the dock.",
    timestep = 0.005,
    time_limit = 120,
    world = {contact_forces = true, static_space = true},
    policy = "policies.inventory_scan",
    view = {eye = {6, -10, 8}, target = {6, 0, 0.5}, fov = 55},
    params = kit.rover.params(0.8, {
        run_length = {default = 5.0, min = 4.0, max = 6.0, randomize = true, description = "gondola run length (m)"},
        section = {default = 1.0, min = 0.8, max = 1.25, randomize = true, description = "facing section width: one label per section and level (m)"},
        gaps = {default = 0.1, min = 0.0, max = 0.3, randomize = true, description = "fraction of out-of-stock sections"},
        coverage = {default = 0.95, min = 0.5, max = 1.0, description = "fraction of labels to read"},
        shopper_speed = {default = 0.9, min = 0.6, max = 1.2, randomize = true, description = "shoppers' walking speed (m/s)"},
        shopper_phase = {default = 0.0, min = 0.0, max = 1.0, randomize = true, description = "fraction of the shoppers' walk at the start"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "store floor mu"},
        near_speed = {default = 0.6, min = 0.2, max = 2.0, description = "speed limit within 1 m of a shopper (m/s)"},
    }),
}

-- 1/0 per side camera: conditions for reading labels now
local function cameras_ok()
    if R:speed() > BLUR then return false end
    local _, _, yaw = R:pose()
    return math.abs(math.sin(yaw)) < math.sin(SKEW)
end

local function read_labels(ctx)
    local s = ctx.state
    local x, y, yaw = R:pose()
    local seen = {0, 0}
    for i, l in ipairs(s.labels) do
        local ax, ly = kit.util.to_local(x, y, yaw, l[1], l[2])
        local lat = math.abs(ly)
        if lat >= NEAR and lat <= FAR and math.abs(ax) <= ALONG then
            seen[ly > 0 and 1 or 2] = 1
            if not s.read[i] then s.read[i], s.nread = true, s.nread + 1 end
        end
    end
    return seen
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.floor_friction, color = {0.85, 0.84, 0.8}})
    local x1 = X0 + p.run_length
    kit.room.walls(world, {-1, -4.4, x1 + 2.5, 4.4}, {height = 3.0, color = {0.92, 0.9, 0.85}})
    s.labels, s.read = {}, {}
    for _, ry in ipairs(RUN_Y) do
        kit.props.shelf(world, {x = (X0 + x1) / 2, y = ry, size = {p.run_length, DEPTH}, tops = LEVELS, height = 1.9})
        world:geom{type = "box", size = {p.run_length, 0.03, 1.9}, pos = {(X0 + x1) / 2, ry, 0.95}, color = {0.85, 0.85, 0.88}}
        local n = math.floor(p.run_length / p.section + 1e-9)
        for face = -1, 1, 2 do
            for k = 1, n do
                local lx = X0 + (k - 0.5) * p.run_length / n
                local stocked = math.random() >= p.gaps
                for _, z in ipairs(LEVELS) do
                    s.labels[#s.labels + 1] = {lx, ry + face * DEPTH / 2, z}
                    s.read[#s.labels] = false
                    if stocked then
                        world:geom{type = "box", size = {0.7 * p.run_length / n, 0.3, 0.25},
                                   pos = {lx, ry + face * DEPTH / 4, z + 0.125}, color = {0.3 + 0.1 * k % 0.6, 0.4, 0.7},
                                   collide = 0, category = 0}
                    end
                end
            end
        end
    end
    bot = diffdrive.build(world, {name = "scanner", pos = {0, -3.2}, yaw = 0, casters = 2, wheel_x = 0, caster_lift = 0.004})
    R:attach(bot, s)
    R:lidar(world, {name = "lidar", beams = 90})
    local ph, v = p.shopper_phase, p.shopper_speed
    local common = {yield_to = {bot.chassis}, state = s, speed = v, wait = 4}
    shoppers = kit.people.walkers(world, common, {
        {name = "shopper1", path = {{X0 + 0.5, 0.75}, {x1 - 0.5, 0.75}}, offset = ph * 10},
        {name = "shopper2", path = {{x1 + 1.6, 3.3}, {x1 + 1.6, -3.3}},
         offset = (1 - ph) * 10, color = {0.8, 0.4, 0.6}},
    })
    mon = safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.3}}, humans = shoppers, state = s})
    rt:set(s, {{x1 + 0.4, -3.2, tol = 0.3}, {x1 + 0.8, -1.6, tol = 0.4}, {x1 + 0.4, 0, tol = 0.3},
               {X0 - 0.4, 0, tol = 0.3}, {X0 - 0.8, 1.6, tol = 0.4}, {X0 - 0.4, 3.2, tol = 0.3},
               {x1 + 0.4, 3.2, tol = 0.3}, {x1 + 1.0, 1.6, tol = 0.4},
               {x1 + 0.8, -3.0, stop = true, dwell = 0.5, name = "dock"}})
    s.nread, s.rewarded, s.seen = 0, 0, {0, 0}
end

scene.observation = R:nav_entries(rt, {
    scan = {shape = {4}, fn = function(ctx, out)
        local s = ctx.state
        out[1], out[2], out[3], out[4] = s.nread, #s.labels, s.seen[1], s.seen[2]
    end},
    people = R:people_entry(2, function() return shoppers end),
    scan_range = {sensor = "lidar"},
})

R:route_task(scene, rt, {low = {-0.3, -1.5}, high = {0.8, 1.5}, turn_accel = 2.5})

function scene.step(ctx)
    local s = ctx.state
    R:step(ctx, mon, shoppers, rt)
    if cameras_ok() then s.seen = read_labels(ctx) else s.seen = {0, 0} end
end

function scene.reward(ctx) return kit.track.gain(ctx, ctx.state.nread, 0.05) end

function scene.failure(ctx)
    local s = ctx.state
    local bad, why = R:failed(ctx, "a shopper")
    if bad then return true, why end
    if s.safety.vmax_near > ctx.params.near_speed then
        return true, string.format("drove at %.2f m/s within 1 m of a shopper (limit %.2f)", s.safety.vmax_near, ctx.params.near_speed)
    end
    return false
end

function scene.success(ctx)
    local s = ctx.state
    return rt:done(s) and s.nread >= ctx.params.coverage * #s.labels
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = R:metrics(ctx, mon)
    m.labels_read = s.nread
    m.coverage = s.nread / #s.labels
    return m
end

return scene
