--[[
robots.go2: the Unitree Go2 quadruped from its URDF (assets/example-robot-data), with
a floating base, a position servo (implicit PD) on each of its 12 joints, leg inverse
kinematics and open-loop foot patterns: stand at a height, crouch, sway, trot.

Usage (from a scene's build and step):

    local go2 = require "robots.go2"
    local dog = go2.build(world, {name = "go2", pos = {0, 0}, yaw = 0})
    dog:stand(0.30)                                  -- hips 0.30 m above the feet
    dog:trot(ctx.t - t0, {vx = 0.3, wz = 0})         -- in step(ctx): a trot, phase from time
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
  dog:sway(t, o)             feet shifted sinusoidally so the base sways sideways and
                             bobs; o = {amplitude = 0.04 m, bob = 0.02 m,
                             period = 2 s, height = 0.28 m}
  dog:base_height()          base link z above the ground (m)
  dog:up_z()                 world z of the base's up axis (1 upright)
  dog:pose2d()               base x, y (m), yaw (rad)
  dog:feet_z()               lowest foot-centre z above the ground (m)
Fields: dog.robot (the Robot handle), dog.base (the base Body), dog.legs ({"FL","FR","RL","RR"}).
--]]

local kin = require "robots.kin"

local util = require "kit.util"
local M = {}

M.defaults = {
    name = "go2",
    urdf = "example-robot-data/robots/go2_description/urdf/go2.urdf",
    pos = {0, 0},
    z = 0,
    yaw = 0,
    height = 0.30,
    drop = 0.005,
    kp = 200,
    kd = 5,
    friction = 1.0,
}

local L_THIGH, L_CALF = 0.213, 0.213
local FOOT_R = 0.022
local THIGH_OFFSET = 0.0955      -- m, hip roll axis to the leg plane (URDF thigh joint y)
local LEGS = {"FL", "FR", "RL", "RR"}
-- thigh joint positions in the base frame (hip origin + 0.0955 m sideways)
local HIP = {
    FL = {0.1934, 0.1420}, FR = {0.1934, -0.1420},
    RL = {-0.1934, 0.1420}, RR = {-0.1934, -0.1420},
}

local Dog = {}
Dog.__index = Dog

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
        material = mat,
        actuator = {mode = "position", kp = opts.kp, kd = opts.kd},
    }
    local self = setmetatable({robot = r, base = r:link(), legs = LEGS, ground = z0}, Dog)
    local h = opts.height
    local q = self:_stand_q(h, 0, 0)
    r:set_q(q)
    local x, y, z = self.base:pos()
    self.base:set_pos(x, y, z - (self:feet_z() + z0) + z0 + FOOT_R + opts.drop)
    r:set_q(q)
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

function Dog:up_z()
    return kin.up_z(self.base:quat())
end

function Dog:pose2d()
    local x, y = self.base:pos()
    return x, y, kin.yaw_of(self.base:quat())
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
