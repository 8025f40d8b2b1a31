--[[
robots.arm6: a 6-DOF industrial arm with UR5-like dimensions and masses, built from
primitives as an assembled robot (hinges with position servos), and a parallel-jaw
gripper (two slider fingers with force-limited position servos, high-friction pads).

Usage (from a scene's build and step):

    local arm6 = require "robots.arm6"
    local arm = arm6.build(world, {name = "arm", pos = {0, 0, 0.75}})   -- on a table top
    local q = arm:ik_down(0.5, 0.1, 0.80, 0)   -- joint angles putting the tool centre point
                                               -- at a world point, tool pointing down, the
                                               -- fingers closing along world yaw 0
    arm:command(q)                             -- 6 joint targets (rad)
    arm:grip(0.0)                              -- close (squeezes with grip_force)
    arm:grip(0.10)                             -- open to a 10 cm gap
    local x, y, z = arm:tcp()                  -- tool centre point, world

The arm is a kinematic chain (zero configuration: every link stretched along the base's
+x at shoulder height, tool along +x, fingers sliding along the base's y):

  joint          axis (zero config)   anchor (base frame, zero config)     limits (rad)
  shoulder_pan   +z  (yaw)            (0, 0, 0)                            +-3.1
  shoulder_lift  +y  (pitch)          (0, 0, d1)                           +-3.1
  elbow          +y  (pitch)          (a2, 0, d1)                          +-3.0
  wrist_1        +x  (forearm roll)   (a2 + forearm_split, 0, d1)          +-3.1
  wrist_2        +y  (wrist pitch)    (a2 + a3, 0, d1)                     +-3.0
  wrist_3        +x  (flange roll)    (a2 + a3 + d5, 0, d1)                +-3.1
  finger_left    slider, inward       pads at y = +-open_width/2           -0.002 .. open_width/2 + 0.002
  finger_right   (q = how far each finger has closed from fully open, m)

A positive pitch turns the arm downwards (right-hand rule about +y takes +x to -z), so
shoulder_lift = -pi/2 points the upper arm straight up. Joints 4..6 form a wrist whose
pitch axis (wrist_2) lies on the forearm's axis: with wrist_1 = 0 the arm is planar and
`ik_down` is closed-form. The home pose {0, -pi/2, pi/2, 0, pi/2, 0} holds the upper
arm vertical, the forearm horizontal and the tool pointing down.
The robot's joints are named shoulder_pan ... finger_right (robot:command("elbow", 1.0)), in
the order listed; the world's joints and bodies carry the prefix <name>/ (world:find_joint).

Parameters (all values are the defaults; every one can be overridden in `opts`):

  name            "arm6"        robot name, prefix of bodies, joints, materials
  pos             {0, 0, 0}     world position of the base's mounting plane centre (m);
                                with `mount`, the position in the mount body's link frame
  yaw             0             base heading (rad about +z; with `mount`, relative to it)
  mount           false         a Body to bolt the base to (fixed joint); nil = the world
                                (the base is then static geometry)
  q               home pose     initial joint angles, 6 numbers (rad)
  pedestal        0             m, height of a column (cylinder, radius pedestal_radius) under
                                the base, part of the base body: `pos` is then the column's
                                foot and the base frame sits `pedestal` higher
  pedestal_radius 0.08          m
  pedestal_mass   0             kg, added to the base's mass (matters with a mount)
  d1              0.089159      m, base plane to the shoulder_lift axis (UR5 d1)
  a2              0.425         m, upper arm (UR5 a2)
  a3              0.39225       m, forearm: elbow to wrist pitch axis (UR5 a3)
  forearm_split   0.25          m from the elbow to the wrist_1 (roll) joint
  d5              0.09465       m, wrist pitch axis to the flange roll joint
  d6              0.0823        m, flange roll joint to the flange face
  masses          {base = 4.0, shoulder = 3.7, upper_arm = 8.393, forearm = 2.275,
                   wrist_1 = 1.219, wrist_2 = 1.219, wrist_3 = 0.1879}   kg (UR5's)
                                (inertia shaped from each link's geoms, scaled to the mass)
  kp              {20000, 20000, 20000, 1500, 1500, 1500}  N m/rad position servo stiffness
  kd              {600, 600, 400, 20, 20, 10}              N m s/rad
  effort          {150, 150, 150, 28, 28, 28}              N m (UR5 limits)
  velocity        3.15          rad/s, every arm joint
  category        1048576       collision category bit of every arm/gripper geom; the arm's
                                geoms ignore each other (collide = all bits but this one)
Gripper (its palm is part of the wrist_3 link, the fingers are slider bodies on it):
  palm_size       {0.05, 0.16, 0.06}  m: along the tool, across (finger travel), depth
  palm_mass       0.5           kg (added to wrist_3's 0.1879)
  finger_size     {0.015, 0.09, 0.025}  m: thickness (travel), length (along the tool), depth
  finger_mass     0.1           kg each
  open_width      0.10          m, pad gap when fully open
  grip_force      40            N per finger (servo effort limit)
  finger_speed    0.1           m/s per finger
  finger_kp       5000          N/m (so the force saturates for > 8 mm of squeeze)
  finger_kd       400           N s/m. Keep (timestep * finger_kp + finger_kd) * finger_speed
                                >= grip_force: pilotsim's position servo clamps its implicit
                                PD's target velocity to the speed limit, which also caps the
                                force it can hold at that product (0.002 s: 41 N here; with
                                kd 50 it was 6 N)
  pad_friction    1.2           Coulomb mu of the finger material <name>/pad (against the
                                mu 0.8 default: sqrt(0.96) = 0.98)
  The tool centre point (TCP) is between the pads, at mid finger length:
  d6 + palm_size[1] + finger_size[2]/2 = 0.1773 m beyond the flange roll joint.

Methods:
  arm:ik_down(x, y, z [, yaw])  6 joint angles (a list) putting the TCP at the world point
                        (x, y, z) with the tool pointing straight down (in the base frame)
                        and the fingers closing along world heading `yaw` (rad, default:
                        the base's +x); nil and a reason when out of reach
  arm:ik_front(x, y, z) 6 joint angles putting the TCP at the world point with the tool
                        horizontal, pointing away from the shoulder_pan axis towards the
                        point (a front grasp into a shelf), the fingers closing
                        horizontally; nil and a reason when out of reach
  arm:fk(q)             world TCP position x, y, z for joint angles q (base as it is now)
  arm:tcp()             the current TCP, world x, y, z
  arm:to_world(x, y, z) a point of the base frame (origin on the shoulder_pan axis at the
                        base's mounting plane, x = the base's heading) in the world
  arm:command(q)        position targets of the 6 arm joints (list, rad)
  arm:grip(width)       finger targets for a pad gap of `width` m (0 = squeeze hard)
  arm:q()               the 6 arm joint angles (list)
  arm:gripper_width()   current pad gap, m
  arm:holding(body)     both fingers touch `body`
  arm:set_q(q [, width])  teleport the arm (zero velocities) to q and the fingers to the
                        gap `width` (default open); sets the servo targets too
  arm6.interp(qa, qb, s)  joint-space minimum-jerk blend (s in [0, 1]) of two lists
Fields: arm.robot (the Robot: 8 joints), arm.links (Bodies: base, shoulder, upper_arm,
  forearm, wrist_1, wrist_2, wrist_3, finger_left, finger_right), arm.base, arm.flange
  (= wrist_3), arm.finger_left, arm.finger_right, arm.home (the home pose).
--]]

local kin = require "robots.kin"

local util = require "kit.util"
local M = {}

local HALF_PI = math.pi / 2

M.defaults = {
    name = "arm6",
    pos = {0, 0, 0},
    yaw = 0,
    mount = false,
    q = {0, -HALF_PI, HALF_PI, 0, HALF_PI, 0},
    pedestal = 0,
    pedestal_radius = 0.08,
    pedestal_mass = 0,
    d1 = 0.089159,
    a2 = 0.425,
    a3 = 0.39225,
    forearm_split = 0.25,
    d5 = 0.09465,
    d6 = 0.0823,
    masses = {base = 4.0, shoulder = 3.7, upper_arm = 8.393, forearm = 2.275,
              wrist_1 = 1.219, wrist_2 = 1.219, wrist_3 = 0.1879},
    kp = {20000, 20000, 20000, 1500, 1500, 1500},
    kd = {600, 600, 400, 20, 20, 10},
    effort = {150, 150, 150, 28, 28, 28},
    velocity = 3.15,
    category = 1048576,
    palm_size = {0.05, 0.16, 0.06},
    palm_mass = 0.5,
    finger_size = {0.015, 0.09, 0.025},
    finger_mass = 0.1,
    open_width = 0.10,
    grip_force = 40,
    finger_speed = 0.1,
    finger_kp = 5000,
    finger_kd = 400,
    pad_friction = 1.2,
}

M.joint_names = {"shoulder_pan", "shoulder_lift", "elbow", "wrist_1", "wrist_2", "wrist_3",
                 "finger_left", "finger_right"}
local LIMITS = {3.1, 3.1, 3.0, 3.1, 3.0, 3.1}

-- q, or nil and the first joint beyond its limit
local function within_limits(q)
    for i = 1, 6 do
        if math.abs(q[i]) > LIMITS[i] then
            return nil, string.format("joint %s at %.3f rad is beyond its limit", M.joint_names[i], q[i])
        end
    end
    return q
end

-- m the fingers may move past fully open / closed: so that neither target rests on a stop,
-- where ODE replaces the servo's PD force by its full effort (bang-bang)
local OVERTRAVEL = 0.002
local X, Y, Z = {1, 0, 0}, {0, 1, 0}, {0, 0, 1}

local Arm = require("robots.base").class()

-- Kinematic description (base frame, zero configuration): per arm joint the anchor and
-- the axis; the TCP offset in the wrist_3 link frame; finger offsets.
local function chain(o)
    local xs = o.a2 + o.forearm_split
    local xw = o.a2 + o.a3
    return {
        anchors = {{0, 0, 0}, {0, 0, o.d1}, {o.a2, 0, o.d1}, {xs, 0, o.d1}, {xw, 0, o.d1},
                   {xw + o.d5, 0, o.d1}},
        axes = {Z, Y, Y, X, Y, X},
        tcp = {o.d6 + o.palm_size[1] + o.finger_size[2] / 2, 0, 0},
    }
end

--- Builds the arm and gripper. `opts` (optional) overrides M.defaults.
function M.build(world, opts)
    opts = util.options(opts, M.defaults, nil, "robots.arm6")
    local o = opts
    local masses = util.merged(M.defaults.masses, opts.masses)
    local name = o.name
    local cat = o.category
    local coll = 4294967295 - cat
    local ch = chain(o)
    local A = ch.anchors

    -- World pose of the base frame.
    local B
    local yawq = kin.quat_yaw(o.yaw)
    local foot = kin.pose(o.pos, yawq)
    if o.mount then
        local mx, my, mz = o.mount:pos()
        local mw, mqx, mqy, mqz = o.mount:quat()
        foot = kin.pose_mul(kin.pose({mx, my, mz}, {mw, mqx, mqy, mqz}), foot)
    end
    B = kin.pose_mul(foot, kin.pose({0, 0, o.pedestal}))

    local pad_mat = world:material{name = name .. "/pad", friction = o.pad_friction}
    local function g(t)      -- a geom of the arm: category filter and default colour
        t.category = cat
        t.collide = coll
        t.color = t.color or {0.75, 0.78, 0.8}
        return t
    end
    local function link_body(lname, anchor, mass, geoms)
        local p = kin.pose_apply(B, anchor)
        return world:body{name = name .. "/" .. lname, pos = p, quat = B.q, mass = mass, geoms = geoms}
    end
    local ry = {0, HALF_PI, 0}          -- turns a cylinder/capsule's z axis onto x
    local rx = {HALF_PI, 0, 0}          -- ... onto y
    local dark = {0.25, 0.28, 0.32}

    local base_geoms = {g{type = "cylinder", radius = 0.075, length = 0.06, pos = {0, 0, 0.03}, color = dark}}
    if o.pedestal > 0 then
        base_geoms[2] = g{type = "cylinder", radius = o.pedestal_radius, length = o.pedestal,
                          pos = {0, 0, -o.pedestal / 2}, color = {0.4, 0.42, 0.45}}
    end
    local base = world:body{
        name = name .. "/base", kind = o.mount and "dynamic" or "static",
        pos = B.p, quat = B.q, mass = o.mount and (masses.base + o.pedestal_mass) or nil,
        geoms = base_geoms,
    }
    local shoulder = link_body("shoulder", A[1], masses.shoulder, {
        g{type = "cylinder", radius = 0.06, length = o.d1 - 0.06, pos = {0, 0, 0.06 + (o.d1 - 0.06) / 2}},
        g{type = "cylinder", radius = 0.06, length = 0.135, pos = {0, 0.0, o.d1}, rpy = rx},
    })
    local upper = link_body("upper_arm", A[2], masses.upper_arm, {
        g{type = "capsule", radius = 0.054, length = o.a2 - 0.108, pos = {o.a2 / 2, 0, 0}, rpy = ry},
    })
    local fa = A[4][1] - A[3][1]
    local forearm = link_body("forearm", A[3], masses.forearm, {
        g{type = "cylinder", radius = 0.05, length = 0.12, rpy = rx, color = dark},
        g{type = "capsule", radius = 0.04, length = fa - 0.02, pos = {fa / 2, 0, 0}, rpy = ry},
    })
    local w1 = A[5][1] - A[4][1]
    local wrist_1 = link_body("wrist_1", A[4], masses.wrist_1, {
        g{type = "cylinder", radius = 0.04, length = w1, pos = {w1 / 2, 0, 0}, rpy = ry},
    })
    local wrist_2 = link_body("wrist_2", A[5], masses.wrist_2, {
        g{type = "cylinder", radius = 0.045, length = 0.09, rpy = rx, color = dark},
        g{type = "cylinder", radius = 0.038, length = o.d5, pos = {o.d5 / 2, 0, 0}, rpy = ry},
    })
    local ps, fs = o.palm_size, o.finger_size
    local wrist_3 = link_body("wrist_3", A[6], masses.wrist_3 + o.palm_mass, {
        g{type = "cylinder", radius = 0.035, length = o.d6, pos = {o.d6 / 2, 0, 0}, rpy = ry},
        g{type = "box", size = {ps[1], ps[2], ps[3]}, pos = {o.d6 + ps[1] / 2, 0, 0}, color = dark},
    })
    local fx = o.d6 + ps[1] + fs[2] / 2
    local fy = o.open_width / 2 + fs[1] / 2
    local function finger(side, sy)
        return link_body("finger_" .. side, {A[6][1] + fx, sy * fy, o.d1}, o.finger_mass, {
            g{type = "box", size = {fs[2], fs[1], fs[3]}, material = pad_mat, color = {0.15, 0.15, 0.15}},
        })
    end
    local fl, fr = finger("left", 1), finger("right", -1)

    -- Joints: anchors and axes from the base frame to the world.
    local bodies = {shoulder, upper, forearm, wrist_1, wrist_2, wrist_3}
    local parents = {base, shoulder, upper, forearm, wrist_1, wrist_2}
    local joints = {}
    for i = 1, 6 do
        local jt = {type = "hinge", name = name .. "/" .. M.joint_names[i], body1 = bodies[i],
                    anchor = kin.pose_apply(B, A[i]), axis = kin.rotate(B.q, ch.axes[i]),
                    lo = -LIMITS[i], hi = LIMITS[i]}
        if parents[i] ~= base or o.mount then jt.body2 = parents[i] end
        joints[i] = {
            joint = world:joint(jt), name = M.joint_names[i],
            actuator = {mode = "position", kp = o.kp[i], kd = o.kd[i], effort = o.effort[i],
                        velocity = o.velocity},
        }
    end
    local travel = o.open_width / 2
    local fact = {mode = "position", kp = o.finger_kp, kd = o.finger_kd, effort = o.grip_force,
                  velocity = o.finger_speed}
    joints[7] = {joint = world:joint{type = "slider", name = name .. "/finger_left", body1 = fl, body2 = wrist_3,
                                     axis = kin.rotate(B.q, {0, -1, 0}), lo = -OVERTRAVEL, hi = travel + OVERTRAVEL},
                 name = "finger_left", actuator = fact}
    joints[8] = {joint = world:joint{type = "slider", name = name .. "/finger_right", body1 = fr, body2 = wrist_3,
                                     axis = kin.rotate(B.q, {0, 1, 0}), lo = -OVERTRAVEL, hi = travel + OVERTRAVEL},
                 name = "finger_right", actuator = fact}
    if o.mount then
        world:joint{type = "fixed", name = name .. "/mount", body1 = base, body2 = o.mount}
    end
    local links = {base, shoulder, upper, forearm, wrist_1, wrist_2, wrist_3, fl, fr}
    local robot = world:robot{name = name, links = links, joints = joints}

    local self = setmetatable({
        robot = robot, links = links, base = base, flange = wrist_3,
        finger_left = fl, finger_right = fr, world = world,
        chain = ch, o = o, home = util.copy_list(M.defaults.q),
        finger_offset = {fx, fy, 0}, travel = travel,
    }, Arm)
    self:set_q(o.q, o.open_width)
    return self
end

-- World pose of the base frame now.
function Arm:base_pose()
    local x, y, z = self.base:pos()
    local w, qx, qy, qz = self.base:quat()
    return kin.pose({x, y, z}, {w, qx, qy, qz})
end

-- World poses of the six moving arm links for joint angles q.
function Arm:link_poses(q)
    local T = self:base_pose()
    local A, ax = self.chain.anchors, self.chain.axes
    local prev = {0, 0, 0}
    local out = {}
    for i = 1, 6 do
        local d = {A[i][1] - prev[1], A[i][2] - prev[2], A[i][3] - prev[3]}
        T = kin.pose_mul(T, kin.pose(d, kin.quat_axis_angle(ax[i], q[i])))
        out[i] = T
        prev = A[i]
    end
    return out
end

function Arm:fk(q)
    local T = self:link_poses(q)[6]
    local p = kin.pose_apply(T, self.chain.tcp)
    return p[1], p[2], p[3]
end

function Arm:to_world(x, y, z)
    local p = kin.pose_apply(self:base_pose(), {x, y, z})
    return p[1], p[2], p[3]
end

function Arm:tcp()
    local t = self.chain.tcp
    return self.flange:to_world(t[1], t[2], t[3])
end

function Arm:ik_down(x, y, z, yaw)
    local o = self.o
    local B = self:base_pose()
    local p = kin.pose_apply(kin.pose_inv(B), {x, y, z})
    local lt = o.d5 + self.chain.tcp[1]          -- wrist pitch axis to the TCP
    local q1 = math.atan(p[2], p[1])
    local r = math.sqrt(p[1] ^ 2 + p[2] ^ 2)
    local wr, wz = r, p[3] + lt - o.d1            -- wrist centre relative to the shoulder
    local D2 = wr * wr + wz * wz
    local c = (D2 - o.a2 ^ 2 - o.a3 ^ 2) / (2 * o.a2 * o.a3)
    if c > 1 or c < -1 then return nil, string.format("target out of reach (%.3f m from the shoulder)", math.sqrt(D2)) end
    local q3 = math.acos(c)                        -- elbow up
    local beta = math.atan(-wz, wr)                -- downward angle shoulder -> wrist
    local q2 = beta - math.atan(o.a3 * math.sin(q3), o.a2 + o.a3 * math.cos(q3))
    local q5 = HALF_PI - q2 - q3
    -- fingers close along the slide axis, at base heading q1 + pi/2 - q6
    local byaw = kin.yaw_of(B.q[1], B.q[2], B.q[3], B.q[4])
    local phi = (yaw or byaw) - byaw
    local q6 = kin.wrap(q1 + HALF_PI - phi)
    if q6 > HALF_PI then q6 = q6 - math.pi elseif q6 <= -HALF_PI then q6 = q6 + math.pi end
    local q = {kin.wrap(q1), q2, q3, 0, q5, q6}
    return within_limits(q)
end

-- The planar 2-link solution (elbow up) for a wrist pitch centre at (wr, wz) from the
-- shoulder_lift axis; nil and a reason when out of reach.
local function two_link(o, wr, wz)
    local D2 = wr * wr + wz * wz
    local c = (D2 - o.a2 ^ 2 - o.a3 ^ 2) / (2 * o.a2 * o.a3)
    if c > 1 or c < -1 then return nil, string.format("target out of reach (%.3f m from the shoulder)", math.sqrt(D2)) end
    local q3 = math.acos(c)
    local beta = math.atan(-wz, wr)
    return beta - math.atan(o.a3 * math.sin(q3), o.a2 + o.a3 * math.cos(q3)), q3
end

function Arm:ik_front(x, y, z)
    local o = self.o
    local p = kin.pose_apply(kin.pose_inv(self:base_pose()), {x, y, z})
    local lt = o.d5 + self.chain.tcp[1]          -- wrist pitch axis to the TCP, horizontal here
    local q1 = math.atan(p[2], p[1])
    local r = math.sqrt(p[1] ^ 2 + p[2] ^ 2)
    local q2, q3 = two_link(o, r - lt, p[3] - o.d1)
    if not q2 then return nil, q3 end
    -- total pitch 0: the tool stays along the pan direction; wrist_3 = 0 keeps the finger
    -- slide axis horizontal
    local q = {kin.wrap(q1), q2, q3, 0, -q2 - q3, 0}
    return within_limits(q)
end

function Arm:command(q)
    local r = self.robot
    for i = 1, 6 do r:command(i, q[i]) end
end

function Arm:grip(width)
    local f = kin.clamp(self.travel - width / 2, 0, self.travel)
    self.robot:command(7, f)
    self.robot:command(8, f)
end

function Arm:q()
    local q = self.robot:q()
    return {q[1], q[2], q[3], q[4], q[5], q[6]}
end

function Arm:gripper_width()
    local q = self.robot:q()
    return 2 * self.travel - q[7] - q[8]
end

function Arm:holding(body)
    return self.world:touching(self.finger_left, body) and self.world:touching(self.finger_right, body)
end

function Arm:set_q(q, width)
    width = width or self.o.open_width
    local poses = self:link_poses(q)
    local bodies = {self.links[2], self.links[3], self.links[4], self.links[5], self.links[6], self.links[7]}
    for i = 1, 6 do
        local T = poses[i]
        bodies[i]:set_pos(T.p[1], T.p[2], T.p[3])
        bodies[i]:set_quat(T.q[1], T.q[2], T.q[3], T.q[4])
        bodies[i]:set_linvel(0, 0, 0)
        bodies[i]:set_angvel(0, 0, 0)
    end
    local f = kin.clamp(self.travel - width / 2, 0, self.travel)
    local fo = self.finger_offset
    for i, b in ipairs({self.finger_left, self.finger_right}) do
        local sy = (i == 1) and 1 or -1
        local p = kin.pose_apply(poses[6], {fo[1], sy * (fo[2] - f), fo[3]})
        b:set_pos(p[1], p[2], p[3])
        b:set_quat(poses[6].q[1], poses[6].q[2], poses[6].q[3], poses[6].q[4])
        b:set_linvel(0, 0, 0)
        b:set_angvel(0, 0, 0)
    end
    self:command(q)
    self:grip(width)
end

function M.interp(qa, qb, s)
    local k = kin.smoothstep(s)
    local q = {}
    for i = 1, #qa do q[i] = qa[i] + (qb[i] - qa[i]) * k end
    return q
end

return M
