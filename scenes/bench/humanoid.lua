--[[
bench/humanoid: a 27-DOF humanoid ragdoll (1.79 m, 72.6 kg) falls onto the ground.

DOF: free-floating base (the torso) 6
     + abdomen hinge 1 + 2 hips (ball) 6 + 2 knees (hinge) 2 + 2 ankles (universal) 4
     + 2 shoulders (ball) 6 + 2 elbows (hinge) 2                 = 6 + 21 = 27.
12 bodies, 11 joints (+ one Euler AMotor per ball joint that carries its limits).

WORLD (pilotsim defaults unless listed): gravity (0, 0, -9.81); timestep 0.005 s,
time limit 5 s (1000 steps); dWorldQuickStep with 20 iterations, SOR w 1.3;
world ERP 0.2, CFM 1e-5; contact surface layer 0.001 m; contact max correcting vel
1.0 m/s; hash space; up to 8 contacts per geom pair; no auto-disable, no damping.
Static geometry: the plane z = 0 (normal (0,0,1), d = 0).
Materials: everything uses pilotsim's "default" material: Coulomb friction 0.8, no
restitution, contact softness = the world ERP/CFM. Pairs of bodies joined by a joint
do not collide; every other pair (including limb against limb) does.

CONTACTS: the contact pass of docs/ode-notes.md ("The contact pass, step by step"),
which other engines' versions of this scene should reproduce.

BODIES. All bodies start with identity orientation (upright, facing +x, +y = left),
with the listed position = centre of mass = ODE body position, raised by LIFT = 0.20 m
above the standing pose below (so the soles start 0.20 m above the ground), and every
body starts with the same linear velocity V0 = (0.6, 0.25, 0) m/s (a rigid push, so
the joints start consistent) and zero angular velocity. Mass is given explicitly
(dMassSetParameters: mass, COM (0,0,0), diagonal inertia Ixx Iyy Izz about the COM in
body axes, no products). Geoms are offset from the body position by the listed
offset (dGeomSetOffsetPosition); capsules are along their local z, which is the body
z unless "along y" (geom rotated by roll +pi/2 about x). L = left (y > 0), R = right
(mirror y). Standing-pose positions (add LIFT to z):

 body       pos (x, y, z)           mass  Ixx        Iyy        Izz        geoms
 torso      (0, 0, 1.38)            30.0  1.00561    1.00561    0.216831   capsule r 0.13 len 0.22 at (0,0,-0.06);
                                                                            sphere r 0.11 (head) at (0,0,+0.30)
 pelvis     (0, 0, 0.98)            10.0  0.070575   0.03645    0.070575   capsule r 0.09 len 0.12 along y
 thigh_L/R  (0, +-0.10, 0.715)       8.0  0.109428   0.109428   0.0186456  capsule r 0.07 len 0.29
 shin_L/R   (0, +-0.10, 0.29)        3.5  0.0418011  0.0418011  0.00421591 capsule r 0.05 len 0.30
 foot_L/R   (0.04, +-0.10, 0.03)     1.0  0.00113333 0.0051     0.00563333 box 0.24 x 0.10 x 0.06
 uarm_L/R   (0, +-0.22, 1.355)       2.2  0.0136994  0.0136994  0.00212469 capsule r 0.045 len 0.20
 farm_L/R   (0, +-0.22, 1.05)        1.6  0.0107169  0.0107169  0.00123005 capsule r 0.04 len 0.22

("len" is the cylindrical part, as dCreateCapsule's length.) The inertias are the
uniform-density values of the geoms (ODE's dMassSetCapsule/Box/Sphere formulas scaled
to the mass; the torso is capsule 25 kg + head sphere 5 kg, parallel-axis combined).

JOINTS (body1 = child, body2 = parent; anchors in the standing pose, add LIFT to z;
axes in the world frame at creation; angle = body1 relative to body2):

 joint        type       body1   body2   anchor              axis (axis2)     limits (rad)
 abdomen      hinge      pelvis  torso   (0, 0, 1.08)        (0,1,0)          [-0.6, 0.6]
 hip_L/R      ball       thigh   pelvis  (0, +-0.10, 0.93)   -                x [-0.8,0.8], y [-1.3,1.3], z [-0.7,0.7]
 knee_L/R     hinge      shin    thigh   (0, +-0.10, 0.50)   (0,1,0)          [-0.05, 2.5]
 ankle_L/R    universal  foot    shin    (0, +-0.10, 0.08)   (1,0,0) ((0,1,0)) axis1 [-0.4,0.4], axis2 [-0.7,0.7]
 shoulder_L/R ball       uarm    torso   (0, +-0.22, 1.50)   -                x [-1.5,1.5], y [-1.4,1.4], z [-1.2,1.2]
 elbow_L/R    hinge      farm    uarm    (0, +-0.22, 1.205)  (0,1,0)          [-2.5, 0.05]

The ankle's axis 1 (fixed in the foot) is the roll (inversion) axis and axis 2 (fixed in
the shin) the pitch axis: dJointSetUniversalAxis1(1,0,0) then Axis2(0,1,0).
Hinge/universal limits: dParamLoStop/HiStop (…2 for the universal's axis 2), StopERP 0.2,
StopCFM 1e-8, Bounce 0, no motor (Vel 0, FMax 0). Ball limits: as pilotsim builds
them, a dJointCreateAMotor attached (body1, body2) in dAMotorEuler mode, axis 0 = body1's
x axis (rel 1) = (1,0,0), axis 2 = body2's z axis (rel 2) = (0,0,1), with
LoStop/HiStop, LoStop2/HiStop2, LoStop3/HiStop3 = the x, y, z limits above (StopERP 0.2,
StopCFM 1e-8, FMax 0). Joint creation order: as listed, L before R.
Body creation order: torso, pelvis, thigh_L, shin_L, foot_L, thigh_R, shin_R, foot_R,
uarm_L, farm_L, uarm_R, farm_R.

STEP CALLBACK (before every physics step): a viscous damping torque on each knee,
effort = -2.0 N m s/rad * rate (in C: dJointAddHingeTorque(knee,
-2.0 * dJointGetHingeAngleRate(knee)) for L then R).
--]]

local LIFT = 0.20
local V0 = {0.6, 0.25, 0}
local KNEE_DAMPING = 2.0        -- N m s/rad

local HALF_PI = math.pi / 2

-- {name, x, y, z, mass, Ixx, Iyy, Izz, geoms}; mirrored bodies are listed for the left side.
local BODIES = {
    {"torso", 0, 0, 1.38, 30.0, 1.00561, 1.00561, 0.216831, {
        {type = "capsule", radius = 0.13, length = 0.22, pos = {0, 0, -0.06}},
        {type = "sphere", radius = 0.11, pos = {0, 0, 0.30}}}},
    {"pelvis", 0, 0, 0.98, 10.0, 0.070575, 0.03645, 0.070575, {
        {type = "capsule", radius = 0.09, length = 0.12, rpy = {HALF_PI, 0, 0}}}},
    {"thigh", 0, 0.10, 0.715, 8.0, 0.109428, 0.109428, 0.0186456, {
        {type = "capsule", radius = 0.07, length = 0.29}}},
    {"shin", 0, 0.10, 0.29, 3.5, 0.0418011, 0.0418011, 0.00421591, {
        {type = "capsule", radius = 0.05, length = 0.30}}},
    {"foot", 0.04, 0.10, 0.03, 1.0, 0.00113333, 0.0051, 0.00563333, {
        {type = "box", size = {0.24, 0.10, 0.06}}}},
    {"uarm", 0, 0.22, 1.355, 2.2, 0.0136994, 0.0136994, 0.00212469, {
        {type = "capsule", radius = 0.045, length = 0.20}}},
    {"farm", 0, 0.22, 1.05, 1.6, 0.0107169, 0.0107169, 0.00123005, {
        {type = "capsule", radius = 0.04, length = 0.22}}},
}
local BODY_ORDER = {"torso", "pelvis", "thigh_L", "shin_L", "foot_L", "thigh_R", "shin_R", "foot_R",
                    "uarm_L", "farm_L", "uarm_R", "farm_R"}

-- {name, type, body1, body2, anchor x, y, z, axis, axis2, limits}
local JOINTS = {
    {"abdomen", "hinge", "pelvis", "torso", 0, 0, 1.08, {0, 1, 0}, nil, {-0.6, 0.6}},
    {"hip", "ball", "thigh", "pelvis", 0, 0.10, 0.93, nil, nil, {{-0.8, 0.8}, {-1.3, 1.3}, {-0.7, 0.7}}},
    {"knee", "hinge", "shin", "thigh", 0, 0.10, 0.50, {0, 1, 0}, nil, {-0.05, 2.5}},
    {"ankle", "universal", "foot", "shin", 0, 0.10, 0.08, {1, 0, 0}, {0, 1, 0}, {{-0.4, 0.4}, {-0.7, 0.7}}},
    {"shoulder", "ball", "uarm", "torso", 0, 0.22, 1.50, nil, nil, {{-1.5, 1.5}, {-1.4, 1.4}, {-1.2, 1.2}}},
    {"elbow", "hinge", "farm", "uarm", 0, 0.22, 1.205, {0, 1, 0}, nil, {-2.5, 0.05}},
}

local knee_l, knee_r, torso     -- handles of the current episode

local scene = {
    name = "humanoid",
    domain = "bench",
    description = "27-DOF humanoid ragdoll falling onto a ground plane",
    timestep = 0.005,
    time_limit = 5,
}

-- Splits "thigh_L" into "thigh", 1 (mirror sign +1 for L, -1 for R); "torso" into "torso", 1.
local function split(name)
    local base, side = name:match("^(%a+)_([LR])$")
    if not base then return name, 1 end
    return base, (side == "L") and 1 or -1
end

function scene.build(world, ctx)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.55, 0.6, 0.55}}
    local proto = {}
    for i = 1, #BODIES do proto[BODIES[i][1]] = BODIES[i] end
    local bodies = {}
    for i = 1, #BODY_ORDER do
        local name = BODY_ORDER[i]
        local base, sy = split(name)
        local p = proto[base]
        bodies[name] = world:body{
            name = name,
            pos = {p[2], sy * p[3], p[4] + LIFT},
            linvel = V0,
            mass = p[5],
            com = {0, 0, 0},
            inertia = {p[6], p[7], p[8], 0, 0, 0},
            geoms = p[9],
        }
    end
    local joints = {}
    for i = 1, #JOINTS do
        local d = JOINTS[i]
        local sides = (d[1] == "abdomen") and {""} or {"_L", "_R"}
        for k = 1, #sides do
            local sfx = sides[k]
            local sy = (sfx == "_R") and -1 or 1
            local def = {
                type = d[2], name = d[1] .. sfx,
                body1 = bodies[d[3] .. sfx],
                body2 = bodies[(d[4] == "torso" or d[4] == "pelvis") and d[4] or d[4] .. sfx],
                anchor = {d[5], sy * d[6], d[7] + LIFT},
            }
            if d[2] == "hinge" then
                def.axis = d[8]
                def.lo, def.hi = d[10][1], d[10][2]
            elseif d[2] == "universal" then
                def.axis, def.axis2 = d[8], d[9]
                def.limits = d[10]
            else -- ball
                def.limits = d[10]
            end
            joints[def.name] = world:joint(def)
        end
    end
    knee_l, knee_r = joints.knee_L, joints.knee_R
    torso = bodies.torso
end

function scene.step(ctx)
    knee_l:add_effort(-KNEE_DAMPING * knee_l:rate())
    knee_r:add_effort(-KNEE_DAMPING * knee_r:rate())
end

function scene.metrics(ctx)
    local x, y, z = torso:pos()
    return {torso_x = x, torso_y = y, torso_z = z}
end

return scene
