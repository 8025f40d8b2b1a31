--[[
robots.crawler: a six-wheeled skid-steer crawler for rough terrain. Each wheel hangs
on its own sprung vertical slider (independent suspension: a position servo acting as
a spring-damper) and is driven by a velocity servo; the three wheels of a side turn
together (skid steering).

Usage (from a scene's build and step):

    local crawler = require "robots.crawler"
    local rover = crawler.build(world, {name = "rover", pos = {0, 0}, yaw = 0})
    rover:set_twist(0.6, 0.2)          -- in step(ctx): forward m/s, yaw rate rad/s
    local x, y, yaw = rover:pose2d()

The returned robot holds body and joint handles, so keep it in a local of the scene
chunk (set in build), not in ctx.state (which is for plain data only).

Model (all values are the defaults; every one can be overridden in `opts`):

  name            "crawler"     robot name and prefix of body, joint and material names
  pos             {0, 0}        start position of the chassis centre, x y (m)
  z               0             ground height under the start position (m)
  yaw             0             start heading (rad about +z; 0 = facing +x)
  chassis_size    {0.9, 0.55, 0.2}  m, box, full extents
  chassis_mass    40            kg (solid-box inertia)
  wheel_radius    0.15          m
  wheel_width     0.10          m
  wheel_mass      1.5           kg (solid-cylinder inertia)
  wheel_base      0.35          m between neighbouring axles: axles at chassis x = -0.35, 0, +0.35
  wheel_gap       0.02          m between the chassis side and a wheel's inner face, so the
                                wheel centres are at chassis y = +-(0.275 + 0.02 + 0.05) = +-0.345
  axle_z          -0.08         m, axle height in the chassis frame (below the centre): the
                                chassis bottom clears flat ground by r - axle_z - h/2 = 0.13 m
                                (minus the suspension sag)
  wheel_friction  1.2           Coulomb mu of the tyres (against mu 0.8 ground: 0.98)
  motor_torque    40            N m, torque limit of each wheel's velocity servo
  max_wheel_speed 8             rad/s (1.2 m/s with r = 0.15)
  suspension_travel 0.06        m each way from the rest position (0 = rigid: wheels hinge
                                straight on the chassis, no carriers)
  spring_k        6000          N/m, suspension stiffness (position servo kp); the static
                                sag is (chassis + carriers) g / 6 / k, about 12 mm
  spring_d        300           N s/m, suspension damping (servo kd)
  spring_fmax     2000          N, force limit of the suspension servo. Must be finite: a
                                servo with no effort limit resting on its slider stop makes
                                ODE push with +-infinity (physics_diverged)
  carrier_mass    0.5           kg, each wheel carrier (the slider's moving body)

Robot joints, in order: wheel_FL, wheel_ML, wheel_RL, wheel_FR, wheel_MR, wheel_RR (hinges
about the chassis' +y, velocity servos: a positive rate drives forward), then susp_FL ...
susp_RR (sliders along the chassis' +z, positive = wheel pushed up, position servos with
target 0) when suspension_travel > 0. F/M/R = front/middle/rear, L/R = left/right. The
world's bodies and joints carry the prefix <name>/ (<name>/chassis, <name>/wheel_FL, ...).

Methods:
  rover:set_wheels(wl, wr)   wheel rates of the left and right sides, rad/s (clamped)
  rover:set_twist(v, w)      forward speed (m/s) and yaw rate (rad/s, + = left), as a
                             differential drive with the track width (skid steering needs
                             more yaw command than a true diff drive: the wheels slip)
  rover:pose2d()             chassis x, y (m), yaw (rad)
  rover:up_z()               world z of the chassis' up axis (1 = level)
  rover:speed()              planar speed of the chassis, m/s
  rover:suspension()         list of the 6 suspension positions (m), {} when rigid
  rover:mine_sensors(world, {dust = 0.3, noise = 0.02})
                             the underground scenes' sensors on the chassis: a 2D lidar
                             "lidar" 0.25 m up (10 Hz, 90 beams over 360 deg, 0.1..8 m) whose
                             reach dust cuts (attenuation dust, spurious returns with
                             probability dust * 0.15, range noise stddev `noise` m), then an
                             IMU "imu" (noise stddev 0.02); returns the lidar Sensor
Fields: rover.robot (Robot), rover.chassis (Body), rover.wheels (6 Bodies, FL ML RL FR MR RR),
  rover.track, rover.wheel_radius.
--]]

local base = require "robots.base"
local kin = require "robots.kin"
local util = require "kit.util"

local M = {}

M.defaults = base.placed("crawler", {
    chassis_size = {0.9, 0.55, 0.2},
    chassis_mass = 40,
    wheel_radius = 0.15,
    wheel_width = 0.10,
    wheel_mass = 1.5,
    wheel_base = 0.35,
    wheel_gap = 0.02,
    axle_z = -0.08,
    wheel_friction = 1.2,
    motor_torque = 40,
    max_wheel_speed = 8,
    suspension_travel = 0.06,
    spring_k = 6000,
    spring_d = 300,
    spring_fmax = 2000,
    carrier_mass = 0.5,
})

local WHEELS = {{"FL", 1, 1}, {"ML", 0, 1}, {"RL", -1, 1}, {"FR", 1, -1}, {"MR", 0, -1}, {"RR", -1, -1}}

local Rover = base.class("chassis")

--- Builds the crawler in `world`. `opts` (optional) overrides M.defaults.
function M.build(world, opts)
    opts = util.options(opts, M.defaults, nil, "robots.crawler")
    local name = opts.name
    local pos = opts.pos
    local cs = opts.chassis_size
    local cm = opts.chassis_mass
    local r = opts.wheel_radius
    local ww = opts.wheel_width
    local wm = opts.wheel_mass
    local wb = opts.wheel_base
    local az = opts.axle_z
    local travel = opts.suspension_travel
    local yaw = opts.yaw
    local q = kin.quat_yaw(yaw)
    local C = kin.pose({pos[1], pos[2], opts.z + r - az}, q)

    local tyre = world:material{name = name .. "/tyre", friction = opts.wheel_friction}
    local chassis = world:body{
        name = name .. "/chassis", pos = C.p, quat = q, mass = cm, com = {0, 0, 0},
        inertia = {cm * (cs[2] ^ 2 + cs[3] ^ 2) / 12, cm * (cs[1] ^ 2 + cs[3] ^ 2) / 12,
                   cm * (cs[1] ^ 2 + cs[2] ^ 2) / 12, 0, 0, 0},
        geoms = {
            {type = "box", size = {cs[1], cs[2], cs[3]}, color = {0.85, 0.55, 0.1}, name = name .. "/hull"},
            -- a sloped bumper (box turned 30 deg) so the nose rides up on obstacles
            {type = "box", size = {0.12, cs[2], 0.12}, pos = {cs[1] / 2 - 0.02, 0, -cs[3] / 2 + 0.04},
             rpy = {0, math.rad(30), 0}, color = {0.3, 0.3, 0.3}, name = name .. "/bumper_front"},
            {type = "box", size = {0.12, cs[2], 0.12}, pos = {-cs[1] / 2 + 0.02, 0, -cs[3] / 2 + 0.04},
             rpy = {0, math.rad(-30), 0}, color = {0.3, 0.3, 0.3}, name = name .. "/bumper_rear"},
        },
    }
    local wy = cs[2] / 2 + opts.wheel_gap + ww / 2
    local up = kin.rotate(q, {0, 0, 1})
    local side = kin.rotate(q, {0, 1, 0})
    local iperp, iax = wm * (3 * r * r + ww * ww) / 12, wm * r * r / 2
    local links, wheels, wheel_joints, susp_joints = {chassis}, {}, {}, {}
    local wact = {mode = "velocity", effort = opts.motor_torque, velocity = opts.max_wheel_speed}
    local sact = {mode = "position", kp = opts.spring_k, kd = opts.spring_d,
                  effort = opts.spring_fmax}
    for i, w in ipairs(WHEELS) do
        local tag, fx, fy = w[1], w[2], w[3]
        local p = kin.pose_apply(C, {fx * wb, fy * wy, az})
        local parent = chassis
        if travel > 0 then
            local cmass = opts.carrier_mass
            parent = world:body{
                name = name .. "/carrier_" .. tag, pos = p, quat = q, mass = cmass, com = {0, 0, 0},
                inertia = {cmass * 0.002, cmass * 0.002, cmass * 0.002, 0, 0, 0},
                geoms = {},
            }
            links[#links + 1] = parent
            susp_joints[i] = {
                joint = world:joint{type = "slider", name = name .. "/susp_" .. tag, body1 = parent, body2 = chassis,
                                    axis = up, lo = -travel, hi = travel},
                name = "susp_" .. tag, actuator = sact,
            }
        end
        local wheel = world:body{
            name = name .. "/wheel_" .. tag, pos = p, quat = q, mass = wm, com = {0, 0, 0},
            inertia = {iperp, iax, iperp, 0, 0, 0},
            geoms = {{type = "cylinder", radius = r, length = ww, rpy = {math.pi / 2, 0, 0}, material = tyre,
                      color = {0.12, 0.12, 0.12}, name = name .. "/tyre_" .. tag}},
        }
        wheels[i] = wheel
        links[#links + 1] = wheel
        wheel_joints[i] = {
            joint = world:joint{type = "hinge", name = name .. "/wheel_" .. tag, body1 = wheel, body2 = parent,
                                anchor = p, axis = side},
            name = "wheel_" .. tag, actuator = wact,
        }
    end
    local joints = {}
    for i = 1, 6 do joints[i] = wheel_joints[i] end
    if travel > 0 then for i = 1, 6 do joints[6 + i] = susp_joints[i] end end
    local robot = world:robot{name = name, links = links, joints = joints}
    return setmetatable({
        robot = robot, chassis = chassis, wheels = wheels,
        track = 2 * wy, wheel_radius = r, max_wheel_speed = opts.max_wheel_speed,
        sprung = travel > 0,
    }, Rover)
end

function Rover:set_wheels(wl, wr)
    local m = self.max_wheel_speed
    wl, wr = kin.clamp(wl, -m, m), kin.clamp(wr, -m, m)
    local r = self.robot
    for i = 1, 3 do r:command(i, wl) end
    for i = 4, 6 do r:command(i, wr) end
end

Rover.set_twist = base.set_twist

function Rover:mine_sensors(world, o)
    local lidar = world:sensor{type = "lidar", name = "lidar", body = self.chassis, pos = {0, 0, 0.25}, rate = 10,
                               h_beams = 90, h_fov = 2 * math.pi, v_beams = 1, range_min = 0.1, range_max = 8,
                               attenuation = o.dust, spurious = o.dust * 0.15, noise = {stddev = o.noise}}
    world:sensor{type = "imu", name = "imu", body = self.chassis, noise = {stddev = 0.02}}
    return lidar
end

function Rover:suspension()
    local out = {}
    if not self.sprung then return out end
    local q = self.robot:q()
    for i = 7, 12 do out[#out + 1] = q[i] end
    return out
end

return M
