-- A six-wheeled skid-steer crawler (robots.crawler: 0.9 x 0.55 m, 40 kg chassis, six
-- 0.15 m wheels on sprung sliders, 40 N m velocity servos) crosses rough ground to a
-- goal: a heightfield (12 x 4 m, 0.1 m grid) with random smooth bumps, a strip of
-- rubble (static boxes, turned at random) and a few loose bricks (1.5 kg bodies).
-- Bumps, rubble and the goal's y are drawn from the episode RNG.
--
-- step() steers towards the goal: yaw rate proportional to the heading error, speed
-- reduced while the heading error is large, stop inside the goal radius.
--
-- success: the chassis centre within `goal_radius` of the goal, level (up z > 0.9)
-- failure: the crawler tipped over (up z < 0.5) or left the terrain (|y| > 2 m)
-- reward:  progress towards the goal per step (m)
-- metrics: distance to goal, min up z, max bump height met, path length

local robots = require "robots"
local kit = require "kit"

local rover                      -- the robot of the current episode (set in build)

local FIELD = {12, 4}            -- m, heightfield extents x y
local FIELD_X0 = 5               -- m, heightfield centre x
local DX = 0.1                   -- m, grid spacing

local scene = {
    name = "crawler_rubble",
    domain = "examples",
    description = "Six-wheeled crawler crosses bumps and rubble to a goal 9 m away",
    timestep = 0.002,
    time_limit = 40,
    view = {eye = {6.39, -7.17, 4.83}, target = {3.08, -0.07, 0.31}, fov = 45},
    world = {iterations = 30},
    params = {
        goal_x = {default = 9.0, min = 6.0, max = 10.0, description = "goal x, m"},
        goal_y = {default = 0.0, min = -0.8, max = 0.8, randomize = true, description = "goal y, m"},
        goal_radius = {default = 0.4, min = 0.1, max = 1.0, description = "success radius, m"},
        bumps = {default = 14, min = 0, max = 40, integer = true, description = "number of bumps"},
        bump_height = {default = 0.12, min = 0.0, max = 0.25, description = "max bump height, m"},
        rubble = {default = 25, min = 0, max = 60, integer = true, description = "static rubble pieces"},
        bricks = {default = 6, min = 0, max = 20, integer = true, description = "loose bricks"},
        speed = {default = 0.7, min = 0.1, max = 1.2, description = "cruise speed, m/s"},
    },
}

local function goal_dist(ctx)
    local x, y = rover:pose2d()
    return math.sqrt((ctx.state.gx - x) ^ 2 + (ctx.state.gy - y) ^ 2)
end

local function uniform(a, b) return a + (b - a) * math.random() end

function scene.build(world, ctx)
    local p = ctx.params
    world:material{name = "soil", friction = 0.9}
    world:material{name = "rock", friction = 0.7}
    -- ground plane a little below the field, for anything leaving it
    kit.room.floor(world, {offset = -0.005, material = "soil", color = {0.45, 0.4, 0.33}})

    -- heightfield: smooth gaussian bumps between x = 1.5 and 8 m (none at the start)
    local cols = math.floor(FIELD[1] / DX + 0.5) + 1
    local rows = math.floor(FIELD[2] / DX + 0.5) + 1
    local bumps = {}
    for i = 1, p.bumps do
        bumps[i] = {uniform(1.5, 8.0), uniform(-1.5, 1.5), uniform(0.3, 1.0) * p.bump_height, uniform(0.3, 0.7)}
    end
    local heights = {}
    local hmax = 0
    for j = 0, rows - 1 do
        local y = -FIELD[2] / 2 + j * DX
        for i = 0, cols - 1 do
            local x = FIELD_X0 - FIELD[1] / 2 + i * DX
            local h = 0
            for _, b in ipairs(bumps) do
                local d2 = (x - b[1]) ^ 2 + (y - b[2]) ^ 2
                h = h + b[3] * math.exp(-d2 / (b[4] * b[4]))
            end
            heights[#heights + 1] = h
            if h > hmax then hmax = h end
        end
    end
    world:geom{type = "heightfield", size = FIELD, rows = rows, cols = cols, heights = heights,
               pos = {FIELD_X0, 0, 0}, material = "soil", color = {0.5, 0.44, 0.35}}

    -- rubble: static boxes, partly sunk into the ground, in x = 2.5 .. 7.5
    for i = 1, p.rubble do
        local sx, sy, sz = uniform(0.08, 0.25), uniform(0.08, 0.25), uniform(0.04, 0.10)
        world:geom{type = "box", size = {sx, sy, sz},
                   pos = {uniform(2.5, 7.5), uniform(-1.2, 1.2), sz * uniform(0.1, 0.4)},
                   rpy = {uniform(-0.2, 0.2), uniform(-0.2, 0.2), uniform(-math.pi, math.pi)},
                   material = "rock", color = {0.55, 0.52, 0.5}}
    end
    -- loose bricks in x = 3 .. 7
    for i = 1, p.bricks do
        world:body{name = "brick" .. i, pos = {uniform(3.0, 7.0), uniform(-1.0, 1.0), 0.35},
                   rpy = {0, 0, uniform(-math.pi, math.pi)}, mass = 1.5,
                   geoms = {{type = "box", size = {0.2, 0.1, 0.06}, material = "rock", color = {0.7, 0.3, 0.2}}}}
    end

    rover = robots.crawler.build(world, {name = "rover", pos = {0, 0}, yaw = 0})
    local s = ctx.state
    s.gx, s.gy = p.goal_x, p.goal_y
    world:geom{type = "cylinder", radius = p.goal_radius, length = 0.01, pos = {s.gx, s.gy, 0.4},
               color = {0.2, 0.8, 0.2, 0.5}, category = 0, collide = 0}
    s.hmax = hmax
    s.up_min = 1
    s.path = 0
    s.px, s.py = rover:pose2d()
    s.prev_d = goal_dist(ctx)
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    local x, y, yaw = kit.track.motion(s, rover)
    local dx, dy = s.gx - x, s.gy - y
    local d = math.sqrt(dx * dx + dy * dy)
    if d < p.goal_radius * 0.5 then
        rover:set_twist(0, 0)
        return
    end
    local err = robots.kin.wrap(math.atan(dy, dx) - yaw)
    local v = p.speed * math.max(0, math.cos(err)) * math.min(1, d / 0.5 + 0.2)
    rover:set_twist(v, robots.kin.clamp(3.0 * err, -1.5, 1.5))
end

function scene.reward(ctx)
    local d = goal_dist(ctx)
    local r = ctx.state.prev_d - d
    ctx.state.prev_d = d
    return r
end

function scene.failure(ctx)
    local up = rover:up_z()
    if up < 0.5 then return true, string.format("the crawler tipped over (up z = %.2f)", up) end
    local _, y = rover:pose2d()
    if math.abs(y) > 2 then return true, "the crawler left the terrain" end
    return false
end

function scene.success(ctx)
    return goal_dist(ctx) < ctx.params.goal_radius and rover:up_z() > 0.9
end

function scene.metrics(ctx)
    local s = ctx.state
    return {
        goal_distance = goal_dist(ctx),
        min_up_z = s.up_min,
        max_bump_height = s.hmax,
        path_length = s.path,
    }
end

return scene
