--[[
robots.go2: the Unitree Go2 quadruped from its URDF (assets/example-robot-data), with
a floating base, a position servo (implicit PD) on each of its 12 joints, leg inverse
kinematics, open-loop foot patterns (stand at a height, crouch, sway, trot) and a
closed-loop trot for steps and ramps (walk).

Usage (from a scene's build and step):

    local go2 = require "robots.go2"
    local dog = go2.build(world, {name = "go2", pos = {0, 0}, yaw = 0})
    dog:stand(0.30)                                  -- hips 0.30 m above the feet
    dog:trot(ctx.t - t0, {vx = 0.3, wz = 0})         -- in step(ctx): a trot, phase from time

    -- closed loop (steps, ramps): build with sensors = true, keep the gait state in ctx.state
    local dog = go2.build(world, {sensors = true}); ctx.state.gait = dog:walk_state()
    dog:walk(ctx.t, {vx = 0.3, wz = 0}, ctx.state.gait, ctx.dt)      -- in step(ctx)
    local h, up = dog:base_height(), dog:up_z()

Every method is a pure function of its arguments (and the robot's joint state): the
scene keeps its own timing in ctx.state, so snapshots and rewinds stay exact. Keep
the returned object in a local of the scene chunk (set in build), not in ctx.state.

Model (all values are the defaults; every one can be overridden in `opts`):

  name            "go2"        robot name; also the prefix of the material <name>/foot
  urdf            "example-robot-data/robots/go2_description/urdf/go2.urdf"
  pos             {0, 0}       start position of the base, x y (m)
  z               0            height of the ground under the feet (m)
  yaw             0            start heading (rad, about +z; 0 = facing +x)
  height          0.30         start standing height: thigh joint to foot centre,
                               vertical (m); the base (link frame) then sits about
                               height + 0.02 m above the ground (0.317 m for 0.30)
  drop            0.005        the feet start this far above the ground (m)
  kp              200          position servo stiffness, N m/rad (every joint)
  kd              5            position servo damping, N m s/rad
  friction        1.0          Coulomb mu of the robot's contact material (against
                               the mu 0.8 "default" ground: sqrt(0.8) = 0.894)
  sensors         false        true: an IMU on the base (<name>/imu) and a contact sensor
                               on each foot (<name>/FL_touch, ...), which dog:walk needs
  Solver: it declares M.SOLVER, 50 QuickStep iterations (as every URDF robot) and a
  timestep of at most 2 ms: a scene that leaves world.iterations unset gets 50 (at 20 the
  stance servos jitter 1.3 mrad, 0.3 at 50), and a timestep above 2 ms is warned about
  (at 5 ms they jitter 12-25 mrad; docs/fidelity.md). With the direct solver
  (world.solver = "direct") 5 ms: standing 4 s, sag 0.05 mm, jitter below 0.01 mrad.
  Effort and velocity limits come from the URDF (23.7 N m / 30.1 rad/s hip and thigh,
  45.43 N m / 15.7 rad/s calf). Mass 16.085 kg (URDF, exact).

Kinematics used by the foot methods (from the URDF): hips at base x = +-0.1934,
y = +-0.0465; the thigh joint 0.0955 m further out (y); thigh and calf 0.213 m each; the
foot sphere's radius about 0.022 m. Knees bend backwards (calf angle < 0). A foot
target {x, y, z} is relative to the foot's nominal place straight below its thigh joint
in the base frame, z measured down from the thigh joint (so z = -height), x forward,
y to the left.

Methods:
  dog:leg_ik(leg, x, y, z)   -> hip, thigh, calf (rad) putting leg's ("FL", ...) foot at
                             the target (exact for this geometry: the hip roll turns the
                             leg plane, offset 0.0955 m from the roll axis, with it)
  dog:command_feet(feet)     feet = {FL = {x, y, z}, FR = ..., RL = ..., RR = ...}
  dog:stand(h [, dx, dy])    all feet at (dx, dy, -h) (dx, dy shift the base the
                             other way: + = feet forward/left of the hips)
  dog:trot(t, o)             diagonal-pair trot at time t (s, >= 0 from the gait's
                             start); o = {vx = 0.3 m/s, vy = 0, wz = 0 rad/s,
                             period = 0.4 s, step_height = 0.06 m, height = 0.30 m};
                             feet move at -v in stance (half the period) and swing
                             back with a sine lift
  dog:walk(t, o, st, dt)     closed-loop trot, every step (t as for trot; st = dog:walk_state()
                             in ctx.state; dt = ctx.dt). o: vx, vy, wz, period, height as
                             trot, and the gains of M.walk_defaults. Feedback: the IMU's
                             roll/pitch (and rates) and the base height are driven toward
                             the terrain under the feet (a fraction k_slope of its slope,
                             estimated from where each foot touched down) by commanding
                             the legs as if the base were there already; foot contact
                             sensors end a swing where the ground is (early on a step up,
                             late: the foot reaches down), a swing that hits a riser is
                             pulled back, lifted higher and landed further forward (and
                             the lift stays higher for rough_tau s), a landing on an edge
                             (contact normal tilted) is lifted and moved forward. Climbs
                             10 cm steps and 20 deg ramps (scenes/examples/go2_stairs.lua,
                             tests/test_go2_gait.sh); the open-loop trot stalls at 4 cm.
  dog:walk_state()           a fresh plain-data gait state (counters riser_hits, edge_hits,
                             touchdowns)
  dog:sway(t, o)             feet shifted sinusoidally so the base sways sideways and
                             bobs; o = {amplitude = 0.04 m, bob = 0.02 m,
                             period = 2 s, height = 0.28 m}
  dog:base_height()          base link z above the ground (m)
  dog:up_z()                 world z of the base's up axis (1 upright)
  dog:pose2d()               base x, y (m), yaw (rad)
  dog:speed()                planar speed of the base, m/s
  dog:feet_z()               lowest foot-centre z above the ground (m)
Fields: dog.robot (the Robot handle), dog.base (the base Body), dog.legs ({"FL","FR","RL","RR"}).
--]]

local base = require "robots.base"
local kin = require "robots.kin"
local util = require "kit.util"

local M = {}

M.defaults = base.placed("go2", {
    urdf = "example-robot-data/robots/go2_description/urdf/go2.urdf",
    height = 0.30,
    drop = 0.005,
    kp = 200,
    kd = 5,
    friction = 1.0,
    sensors = false,
})

-- What the Go2 needs of the solver (world:robot's `solver`), measured standing (docs/fidelity.md).
M.SOLVER = {iterations = 50, max_timestep = 0.002, direct_max_timestep = 0.005}

local L_THIGH, L_CALF = 0.213, 0.213
local FOOT_R = 0.022
local THIGH_OFFSET = 0.0955      -- m, hip roll axis to the leg plane (URDF thigh joint y)
local LEGS = {"FL", "FR", "RL", "RR"}
-- thigh joint positions in the base frame (hip origin + 0.0955 m sideways)
local HIP = {
    FL = {0.1934, 0.1420}, FR = {0.1934, -0.1420},
    RL = {-0.1934, 0.1420}, RR = {-0.1934, -0.1420},
}

local Dog = base.class("base")      -- pose2d, up_z, speed of the base body

--- Builds the Go2 standing (joints at the `height` pose) with its feet `drop` above the ground.
function M.build(world, opts)
    opts = util.options(opts, M.defaults, nil, "robots.go2")
    local name = opts.name
    local pos = opts.pos
    local z0 = opts.z
    local mat = world:material{name = name .. "/foot", friction = opts.friction}
    local r = world:robot{
        urdf = opts.urdf, name = name,
        pos = {pos[1], pos[2], z0 + 0.6}, rpy = {0, 0, opts.yaw},
        material = mat, solver = M.SOLVER,
        actuator = {mode = "position", kp = opts.kp, kd = opts.kd},
    }
    local self = setmetatable({robot = r, base = r:link(), legs = LEGS, ground = z0}, Dog)
    local h = opts.height
    local q = self:_stand_q(h, 0, 0)
    r:set_q(q)
    local x, y, z = self.base:pos()
    self.base:set_pos(x, y, z - (self:feet_z() + z0) + z0 + FOOT_R + opts.drop)
    r:set_q(q)
    if opts.sensors then
        self.imu = world:sensor{type = "imu", name = name .. "/imu", body = self.base}
        self.touch, self.foot_name, self.world = {}, {}, world
        for _, leg in ipairs(LEGS) do
            self.foot_name[leg] = r:link(leg .. "_foot"):name()
            self.touch[leg] = world:sensor{type = "contact", name = name .. "/" .. leg .. "_touch",
                                           body = r:link(leg .. "_foot")}
        end
    end
    return self
end

--- Joint angles (hip, thigh, calf) putting a foot at (x, y, z) from its thigh joint.
function Dog:leg_ik(leg, x, y, z)
    -- hip roll: the leg plane sits THIGH_OFFSET out from the roll axis and turns with it
    local d = (leg == "FL" or leg == "RL") and THIGH_OFFSET or -THIGH_OFFSET
    local py = d + y
    local L = math.sqrt(math.max(py * py + z * z - d * d, 1e-6))   -- foot depth in the leg plane
    local hip = math.atan(py, -z) - math.atan(d, L)
    local zz = -L
    local d2 = x * x + zz * zz
    local c = kin.clamp((d2 - L_THIGH ^ 2 - L_CALF ^ 2) / (2 * L_THIGH * L_CALF), -1, 1)
    local calf = -math.acos(c)
    local a0 = math.atan(L_CALF * math.sin(calf), L_THIGH + L_CALF * math.cos(calf))
    local thigh = math.atan(-x, -zz) - a0
    return hip, thigh, calf
end

function Dog:_feet_q(feet)
    local q = {}
    for _, leg in ipairs(LEGS) do
        local f = feet[leg]
        local a, b, c = self:leg_ik(leg, f[1], f[2], f[3])
        q[leg .. "_hip_joint"], q[leg .. "_thigh_joint"], q[leg .. "_calf_joint"] = a, b, c
    end
    return q
end

function Dog:_stand_q(h, dx, dy)
    local feet = {}
    for _, leg in ipairs(LEGS) do feet[leg] = {dx, dy, -h} end
    return self:_feet_q(feet)
end

function Dog:command_feet(feet)
    self.robot:command(self:_feet_q(feet))
end

function Dog:stand(h, dx, dy)
    self.robot:command(self:_stand_q(h, dx or 0, dy or 0))
end

function Dog:trot(t, o)
    o = o or {}
    local vx, vy, wz = o.vx or 0.3, o.vy or 0, o.wz or 0
    local T = o.period or 0.4
    local lift = o.step_height or 0.06
    local h = o.height or 0.30
    local feet = {}
    for _, leg in ipairs(LEGS) do
        local hx, hy = HIP[leg][1], HIP[leg][2]
        -- foot travel over one stance (half period) against the base velocity at that foot
        local dx = (vx - wz * hy) * T / 2
        local dy = (vy + wz * hx) * T / 2
        local offset = (leg == "FL" or leg == "RR") and 0 or 0.5
        local ph = (t / T + offset) % 1
        local s, fz
        if ph < 0.5 then
            s = 0.5 - ph / 0.5                      -- +1/2 .. -1/2 through the stance
            fz = -h
        else
            local u = (ph - 0.5) / 0.5
            s = -0.5 + u                            -- -1/2 .. +1/2 through the swing
            fz = -h + lift * math.sin(math.pi * u)
        end
        feet[leg] = {s * dx, s * dy, fz}
    end
    self:command_feet(feet)
end

-- Closed-loop trot ---------------------------------------------------------------------

M.walk_defaults = {
    vx = 0.3, vy = 0, wz = 0,       -- commanded base velocity (m/s, m/s, rad/s, base frame)
    period = 0.4,                   -- s, one trot cycle (each diagonal pair swings half of it)
    height = 0.30,                  -- m, thigh joint above the ground under the feet
    step_height = 0.12,             -- m, swing lift over flat ground
    max_step_height = 0.16,         -- m, lift limit with the adaptation
    press = 0.01,                   -- m, stance feet are commanded this far into the ground
    k_height = 0.3,                 -- base height feedback: fraction of the height error corrected per step
    k_attitude = 0.6,               -- roll/pitch feedback: fraction of the attitude error corrected per step
    d_attitude = 0.03,              -- roll/pitch rate damping, s
    slope_tau = 0.15,               -- s, filter of the terrain slope estimate
    k_slope = 0.8,                  -- body pitch/roll as a fraction of the terrain's slope
    max_tilt = 0.4,                 -- rad, body pitch/roll limit
    max_leg = 0.35,                 -- m, longest vertical leg (thigh joint to foot centre) used
    rough_tau = 4.0,                -- s, how long a riser hit keeps the higher lift
    reach = 0.06,                   -- m, a foot that hit a riser or met an edge lands this much further forward
    search_rate = 0.5,              -- m/s, a stance foot without contact reaches down this fast
    max_search = 0.15,              -- m, ... this far below the ground it expected
    max_retries = 3,                -- re-placements of one swing after a riser or an edge
    min_flatness = 0.9,             -- a touchdown whose contact normal has |z| below this is an edge
}

local SWING_DOWN = 0.6              -- swing fraction: forward and up before, straight down after

local PER_LEG = {"gz", "g0", "extra", "ulift", "reach", "search", "fwd", "edges", "down", "hit_riser", "touched",
                 "phase"}

--- A fresh plain-data gait state for dog:walk (keep it in ctx.state). Its counters
--- riser_hits (riser hits in swing), edge_hits (landings on an edge, re-placed) and
--- touchdowns make useful metrics.
function Dog:walk_state()
    local st = {pitch = 0, roll = 0, rough = 0, riser_hits = 0, edge_hits = 0, touchdowns = 0}
    for _, k in ipairs(PER_LEG) do st[k] = {} end
    for _, leg in ipairs(LEGS) do
        local _, _, z = self.robot:link_pose(leg .. "_foot")
        st.gz[leg], st.g0[leg] = z - FOOT_R, z - FOOT_R
        st.extra[leg], st.reach[leg], st.fwd[leg], st.search[leg], st.edges[leg] = 0, 0, 0, 0, 0
        st.ulift[leg], st.down[leg] = 0.1, SWING_DOWN
        st.hit_riser[leg], st.touched[leg], st.phase[leg] = false, true, "stance"
    end
    return st
end

-- rotation matrix rows of yaw, then pitch, then roll (ZYX)
local function rot_zyx(yaw, pitch, roll)
    local cy, sy = math.cos(yaw), math.sin(yaw)
    local cp, sp = math.cos(pitch), math.sin(pitch)
    local cr, sr = math.cos(roll), math.sin(roll)
    return {
        {cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr},
        {sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr},
        {-sp, cp * sr, cp * cr},
    }
end

-- roll, pitch, yaw (rad) and the roll and pitch rates (rad/s, body frame) from the IMU
function Dog:_attitude()
    local v = self.imu:data()              -- specific force 1-3, rate 4-6, quaternion 7-10
    local w, x, y, z = v[7], v[8], v[9], v[10]
    local roll = math.atan(2 * (w * x + y * z), 1 - 2 * (x * x + y * y))
    local pitch = math.asin(kin.clamp(2 * (w * y - z * x), -1, 1))
    local yaw = math.atan(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))
    return roll, pitch, yaw, v[4], v[5]
end

-- smallest |normal z| of the foot's contacts (1 flat ground, about 0 a riser; an edge between)
function Dog:_foot_flatness(leg)
    local name, flat = self.foot_name[leg], 1
    for _, c in ipairs(self.world:contacts()) do
        if (c.body1 and c.body1:name() == name) or (c.body2 and c.body2:name() == name) then
            flat = math.min(flat, math.abs(c.normal[3]))
        end
    end
    return flat
end

-- Stance: the foot pushes back; without contact yet, it reaches down for the ground.
-- Returns the stride fraction (+1/2 front .. -1/2 back), forward shift (m), foot z (m).
local function stance_foot(st, leg, ph, fz, touching, o, dt)
    local gz = st.gz
    if st.phase[leg] == "swing" then
        st.phase[leg] = "stance"
        if not st.touched[leg] then st.touched[leg] = touching end
    end
    if touching then
        if not st.touched[leg] then
            st.touchdowns = st.touchdowns + 1
            gz[leg] = fz - FOOT_R
        end
        st.touched[leg] = true
        st.search[leg] = 0
        gz[leg] = gz[leg] + (fz - FOOT_R - gz[leg]) * 0.2
    elseif not st.touched[leg] then
        st.search[leg] = math.min(st.search[leg] + o.search_rate * dt, o.max_search)
    end
    return 0.5 - ph / 0.5, st.fwd[leg], gz[leg] + FOOT_R - o.press - st.search[leg]
end

-- Swing (u 0..1): rise to the apex while moving forward, then come straight down; a
-- riser or an edge met on the way re-plans the swing. Returns as stance_foot.
function Dog:_swing_foot(st, leg, u, fz, touching, lift, o, dt)
    local gz = st.gz
    if st.phase[leg] ~= "swing" then
        st.phase[leg] = "swing"
        st.g0[leg] = touching and fz - FOOT_R or gz[leg]
        st.extra[leg], st.reach[leg], st.edges[leg] = 0, 0, 0
        st.ulift[leg], st.down[leg] = 0.1, SWING_DOWN
        st.hit_riser[leg], st.touched[leg] = false, false
    end
    if st.hit_riser[leg] and not touching then st.hit_riser[leg] = false end
    if touching and not st.touched[leg] and not st.hit_riser[leg] and u > 0.1 then
        local flat = self:_foot_flatness(leg)
        if flat < o.min_flatness and st.edges[leg] < o.max_retries then
            -- a riser face or a step's edge: pull back (on the way forward), lift above it,
            -- land further forward, and keep a higher lift for a while (every leg)
            local riser = flat < 0.5
            st.edges[leg] = st.edges[leg] + 1
            if riser then st.riser_hits = st.riser_hits + 1 else st.edge_hits = st.edge_hits + 1 end
            local over = riser and o.max_step_height or 0.04
            st.extra[leg] = kin.clamp(fz - FOOT_R + over - st.g0[leg] - lift, st.extra[leg], o.max_step_height + 0.06)
            if u < st.down[leg] then st.ulift[leg] = math.min(u + 0.03, st.down[leg] - 0.1) end
            st.down[leg] = math.min(math.max(st.down[leg], u + 0.15), 0.9)
            st.reach[leg] = st.reach[leg] + o.reach
            st.hit_riser[leg] = true
            st.rough = math.max(st.rough, math.min(st.extra[leg], o.max_step_height - lift))
        elseif u >= st.down[leg] or fz - FOOT_R > st.g0[leg] + 0.03 then
            -- the foot came down on something: the ground is here
            st.touched[leg] = true
            st.touchdowns = st.touchdowns + 1
            gz[leg] = fz - FOOT_R
        end
    end
    local apex, down = st.g0[leg] + lift + st.extra[leg] + FOOT_R, st.down[leg]
    local s = -0.5 + kin.smoothstep((u - st.ulift[leg]) / (down - st.ulift[leg]))
    st.fwd[leg] = st.fwd[leg] + kin.clamp(st.reach[leg] - st.fwd[leg], -dt, dt)   -- at most 1 m/s
    local z
    if st.touched[leg] then
        z = gz[leg] + FOOT_R - o.press
    elseif u < down then
        local z0 = st.g0[leg] + FOOT_R
        z = z0 + (apex - z0) * kin.smoothstep(u / 0.3)
    else
        z = apex + (gz[leg] + FOOT_R - o.press - apex) * kin.smoothstep((u - down) / (0.97 - down))
    end
    return s, st.fwd[leg], z
end

--- One control step of the closed-loop trot (call it every physics step). t: s since the
--- gait started (the phase clock); o: options over M.walk_defaults (nil: defaults); st:
--- dog:walk_state(), kept in ctx.state and updated here; dt: the step, s. Needs the robot
--- built with sensors = true (its IMU and foot contact sensors; edge checks read
--- world:contacts() only while a swinging foot touches something).
function Dog:walk(t, o, st, dt)
    o = util.options(o, M.walk_defaults, nil, "go2:walk")
    if not self.imu then error("go2:walk needs the robot built with sensors = true", 2) end
    local T, H = o.period, o.height
    local _, _, bz = self.base:pos()
    local roll, pitch, yaw, wr, wp = self:_attitude()

    -- terrain under the feet: slope along and across the heading from the contact heights
    local gz = st.gz
    local slope = math.atan((gz.FL + gz.FR - gz.RL - gz.RR) / 2, 2 * HIP.FL[1])
    local bank = math.atan((gz.FL + gz.RL - gz.FR - gz.RR) / 2, 2 * HIP.FL[2])
    local f = math.min(1, dt / o.slope_tau)
    st.pitch = st.pitch + (-slope - st.pitch) * f             -- nose up uphill: negative pitch
    st.roll = st.roll + (bank - st.roll) * f
    local spread = math.max(gz.FL, gz.FR, gz.RL, gz.RR) - math.min(gz.FL, gz.FR, gz.RL, gz.RR)

    -- the control frame: measured x, y, yaw; attitude and height from the terrain, with
    -- feedback: the legs are commanded as if the base were there, which pushes it there
    local pd = kin.clamp(o.k_slope * st.pitch, -o.max_tilt, o.max_tilt)
    local rd = kin.clamp(o.k_slope * st.roll, -o.max_tilt, o.max_tilt)
    local R = rot_zyx(yaw, pitch + o.k_attitude * (pd - pitch) - o.d_attitude * wp,
                      roll + o.k_attitude * (rd - roll) - o.d_attitude * wr)
    -- height: the mean leg at `height`, lowered when the longest leg would pass max_leg
    local z_des = (gz.FL + gz.FR + gz.RL + gz.RR) / 4 + FOOT_R + H
    local longest = -math.huge
    for _, leg in ipairs(LEGS) do
        longest = math.max(longest, z_des + R[3][1] * HIP[leg][1] + R[3][2] * HIP[leg][2] - gz[leg] - FOOT_R)
    end
    if longest > o.max_leg then z_des = z_des - (longest - o.max_leg) end
    local zc = bz + o.k_height * (z_des - bz)
    local cy, sy = math.cos(yaw), math.sin(yaw)

    st.rough = st.rough * (1 - math.min(1, dt / o.rough_tau))
    local lift = kin.clamp(o.step_height + math.max(spread, st.rough), o.step_height, o.max_step_height)
    local feet = {}
    for _, leg in ipairs(LEGS) do
        local hx, hy = HIP[leg][1], HIP[leg][2]
        local dx = (o.vx - o.wz * hy) * T / 2
        local dy = (o.vy + o.wz * hx) * T / 2
        local ph = (t / T + ((leg == "FL" or leg == "RR") and 0 or 0.5)) % 1
        local _, _, fz = self.robot:link_pose(leg .. "_foot")
        local touching = self.touch[leg]:value(1) > 0.5
        local s, fwd, wz
        if ph < 0.5 then
            s, fwd, wz = stance_foot(st, leg, ph, fz, touching, o, dt)
        else
            s, fwd, wz = self:_swing_foot(st, leg, (ph - 0.5) / 0.5, fz, touching, lift, o, dt)
        end
        -- the foot's world target below the control frame's hip, moved along the gait,
        -- then in the control frame (origin at the base's x, y and height zc)
        local ex = R[1][1] * hx + R[1][2] * hy + cy * (s * dx + fwd) - sy * s * dy
        local ey = R[2][1] * hx + R[2][2] * hy + sy * (s * dx + fwd) + cy * s * dy
        local ez = wz - zc
        feet[leg] = {R[1][1] * ex + R[2][1] * ey + R[3][1] * ez - hx,
                     R[1][2] * ex + R[2][2] * ey + R[3][2] * ez - hy,
                     R[1][3] * ex + R[2][3] * ey + R[3][3] * ez}
    end
    self:command_feet(feet)
end

function Dog:sway(t, o)
    o = o or {}
    local a = o.amplitude or 0.04
    local bob = o.bob or 0.02
    local T = o.period or 2.0
    local h = o.height or 0.28
    local w = 2 * math.pi * t / T
    -- feet move to -y to push the base to +y; the height bobs at twice the frequency
    self:stand(h + bob * math.sin(2 * w), 0, -a * math.sin(w))
end

function Dog:base_height()
    local _, _, z = self.base:pos()
    return z - self.ground
end

function Dog:feet_z()
    local low = math.huge
    for _, leg in ipairs(LEGS) do
        local _, _, z = self.robot:link_pose(leg .. "_foot")
        if z < low then low = z end
    end
    return low - self.ground
end

return M
