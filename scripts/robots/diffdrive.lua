--[[
robots.diffdrive: a two-wheeled differential-drive robot with ball casters.

Usage (from a scene's build):

    local diffdrive = require "robots.diffdrive"
    local robot = diffdrive.build(world, {name = "robot", pos = {0, 0}, yaw = 0})
    robot:set_twist(0.5, 0.0)          -- in step(ctx): forward m/s, yaw rate rad/s
    local x, y, yaw = robot:pose2d()   -- chassis centre
    local ax, ay = robot:axle2d()      -- axle midpoint (the point it turns in place about)
    local fx, fy = robot:to_local(3, 1)   -- a world point in the chassis frame (forward, left)

The returned robot holds body and joint handles, so keep it in a local of the scene
chunk (set in build), not in ctx.state (which is for plain data only).

    diffdrive.shuttle(ctx.state, ctx.step, {robot, ...}, o)   -- in step(ctx)
drives the benchmark pattern: with c = step % o.cycle (2000), both wheels at o.v
(5 rad/s) for c < o.forward (1250), otherwise turning left in place (wheels -o.w, +o.w;
o.w = 2.3 rad/s); set_wheels only when the mode changes (state.mode: 0 before the
first step, 1 forward, 2 turning).

Model (all values are the defaults; every one can be overridden in `opts`):

  name            "diffdrive"   prefix of body, joint and material names:
                                <name>/chassis, <name>/wheel_left, <name>/wheel_right,
                                <name>/hinge_left, <name>/hinge_right,
                                materials <name>/wheel and <name>/caster
  pos             {0, 0}        start position of the chassis centre on the ground, x y (m)
  z               0             height of the ground the robot stands on (m)
  yaw             0             start heading (rad, about +z; 0 = facing +x)
  chassis_size    {0.5, 0.4, 0.15}  box, full extents x y z (m)
  chassis_mass    20            kg, solid-box inertia about its centre (diagonal):
                                Ixx = m(y^2+z^2)/12, Iyy = m(x^2+z^2)/12, Izz = m(x^2+y^2)/12
                                (0.304167, 0.454167, 0.683333 kg m^2 with the defaults)
  wheel_radius    0.10          m; the chassis centre is at the axle height z + wheel_radius
  wheel_width     0.04          m (cylinder length, along the axle)
  wheel_mass      1.0           kg, solid-cylinder inertia, axle = link y:
                                Iyy = m r^2/2 = 0.005, Ixx = Izz = m(3r^2+w^2)/12 = 0.00263333
  wheel_gap       0.01          m between the chassis side and the wheel's inner face, so the
                                wheel centres are at link y = +-(size_y/2 + gap + width/2)
                                = +-0.23 m (track width 0.46 m), link x = wheel_x
  wheel_x         0.10          m, axle position along the chassis x (ahead of the centre, so
                                the single rear caster makes a 3-point, statically
                                determinate support: the wheels carry 2/3 of the weight)
  wheel_friction  1.0           Coulomb mu of the wheel material (ground "default" is 0.8,
                                so wheel-ground contacts get sqrt(1.0*0.8) = 0.894)
  casters         1             number of ball casters: 1 = back only (link x = -caster_x),
                                2 = front and back (link x = +-caster_x). With 2, set
                                caster_lift > 0 (a few mm) and wheel_x = 0: four coplanar
                                supports make the wheel load indeterminate, and QuickStep
                                then puts most of the weight on the casters (little traction)
  caster_x        0.20          m
  caster_radius   0.025         m; sphere geoms fixed to the chassis at link z =
                                -(wheel_radius - caster_radius) + caster_lift = -0.075
                                (the chassis bottom), so they touch the ground with the wheels
  caster_lift     0.0           m the casters sit above the ground plane at rest
  caster_friction 0.001         Coulomb mu of the caster material (frictionless-ish
                                rolling ball; against mu 0.8 ground: sqrt(0.0008) = 0.028)
  motor_fmax      20            N m, torque limit of each wheel's velocity motor
  max_wheel_speed 12            rad/s, set_wheels/set_twist clamp to this

Bodies: the chassis (link frame = box centre = centre of mass, geoms: the box and the
caster spheres) and two wheels (link frame = wheel centre, orientation = the chassis',
geom: a cylinder turned by roll +pi/2 so its axis lies along the link y axis).
Joints: one hinge per wheel, body1 = wheel, body2 = chassis, anchor = wheel centre,
axis = the chassis' +y axis in the world (left/right the same), no limits, velocity
motor (vel 0, fmax motor_fmax) from the start so the robot holds still. A positive
wheel rate drives the robot forward (+x of the chassis), since the wheel turns about +y.
Robot: robot.robot is a Robot named <name> over the three links (chassis first) with no
actuated joints (the wheels are driven by their joint motors): for r:link_pose(), r:mass()
and world:contact_pairs{a.robot, b.robot, ...} in fleets.
--]]

local base = require "robots.base"
local util = require "kit.util"

local M = {}

M.defaults = base.placed("diffdrive", {
    chassis_size = {0.5, 0.4, 0.15},
    chassis_mass = 20,
    wheel_radius = 0.10,
    wheel_width = 0.04,
    wheel_mass = 1.0,
    wheel_gap = 0.01,
    wheel_x = 0.10,
    wheel_friction = 1.0,
    casters = 1,
    caster_x = 0.20,
    caster_radius = 0.025,
    caster_lift = 0.0,
    caster_friction = 0.001,
    motor_fmax = 20,
    max_wheel_speed = 12,
})

--- Methods of robots.base.class: pose2d() (x, y in m, yaw in rad, in (-pi, pi]), up_z()
--- (world z of the chassis' up axis: 1 upright, 0 on its side, < 0 upside down) and
--- speed() (planar speed of the chassis, m/s).
local Robot = base.class("chassis")

-- Rotates a chassis-frame point by the start yaw and translates it to the world.
local function place(o, lx, ly, lz)
    local c, s = math.cos(o.yaw), math.sin(o.yaw)
    return {o.x + c * lx - s * ly, o.y + s * lx + c * ly, o.z + lz}
end

--- Builds the robot in `world`. `opts` (optional) overrides M.defaults.
--- Returns a robot object (see the methods below).
function M.build(world, opts)
    opts = util.options(opts, M.defaults, nil, "robots.diffdrive")
    local name = opts.name
    local pos = opts.pos
    local cs = opts.chassis_size
    local cm = opts.chassis_mass
    local r = opts.wheel_radius
    local ww = opts.wheel_width
    local wm = opts.wheel_mass
    local gap = opts.wheel_gap
    local wx = opts.wheel_x
    local ncast = opts.casters
    local cx = opts.caster_x
    local cr = opts.caster_radius
    local lift = opts.caster_lift
    local fmax = opts.motor_fmax
    assert(ncast == 1 or ncast == 2, "robots.diffdrive: casters must be 1 or 2")
    assert(cr < r, "robots.diffdrive: caster_radius must be smaller than wheel_radius")

    local o = {x = pos[1], y = pos[2], z = opts.z + r, yaw = opts.yaw}
    local quat = {math.cos(o.yaw / 2), 0, 0, math.sin(o.yaw / 2)}

    local wheel_mat = world:material{name = name .. "/wheel", friction = opts.wheel_friction}
    local caster_mat = world:material{name = name .. "/caster", friction = opts.caster_friction}

    local geoms = {
        {type = "box", size = {cs[1], cs[2], cs[3]}, color = {0.2, 0.4, 0.8}, name = name .. "/chassis_box"},
    }
    local caster_xs = (ncast == 2) and {cx, -cx} or {-cx}
    for i = 1, #caster_xs do
        geoms[#geoms + 1] = {type = "sphere", radius = cr, pos = {caster_xs[i], 0, -(r - cr) + lift},
                             material = caster_mat, color = {0.8, 0.8, 0.8},
                             name = name .. "/caster" .. i}
    end
    local chassis = world:body{
        name = name .. "/chassis",
        pos = {o.x, o.y, o.z},
        quat = quat,
        mass = cm,
        com = {0, 0, 0},
        inertia = {cm * (cs[2]^2 + cs[3]^2) / 12, cm * (cs[1]^2 + cs[3]^2) / 12,
                   cm * (cs[1]^2 + cs[2]^2) / 12, 0, 0, 0},
        geoms = geoms,
    }

    local iperp = wm * (3 * r * r + ww * ww) / 12
    local iax = wm * r * r / 2
    local wy = cs[2] / 2 + gap + ww / 2
    local axis = {-math.sin(o.yaw), math.cos(o.yaw), 0}
    local function wheel(side, sy)
        local p = place(o, wx, sy, 0)
        local b = world:body{
            name = name .. "/wheel_" .. side,
            pos = p,
            quat = quat,
            mass = wm,
            com = {0, 0, 0},
            inertia = {iperp, iax, iperp, 0, 0, 0},
            geoms = {{type = "cylinder", radius = r, length = ww, rpy = {math.pi / 2, 0, 0},
                      material = wheel_mat, color = {0.1, 0.1, 0.1}, name = name .. "/tyre_" .. side}},
        }
        local j = world:joint{
            type = "hinge", name = name .. "/hinge_" .. side,
            body1 = b, body2 = chassis,
            anchor = p, axis = axis,
            motor_vel = 0, motor_fmax = fmax,
        }
        return b, j
    end
    local wl, jl = wheel("left", wy)
    local wr, jr = wheel("right", -wy)
    -- a Robot handle over the links (link poses, mass, world:contact_pairs); the wheels
    -- stay on their joint motors (set_wheels), so the robot has no actuated joints
    local robot = world:robot{name = name, links = {chassis, wl, wr}, joints = {}}

    return setmetatable({
        robot = robot,
        chassis = chassis,
        wheel_left = wl, wheel_right = wr,
        left = jl, right = jr,
        wheel_radius = r,
        track = 2 * wy,
        wheel_x = wx,
        motor_fmax = fmax,
        max_wheel_speed = opts.max_wheel_speed,
    }, Robot)
end

--- Sets the wheel motor targets (rad/s, positive = forward), clamped to max_wheel_speed.
function Robot:set_wheels(wl, wr)
    local m = self.max_wheel_speed
    self.left:set_motor(util.clamp(wl, -m, m), self.motor_fmax)
    self.right:set_motor(util.clamp(wr, -m, m), self.motor_fmax)
end

--- Sets a body twist: forward speed v (m/s) and yaw rate w (rad/s, positive = left turn).
Robot.set_twist = base.set_twist

--- Planar position of the axle midpoint (the point the robot turns in place about)
--- and the yaw: x, y (m), yaw (rad).
function Robot:axle2d()
    local x, y, yaw = self:pose2d()
    return x + self.wheel_x * math.cos(yaw), y + self.wheel_x * math.sin(yaw), yaw
end

--- A world point (x, y) in the chassis frame: m forward, m left of the chassis centre.
function Robot:to_local(x, y)
    local bx, by, yaw = self:pose2d()
    return util.to_local(bx, by, yaw, x, y)
end

local NO_OPTIONS = {}

function M.shuttle(state, step, list, o)
    o = o or NO_OPTIONS
    local mode = (step % (o.cycle or 2000) < (o.forward or 1250)) and 1 or 2
    if mode == state.mode then return end
    state.mode = mode
    local v, w = o.v or 5.0, o.w or 2.3
    for _, r in ipairs(list) do
        if mode == 1 then r:set_wheels(v, v) else r:set_wheels(-w, w) end
    end
end

return M
