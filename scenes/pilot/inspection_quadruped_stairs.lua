-- Industrial inspection: a legged inspection robot (robots.go2, the Unitree Go2, 16.1 kg,
-- walking with its closed-loop trot dog:walk) climbs from the plant floor up a flight of
-- steel steps to a pump platform, reads the pressure gauge there, then walks up a
-- steel ramp to the upper deck and checks the valve station at its end.
--
-- Plant (along +x, the route at y = 0; kit.terrain.climb): 1.5 m of concrete floor, three
-- steps of `rise` m with `run` m treads (steel, mu `grating_friction`) up to a 1 m pump
-- platform, a ramp of `slope` degrees rising 0.3 m, a 1.5 m upper deck. Handrail posts
-- line both sides (y = +-0.85); a pump and its piping stand beside the platform, with a
-- hot-surface keep-out zone on the platform's left edge (y 0.45 .. 0.6 m) the robot
-- must not enter. A worker walks the floor beside the stairs (y = -1.6 m).
--
-- Checkpoints, in order: the gauge on the platform (the base within 0.4 m of the
-- platform's middle) and the valve station (0.6 m past the top of the ramp).
--
-- observation: pose {3} (x, y, yaw; world, m, rad; ground truth), imu {10} (the base IMU:
--   specific force m/s^2, angular velocity rad/s, quaternion), feet {4} (contact 0/1, FL FR
--   RL RR), goal {3} (next checkpoint in the robot frame: forward, left (m); checkpoints
--   done), people {4} (worker: dx, dy (robot frame, m), vx, vy (robot frame, m/s))
-- action: cmd {2}: forward speed (m/s, 0 .. 0.4) and yaw rate (rad/s, -0.6 .. 0.6) for the
--   trot; act() limits the speed change to 0.5 m/s^2
-- success: both checkpoints reached, upright (up z > 0.8)
-- failure: fell (base < 0.12 m above the course), tipped (up z < 0.6), entered the hot
--   zone, or touched the worker above the ISO/TS 15066 limits
-- reward:  +1 per checkpoint, forward progress along the route (m), -0.01 per second
-- metrics: checkpoints, progress, top height reached, min up z, the gait's riser_hits (swings
--   that hit a riser), edge landings and touchdowns, path length, and the scenario.safety metrics

local go2 = require "robots.go2"
local kit = require "kit"
local scenario = require "scenario"

local dog, course, worker, mon   -- handles of the current episode (set in build)

local STEPS_X = 1.5              -- m, front edge of the first step
local N_STEPS = 3
local RAMP_RISE = 0.3            -- m
local REACH = 0.4                -- m, checkpoint radius
local RAIL_Y = 0.85              -- m, handrail posts

local scene = {
    name = "inspection_quadruped_stairs",
    domain = "industrial_inspection",
    description = "Quadruped climbs plant stairs and a ramp to read a platform gauge and check the upper deck's valves",
    instruction = "Climb the stairs to the pump platform, read the pressure gauge, then walk up the ramp to the valve station on the upper deck.",
    view = {eye = {-1.2, -3.2, 2.0}, target = {2.8, 0, 0.3}, fov = 55},
    timestep = 0.002,
    time_limit = 60,
    world = {iterations = 30, contact_forces = true},
    policy = "policies.quadruped_stairs",
    params = {
        rise = {default = 0.10, min = 0.08, max = 0.10, randomize = true, description = "step rise, m"},
        run = {default = 0.35, min = 0.30, max = 0.40, randomize = true, description = "step tread depth, m"},
        slope = {default = 20, min = 15, max = 20, randomize = true, description = "ramp slope, deg"},
        grating_friction = {default = 0.8, min = 0.6, max = 1.0, randomize = true, description = "steel steps and ramp mu"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "concrete floor mu"},
        start_y = {default = 0.0, min = -0.1, max = 0.1, randomize = true, description = "start offset across the route, m"},
        start_yaw = {default = 0.0, min = -0.15, max = 0.15, randomize = true, description = "start heading, rad"},
        worker_speed = {default = 1.1, min = 0.8, max = 1.4, randomize = true, description = "worker walking speed, m/s"},
    },
}

local function hot_zone()
    return {course.ramp_x - 0.9, 0.45, course.ramp_x - 0.1, 0.6}
end

local function checkpoints()
    return {{(course.steps_end + course.ramp_x) / 2, 0}, {course.top_x + 0.6, 0}}
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    world:material{name = "concrete", friction = p.floor_friction}
    world:material{name = "grating", friction = p.grating_friction}
    kit.room.floor(world, {material = "concrete", color = {0.58, 0.58, 0.56}})
    course = kit.terrain.climb(world, {x = STEPS_X, n = N_STEPS, rise = p.rise, run = p.run, slope = p.slope,
                                   ramp_rise = RAMP_RISE, width = 1.4, material = "grating", color = {0.45, 0.47, 0.5}})
    -- handrail posts (1.1 m above the course) and the pump with its piping beside the platform
    for x = STEPS_X, course.top_x + 1.5, 0.75 do
        local h = course.height(x) + 1.1
        for _, y in ipairs({-RAIL_Y, RAIL_Y}) do
            world:geom{type = "box", size = {0.05, 0.05, h}, pos = {x, y, h / 2}, color = {0.95, 0.75, 0.1}}
        end
    end
    local px = course.ramp_x - 0.5
    world:geom{type = "box", size = {0.8, 0.6, 0.7}, pos = {px, 1.3, N_STEPS * p.rise + 0.35}, color = {0.2, 0.4, 0.7}}
    world:geom{type = "cylinder", radius = 0.08, length = 3.0, pos = {px, 1.3, 1.4}, color = {0.7, 0.5, 0.2}}
    world:geom{type = "cylinder", radius = 0.6, length = 2.5, pos = {0.0, 2.2, 1.25}, color = {0.62, 0.63, 0.66}}
    dog = go2.build(world, {name = "go2", pos = {0, p.start_y}, yaw = p.start_yaw, sensors = true})
    worker = scenario.human.spawn(world, {name = "worker", path = {{-0.5, -1.6}, {5.5, -1.6}}, speed = p.worker_speed,
                                 wait = 1.5, offset = math.random() * 6})
    mon = scenario.safety.new(world, {robot_bodies = {{body = dog.base, radius = 0.35}}, humans = {worker},
                             keepout = {hot_zone()}, state = s})
    s.gait = dog:walk_state()
    s.cp, s.rewarded = 1, 1
    s.v, s.w = 0, 0
    s.top, s.up_min, s.clear = 0, 1, 0.3
    s.path, s.px, s.py = 0, 0, p.start_y
end

scene.observation = {
    pose = {shape = {3}, fn = function(_, out) out[1], out[2], out[3] = dog:pose2d() end},
    imu = {sensor = "go2/imu"},
    feet = {shape = {4}, fn = function(_, out)
        for i, leg in ipairs(dog.legs) do out[i] = dog.touch[leg]:value(1) end
    end},
    goal = {shape = {3}, fn = function(ctx, out)
        local cps = checkpoints()
        local g = cps[math.min(ctx.state.cp, #cps)]
        local x, y, yaw = dog:pose2d()
        out[1], out[2] = kit.util.to_local(x, y, yaw, g[1], g[2])
        out[3] = ctx.state.cp - 1
    end},
    people = {shape = {4}, fn = function(_, out)
        local x, y, yaw = dog:pose2d()
        local hx, hy = worker:pos()
        local vx, vy = worker:vel()
        out[1], out[2] = kit.util.to_local(x, y, yaw, hx, hy)
        out[3], out[4] = kit.util.to_local(0, 0, yaw, vx, vy)
    end},
}

scene.action = {cmd = {shape = {2}, low = {0, -0.6}, high = {0.4, 0.6}}}

function scene.act(ctx, action)
    local s = ctx.state
    s.v = kit.util.approach(s.v, action.cmd[1], 0.5, ctx.dt)
    s.w = action.cmd[2]
end

function scene.step(ctx)
    local s = ctx.state
    worker:update(ctx)
    dog:walk(ctx.t, {vx = s.v, wz = s.w}, s.gait, ctx.dt)
    mon:update(ctx)
    local x, y = dog:pose2d()
    local _, _, z = dog.base:pos()
    kit.track.odometer(s, x, y)
    s.top = math.max(s.top, course.height(x))
    s.up_min = math.min(s.up_min, dog:up_z())
    s.clear = z - course.height(x)
    local cps = checkpoints()
    if s.cp <= #cps and kit.util.dist2d(x, y, cps[s.cp][1], cps[s.cp][2]) < REACH then s.cp = s.cp + 1 end
end

function scene.reward(ctx)
    local s = ctx.state
    local vx = dog.base:linvel()           -- the route runs along +x
    local r = (vx - 0.01) * ctx.dt
    if s.cp > s.rewarded then r, s.rewarded = r + (s.cp - s.rewarded), s.cp end
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    local up = dog:up_z()
    if s.clear < 0.12 then return true, "the robot fell" end
    if up < 0.6 then return true, string.format("the robot tipped (up z = %.2f)", up) end
    if s.safety.keepout_steps > 0 then return true, "the robot entered the hot zone" end
    return scenario.safety.failed(ctx, "the worker")
end

function scene.success(ctx)
    return ctx.state.cp > 2 and dog:up_z() > 0.8
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = mon:metrics(ctx)
    m.checkpoints = s.cp - 1
    m.progress = dog:pose2d()
    m.top_height = s.top
    m.min_up_z = s.up_min
    m.riser_hits = s.gait.riser_hits
    m.edge_landings = s.gait.edge_hits
    m.touchdowns = s.gait.touchdowns
    m.path_length = s.path
    return m
end

return scene
