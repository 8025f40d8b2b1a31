-- Logistics: a full-size humanoid (robots.humanoid with hip yaw joints, 1.72 m, 67.2 kg,
-- 19 position-servo hinges, walking with its closed-loop capture-point gait h:walk)
-- carries a tote from the packing station to the dispatch table `distance` m down the
-- aisle, where it must stop in the hand-over zone in front of the table.
--
-- The hold: the tote (0.26 x 0.56 x 0.20 m, `tote_mass` kg) rests across both forearms,
-- which are bent forward level at 1.16 m (a cradle carry: no weld, no squeeze; gravity and
-- friction mu `tote_friction` keep it there, so hard stops or a stumble can drop it). The
-- episode starts with the tote already in the hands at the packing station.
--
-- Aisle (along +x): the packing station (a bench behind the start), pallet racks on both
-- sides (y = +-1.4 m), the dispatch table (top 1.0 m, 0.8 x 1.2 m) centred at x =
-- `distance` + 0.55, y = `table_y`. Hand-over zone: the pelvis 0.25 .. 0.6 m in front of
-- the table's front edge, within 0.3 m of its centre line, stopped.
--
-- observation: pose {3} (pelvis x, y, yaw; world, m, rad), imu {10} (pelvis IMU: specific
--   force, angular velocity, quaternion), feet {2} (contact 0/1, left right), goal {2}
--   (hand-over point in the robot frame: forward, left, m), tote {2} (tote height over
--   the pelvis against its start, m; tilt, deg)
-- action: cmd {2}: forward speed (m/s, 0 .. 0.25) and yaw rate (rad/s, -0.3 .. 0.3) for
--   the walk; a forward speed below 0.02 m/s stops the walk (it closes its feet and stands)
-- success: standing still in the hand-over zone with the tote in the hands (sunk at most
--   0.05 m relative to the pelvis, tilt < 20 deg)
-- failure: the humanoid fell (pelvis below 0.6 m or torso up z < 0.7), the tote dropped
--   (0.25 m below its place in the hands), or the robot hit the table or a rack
-- reward:  forward progress toward the table (m), +1 on success
-- metrics: distance walked, steps, late touchdowns, min pelvis height, min torso up z, max
--   tote drop and tilt, final distance to the hand-over point

local humanoid = require "robots.humanoid"
local kit = require "kit"

local h, tote               -- handles of the current episode (set in build)

local TOTE = {0.26, 0.56, 0.20}
local ARMS = {shoulder_pitch = -0.5, elbow = -1.07}   -- forearms level, 1.157 m, 0.14 .. 0.42 m ahead
local TOTE_X, TOTE_Z = 0.31, 1.157 + 0.035 + TOTE[3] / 2
local TABLE = {0.8, 1.2, 1.0}                         -- size x, y; top height
local RACK_Y = 1.4

local scene = {
    name = "humanoid_walk_carry",
    domain = "logistics",
    description = "Full-size humanoid walks an aisle carrying a tote on its forearms to the dispatch table",
    instruction = "Carry the tote from the packing station to the dispatch table and stop in front of it without dropping the tote.",
    view = {eye = {-3.0, -0.5, 3.0}, target = {2.5, 0, 0.9}, fov = 55},
    timestep = 0.002,
    time_limit = 60,
    world = {iterations = 100},
    policy = "policies.humanoid_carry",
    params = {
        distance = {default = 5.0, min = 4.0, max = 6.5, randomize = true, description = "start to the table's front edge, m"},
        table_y = {default = 0.0, min = -0.4, max = 0.4, randomize = true, description = "table centre across the aisle, m"},
        tote_mass = {default = 4.0, min = 3.0, max = 5.0, randomize = true, description = "tote with its contents, kg"},
        tote_friction = {default = 0.9, min = 0.7, max = 1.0, randomize = true, description = "tote on forearm mu"},
        floor_friction = {default = 0.9, min = 0.7, max = 1.0, randomize = true, description = "floor mu"},
        start_yaw = {default = 0.0, min = -0.1, max = 0.1, randomize = true, description = "start heading, rad"},
    },
}

local function table_front(p) return p.distance end
local function handover(p) return table_front(p) - 0.42, p.table_y end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    world:material{name = "floor", friction = p.floor_friction}
    kit.room.floor(world, {material = "floor", color = {0.55, 0.56, 0.52}})
    local function solid(size, pos, color)
        world:geom{type = "box", size = size, pos = pos, color = color}
    end
    -- packing station behind the start, racks along both sides, the dispatch table
    solid({0.6, 1.2, 0.9}, {-0.9, 0, 0.45}, {0.5, 0.4, 0.3})
    for _, y in ipairs({-RACK_Y, RACK_Y}) do
        solid({8.5, 0.4, 2.2}, {3.5, y + (y > 0 and 0.2 or -0.2), 1.1}, {0.2, 0.35, 0.65})
    end
    local tx = table_front(p) + TABLE[1] / 2
    solid({TABLE[1], TABLE[2], 0.05}, {tx, p.table_y, TABLE[3] - 0.025}, {0.7, 0.6, 0.45})
    for _, dx in ipairs({-0.35, 0.35}) do
        for _, dy in ipairs({-0.55, 0.55}) do
            solid({0.05, 0.05, TABLE[3] - 0.05}, {tx + dx, p.table_y + dy, (TABLE[3] - 0.05) / 2}, {0.3, 0.3, 0.3})
        end
    end
    h = humanoid.build(world, {name = "h", pos = {0, 0}, yaw = p.start_yaw, hip_yaw = true, sensors = true,
                               arms = ARMS, kp = humanoid.walk_gains.kp, kd = humanoid.walk_gains.kd})
    local mat = world:material{name = "tote", friction = p.tote_friction}
    local c, sn = math.cos(p.start_yaw), math.sin(p.start_yaw)
    tote = world:body{name = "tote", pos = {TOTE_X * c, TOTE_X * sn, TOTE_Z}, rpy = {0, 0, p.start_yaw},
                      mass = p.tote_mass, geoms = {{type = "box", size = TOTE, material = mat, color = {0.9, 0.45, 0.1}}}}
    s.gait = h:walk_state(tote)
    s.v, s.w = 0, 0
    s.path, s.px, s.py = 0, 0, 0
    s.z_min, s.up_min, s.drop_max, s.tilt_max = 2, 1, 0, 0
    s.hit = false
    s.still = 0
    s.last_x = 0
end

-- how far the tote sank in the hands (its height over the pelvis against the start: the
-- walk lowers the pelvis 8 cm, the tote with it) and its tilt, deg
local function tote_drop_tilt()
    local _, _, z = tote:pos()
    local _, _, pz = h.pelvis:pos()
    return (TOTE_Z - 0.98) - (z - pz), kit.util.tilt_deg(tote)
end

scene.observation = {
    pose = {shape = {3}, fn = function(_, out) out[1], out[2], out[3] = h:pose2d() end},
    imu = {sensor = "h/imu"},
    feet = {shape = {2}, fn = function(_, out) out[1], out[2] = h.touch.l:value(1), h.touch.r:value(1) end},
    goal = {shape = {2}, fn = function(ctx, out)
        local x, y, yaw = h:pose2d()
        local gx, gy = handover(ctx.params)
        out[1], out[2] = kit.util.to_local(x, y, yaw, gx, gy)
    end},
    tote = {shape = {2}, fn = function(_, out)
        local d, tilt = tote_drop_tilt()
        out[1], out[2] = -d, tilt
    end},
}

scene.action = {cmd = {shape = {2}, low = {0, -0.3}, high = {0.25, 0.3}}}

function scene.act(ctx, action)
    local s = ctx.state
    s.v = kit.util.approach(s.v, action.cmd[1], 0.3, ctx.dt)
    s.w = action.cmd[2]
    s.stop = action.cmd[1] < 0.02
end

function scene.step(ctx)
    local s = ctx.state
    h:walk(s.gait, {vx = s.v, yaw_rate = s.w, stop = s.stop or false, load = tote}, ctx.dt)
    local x, y = h:pose2d()
    kit.track.odometer(s, x, y)
    s.z_min = math.min(s.z_min, h:pelvis_height())
    s.up_min = math.min(s.up_min, h:up_z())
    local d, tilt = tote_drop_tilt()
    s.drop_max, s.tilt_max = math.max(s.drop_max, d), math.max(s.tilt_max, tilt)
    -- the table's front edge and the racks (the robot's outline: 0.18 m ahead of the
    -- pelvis at knee height, 0.3 m to the side at the elbows)
    if x > table_front(ctx.params) - 0.18 or math.abs(y) > RACK_Y - 0.3 then s.hit = true end
    local vx, vy = h.pelvis:linvel()
    s.still = (s.gait.phase == "stand" and math.sqrt(vx * vx + vy * vy) < 0.05) and s.still + ctx.dt or 0
end

local function in_zone(ctx)
    local p = ctx.params
    local x, y = h:pose2d()
    local gap = table_front(p) - x
    return gap > 0.25 and gap < 0.6 and math.abs(y - p.table_y) < 0.3
end

function scene.reward(ctx)
    local s = ctx.state
    local x = h:pose2d()
    local r = math.min(x, table_front(ctx.params)) - s.last_x
    s.last_x = math.min(x, table_front(ctx.params))
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    if h:pelvis_height() < 0.6 or h:up_z() < 0.7 then return true, "the humanoid fell" end
    local d = tote_drop_tilt()
    if d > 0.25 then return true, "the tote dropped" end
    if s.hit then return true, "the humanoid hit the table or a rack" end
    return false
end

function scene.success(ctx)
    local d, tilt = tote_drop_tilt()
    return ctx.state.still > 0.5 and in_zone(ctx) and d < 0.05 and tilt < 20
end

function scene.metrics(ctx)
    local s = ctx.state
    local x, y = h:pose2d()
    local gx, gy = handover(ctx.params)
    local d, tilt = tote_drop_tilt()
    return {
        distance_walked = s.path,
        steps = s.gait.steps,
        late_touchdowns = s.gait.late,
        min_pelvis_height = s.z_min,
        min_up_z = s.up_min,
        tote_drop_max = s.drop_max,
        tote_tilt_max = s.tilt_max,
        tote_drop = d,
        tote_tilt = tilt,
        handover_error = kit.util.dist2d(x, y, gx, gy),
        fell = (h:pelvis_height() < 0.6 or h:up_z() < 0.7) and 1 or 0,
        dropped = (d > 0.25) and 1 or 0,
    }
end

return scene
