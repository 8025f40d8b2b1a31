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

Methods:
  h:command(t)          position targets: {joint = rad, ...} or a list of 17 (robot order)
  h:set_mode(m)         "pd" (targets = the current angles) or "ragdoll"
  h:q(j)                angle of joint j (name or index)
  h:pelvis_height()     pelvis link z above the ground (m; 0.98 standing)
  h:head_height()       head centre above the ground (m; 1.62 standing)
  h:up_z()              world z of the torso's up axis (1 upright)
  h:com()               whole-body centre of mass, world x, y, z
  h:pose2d()            pelvis x, y (m), yaw (rad)
Fields: h.robot (the Robot), h.links (Bodies by name: h.links.torso, ...), h.bodies (the
  same in robot link order, pelvis first), h.pelvis, h.torso, h.joint_names (robot order),
  h.mode (the mode last set, for information only: a scene that switches modes keeps its
  own record in ctx.state, which snapshots restore).
--]]

local kin = require "robots.kin"

local util = require "kit.util"
local M = {}

M.defaults = {
    name = "humanoid",
    pos = {0, 0},
    z = 0,
    yaw = 0,
    mode = "pd",
    kp = {hip = 3000, knee = 3000, ankle = 3000, waist = 1500, shoulder = 1000, elbow = 400},
    kd = {hip = 150, knee = 150, ankle = 150, waist = 80, shoulder = 40, elbow = 15},
    effort_scale = 1,
    ragdoll_damping = 2.0,
    ragdoll_friction = 0.5,
    foot_friction = 1.0,
    category = 2097152,
}

local X, Y, Zax = {1, 0, 0}, {0, 1, 0}, {0, 0, 1}
local HIP_Z, KNEE_Z, ANKLE_Z, HIP_Y = 0.92, 0.50, 0.08, 0.10
local WAIST_Z, SHOULDER_Z, SHOULDER_Y, ELBOW_Z = 1.06, 1.42, 0.21, 1.12
local HOUSING_I = 0.02           -- kg m^2, isotropic inertia of the motor-housing bodies

local Human = {}
Human.__index = Human

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

    local pelvis = body("pelvis", {0, 0, 0.98}, 10, {{type = "box", size = {0.18, 0.28, 0.16}}})
    local torso = body("torso", {0, 0, WAIST_Z}, 26, {
        {type = "box", size = {0.20, 0.34, 0.42}, pos = {0, 0, 0.21}},
        {type = "sphere", radius = 0.10, pos = {0, 0, 1.62 - WAIST_Z}, color = skin},
    })
    for _, side in ipairs({"l", "r"}) do
        local sy = (side == "l") and 1 or -1
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
        specs[#specs + 1] = {side .. "_hip_roll", side .. "_hip", "pelvis", hip, X, rlo, rhi, "hip", 200}
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

    local joints, names, efforts = {}, {}, {}
    for i, sp in ipairs(specs) do
        local j = world:joint{type = "hinge", name = name .. "/" .. sp[1], body1 = links[sp[2]], body2 = links[sp[3]],
                              anchor = kin.pose_apply(O, sp[4]), axis = kin.rotate(q, sp[5]), lo = sp[6], hi = sp[7]}
        efforts[i] = sp[9] * es
        joints[i] = {joint = j, name = sp[1],
                     actuator = {mode = "position", kp = kp[sp[8]], kd = kd[sp[8]], effort = efforts[i]}}
        names[i] = sp[1]
    end
    local robot = world:robot{name = name, links = order, joints = joints}
    local self = setmetatable({
        robot = robot, links = links, bodies = order, pelvis = pelvis, torso = torso, joint_names = names,
        ground = opts.z, specs = specs, kp = kp, kd = kd, efforts = efforts,
        ragdoll_damping = opts.ragdoll_damping, ragdoll_friction = opts.ragdoll_friction,
        mode = "pd",
    }, Human)
    if opts.mode == "ragdoll" then self:set_mode("ragdoll") end
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

function Human:up_z()
    return kin.up_z(self.torso:quat())
end

function Human:com()
    local m, cx, cy, cz = 0, 0, 0, 0
    for i = 1, #self.bodies do
        local b = self.bodies[i]
        local bm = b:mass()
        local x, y, z = b:com()
        m, cx, cy, cz = m + bm, cx + bm * x, cy + bm * y, cz + bm * z
    end
    return cx / m, cy / m, cz / m
end

function Human:pose2d()
    local x, y = self.pelvis:pos()
    return x, y, kin.yaw_of(self.pelvis:quat())
end

return M
