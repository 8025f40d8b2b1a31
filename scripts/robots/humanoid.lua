--[[
robots.humanoid: a 1.72 m, 67 kg humanoid built from primitives as an assembled robot:
17 hinges (legs 2 x 5, waist 1, arms 2 x 3) with position servos (implicit PD) that
hold it standing, or passive damped joints (a ragdoll).

Usage (from a scene's build and step):

    local humanoid = require "robots.humanoid"
    local h = humanoid.build(world, {name = "h", pos = {0, 0}, yaw = 0})
    h:command{l_shoulder_pitch = -math.pi / 2}   -- raise the left arm forward
    h:set_mode("ragdoll")                        -- switch every servo off
    local z, up = h:pelvis_height(), h:up_z()

It is built standing straight, arms hanging, feet flat on the ground: that is the zero
configuration (every joint angle 0) and the servos' initial target. Keep the returned
object in a local of the scene chunk (set in build), not in ctx.state.

Bodies (link frames at the joint they hang from; mass; collision geometry):
  pelvis      box 0.18 x 0.28 x 0.16, centre 0.98 m up          10 kg (the robot's base)
  torso       box 0.20 x 0.34 x 0.42 on the waist (1.06 m) and
              a head sphere r 0.10 centred 1.62 m up            26 kg
  l/r_hip     sphere r 0.05 at the hip joint (0.92 m, y +-0.10)  0.5 kg (between the two hip hinges)
  l/r_thigh   capsule r 0.06, hip to knee 0.42 m                  7 kg
  l/r_shank   capsule r 0.045, knee (0.50 m) to ankle (0.08 m)    3 kg
  l/r_ankle   sphere r 0.05 at the ankle joint                    0.3 kg
  l/r_foot    box 0.24 x 0.10 x 0.06 (sole at z = 0, toe 0.15 m
              ahead of the ankle)                                 1 kg
  l/r_shoulder sphere r 0.05 at the shoulder (1.42 m, y +-0.21)   0.3 kg
  l/r_upper_arm capsule r 0.04, shoulder to elbow 0.30 m          2 kg
  l/r_forearm capsule r 0.035, elbow to hand tip 0.28 m           1.5 kg
  (inertias shaped from the geoms, scaled to the masses, except the hip, ankle and shoulder
  bodies: motor housings of isotropic inertia 0.02 kg m^2. That stands for the rotors'
  reflected inertia and keeps QuickStep converging: with the 0.3 kg spheres' own inertia
  (2e-4 kg m^2) between 1..67 kg neighbours, 50 iterations left the ankle servos acting
  about 10x softer than kp and the robot fell over. The robot's geoms ignore each other:
  collision category `category`, collide = every other bit)

Joints (robot order; axis in the zero configuration; limits rad; servo effort N m):
   1 l_hip_roll      +x  -0.5 .. 0.5        200     positive pitch about +y swings a
   2 l_hip_pitch     +y  -1.8 .. 0.6        200     limb backwards (right-hand rule):
   3 l_knee          +y  -0.05 .. 2.3       200     hip_pitch < 0 lifts the leg forward,
   4 l_ankle_pitch   +y  -0.8 .. 0.8        150     knee > 0 bends it, shoulder_pitch
   5 l_ankle_roll    +x  -0.4 .. 0.4        150     -pi/2 holds the arm forward level,
   6..10 r_hip_roll ... r_ankle_roll, as left          -pi straight up; roll > 0 moves a
  11 waist_yaw       +z  -1.0 .. 1.0        100     limb to +y (left)
  12 l_shoulder_pitch +y -3.1 .. 1.0         60
  13 l_shoulder_roll +x  -0.2 .. 3.0         60
  14 l_elbow         +y  -2.5 .. 0.05        40     (< 0 bends the forearm forward)
  15..17 r_shoulder_pitch, r_shoulder_roll (-3.0 .. 0.2), r_elbow
  (The straight knee and elbow sit 0.05 rad inside their stops: ODE drives a powered joint
  that rests on a stop with its full effort, bang-bang, instead of the servo's PD force.)

Parameters (all values are the defaults; every one can be overridden in `opts`):
  name         "humanoid"   robot name, prefix of body, joint and material names
  pos          {0, 0}       x y of the pelvis (m); the soles rest on z
  z            0            ground height (m)
  yaw          0            heading (rad)
  mode         "pd"         "pd" (position servos) or "ragdoll" (no servos)
  kp           {hip = 3000, knee = 3000, ankle = 3000, waist = 1500, shoulder = 1000,
                elbow = 400}   N m/rad, per joint group
  kd           {hip = 150, knee = 150, ankle = 150, waist = 80, shoulder = 40, elbow = 15}
                              N m s/rad
  effort_scale 1            multiplies the servo effort limits above
  ragdoll_damping 2.0       N m s/rad on every joint in ragdoll mode (passive)
  ragdoll_friction 0.5      N m dry friction on every joint in ragdoll mode
  foot_friction 1.0         Coulomb mu of the soles (material <name>/sole)
  category     2097152      collision category bit of all the humanoid's geoms
  hip_yaw      false        true adds a hip yaw hinge per leg (+z, -0.6 .. 0.6 rad, 200 N m;
                            joints 18 l_hip_yaw and 19 r_hip_yaw, between the pelvis and the
                            hip roll; their 0.5 kg housings come out of the pelvis, which
                            weighs 9 kg then: same 67.2 kg). Needed to turn while walking
  sensors      false        true mounts an IMU on the pelvis (<name>/imu) and a contact sensor
                            on each foot (<name>/l_touch, <name>/r_touch): needed by h:walk.
                            Such a robot declares the walk's solver need, M.WALK_SOLVER
  arms         false        {shoulder_pitch = rad, elbow = rad}: both arms built bent to that
                            pose (the servos hold it), e.g. {-0.5, -1.07} puts the forearms
                            level and forward at 1.157 m, 0.14 .. 0.42 m ahead, to carry a
                            tote across them

Methods:
  h:command(t)          position targets: {joint = rad, ...} or a list of 17 (robot order)
  h:set_mode(m)         "pd" (targets = the current angles) or "ragdoll"
  h:q(j)                angle of joint j (name or index)
  h:pelvis_height()     pelvis link z above the ground (m; 0.98 standing)
  h:head_height()       head centre above the ground (m; 1.62 standing)
  h:up_z()              world z of the torso's up axis (1 upright)
  h:com()               whole-body centre of mass, world x, y, z
  h:pose2d()            pelvis x, y (m), yaw (rad)
  h:speed()             planar speed of the pelvis, m/s
  h:com([load])         as h:com(), with a carried Body counted
  h:walk_state([load])  a fresh walk state (plain data: keep it in ctx.state); load: a Body
                        carried in the hands, counted in the centre of mass
  h:walk(st, o, dt)     one control step of the closed-loop walk, every physics step (o:
                        vx m/s, yaw_rate rad/s, stop, load, gait settings: M.walk_defaults);
                        commands the leg joints only. Counters in st: steps (touchdowns),
                        late (swings that found no ground in time), phase ("stand",
                        "shift", "single", "double")
  M.leg_ik(x, y, z, yaw) the analytic leg solution (hip yaw, roll, pitch, knee, ankle pitch,
                        roll) for an ankle at x, y, z from the hip, foot flat, turned yaw

The walk (h:walk): a capture-point (divergent component of motion) gait on the linear
inverted pendulum. A reference centre of mass runs the pendulum dynamics about a ZMP in the
stance foot (sliding to the new foot in double support, 0.55 s single + 0.15 s double
support); each swing foot lands where the DCM must be for the commanded speed; the legs
are solved analytically for the pelvis that puts the measured centre of mass on the
reference. Feedback: the reference is pulled toward the measured COM and its velocity
(k_com, k_vel), the pelvis is moved by the COM tracking error (P and I), the pelvis tilt
from the IMU goes into the stance hip, the foot contact sensors end each swing. Build with
hip_yaw = true, sensors = true and the stiffer leg gains M.walk_gains. Solver (M.WALK_SOLVER,
declared by a robot built with sensors): with QuickStep, 100 iterations at dt <= 3 ms (at
5 ms it falls within a few steps even with 200 iterations, at 2 ms with 50); with the
direct solver (world = {solver = "direct"}) dt 5 ms (measured walking, carrying and
turning 20 s each at 5, 6, 8 and 10 ms). Measured (flat floor, 30 s): 0.15-0.30 m/s commanded walks 3.9-7.1 m; turns at
0.2 rad/s; carries a 3-5 kg tote on the forearms (arms = {-0.5, -1.07}). Limits: flat
ground only (no terrain adaptation), no push recovery beyond the step placement, at most
0.45 m/s; it walks with its knees bent (pelvis 0.90 m).
Fields: h.robot (the Robot), h.links (Bodies by name: h.links.torso, ...), h.bodies (the
  same in robot link order, pelvis first), h.pelvis, h.torso, h.joint_names (robot order),
  h.mode (the mode last set, for information only: a scene that switches modes keeps its
  own record in ctx.state, which snapshots restore).
--]]

local base = require "robots.base"
local kin = require "robots.kin"
local util = require "kit.util"

local M = {}

M.defaults = base.placed("humanoid", {
    mode = "pd",
    kp = {hip = 3000, knee = 3000, ankle = 3000, waist = 1500, shoulder = 1000, elbow = 400},
    kd = {hip = 150, knee = 150, ankle = 150, waist = 80, shoulder = 40, elbow = 15},
    effort_scale = 1,
    ragdoll_damping = 2.0,
    ragdoll_friction = 0.5,
    foot_friction = 1.0,
    category = 2097152,
    hip_yaw = false,
    sensors = false,
    arms = false,
})

local X, Y, Zax = {1, 0, 0}, {0, 1, 0}, {0, 0, 1}
local HIP_Z, KNEE_Z, ANKLE_Z, HIP_Y = 0.92, 0.50, 0.08, 0.10
local WAIST_Z, SHOULDER_Z, SHOULDER_Y, ELBOW_Z = 1.06, 1.42, 0.21, 1.12
local HOUSING_I = 0.02           -- kg m^2, isotropic inertia of the motor-housing bodies

local Human = base.class("pelvis", "torso")   -- pose2d, speed of the pelvis; up_z of the torso

--- Builds the humanoid standing at opts.pos. `opts` (optional) overrides M.defaults.
function M.build(world, opts)
    opts = util.options(opts, M.defaults, nil, "robots.humanoid")
    local name = opts.name
    local pos = opts.pos
    local kp = util.merged(M.defaults.kp, opts.kp)
    local kd = util.merged(M.defaults.kd, opts.kd)
    local es = opts.effort_scale
    local cat = opts.category
    local coll = 4294967295 - cat
    local q = kin.quat_yaw(opts.yaw)
    local O = kin.pose({pos[1], pos[2], opts.z}, q)      -- ground point under the pelvis
    local sole = world:material{name = name .. "/sole", friction = opts.foot_friction}
    local skin = {0.85, 0.75, 0.65}
    local cloth = {0.25, 0.35, 0.6}

    local links, order = {}, {}
    -- A body whose link frame is at the model-frame point `at` (zero configuration).
    local function body(lname, at, mass, geoms, inertia)
        for _, g in ipairs(geoms) do
            g.category, g.collide = cat, coll
            g.color = g.color or cloth
        end
        local b = world:body{name = name .. "/" .. lname, pos = kin.pose_apply(O, at), quat = q,
                             mass = mass, geoms = geoms, com = inertia and {0, 0, 0} or nil,
                             inertia = inertia and {inertia, inertia, inertia, 0, 0, 0} or nil}
        links[lname] = b
        order[#order + 1] = b
        return b
    end
    -- the small bodies between two hinges of a hip, ankle or shoulder (motor housings)
    local function ball(lname, at, mass)
        return body(lname, at, mass, {{type = "sphere", radius = 0.05, color = {0.3, 0.3, 0.3}}}, HOUSING_I)
    end

    -- with hip yaw joints, their two 0.5 kg housings come out of the pelvis: same total mass
    local pelvis = body("pelvis", {0, 0, 0.98}, opts.hip_yaw and 9 or 10, {{type = "box", size = {0.18, 0.28, 0.16}}})
    local torso = body("torso", {0, 0, WAIST_Z}, 26, {
        {type = "box", size = {0.20, 0.34, 0.42}, pos = {0, 0, 0.21}},
        {type = "sphere", radius = 0.10, pos = {0, 0, 1.62 - WAIST_Z}, color = skin},
    })
    for _, side in ipairs({"l", "r"}) do
        local sy = (side == "l") and 1 or -1
        if opts.hip_yaw then ball(side .. "_hip_yaw", {0, sy * HIP_Y, HIP_Z}, 0.5) end
        ball(side .. "_hip", {0, sy * HIP_Y, HIP_Z}, 0.5)
        body(side .. "_thigh", {0, sy * HIP_Y, HIP_Z}, 7, {
            {type = "capsule", radius = 0.06, length = HIP_Z - KNEE_Z - 0.12, pos = {0, 0, -(HIP_Z - KNEE_Z) / 2}}})
        body(side .. "_shank", {0, sy * HIP_Y, KNEE_Z}, 3, {
            {type = "capsule", radius = 0.045, length = KNEE_Z - ANKLE_Z - 0.09, pos = {0, 0, -(KNEE_Z - ANKLE_Z) / 2}}})
        ball(side .. "_ankle", {0, sy * HIP_Y, ANKLE_Z}, 0.3)
        body(side .. "_foot", {0, sy * HIP_Y, ANKLE_Z}, 1.0, {
            {type = "box", size = {0.24, 0.10, 0.06}, pos = {0.03, 0, 0.03 - ANKLE_Z}, material = sole,
             color = {0.2, 0.2, 0.2}}})
        ball(side .. "_shoulder", {0, sy * SHOULDER_Y, SHOULDER_Z}, 0.3)
        body(side .. "_upper_arm", {0, sy * SHOULDER_Y, SHOULDER_Z}, 2.0, {
            {type = "capsule", radius = 0.04, length = SHOULDER_Z - ELBOW_Z - 0.08, pos = {0, 0, -(SHOULDER_Z - ELBOW_Z) / 2}}})
        body(side .. "_forearm", {0, sy * SHOULDER_Y, ELBOW_Z}, 1.5, {
            {type = "capsule", radius = 0.035, length = 0.28 - 0.07, pos = {0, 0, -0.14}, color = skin}})
    end

    -- joint specs: name, child, parent, anchor (model frame), axis, lo, hi, group, effort
    local specs = {}
    for _, side in ipairs({"l", "r"}) do
        local sy = (side == "l") and 1 or -1
        local hip = {0, sy * HIP_Y, HIP_Z}
        local ank = {0, sy * HIP_Y, ANKLE_Z}
        local rlo, rhi = -0.5, 0.5
        specs[#specs + 1] = {side .. "_hip_roll", side .. "_hip", opts.hip_yaw and side .. "_hip_yaw" or "pelvis",
                             hip, X, rlo, rhi, "hip", 200}
        specs[#specs + 1] = {side .. "_hip_pitch", side .. "_thigh", side .. "_hip", hip, Y, -1.8, 0.6, "hip", 200}
        specs[#specs + 1] = {side .. "_knee", side .. "_shank", side .. "_thigh", {0, sy * HIP_Y, KNEE_Z}, Y, -0.05, 2.3, "knee", 200}
        specs[#specs + 1] = {side .. "_ankle_pitch", side .. "_ankle", side .. "_shank", ank, Y, -0.8, 0.8, "ankle", 150}
        specs[#specs + 1] = {side .. "_ankle_roll", side .. "_foot", side .. "_ankle", ank, X, -0.4, 0.4, "ankle", 150}
    end
    specs[#specs + 1] = {"waist_yaw", "torso", "pelvis", {0, 0, WAIST_Z}, Zax, -1.0, 1.0, "waist", 100}
    for _, side in ipairs({"l", "r"}) do
        local sy = (side == "l") and 1 or -1
        local sh = {0, sy * SHOULDER_Y, SHOULDER_Z}
        local rlo, rhi = -0.2, 3.0
        if side == "r" then rlo, rhi = -3.0, 0.2 end
        specs[#specs + 1] = {side .. "_shoulder_pitch", side .. "_shoulder", "torso", sh, Y, -3.1, 1.0, "shoulder", 60}
        specs[#specs + 1] = {side .. "_shoulder_roll", side .. "_upper_arm", side .. "_shoulder", sh, X, rlo, rhi, "shoulder", 60}
        specs[#specs + 1] = {side .. "_elbow", side .. "_forearm", side .. "_upper_arm", {0, sy * SHOULDER_Y, ELBOW_Z}, Y, -2.5, 0.05, "elbow", 40}
    end
    if opts.hip_yaw then        -- appended: joints 1..17 keep their indices
        for _, side in ipairs({"l", "r"}) do
            local sy = (side == "l") and 1 or -1
            specs[#specs + 1] = {side .. "_hip_yaw", side .. "_hip_yaw", "pelvis", {0, sy * HIP_Y, HIP_Z}, Zax, -0.6, 0.6, "hip", 200}
        end
    end

    local joints, names, efforts = {}, {}, {}
    for i, sp in ipairs(specs) do
        local j = world:joint{type = "hinge", name = name .. "/" .. sp[1], body1 = links[sp[2]], body2 = links[sp[3]],
                              anchor = kin.pose_apply(O, sp[4]), axis = kin.rotate(q, sp[5]), lo = sp[6], hi = sp[7]}
        efforts[i] = sp[9] * es
        joints[i] = {joint = j, name = sp[1],
                     actuator = {mode = "position", kp = kp[sp[8]], kd = kd[sp[8]], effort = efforts[i]}}
        names[i] = sp[1]
    end
    local robot = world:robot{name = name, links = order, joints = joints,
                              solver = opts.sensors and M.WALK_SOLVER or nil}
    local self = setmetatable({
        robot = robot, links = links, bodies = order, pelvis = pelvis, torso = torso, joint_names = names,
        ground = opts.z, specs = specs, kp = kp, kd = kd, efforts = efforts,
        ragdoll_damping = opts.ragdoll_damping, ragdoll_friction = opts.ragdoll_friction,
        mode = "pd",
    }, Human)
    if opts.arms then
        -- both arms bent forward: the bodies moved after their joints were made at zero,
        -- so the hinges read the angles; the servos hold them
        local sp, el = opts.arms.shoulder_pitch or 0, opts.arms.elbow or 0
        local qs = kin.quat_mul(q, kin.quat_axis_angle(Y, sp))
        local qf = kin.quat_mul(q, kin.quat_axis_angle(Y, sp + el))
        local targets = {}
        for _, side in ipairs({"l", "r"}) do
            local sy = (side == "l") and 1 or -1
            local e = kin.rotate(kin.quat_axis_angle(Y, sp), {0, 0, -(SHOULDER_Z - ELBOW_Z)})
            local ew = kin.pose_apply(O, {e[1], sy * SHOULDER_Y, SHOULDER_Z + e[3]})
            links[side .. "_shoulder"]:set_quat(qs[1], qs[2], qs[3], qs[4])
            links[side .. "_upper_arm"]:set_quat(qs[1], qs[2], qs[3], qs[4])
            links[side .. "_forearm"]:set_pos(ew[1], ew[2], ew[3])
            links[side .. "_forearm"]:set_quat(qf[1], qf[2], qf[3], qf[4])
            targets[side .. "_shoulder_pitch"], targets[side .. "_elbow"] = sp, el
        end
        robot:command(targets)
    end
    if opts.mode == "ragdoll" then self:set_mode("ragdoll") end
    if opts.sensors then
        self.imu = world:sensor{type = "imu", name = name .. "/imu", body = pelvis}
        self.touch = {
            l = world:sensor{type = "contact", name = name .. "/l_touch", body = links.l_foot},
            r = world:sensor{type = "contact", name = name .. "/r_touch", body = links.r_foot},
        }
    end
    self.hip_yaw = opts.hip_yaw
    return self
end

function Human:command(t)
    self.robot:command(t)
end

function Human:set_mode(m)
    assert(m == "pd" or m == "ragdoll", "robots.humanoid: mode must be \"pd\" or \"ragdoll\"")
    local r = self.robot
    for i, sp in ipairs(self.specs) do
        if m == "pd" then
            r:actuator(i, {mode = "position", kp = self.kp[sp[8]], kd = self.kd[sp[8]], effort = self.efforts[i],
                           damping = 0, friction = 0})
            r:command(i, r:position(i))
        else
            r:actuator(i, {mode = "none", damping = self.ragdoll_damping, friction = self.ragdoll_friction})
        end
    end
    self.mode = m
end

function Human:q(j)
    return self.robot:position(j)
end

function Human:pelvis_height()
    local _, _, z = self.pelvis:pos()
    return z - self.ground
end

function Human:head_height()
    local _, _, z = self.torso:to_world(0, 0, 1.62 - WAIST_Z)
    return z - self.ground
end

function Human:com(load)
    local m, cx, cy, cz = 0, 0, 0, 0
    for i = 1, #self.bodies + (load and 1 or 0) do
        local b = self.bodies[i] or load
        local bm = b:mass()
        local x, y, z = b:com()
        m, cx, cy, cz = m + bm, cx + bm * x, cy + bm * y, cz + bm * z
    end
    return cx / m, cy / m, cz / m
end


-- ---------------------------------------------------------------- the walk
-- A capture-point (DCM) walk on the linear inverted pendulum: a reference centre of mass
-- runs the pendulum dynamics about a ZMP that sits in the stance foot (single support) or
-- slides to the new foot (double support); each swing foot is placed where the divergent
-- component of motion must land for the commanded speed; the legs are then solved
-- analytically (hip yaw, roll, pitch, knee, ankle pitch, roll) for the pelvis that puts the
-- measured centre of mass on the reference. Feedback: measured COM offset from the pelvis
-- (arm poses, a load in the hands), the measured DCM pulled into the plan, pelvis tilt
-- from the IMU, foot contact sensors for touchdown.

--- Leg gains for the walk (build with kp = M.walk_gains.kp, kd = M.walk_gains.kd): stiffer
--- than the standing defaults, so the legs track the gait under load (the solver they
--- need: M.WALK_SOLVER).
M.walk_gains = {
    kp = {hip = 8000, knee = 8000, ankle = 6000, waist = 1500, shoulder = 1000, elbow = 400},
    kd = {hip = 250, knee = 250, ankle = 180, waist = 80, shoulder = 40, elbow = 15},
}

--- What the walk needs of the solver (world:robot's `solver`; docs/fidelity.md): QuickStep
--- must converge on the stiff leg chain (100 iterations at dt <= 3 ms: at 3.5 ms and 100 it
--- fell after 13 s, at 5 ms with 200 after 5 s); the direct solver has no iterations and
--- holds at 5 ms (also measured at 6-10 ms).
M.WALK_SOLVER = {iterations = 100, max_timestep = 0.003, direct_max_timestep = 0.005}

M.walk_defaults = {
    vx = 0,              -- m/s forward (heading frame); clamped to [-max_back, max_vx]
    yaw_rate = 0,        -- rad/s; needs hip_yaw
    height = 0.90,       -- m, pelvis height while walking
    t_single = 0.55,     -- s, single support
    t_double = 0.15,     -- s, double support
    lift = 0.06,         -- m, swing foot clearance
    width = 0.10,        -- m, half the distance between the feet's centre lines
    zmp_x = 0.02,        -- m, ZMP ahead of the ankle in the stance foot
    max_vx = 0.45,
    max_back = 0.15,
    max_yaw_step = 0.25, -- rad turned per step at most
    k_com = 2.0,         -- 1/s, pull of the reference COM toward the measured one
    k_vel = 2.0,         -- 1/s, same for the velocity
    k_tilt = 1.0,        -- pelvis tilt feedback into the stance hip
    kp_com = 0.5,        -- COM tracking: pelvis moved by this times the COM error
    ki_com = 1.0,        -- 1/s, and by the integral of it
    stop = false,        -- true: finish the step, close the feet and stand
    load = false,        -- a Body carried in the hands: counted in the centre of mass
}

local G = 9.81
local L_THIGH, L_SHANK = HIP_Z - KNEE_Z, KNEE_Z - ANKLE_Z
local ANKLE_H = ANKLE_Z
local PELVIS_HIP_Z = 0.98 - HIP_Z            -- hip joints below the pelvis link frame

local function rot2(yaw, x, y)
    local c, s = math.cos(yaw), math.sin(yaw)
    return c * x - s * y, s * x + c * y
end

--- Leg joint angles (hip yaw, roll, pitch, knee, ankle pitch, roll) putting the ankle at
--- (x, y, z) from the hip joint in the pelvis frame, with the foot flat and turned `fyaw`.
function M.leg_ik(x, y, z, fyaw)
    local lx, ly = rot2(-fyaw, x, y)
    local roll = math.atan(ly, -z)
    local lz = math.sqrt(ly * ly + z * z)
    local d = math.sqrt(lx * lx + lz * lz)
    d = kin.clamp(d, 0.3, 0.995 * (L_THIGH + L_SHANK))
    local cknee = (d * d - L_THIGH * L_THIGH - L_SHANK * L_SHANK) / (2 * L_THIGH * L_SHANK)
    local knee = math.acos(kin.clamp(cknee, -1, 1))
    local alpha = math.atan(-lx, lz)
    local cb = (L_THIGH * L_THIGH + d * d - L_SHANK * L_SHANK) / (2 * L_THIGH * d)
    local pitch = alpha - math.acos(kin.clamp(cb, -1, 1))
    return fyaw, roll, pitch, knee, -(pitch + knee), -roll
end

--- A fresh walk state for h:walk (keep it in ctx.state): the feet where they stand.
function Human:walk_state(load)
    local st = {phase = "stand", t = 0, stance = "l", steps = 0, early = 0, late = 0, foot = {},
                heading = 0, sw0 = {0, 0, 0}, swt = {0, 0, 0}, p_old = {0, 0}, stop_steps = 0}
    for _, side in ipairs({"l", "r"}) do
        local x, y = self.links[side .. "_ankle"]:pos()
        st.foot[side] = {x, y, kin.yaw_of(self.links[side .. "_foot"]:quat())}
    end
    local cx, cy = self:com(load)
    local px, py = self.pelvis:pos()
    st.c, st.v, st.off, st.ie = {cx, cy}, {0, 0}, {cx - px, cy - py}, {0, 0}
    st.heading = kin.yaw_of(self.pelvis:quat())
    st.zmp = {cx, cy}
    local _, _, pz = self.pelvis:pos()
    st.z = pz - self.ground
    return st
end

-- the ZMP point of a foot (ankle + zmp_x along its heading)
local function foot_zmp(f, o)
    local dx, dy = rot2(f[3], o.zmp_x, 0)
    return f[1] + dx, f[2] + dy
end

-- the DCM offset from the stance ZMP at the start of a single support for a periodic gait
-- of step (sx forward, 2 width sideways); with the ZMP sliding linearly to the new foot
-- during double support. Returns the offsets along and across (toward the swing side > 0).
local function nominal_offsets(o, omega, sx)
    local e = math.exp(omega * o.t_single)
    local a = math.exp(omega * o.t_double)
    local kk = (a - 1) / (omega * o.t_double)
    return kk * sx / (a * e - 1), kk * 2 * o.width / (1 + a * e)
end

-- where the swing foot should land: the DCM predicted at the end of the single support
-- (ZMP in the stance foot), then through the double support, must start the next single
-- support at its nominal offset from the new foot
function Human:_place(st, o, omega, tleft)
    local sw = (st.stance == "l") and "r" or "l"
    local side = (sw == "l") and 1 or -1
    local T = o.t_single + o.t_double
    local f = st.foot[st.stance]
    local px, py = foot_zmp(f, o)
    local e = math.exp(omega * tleft)
    local xix = px + (st.c[1] + st.v[1] / omega - px) * e
    local xiy = py + (st.c[2] + st.v[2] / omega - py) * e
    local yaw_step = kin.clamp(st.yaw_rate * T, -o.max_yaw_step, o.max_yaw_step)
    local hd = f[3] + yaw_step
    -- turning toward the swing side opens that foot's yaw, away from it keeps feet parallel
    if (yaw_step > 0) ~= (side > 0) then hd = f[3] + 0.5 * yaw_step end
    local bx, bw = nominal_offsets(o, omega, st.vx * T)
    -- at the next single support the DCM sits inside the new stance foot: toward the old one
    local ox, oy = rot2(hd, bx, -side * bw)
    local a = math.exp(omega * o.t_double)
    local kk = (a - 1) / (omega * o.t_double)
    -- new ZMP p' (then the ankle): p' - p = (a (xi_e - p) - b) / kk
    local zx = px + (a * (xix - px) - ox) / kk
    local zy = py + (a * (xiy - py) - oy) * 1 / kk
    local zox, zoy = rot2(hd, o.zmp_x, 0)
    local tx, ty = zx - zox, zy - zoy
    -- limits in the stance foot's frame
    local rx, ry = rot2(-f[3], tx - f[1], ty - f[2])
    rx = kin.clamp(rx, -0.2, 0.38)
    ry = side * kin.clamp(side * ry, 0.17, 0.36)
    local wx, wy = rot2(f[3], rx, ry)
    return f[1] + wx, f[2] + wy, hd
end

--- One control step of the walk (call every step). st: h:walk_state() in ctx.state;
--- o: over M.walk_defaults (vx, yaw_rate, stop, ...); dt: the step, s. Needs the robot built
--- with sensors = true (and hip_yaw = true to turn). Commands the 10 (12) leg joints only:
--- the arms and waist stay the scene's.
function Human:walk(st, o, dt)
    o = util.options(o, M.walk_defaults, nil, "humanoid:walk")
    if not self.imu then error("humanoid:walk needs the robot built with sensors = true", 2) end
    if o.yaw_rate ~= 0 and not self.hip_yaw then
        error("humanoid:walk: turning (yaw_rate) needs the robot built with hip_yaw = true", 2)
    end
    local omega = math.sqrt(G / (o.height - 0.02))
    st.vx = kin.clamp(o.vx, -o.max_back, o.max_vx)
    st.yaw_rate = o.yaw_rate
    local moving = (not o.stop) and (math.abs(st.vx) > 1e-3 or math.abs(o.yaw_rate) > 1e-3)

    -- measurements
    local cx, cy = self:com(o.load)
    local px, py = self.pelvis:pos()
    local f = math.min(1, dt / 0.1)
    st.off[1] = st.off[1] + (cx - px - st.off[1]) * f
    st.off[2] = st.off[2] + (cy - py - st.off[2]) * f
    local mvx, mvy, m = 0, 0, 0
    for i = 1, #self.bodies + (o.load and 1 or 0) do
        local b = self.bodies[i] or o.load
        local bm = b:mass()
        local vx, vy = b:linvel()
        mvx, mvy, m = mvx + bm * vx, mvy + bm * vy, m + bm
    end
    mvx, mvy = mvx / m, mvy / m
    local iv = self.imu:data()
    local qw, qx, qy, qz = iv[7], iv[8], iv[9], iv[10]
    local roll = math.atan(2 * (qw * qx + qy * qz), 1 - 2 * (qx * qx + qy * qy))
    local pitch = math.asin(kin.clamp(2 * (qw * qy - qz * qx), -1, 1))

    -- the phase machine
    st.t = st.t + dt
    local sw = (st.stance == "l") and "r" or "l"
    local zx, zy
    if st.phase == "stand" then
        local l, r = st.foot.l, st.foot.r
        local mx, my = (l[1] + r[1]) / 2 + o.zmp_x * math.cos(l[3]), (l[2] + r[2]) / 2 + o.zmp_x * math.sin(l[3])
        local xix, xiy = st.c[1] + st.v[1] / omega, st.c[2] + st.v[2] / omega
        zx, zy = xix + 0.6 * (xix - mx), xiy + 0.6 * (xiy - my)
        -- the first step waits for the walking height (the pelvis lowers 8 cm from standing)
        if moving and math.abs(st.z - o.height) < 1e-3 then st.phase, st.t = "shift", 0 end
    end
    if st.phase == "shift" then
        -- the ZMP on the first swing foot pushes the DCM over the stance foot
        zx, zy = foot_zmp(st.foot[sw], o)
        local bx, by = rot2(st.foot[sw][3], -0.04, 0)          -- behind the COM: it starts forward
        zx, zy = zx + bx, zy + by
        local sx, sy = foot_zmp(st.foot[st.stance], o)
        local lx, ly = sx - zx, sy - zy
        local len = math.sqrt(lx * lx + ly * ly)
        local xix, xiy = st.c[1] + st.v[1] / omega, st.c[2] + st.v[2] / omega
        local along = ((xix - zx) * lx + (xiy - zy) * ly) / len
        local _, bw = nominal_offsets(o, omega, 0)
        if along >= len - bw then
            st.phase, st.t = "single", 0
            st.sw0 = {st.foot[sw][1], st.foot[sw][2], st.foot[sw][3]}
        end
    end
    if st.phase == "single" then
        zx, zy = foot_zmp(st.foot[st.stance], o)
        local tleft = math.max(0, o.t_single - st.t)
        if st.t < 0.75 * o.t_single then
            st.swt = {self:_place(st, o, omega, tleft)}
        end
        local touching = self.touch[sw]:value(1) > 0.5
        local done = st.t >= o.t_single and touching
        if st.t >= o.t_single + 0.1 then done = true; st.late = st.late + 1 end
        if done then
            local ax, ay = self.links[sw .. "_ankle"]:pos()
            st.foot[sw] = {ax, ay, st.swt[3]}
            st.p_old = {zx, zy}
            st.steps = st.steps + 1
            st.stance, sw = sw, st.stance
            st.phase, st.t = "double", 0
            if not moving then st.stop_steps = st.stop_steps + 1 else st.stop_steps = 0 end
        end
    end
    if st.phase == "double" then
        local nx, ny = foot_zmp(st.foot[st.stance], o)
        local u = math.min(1, st.t / o.t_double)
        zx, zy = st.p_old[1] + (nx - st.p_old[1]) * u, st.p_old[2] + (ny - st.p_old[2]) * u
        if st.t >= o.t_double then
            if st.stop_steps >= 2 then
                st.phase, st.t = "stand", 0
            else
                st.phase, st.t = "single", 0
                st.sw0 = {st.foot[sw][1], st.foot[sw][2], st.foot[sw][3]}
            end
        end
    end
    st.zmp = {zx, zy}

    -- the reference COM: pendulum about the ZMP, pulled toward the measured state
    local c, v = st.c, st.v
    v[1] = v[1] + (omega * omega * (c[1] - zx) + o.k_vel * (mvx - v[1])) * dt
    v[2] = v[2] + (omega * omega * (c[2] - zy) + o.k_vel * (mvy - v[2])) * dt
    c[1] = c[1] + (v[1] + o.k_com * (cx - c[1])) * dt
    c[2] = c[2] + (v[2] + o.k_com * (cy - c[2])) * dt

    -- targets: the feet (ankle points, world) and the pelvis
    local feet = {}
    for _, side in ipairs({"l", "r"}) do
        local ft = st.foot[side]
        feet[side] = {ft[1], ft[2], self.ground + ANKLE_H, ft[3]}
    end
    if st.phase == "single" then
        local u = math.min(1, st.t / o.t_single)
        local s = kin.smoothstep(u)
        local a, b = st.sw0, st.swt
        local lift = o.lift * math.sin(math.pi * u) ^ 2
        if st.t > o.t_single then lift = -0.01 * (st.t - o.t_single) / 0.1 end
        feet[sw] = {a[1] + (b[1] - a[1]) * s, a[2] + (b[2] - a[2]) * s, self.ground + ANKLE_H + lift,
                    a[3] + kin.wrap(b[3] - a[3]) * s}
    end
    local pyaw = feet.l[4] + kin.wrap(feet.r[4] - feet.l[4]) / 2
    st.z = st.z + kin.clamp(o.height - st.z, -0.1 * dt, 0.1 * dt)      -- 0.1 m/s to the walking height
    -- the pelvis that puts the measured COM on the reference: offset, P and I on the error
    local ex, ey = c[1] - cx, c[2] - cy
    st.ie[1] = kin.clamp(st.ie[1] + o.ki_com * ex * dt, -0.05, 0.05)
    st.ie[2] = kin.clamp(st.ie[2] + o.ki_com * ey * dt, -0.05, 0.05)
    local ppx = c[1] - st.off[1] + o.kp_com * ex + st.ie[1]
    local ppy = c[2] - st.off[2] + o.kp_com * ey + st.ie[2]
    local ppz = self.ground + st.z
    local q = {}
    for _, side in ipairs({"l", "r"}) do
        local sy = (side == "l") and HIP_Y or -HIP_Y
        local hx, hy = rot2(pyaw, 0, sy)
        local ft = feet[side]
        local rx, ry = rot2(-pyaw, ft[1] - (ppx + hx), ft[2] - (ppy + hy))
        local rz = ft[3] - (ppz - PELVIS_HIP_Z)
        local yaw, hr, hp, kn, ap, ar = M.leg_ik(rx, ry, rz, kin.wrap(ft[4] - pyaw))
        if side == st.stance and st.phase ~= "stand" then
            hp = hp + o.k_tilt * pitch
            hr = hr + o.k_tilt * roll
        end
        q[side .. "_hip_roll"], q[side .. "_hip_pitch"], q[side .. "_knee"] = hr, hp, kn
        q[side .. "_ankle_pitch"], q[side .. "_ankle_roll"] = ap, ar
        if self.hip_yaw then q[side .. "_hip_yaw"] = yaw end
    end
    self.robot:command(q)
end

return M
