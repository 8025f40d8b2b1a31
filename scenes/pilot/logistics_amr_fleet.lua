-- Warehouse AMR fleet with traffic rules: `n_robots` (12) small AMRs (robots.diffdrive,
-- 0.5 x 0.4 m, centred axle) circulate three one-way loops of a 16 x 10 m warehouse floor
-- between storage blocks, each loop with a pick and a drop station (stand still 1 s at
-- each). The loops: A, the ring road (counter-clockwise: east along y = 2, north along
-- x = 14, west along y = 8, south along x = 2); B, the east loop (south along the cross
-- aisle x = 8, then the ring's east half); C, the north loop (east along the middle aisle
-- y = 5, then the ring's north half). Robots are dealt to A, B, C in turn (4 each of 12), spread evenly along their loops.
-- Traffic rules:
--   one-way lanes      driving against the lane (velocity along the lane < -0.2 m/s) is
--                      a wrong-way violation (counted once per robot and occurrence)
--   conflict zones     2 x 2 m boxes: the crossing (8, 5) of B and C, the merge (8, 2) of B
--                      into the ring, the merge (14, 5) of C into the ring. Right of way:
--                      at the crossing the robot coming from the right (C, eastbound); at
--                      a merge the robot already on the ring. Entering a zone another robot
--                      is in, or without right of way while a robot with it is within
--                      1.5 m of the zone and moving towards it, is a violation
--   collisions         any two AMRs touching (world:contact_pairs over the fleet) end the
--                      episode
-- Throughput: a delivery is a drop after a pick by the same robot.
--
-- observation: amr {n_robots, 9}: per robot dx, dy (its next route point in its own frame,
--   m), stop (1 when that point is a station), speed (m/s), gap (m to the nearest robot in
--   a 0.6 m wide lane ahead, 9 if none within 3 m), zone distance (m along the lane to
--   the edge of the next conflict zone ahead, 9 if none within 4 m), zone busy (another
--   robot inside it), must yield (it lacks the right of way there and a robot that has it
--   is within 3 m of the zone, moving towards it; both 0 once inside the zone: clear it),
--   loaded (0/1); fleet {deliveries, violations, collisions}
-- action: cmd {n_robots, 2}: per robot v (m/s, -0.2..1.0), w (rad/s, -1.5..1.5)
--   (bounds broadcast over the robots); act() applies acceleration limits
-- success: `target` deliveries with at most `max_violations` rule violations
-- failure: a collision, more than `max_violations` violations, a robot tipped
-- reward:  +1 per delivery, -1 per violation, -0.01 per second
-- metrics: deliveries, throughput (per minute), violations (wrong-way, zone), collisions,
--          path length (fleet total), time + scenario.safety's (no people: keep-out only)

local diffdrive = require "robots.diffdrive"
local safety = require "scenario.safety"
local kit = require "kit"

local N_DEFAULT = 12
local LOOPS = {
    {corners = {{2, 2}, {14, 2}, {14, 8}, {2, 8}}, pick = {5, 2, 1}, drop = {2, 4.5, 4}, offset = 0.0},
    {corners = {{8, 8}, {8, 2}, {14, 2}, {14, 8}}, pick = {8, 7, 1}, drop = {8, 3.4, 1}, offset = 1.5},
    {corners = {{2, 5}, {14, 5}, {14, 8}, {2, 8}}, pick = {4.5, 5, 1}, drop = {11, 5, 1}, offset = 3.0},
}
-- conflict zones: centre, half size, the heading that has the right of way
local ZONES = {{8, 5, 1.0, 1, 0}, {8, 2, 1.0, 1, 0}, {14, 5, 1.0, 0, 1}}

local amrs, mon = {}, nil
local route = {}               -- per robot: its loop's point list {x, y, stop, kind}

local scene = {
    name = "logistics_amr_fleet",
    domain = "logistics",
    description = "Twelve AMRs circulate one-way warehouse loops with pick/drop stations, a crossing and two merges with right of way",
    instruction = function(params)
        return string.format("Run the %d AMRs on their one-way loops and make %d deliveries without a collision or a traffic violation.",
                             params.n_robots, params.target)
    end,
    timestep = 0.01,
    time_limit = 75,
    world = {contact_forces = true},
    policy = "policies.amr_fleet",
    view = {eye = {8, -7, 14}, target = {8, 5, 0}, fov = 55},
    params = {
        n_robots = {default = N_DEFAULT, min = 3, max = 12, integer = true, description = "AMRs (dealt to the loops A, B, C in turn)"},
        target = {default = 6, min = 1, max = 40, integer = true, description = "deliveries to make"},
        max_violations = {default = 0, min = 0, max = 100, integer = true, description = "traffic rule violations tolerated"},
        dwell = {default = 1.0, min = 0.5, max = 3.0, randomize = true, description = "time at a station (s)"},
        start_jitter = {default = 0.0, min = 0.0, max = 0.2, randomize = true, description = "start position jitter along the lane (m)"},
        floor_friction = {default = 0.8, min = 0.5, max = 1.0, randomize = true, description = "warehouse floor mu"},
        accel = {default = 1.0, min = 0.1, max = 5.0, description = "AMR acceleration limit applied by act (m/s^2)"},
    },
}

-- a loop's route: corners with the stations inserted on their segments, in driving order
local function loop_points(L)
    local pts, c = {}, L.corners
    for i = 1, #c do
        pts[#pts + 1] = {c[i][1], c[i][2], false, "corner"}
        for _, st in ipairs({{L.pick, "pick"}, {L.drop, "drop"}}) do
            if st[1][3] == i then pts[#pts + 1] = {st[1][1], st[1][2], true, st[2]} end
        end
    end
    return pts
end

local function loop_length(c)
    local s = 0
    for i = 1, #c do s = s + kit.util.dist2d(c[i][1], c[i][2], c[i % #c + 1][1], c[i % #c + 1][2]) end
    return s
end

-- point at arc length u along the closed corner list; returns x, y, index of the segment's end corner
local function loop_at(c, u)
    for i = 1, #c do
        local a, b = c[i], c[i % #c + 1]
        local l = kit.util.dist2d(a[1], a[2], b[1], b[2])
        if u <= l then return a[1] + u / l * (b[1] - a[1]), a[2] + u / l * (b[2] - a[2]), i % #c + 1 end
        u = u - l
    end
end

-- the lane segment robot i drives now: from the previous route point to the next
local function lane(s, i)
    local r = s.amr[i]
    local pts = route[i]
    local b = pts[r.k]
    local a = pts[(r.k - 2) % #pts + 1]
    local dx, dy = b[1] - a[1], b[2] - a[2]
    local l = math.sqrt(dx * dx + dy * dy)
    return a, b, dx / l, dy / l
end

local function in_zone(z, x, y) return math.abs(x - z[1]) < z[3] and math.abs(y - z[2]) < z[3] end

-- the conflict zone robot i approaches on its lane: zone index, distance to its edge
local function next_zone(s, i, x, y)
    local a, b, ux, uy = lane(s, i)
    local best, bd = nil, 1e9
    for zi, z in ipairs(ZONES) do
        local t = (z[1] - a[1]) * ux + (z[2] - a[2]) * uy
        local off = math.abs(-(z[1] - a[1]) * uy + (z[2] - a[2]) * ux)
        local tr = (x - a[1]) * ux + (y - a[2]) * uy
        local len = (b[1] - a[1]) * ux + (b[2] - a[2]) * uy
        if off < 0.3 and t <= len + 0.3 and t - tr > -z[3] and t - tr - z[3] < bd then
            best, bd = zi, t - tr - z[3]
        end
    end
    return best, bd
end

local function has_priority(z, ux, uy) return ux * z[4] + uy * z[5] > 0.7 end

-- The fleet's state after the last physics step, computed once per step (the observation
-- and the rule checks both read it): per robot x, y, yaw, speed, the lane direction ux, uy,
-- and the next conflict zone zi (nil if none) with the distance zd to its edge.
local snap = {step = -1}

local function fleet(ctx)
    if snap.step == ctx.step and snap.t == ctx.t then return snap end
    local s = ctx.state
    snap.step, snap.t = ctx.step, ctx.t
    for i, bot in ipairs(amrs) do
        local e = snap[i] or {}
        snap[i] = e
        e.x, e.y, e.yaw = bot:pose2d()
        local vx, vy = bot.chassis:linvel()
        e.vx, e.vy, e.speed = vx, vy, math.sqrt(vx * vx + vy * vy)
        local _, _, ux, uy = lane(s, i)
        e.ux, e.uy = ux, uy
        e.zi, e.zd = next_zone(s, i, e.x, e.y)
    end
    return snap
end

-- zone state for robot i approaching zone zi: busy (another robot inside), must yield (a
-- robot with the right of way is within `horizon` m of the zone and moving towards it)
local function zone_state(f, i, zi, horizon)
    local z = ZONES[zi]
    local me = f[i]
    local busy, yield = false, false
    local mine = has_priority(z, me.ux, me.uy)
    for j = 1, #amrs do
        local q = f[j]
        if j ~= i then
            if in_zone(z, q.x, q.y) then busy = true end
            if not mine and q.zi == zi and has_priority(z, q.ux, q.uy) and q.zd < horizon and q.zd > -0.01 and
                (q.speed > 0.1 or q.zd < 0.5) then
                yield = true
            end
        end
    end
    return busy, yield
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = p.floor_friction, color = {0.62, 0.62, 0.6}})
    kit.room.walls(world, {0, 0, 16, 10}, {height = 1.5, color = {0.8, 0.8, 0.75}})
    -- storage blocks between the lanes, lane markings
    for _, b in ipairs({{3.2, 2.9, 6.8, 4.1}, {9.2, 2.9, 12.8, 4.1}, {3.2, 5.9, 6.8, 7.1}, {9.2, 5.9, 12.8, 7.1}}) do
        world:geom{type = "box", size = {b[3] - b[1], b[4] - b[2], 1.2}, pos = {(b[1] + b[3]) / 2, (b[2] + b[4]) / 2, 0.6},
                   color = {0.35, 0.45, 0.6}}
    end
    for _, z in ipairs(ZONES) do
        world:geom{type = "box", size = {2 * z[3], 2 * z[3], 0.002}, pos = {z[1], z[2], 0.001}, color = {0.9, 0.75, 0.2},
                   collide = 0, category = 0}
    end
    amrs, route, s.amr, snap = {}, {}, {}, {step = -1}
    local count = {0, 0, 0}
    local bodies = {}
    for i = 1, p.n_robots do
        local li = (i - 1) % 3 + 1
        count[li] = count[li] + 1
    end
    local dealt = {0, 0, 0}
    for i = 1, p.n_robots do
        local li = (i - 1) % 3 + 1
        local L = LOOPS[li]
        local len = loop_length(L.corners)
        local u = (L.offset + dealt[li] * len / count[li] + kit.util.uniform(0, p.start_jitter)) % len
        dealt[li] = dealt[li] + 1
        local x, y, nk = loop_at(L.corners, u)
        route[i] = loop_points(L)
        -- the next route point: a station ahead on this segment, else the corner nk
        local pts, cn, cp = route[i], L.corners[nk], L.corners[(nk - 2) % #L.corners + 1]
        local k, pk = 1, 1
        for j, q in ipairs(pts) do
            if q[4] == "corner" and q[1] == cn[1] and q[2] == cn[2] then k = j end
            if q[4] == "corner" and q[1] == cp[1] and q[2] == cp[2] then pk = j end
        end
        local yaw = math.atan(cn[2] - cp[2], cn[1] - cp[1])
        for j = pk + 1, pk + #pts - 1 do
            local jj = (j - 1) % #pts + 1
            if jj == k then break end
            if kit.util.to_local(x, y, yaw, pts[jj][1], pts[jj][2]) > 0 then k = jj; break end
        end
        amrs[i] = diffdrive.build(world, {name = "amr" .. i, pos = {x, y}, yaw = yaw, casters = 2, wheel_x = 0,
                                          caster_lift = 0.004})
        bodies[i] = {body = amrs[i].chassis, radius = 0.3}
        local zin = 0
        for zi, z in ipairs(ZONES) do if in_zone(z, x, y) then zin = zi end end
        s.amr[i] = {k = k, loaded = false, dwell = 0, v = 0, w = 0, wrong = false, zone = zin, px = x, py = y}
    end
    mon = safety.new(world, {robot_bodies = bodies, state = s})
    s.deliveries, s.wrong_way, s.zone_viol, s.collisions, s.touching, s.rewarded, s.path = 0, 0, 0, 0, {}, 0, 0
end

scene.observation = {
    amr = {shape = {"n_robots", 9}, fn = function(ctx, out)
        local s = ctx.state
        local f = fleet(ctx)
        for i = 1, #amrs do
            local r, e, o = s.amr[i], f[i], (i - 1) * 9
            local q = route[i][r.k]
            out[o + 1], out[o + 2] = kit.util.to_local(e.x, e.y, e.yaw, q[1], q[2])
            out[o + 3] = q[3] and 1 or 0
            out[o + 4] = e.speed
            local gap = 9
            for j = 1, #amrs do
                if j ~= i then
                    local ax, ly = kit.util.to_local(e.x, e.y, e.yaw, f[j].x, f[j].y)
                    if ax > 0 and ax < 3 and math.abs(ly) < 0.6 and ax - 0.5 < gap then gap = ax - 0.5 end
                end
            end
            out[o + 5] = gap
            out[o + 6], out[o + 7], out[o + 8] = 9, 0, 0
            if e.zi and e.zd < 4 then
                local busy, yield = zone_state(f, i, e.zi, 3.0)
                out[o + 6], out[o + 7], out[o + 8] = e.zd, busy and 1 or 0, yield and 1 or 0
                if in_zone(ZONES[e.zi], e.x, e.y) then out[o + 7], out[o + 8] = 0, 0 end   -- inside: clear it
            end
            out[o + 9] = r.loaded and 1 or 0
        end
    end},
    fleet = {shape = {3}, fn = function(ctx, out)
        local s = ctx.state
        out[1], out[2], out[3] = s.deliveries, s.wrong_way + s.zone_viol, s.collisions
    end},
}

scene.action = {cmd = {shape = {"n_robots", 2}, low = {-0.2, -1.5}, high = {1.0, 1.5}}}

function scene.act(ctx, action)
    local s, a = ctx.state, action.cmd
    for i, bot in ipairs(amrs) do
        local r = s.amr[i]
        r.v = kit.util.approach(r.v, a[(i - 1) * 2 + 1], ctx.params.accel, ctx.dt)
        r.w = kit.util.approach(r.w, a[(i - 1) * 2 + 2], 3.0, ctx.dt)
        bot:set_twist(r.v, r.w)
    end
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    mon:update(ctx)
    local f = fleet(ctx)
    for i = 1, #amrs do
        local r, e = s.amr[i], f[i]
        local x, y = e.x, e.y
        s.path = s.path + kit.util.dist2d(r.px, r.py, x, y)
        r.px, r.py = x, y
        -- one-way lanes
        local wrong = e.vx * e.ux + e.vy * e.uy < -0.2
        if wrong and not r.wrong then s.wrong_way = s.wrong_way + 1 end
        r.wrong = wrong
        -- conflict zones: entering one
        local zin = 0
        for zi, z in ipairs(ZONES) do if in_zone(z, x, y) then zin = zi end end
        if zin > 0 and r.zone ~= zin then
            local busy, yield = zone_state(f, i, zin, 1.5)
            if busy or yield then s.zone_viol = s.zone_viol + 1 end
        end
        r.zone = zin
        -- route progress
        local q = route[i][r.k]
        local d = kit.util.dist2d(x, y, q[1], q[2])
        local advance = false
        if not q[3] then
            advance = d < 0.45
        else
            r.dwell = (d < 0.3 and e.speed < 0.05) and r.dwell + ctx.dt or 0
            if r.dwell >= p.dwell then
                advance = true
                if q[4] == "pick" then r.loaded = true
                elseif r.loaded then r.loaded, s.deliveries = false, s.deliveries + 1 end
            end
        end
        if advance then r.k, r.dwell = r.k % #route[i] + 1, 0 end
    end
    -- collisions between AMRs (rising edges per pair)
    local list = {}
    for i, bot in ipairs(amrs) do list[i] = bot.robot end
    local now = {}
    for _, pr in ipairs(ctx.world:contact_pairs(list)) do
        local key = pr[1] .. "-" .. pr[2]
        now[key] = true
        if not s.touching[key] then s.collisions = s.collisions + 1 end
    end
    s.touching = now
end

function scene.reward(ctx)
    local s = ctx.state
    local v = s.wrong_way + s.zone_viol
    local r = (s.deliveries - s.rewarded) - (v - (s.viol_seen or 0)) - 0.01 * ctx.dt
    s.rewarded, s.viol_seen = s.deliveries, v
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    if s.collisions > 0 then return true, "two AMRs collided" end
    if s.wrong_way + s.zone_viol > ctx.params.max_violations then
        return true, string.format("traffic rules broken: %d wrong-way, %d conflict-zone violations", s.wrong_way, s.zone_viol)
    end
    for _, bot in ipairs(amrs) do
        if bot:up_z() < 0.8 then return true, "an AMR tipped over" end
    end
    return false
end

function scene.success(ctx) return ctx.state.deliveries >= ctx.params.target end

function scene.metrics(ctx)
    local s = ctx.state
    local m = kit.track.copy(mon:metrics(ctx), s, {deliveries = "deliveries", violations_wrong_way = "wrong_way",
                                               violations_zone = "zone_viol", collisions = "collisions",
                                               path_length = "path"})
    m.throughput_per_min = ctx.t > 0 and s.deliveries / ctx.t * 60 or 0
    m.time = ctx.t
    return m
end

return scene
