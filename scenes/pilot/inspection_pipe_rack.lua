-- Industrial inspection: pipe-rack survey with a 3D lidar. A wheeled inspection robot
-- (robots.diffdrive, 0.5 x 0.4 m, 20 kg) drives the aisle under a 12 m pipe rack, scans
-- the pipes overhead segment by segment, finds a leak (a reflective leak tag / frost
-- patch hanging under one pipe at a random place) and reports its position.
--
-- Rack (dimensions of a typical refinery pipe rack): four steel bents, 4 m apart (x = 0,
-- 4, 8, 12), 3 m wide: 0.3 x 0.3 m H-columns at y = +-1.5, 6.2 m tall; cross beams
-- (0.3 x 0.3 m) with their tops at the two pipe levels 3.5 and 5.5 m; longitudinal
-- beams along the column tops. Pipes along the rack, resting on the beams, of real
-- outside diameters (NPS 24, 12, 8, 6 in on level 1; NPS 16, 10, 4 in on level 2):
-- 0.610, 0.324, 0.219, 0.168 m and 0.406, 0.273, 0.114 m.
-- Below the rack, in the aisle, a pump skid (1.0 x 0.9 x 1.2 m) at x = `skid_x`
-- (y -1.2..-0.3) with a hot-surface keep-out zone around it (x +-0.9 m, up to y = 0.15):
-- the robot must pass it on the other side.
-- A worker walks outside the rack (y = 2.6 m).
--
-- Inspection: the rack is 4 segments of 3 m (x 0-3, 3-6, 6-9, 9-12). A lidar return
-- counts for a segment when its end point lies within 4 cm of a pipe's surface and in
-- the segment's x range; a segment is scanned after `min_returns` such returns (only
-- returns within 8 m count). The leak tag (0.2 m cube, under a random level-1 pipe at
-- x = `leak_x`, moved to 0.35 m from a bent's cross beam when closer) returns a high
-- intensity.
--
-- Observation: pose {3} (x, y, yaw, world), twist {2} (forward speed, yaw rate),
--   cloud {1152, 4} (the last lidar scan registered in the world frame: x, y, z (m) and
--   intensity (1 the leak tag's retro-reflection, 0.2 steel, 0 no return, with the
--   point at the sensor)), coverage {4} (per segment: returns so far / min_returns,
--   capped at 1), scan_seq {1} (counts lidar scans: the cloud changed when it did),
--   keepout {4} (the skid zone xmin, ymin, xmax, ymax), report {2}
--   (1 once a report was made; its error in m, -1 before)
-- Action: base {2} (v [-0.3, 0.6] m/s, w [-1.2, 1.2] rad/s), report {4} (x, y, z of the
--   leak (m), submit when the 4th value > 0.5; the first submitted report is final)
-- success: every segment scanned and the leak reported within `report_tolerance`
-- failure: the robot touched the rack or the skid (any contact of its bodies with
--   static geometry above the floor), entered the keep-out zone, reported the leak
--   more than `report_tolerance` off, tipped, or hit the worker above the force limit
-- reward:  +0.25 per segment scanned, +1 for a correct report, -0.01 per second
-- metrics: segments scanned, pipe returns (all, and the fewest of any segment), leak
--   returns, report error (-1 without a report), path length,
--   min clearance to the rack (m), and the scenario.safety metrics

local robots = require "robots"
local scenario = require "scenario"
local kit = require "kit"

local bot, lidar, tag, worker, mon    -- handles of the current episode (set in build)

local BENTS = {0, 4, 8, 12}
local COL_Y = 1.5
local LEVELS = {3.5, 5.5}
local PIPES = {                       -- y, outside diameter, level
    {-1.0, 0.610, 1}, {-0.25, 0.324, 1}, {0.45, 0.219, 1}, {1.0, 0.168, 1},
    {-0.9, 0.406, 2}, {0.05, 0.273, 2}, {0.85, 0.114, 2},
}
local SKID = {1.0, 0.9, 1.2}
local SKID_Y = -0.75
local H_BEAMS, V_BEAMS = 96, 12
local V_MIN, V_MAX = 0.25, 1.50
local MOUNT = {0.0, 0.0, 0.2}        -- lidar on the chassis (link frame), about 0.38 m up
local RANGE = 10.0
local COUNT_RANGE = 8.0

local scene = {
    name = "inspection_pipe_rack",
    domain = "industrial_inspection",
    description = "Wheeled robot surveys a pipe rack with a 3D lidar, finds and reports a leak",
    timestep = 0.004,
    time_limit = 70,
    view = {eye = {-3.00, -3.50, 2.20}, target = {1.00, 1.00, 0.60}, fov = 45},
    world = {contact_forces = true},
    policy = "policies.pipe_rack",
    params = {
        leak_x = {default = 6.0, min = 0.5, max = 11.5, randomize = true, description = "leak tag position along the rack, m"},
        skid_x = {default = 6.0, min = 5.0, max = 7.0, randomize = true, description = "pump skid position along the rack, m"},
        min_returns = {default = 1500, min = 100, max = 5000, integer = true, description = "pipe returns a segment needs"},
        report_tolerance = {default = 0.5, min = 0.2, max = 1.5, description = "report error accepted, m"},
        lidar_noise = {default = 0.01, min = 0.0, max = 0.03, randomize = true, description = "lidar range noise stddev, m"},
        sunlight = {default = 0.3, min = 0.0, max = 1.0, randomize = true, description = "0 night .. 1 noon sun: solar background scales the range noise (1 + sunlight)"},
        steam = {default = 0.0, min = 0.0, max = 0.3, randomize = true, description = "steam/haze: lidar attenuation"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "concrete floor mu"},
        start_yaw = {default = 0.0, min = -0.3, max = 0.3, randomize = true, description = "robot start heading, rad"},
        worker_speed = {default = 1.1, min = 0.8, max = 1.4, randomize = true, description = "worker walking speed, m/s"},
    },
}

local function keepout(p)
    return {p.skid_x - 0.9, -COL_Y, p.skid_x + 0.9, 0.15}
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    world:material{name = "concrete", friction = p.floor_friction}
    world:material{name = "steel", friction = 0.5}
    kit.room.floor(world, {material = "concrete", color = {0.6, 0.6, 0.58}})
    kit.props.pipe_rack(world, {bents = BENTS, half_width = COL_Y, levels = LEVELS, height = 6.2, length = 12.3, x_mid = 6,
                            pipes = PIPES, pipe_length = 13, material = "steel"})
    -- pump skid and its keep-out
    world:geom{type = "box", size = SKID, pos = {p.skid_x, SKID_Y, SKID[3] / 2}, material = "steel", color = {0.25, 0.45, 0.3}}
    -- the leak tag under a random level-1 pipe
    local lp = PIPES[math.random(4)]
    -- its top against the pipe's underside (the pipe rests on the beams at the level);
    -- kept 0.35 m clear of a bent's cross beam, where it would sit inside the beam
    local lx = p.leak_x
    for _, bx in ipairs(BENTS) do
        if math.abs(lx - bx) < 0.35 then lx = (lx < bx) and bx - 0.35 or bx + 0.35 end
    end
    tag = world:body{name = "leak_tag", kind = "kinematic", pos = {lx, lp[1], LEVELS[1] - 0.1},
                     geoms = {{type = "box", size = {0.2, 0.2, 0.2}, color = {1.0, 0.45, 0.0}}}}

    bot = robots.diffdrive.build(world, {name = "bot", pos = {-1.5, 0}, yaw = p.start_yaw})
    lidar = world:sensor{type = "lidar", name = "lidar3d", body = bot.chassis, pos = MOUNT, rate = 10,
                         h_beams = H_BEAMS, h_fov = 2 * math.pi, v_beams = V_BEAMS, v_min = V_MIN, v_max = V_MAX,
                         range_min = 0.1, range_max = RANGE, attenuation = p.steam,
                         noise = {stddev = p.lidar_noise * (1 + p.sunlight)}}
    worker = scenario.human.spawn(world, {name = "worker", path = {{0, 2.6}, {12, 2.6}}, speed = p.worker_speed, loop = true, wait = 2})
    mon = scenario.safety.new(world, {robot_bodies = {{body = bot.chassis, radius = 0.32}}, humans = {worker},
                             keepout = {keepout(p)}, state = s})
    -- beam directions in the sensor frame, in the sensor's own order (v major, h minor)
    s.seg = {0, 0, 0, 0}
    s.scanned = 0
    s.pipe_returns, s.leak_returns = 0, 0
    s.stamp = -1
    s.seq, s.copied = 0, -1
    s.reported, s.report_err = false, -1
    s.fail = ""
    s.path, s.px, s.py = 0, -1.5, 0
    s.clear = 1e9
    s.r_scanned, s.r_report = 0, false
    s.cloud = {}
end

-- beam unit vectors in the sensor frame (as lidar.c orders them)
local DIRS = {}
for v = 0, V_BEAMS - 1 do
    local el = V_MIN + (V_MAX - V_MIN) * v / (V_BEAMS - 1)
    for h = 0, H_BEAMS - 1 do
        local az = -math.pi + 2 * math.pi * h / H_BEAMS
        DIRS[#DIRS + 1] = {math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el)}
    end
end

-- On every new lidar sample: register the points, count pipe returns per segment.
local function process_scan(ctx)
    local s = ctx.state
    local st = lidar:stamp()
    if st == s.stamp then return end
    s.stamp = st
    s.seq = s.seq + 1
    local q = {bot.chassis:quat()}
    local ox, oy, oz = bot.chassis:to_world(MOUNT[1], MOUNT[2], MOUNT[3])
    local data = lidar:data()
    local hits = lidar:hits()
    local tid = tag:id()
    local cloud = s.cloud
    for i = 1, #DIRS do
        local d = data[i]
        local k = (i - 1) * 4
        if d == d and d < RANGE - 1e-3 then
            local u = robots.kin.rotate(q, DIRS[i])
            local x, y, z = ox + d * u[1], oy + d * u[2], oz + d * u[3]
            local hit = hits[i]
            cloud[k + 1], cloud[k + 2], cloud[k + 3] = x, y, z
            cloud[k + 4] = (hit == tid) and 1.0 or 0.2
            if hit == tid then s.leak_returns = s.leak_returns + 1 end
            if d <= COUNT_RANGE and x >= 0 and x <= 12 then
                for _, pp in ipairs(PIPES) do
                    local r = pp[2] / 2
                    local cz = LEVELS[pp[3]] + r
                    local dr = math.sqrt((y - pp[1]) ^ 2 + (z - cz) ^ 2) - r
                    if math.abs(dr) < 0.04 then
                        local sg = math.min(4, math.floor(x / 3) + 1)
                        s.seg[sg] = s.seg[sg] + 1
                        s.pipe_returns = s.pipe_returns + 1
                        break
                    end
                end
            end
        else
            cloud[k + 1], cloud[k + 2], cloud[k + 3], cloud[k + 4] = ox, oy, oz, 0
        end
    end
    local n = 0
    for k = 1, 4 do if s.seg[k] >= ctx.params.min_returns then n = n + 1 end end
    s.scanned = n
end

scene.observation = {
    pose = {shape = {3}, fn = function(ctx, out) out[1], out[2], out[3] = bot:pose2d() end},
    twist = {shape = {2}, fn = function(_, out) out[1], out[2] = kit.rover.twist(bot) end},
    cloud = {shape = {H_BEAMS * V_BEAMS, 4}, fn = function(ctx, out)
        local s = ctx.state
        if s.copied == s.seq then return end         -- the buffer keeps the last scan
        s.copied = s.seq
        local c = s.cloud
        for i = 1, H_BEAMS * V_BEAMS * 4 do out[i] = c[i] or 0 end
    end},
    scan_seq = {shape = {1}, fn = function(ctx, out) out[1] = ctx.state.seq end},
    coverage = {shape = {4}, fn = function(ctx, out)
        for k = 1, 4 do out[k] = math.min(1, ctx.state.seg[k] / ctx.params.min_returns) end
    end},
    keepout = {shape = {4}, fn = function(ctx, out)
        local r = keepout(ctx.params)
        out[1], out[2], out[3], out[4] = r[1], r[2], r[3], r[4]
    end},
    report = {shape = {2}, fn = function(ctx, out)
        out[1], out[2] = ctx.state.reported and 1 or 0, ctx.state.report_err
    end},
}

scene.action = {
    base = {shape = {2}, low = {-0.3, -1.2}, high = {0.6, 1.2}},
    report = {shape = {4}, low = {-5, -5, 0, 0}, high = {20, 5, 8, 1}},
}

function scene.act(ctx, action)
    local s, p = ctx.state, ctx.params
    bot:set_twist(action.base[1], action.base[2])
    if action.report[4] > 0.5 and not s.reported then
        s.reported = true
        local tx, ty, tz = tag:pos()
        local r = action.report
        s.report_err = math.sqrt((r[1] - tx) ^ 2 + (r[2] - ty) ^ 2 + (r[3] - tz) ^ 2)
        if s.report_err > p.report_tolerance then
            s.fail = string.format("wrong leak report: %.2f m off (tolerance %.2f m)", s.report_err, p.report_tolerance)
        end
    end
end

function scene.step(ctx)
    local s = ctx.state
    worker:update(ctx)
    process_scan(ctx)
    local x, y = bot:pose2d()
    kit.track.odometer(s, x, y)
    -- clearance: chassis centre to the nearest column or skid face, minus half its width
    local c = 1e9
    for _, bx in ipairs(BENTS) do
        for _, sy in ipairs({1, -1}) do
            local dx = math.max(0, math.abs(x - bx) - 0.15)
            local dy = math.max(0, math.abs(y - sy * COL_Y) - 0.15)
            c = math.min(c, math.sqrt(dx * dx + dy * dy))
        end
    end
    local dx = math.max(0, math.abs(x - ctx.params.skid_x) - SKID[1] / 2)
    local dy = math.max(0, math.abs(y - SKID_Y) - SKID[2] / 2)
    c = math.min(c, math.sqrt(dx * dx + dy * dy)) - 0.25
    if c < s.clear then s.clear = c end
    -- collisions: the robot's bodies against static geometry above the floor
    if s.fail == "" and c < 0.3 then
        local mine = {[bot.chassis:name()] = true, [bot.wheel_left:name()] = true, [bot.wheel_right:name()] = true}
        for _, ct in ipairs(ctx.world:contacts()) do
            local b1, b2 = ct.body1, ct.body2
            local me = (b1 and mine[b1:name()] and not b2) or (b2 and mine[b2:name()] and not b1)
            if me and ct.pos[3] > 0.02 then
                s.fail = string.format("the robot hit the rack or the skid at (%.2f, %.2f, %.2f)", ct.pos[1], ct.pos[2], ct.pos[3])
                break
            end
        end
    end
    mon:update(ctx)
end

function scene.reward(ctx)
    local s = ctx.state
    local r = 0.25 * (s.scanned - s.r_scanned) - 0.01 * ctx.dt
    if s.reported and s.report_err <= ctx.params.report_tolerance and not s.r_report then r = r + 1; s.r_report = true end
    s.r_scanned = s.scanned
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    if s.fail ~= "" then return true, s.fail end
    if s.safety.in_keepout then return true, "entered the skid's keep-out zone" end
    if bot:up_z() < 0.8 then return true, "the robot tipped" end
    return mon:failed_now("the worker")
end

function scene.success(ctx)
    local s, p = ctx.state, ctx.params
    return s.scanned == 4 and s.reported and s.report_err <= p.report_tolerance
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = kit.track.copy(mon:metrics(), s, {segments_scanned = "scanned", pipe_returns = "pipe_returns",
                                            leak_returns = "leak_returns", report_error = "report_err",
                                            path_length = "path", min_clearance = "clear"})
    m.min_segment_returns = math.min(s.seg[1], s.seg[2], s.seg[3], s.seg[4])
    return m
end

return scene
