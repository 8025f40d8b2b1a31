--[[
robots.mobile_manipulator: a differential-drive base (robots.diffdrive, 0.7 x 0.5 m,
60 kg) with the 6-DOF arm and parallel gripper of robots.arm6 bolted on a pedestal at
its front.

Usage (from a scene's build and step):

    local mm = require "robots.mobile_manipulator"
    local robot = mm.build(world, {name = "mm", pos = {0, 0}, yaw = 0})
    robot:set_twist(0.3, 0.0)                   -- the base (robots.diffdrive)
    robot:carry()                               -- arm to its travel pose
    local q = robot.arm:ik_down(x, y, z, yaw)   -- the arm (robots.arm6)
    robot.arm:command(q); robot.arm:grip(0)

The returned object holds body and joint handles, so keep it in a local of the scene
chunk (set in build), not in ctx.state (which is for plain data only).

Parameters (all values are the defaults; every one can be overridden in `opts`):

  name        "mobile_manipulator"  prefix of all names: the base is <name>/base..., the arm
                                    robot <name>/arm
  pos         {0, 0}        start position of the chassis centre, x y (m)
  z           0             ground height (m)
  yaw         0             start heading (rad)
  base        {chassis_size = {0.7, 0.5, 0.24}, chassis_mass = 60, wheel_radius = 0.15,
               wheel_width = 0.05, wheel_mass = 2.0, wheel_x = 0.0, casters = 2,
               caster_x = 0.28, caster_radius = 0.04, caster_lift = 0.003, motor_fmax = 60,
               max_wheel_speed = 8}
                            robots.diffdrive options (merged over these; name, pos, z, yaw
                            come from above). The chassis top is wheel_radius +
                            chassis_size[3]/2 = 0.27 m above the ground
  arm         {pedestal = 0.35, pedestal_mass = 6}
                            robots.arm6 options (merged over these; name and mount are
                            set here). The arm's base plane is then 0.62 m above the ground
  arm_x       0.2           m, the pedestal's position along the chassis x (front of centre)
  dual        false         true: two arms side by side at chassis y = +arm_y (the left one,
                            robot.arm = robot.arms[1], named <name>/arm) and -arm_y (the
                            right one, robot.arms[2], <name>/arm_right); a dual-arm base
  arm_y       0.2           m, with dual
  carry_point {0.30, 0, 0.45}   m, the TCP in the arm's base frame for the travel pose
                            (tool down, gripper open, high above a 0.75 m table)
  Total mass 60 + 2 x 2 (wheels) + 10 (pedestal and arm base) + 17.7 (arm links, gripper)
  = 91.7 kg (robot:mass()).

Methods:
  robot:set_twist(v, w), robot:set_wheels(l, r), robot:pose2d(), robot:axle2d(),
  robot:up_z()              as robots.diffdrive (the base)
  robot:speed()             planar speed of the chassis, m/s
  robot:carry_q([k])        the travel pose's joint angles (list of 6) of arm k (default 1),
                            for the base as it is now
  robot:carry()             commands the travel pose and opens the gripper
  robot:front_x()           m, the chassis front's distance ahead of the chassis centre
  robot:mass()              kg, base + arm
  robot:to_world(x, y, z)   a point of the chassis frame (x forward of the chassis centre, y
                            left, z above the ground, the chassis assumed level) in the world
  robot:to_chassis(x, y, z) the inverse: a world point in that chassis frame
  robot:ik(mode, x, y, z, yaw [, k])  joint angles (list of 6) of arm k (default 1) for a TCP
                            target in the chassis
                            frame: mode "down" (arm:ik_down, fingers closing along chassis
                            heading `yaw`, rad) or "front" (arm:ik_front); nil and a reason
                            when out of reach
Fields: robot.base (the diffdrive object), robot.arm (the arm6 object), robot.chassis,
  robot.robot (the arm's Robot: its actuated joints; robot.base.robot is the base's).
--]]

local arm6 = require "robots.arm6"
local rbase = require "robots.base"
local diffdrive = require "robots.diffdrive"
local util = require "kit.util"

local M = {}

M.defaults = rbase.placed("mobile_manipulator", {
    base = {
        chassis_size = {0.7, 0.5, 0.24}, chassis_mass = 60, wheel_radius = 0.15,
        wheel_width = 0.05, wheel_mass = 2.0, wheel_x = 0.0, casters = 2,
        caster_x = 0.28, caster_radius = 0.04, caster_lift = 0.003, motor_fmax = 60,
        max_wheel_speed = 8,
    },
    arm = {pedestal = 0.35, pedestal_mass = 6},
    arm_x = 0.2,
    dual = false,
    arm_y = 0.2,
    carry_point = {0.30, 0, 0.45},
})

-- pose2d, up_z and speed read the chassis (the base's): robots.base.class
local Robot = rbase.class("chassis")

--- Builds the base and the arm. `opts` (optional) overrides M.defaults.
function M.build(world, opts)
    opts = util.options(opts, M.defaults, nil, "robots.mobile_manipulator")
    local name = opts.name
    local bo = util.merged(M.defaults.base, opts.base)
    bo.name, bo.pos, bo.z, bo.yaw = name .. "/base", opts.pos, opts.z, opts.yaw
    local base = diffdrive.build(world, bo)
    local cs = bo.chassis_size
    local arms = {}
    for k, side in ipairs(opts.dual and {{"/arm", 1}, {"/arm_right", -1}} or {{"/arm", 0}}) do
        local ao = util.merged(M.defaults.arm, opts.arm)
        ao.name = name .. side[1]
        ao.mount = base.chassis
        ao.pos = {opts.arm_x, side[2] * opts.arm_y, cs[3] / 2}
        ao.yaw = 0
        arms[k] = arm6.build(world, ao)
    end
    local arm = arms[1]
    local self = setmetatable({
        base = base, arm = arm, arms = arms, chassis = base.chassis, robot = arm.robot,
        carry_point = opts.carry_point, half_length = cs[1] / 2,
    }, Robot)
    for k, a in ipairs(arms) do a:set_q(self:carry_q(k)) end
    return self
end

function Robot:set_twist(v, w) self.base:set_twist(v, w) end
function Robot:set_wheels(l, r) self.base:set_wheels(l, r) end
function Robot:axle2d() return self.base:axle2d() end
function Robot:front_x() return self.half_length end

function Robot:carry_q(k)
    local c = self.carry_point
    local x, y, z = self.arms[k or 1]:to_world(c[1], c[2], c[3])
    local _, _, yaw = self.base:pose2d()
    return assert(self.arms[k or 1]:ik_down(x, y, z, yaw + math.pi / 2))
end

function Robot:carry()
    self.arm:command(self:carry_q())
    self.arm:grip(self.arm.o.open_width)
end

function Robot:to_world(x, y, z)
    local px, py, yaw = self.base:pose2d()
    local c, s = math.cos(yaw), math.sin(yaw)
    return px + c * x - s * y, py + s * x + c * y, z
end

function Robot:to_chassis(x, y, z)
    local px, py, yaw = self.base:pose2d()
    local c, s = math.cos(yaw), math.sin(yaw)
    local dx, dy = x - px, y - py
    return c * dx + s * dy, -s * dx + c * dy, z
end

function Robot:ik(mode, x, y, z, yaw, k)
    local arm = self.arms[k or 1]
    local wx, wy, wz = self:to_world(x, y, z)
    if mode == "front" then return arm:ik_front(wx, wy, wz) end
    local _, _, byaw = self.base:pose2d()
    return arm:ik_down(wx, wy, wz, byaw + (yaw or 0))
end

function Robot:mass()
    -- the arm robots' links include their base (pedestal) bodies
    local m = self.chassis:mass() + self.base.wheel_left:mass() + self.base.wheel_right:mass()
    for _, a in ipairs(self.arms) do m = m + a.robot:mass() end
    return m
end

return M
