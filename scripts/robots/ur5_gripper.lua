--[[
robots.ur5_gripper: the UR5 of assets/ (example-robot-data's URDF: its link masses,
inertias and STL collision meshes) on a fixed base, with position servos that carry the
reflected inertia of its harmonic drives (armature), and a parallel-jaw gripper bolted to
its tool flange whose fingers hold parts by friction alone.

Usage (from a scene's build and step):

    local ur5g = require "robots.ur5_gripper"
    local arm = ur5g.build(world, {name = "ur5", pos = {0, 0, 0.75}})
    local q = arm:ik_down(0.5, 0.1, 0.9, 0)   -- joint angles: tool point at the world point,
                                              -- tool pointing down, fingers closing along
                                              -- world heading 0; nil when out of reach
    arm:command(q)
    arm:grip(0)                               -- close: squeeze with grip_force
    arm:grip(0.08)                            -- open to an 8 cm gap
    local x, y, z = arm:tcp()                 -- tool centre point, world

Model:
  arm       world:robot{urdf = ur5_robot.urdf, fixed_base = true}: joints shoulder_pan_joint
            .. wrist_3_joint, position servos kp {9000, 9000, 6000, 800, 800, 500} N m/rad,
            kd {300, 300, 200, 20, 20, 10}, the URDF's effort (150/28 N m) and velocity (3.15
            rad/s) limits, armature {0.4, 0.4, 0.4, 0.13, 0.13, 0.13} kg m^2 (a harmonic
            drive of ratio ~101 behind motors of 4e-5 / 1.3e-5 kg m^2: rotor_inertia x gear^2)
  gripper   an assembled robot <name>/gripper: a palm (0.05 along the tool x 0.16 x 0.06 m,
            0.5 kg) bolted to the wrist_3 link's flange (a fixed joint), two fingers (0.015
            x 0.09 x 0.025 m, 0.05 kg each, pads mu `pad_friction`) on sliders driven by
            force-limited position servos (kp 5000 N/m, kd 400, grip_force N, 0.1 m/s) with
            armature 0.1 kg each (the lead screw's reflected mass: what lets 50 g fingers
            squeeze steadily, docs/fidelity.md)
  solver    arm and gripper declare 50 QuickStep iterations (world:robot's `solver`): a
            scene that leaves world.iterations unset gets 50
  TCP       between the pads at mid finger length: 0.0823 (flange) + 0.05 (palm) + 0.045 m
            along the tool axis (the wrist_3 link's +y)

Options (defaults): name "ur5", pos {0, 0, 0} (base), yaw 0, q (initial joint angles, 6;
  default a tool-down pose above the base's +x), open_width 0.085, grip_force 30 (N per
  finger), pad_friction 1.0, finger_mass 0.05 (kg each), finger_armature 0.1 (kg, each finger
  drive's reflected mass).
Methods: ik_down(x, y, z, yaw) · command(q) · grip(width) · tcp() · gripper_width() ·
  q() · touching(world, body) (a finger pad touches it).
Fields: robot (the UR5 Robot), gripper (the gripper Robot), palm, finger_left, finger_right,
  flange (the wrist_3 Body), links (the UR5's Bodies, base first).
--]]
local kin = require "robots.kin"
local util = require "kit.util"

local M = {}

M.URDF = "example-robot-data/robots/ur_description/urdf/ur5_robot.urdf"
M.JOINTS = {"shoulder_pan_joint", "shoulder_lift_joint", "elbow_joint", "wrist_1_joint", "wrist_2_joint", "wrist_3_joint"}
M.defaults = {name = "ur5", pos = {0, 0, 0}, yaw = 0, q = {0, -1.9, 1.9, -1.57, -1.57, 0}, open_width = 0.085,
              grip_force = 30, pad_friction = 1.0, finger_mass = 0.05, finger_armature = 0.1}
-- What the gripper needs of the solver (world:robot's `solver`; the arm, a URDF robot, gets
-- the importer's default, the same): 15 g fingers holding a 0.5 kg cube slip 4.4 mm in 5 s
-- at 20 iterations, 1.7 mm at 30, 0.5 mm at 50 (docs/fidelity.md).
M.GRIPPER_SOLVER = {iterations = 50}

local KP = {9000, 9000, 6000, 800, 800, 500}
local KD = {300, 300, 200, 20, 20, 10}
local ARMATURE = {0.4, 0.4, 0.4, 0.13, 0.13, 0.13}
local FLANGE, PALM, FINGER = 0.0823, {0.05, 0.16, 0.06}, {0.015, 0.09, 0.025}
local TCP = FLANGE + PALM[1] + FINGER[2] / 2

local Arm = require("robots.base").class()

-- wrist_3 orientation with the tool (its +y) pointing down and its +x along heading yaw
local function down_quat(yaw)
    return kin.quat_mul(kin.quat_yaw(yaw), kin.quat_axis_angle({1, 0, 0}, -math.pi / 2))
end

function M.build(world, opts)
    local o = util.options(opts, M.defaults, nil, "robots.ur5_gripper")
    local name = o.name
    local act = {}
    for i, j in ipairs(M.JOINTS) do
        act[j] = {mode = "position", kp = KP[i], kd = KD[i], armature = ARMATURE[i]}
    end
    local q0 = {}
    for i, j in ipairs(M.JOINTS) do q0[j] = o.q[i] end
    local robot = world:robot{urdf = M.URDF, name = name, pos = o.pos, rpy = {0, 0, o.yaw}, fixed_base = true,
                              actuators = act, q = q0}
    robot:command(o.q)
    local flange = robot:link("wrist_3_link")
    local x, y, z, qw, qx, qy, qz = robot:link_pose("wrist_3_link")
    local W = kin.pose({x, y, z}, {qw, qx, qy, qz})
    local function at(lx, ly, lz) return kin.pose_apply(W, {lx, ly, lz}) end
    local wq = {qw, qx, qy, qz}
    local dark = {0.2, 0.2, 0.22}
    local palm = world:body{name = name .. "/palm", pos = at(0, FLANGE + PALM[1] / 2, 0), quat = wq, mass = 0.5,
                            geoms = {{type = "box", size = {PALM[2], PALM[1], PALM[3]}, color = dark}}}
    world:joint{type = "fixed", name = name .. "/palm_mount", body1 = palm, body2 = flange}
    world:material{name = name .. "/pad", friction = o.pad_friction}
    local fy = FLANGE + PALM[1] + FINGER[2] / 2
    local fx = o.open_width / 2 + FINGER[1] / 2
    local function finger(side, sx)
        return world:body{name = name .. "/finger_" .. side, pos = at(sx * fx, fy, 0), quat = wq, mass = o.finger_mass,
                          geoms = {{type = "box", size = {FINGER[1], FINGER[2], FINGER[3]}, material = name .. "/pad",
                                    color = {0.12, 0.12, 0.12}}}}
    end
    local fl, fr = finger("left", 1), finger("right", -1)
    local travel = o.open_width / 2
    local fact = {mode = "position", kp = 5000, kd = 400, effort = o.grip_force, velocity = 0.1,
                  armature = o.finger_armature}
    local jl = world:joint{type = "slider", name = name .. "/finger_left", body1 = fl, body2 = palm,
                           axis = kin.rotate(wq, {-1, 0, 0}), lo = -0.002, hi = travel + 0.002}
    local jr = world:joint{type = "slider", name = name .. "/finger_right", body1 = fr, body2 = palm,
                           axis = kin.rotate(wq, {1, 0, 0}), lo = -0.002, hi = travel + 0.002}
    local gripper = world:robot{name = name .. "/gripper", links = {palm, fl, fr}, solver = M.GRIPPER_SOLVER,
                                joints = {{joint = jl, name = "finger_left", actuator = fact},
                                          {joint = jr, name = "finger_right", actuator = fact}}}
    local links = {}
    for _, n in ipairs(robot:link_names()) do links[#links + 1] = robot:link(n) end
    local self = setmetatable({robot = robot, gripper = gripper, palm = palm, finger_left = fl, finger_right = fr,
                               flange = flange, links = links, o = o, travel = travel, qc = util.copy_list(o.q)}, Arm)
    self:grip(o.open_width)
    return self
end

-- Warm-started from the arm's current joint targets: they live in the world's saved
-- state, so an episode restored from a state solves the same as the one that saved it.
function Arm:ik_down(x, y, z, yaw)
    local q, ok = self.robot:ik{link = "wrist_3_link", point = {0, TCP, 0}, pos = {x, y, z}, quat = down_quat(yaw or 0),
                                q0 = self.robot:commands(), iterations = 50, tolerance = 2e-4, rot_tolerance = 2e-3}
    if not ok then return nil, "out of reach" end
    return q
end

function Arm:command(q) self.robot:command(q) end

function Arm:grip(width)
    local c = util.clamp(self.travel - width / 2, -0.002, self.travel)
    self.gripper:command{c, c}
end

function Arm:tcp()
    local x, y, z, qw, qx, qy, qz = self.robot:link_pose("wrist_3_link")
    local p = kin.pose_apply(kin.pose({x, y, z}, {qw, qx, qy, qz}), {0, TCP, 0})
    return p[1], p[2], p[3]
end

function Arm:gripper_width()
    local q = self.gripper:q()
    return 2 * self.travel - q[1] - q[2]
end

function Arm:q() return self.robot:q() end

function Arm:touching(world, body)
    return world:touching(self.finger_left, body) or world:touching(self.finger_right, body)
end

return M
