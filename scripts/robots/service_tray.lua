--[[
robots.service_tray: a restaurant delivery robot: a differential-drive base
(robots.diffdrive) carrying a mast with a serving tray on top.

Usage (from a scene's build and step):

    local service_tray = require "robots.service_tray"
    local bot = service_tray.build(world, {name = "waiter", pos = {0, 0}, yaw = 0})
    bot:set_twist(0.4, 0.0)                 -- as robots.diffdrive (every method of it works)
    local x, y, z = bot:tray_pos()          -- centre of the tray's top surface
    local ok = bot:on_tray(cup)             -- a body's centre lies over the tray, above it

The returned robot holds body and joint handles, so keep it in a local of the scene
chunk (set in build), not in ctx.state (which is for plain data only).

Model (all values are the defaults; every one can be overridden in `opts`). Options of
robots.diffdrive pass through (name, pos, z, yaw, wheel_*, caster*, motor_fmax,
max_wheel_speed, ...); these defaults differ from diffdrive's:

  name            "service_tray"  prefix of every body, joint and material name; the
                                  upper body is <name>/upper, its joint <name>/mast_mount,
                                  the tray's material <name>/tray
  chassis_size    {0.5, 0.45, 0.18}  m, full extents (a 0.5 m class delivery base)
  chassis_mass    30            kg
  casters         2             front and back ball casters (the tall load makes a single
                                rear caster too narrow a support when braking)
  wheel_x         0.0           axle under the chassis centre (needed with 2 casters)
  caster_lift     0.004         m: the casters float 4 mm, the base rocks on its wheels
                                and touches down on a caster only when it pitches
  motor_fmax      30            N m per wheel

Upper body (one rigid body on a fixed joint to the chassis):

  tray_height     0.90          m, top surface of the tray above the ground
  tray_size       {0.40, 0.30, 0.02}  m, full extents x y z (x along the chassis)
  tray_x          0.0           m, tray centre along the chassis x from the chassis centre
  rim_height      0.015         m, lip around the tray, above its top surface (0 = none)
  rim_thickness   0.008         m
  mast_radius     0.03          m, a vertical cylinder from the chassis top to the tray
  upper_mass      3.0           kg, mast + tray + rim (inertia and centre of mass shaped
                                from the geoms)
  tray_friction   0.6           Coulomb mu of the tray's material (against a mu 0.5 cup:
                                sqrt(0.3) = 0.55)

Methods (besides robots.diffdrive's set_wheels, set_twist, pose2d, axle2d, up_z, speed):
  bot:tray_pos()        x, y, z of the centre of the tray's top surface (world, m)
  bot:tray_local(x, y, z)  a world point in the tray frame (origin at the top surface's
                        centre, x along the chassis): lx, ly, lz
  bot:on_tray(body [, margin])  true when the body's position lies over the tray (within
                        its footprint shrunk by margin, default 0) and not below its top
                        surface by more than 1 cm
Fields: everything robots.diffdrive returns (chassis, wheel_left, left, ...) and
  upper (the mast+tray Body), mount (its fixed Joint), tray_size, tray_height.
--]]

local rbase = require "robots.base"
local diffdrive = require "robots.diffdrive"
local util = require "kit.util"

local M = {}

M.defaults = {
    name = "service_tray",
    chassis_size = {0.5, 0.45, 0.18},
    chassis_mass = 30,
    casters = 2,
    wheel_x = 0.0,
    caster_lift = 0.004,
    motor_fmax = 30,
    tray_height = 0.90,
    tray_size = {0.40, 0.30, 0.02},
    tray_x = 0.0,
    rim_height = 0.015,
    rim_thickness = 0.008,
    mast_radius = 0.03,
    upper_mass = 3.0,
    tray_friction = 0.6,
}

local Bot = rbase.class()

--- Builds the robot in `world`. `opts` (optional) overrides M.defaults and diffdrive's.
function M.build(world, opts)
    opts = util.options(opts, M.defaults, diffdrive.defaults, "robots.service_tray")
    local dopts = {}
    for k, _ in pairs(diffdrive.defaults) do dopts[k] = opts[k] end
    local base = diffdrive.build(world, dopts)
    setmetatable(Bot, {__index = getmetatable(base)})

    local name = opts.name
    local cs = opts.chassis_size
    local ts = opts.tray_size
    local th = opts.tray_height
    local tx = opts.tray_x
    local rim_h, rim_t = opts.rim_height, opts.rim_thickness
    local mr = opts.mast_radius
    local z0 = opts.z
    local r = opts.wheel_radius
    local top = r + cs[3] / 2                        -- chassis top above the ground
    local mast_len = th - ts[3] - top
    assert(mast_len > 0.05, "robots.service_tray: tray_height too low for the chassis")
    local tray_mat = world:material{name = name .. "/tray", friction = opts.tray_friction}

    -- Upper body link frame: the tray's top-surface centre, oriented as the chassis.
    local cx, cy, cz = base.chassis:to_world(tx, 0, th - r)   -- the chassis centre is at z0 + r
    local qw, qx, qy, qz = base.chassis:quat()
    local color = {0.85, 0.85, 0.82}
    local geoms = {
        {type = "box", size = {ts[1], ts[2], ts[3]}, pos = {0, 0, -ts[3] / 2}, material = tray_mat,
         color = {0.55, 0.35, 0.2}, name = name .. "/tray"},
        {type = "cylinder", radius = mr, length = mast_len, pos = {-tx, 0, -ts[3] - mast_len / 2},
         color = color, name = name .. "/mast"},
    }
    if rim_h > 0 then
        local hx, hy = ts[1] / 2, ts[2] / 2
        local rims = {
            {{ts[1], rim_t, rim_h}, {0, hy - rim_t / 2, rim_h / 2}},
            {{ts[1], rim_t, rim_h}, {0, -hy + rim_t / 2, rim_h / 2}},
            {{rim_t, ts[2] - 2 * rim_t, rim_h}, {hx - rim_t / 2, 0, rim_h / 2}},
            {{rim_t, ts[2] - 2 * rim_t, rim_h}, {-hx + rim_t / 2, 0, rim_h / 2}},
        }
        for i, rm in ipairs(rims) do
            geoms[#geoms + 1] = {type = "box", size = rm[1], pos = rm[2], material = tray_mat,
                                 color = {0.5, 0.3, 0.18}, name = name .. "/rim" .. i}
        end
    end
    local upper = world:body{
        name = name .. "/upper",
        pos = {cx, cy, cz},
        quat = {qw, qx, qy, qz},
        mass = opts.upper_mass,
        geoms = geoms,
    }
    local mount = world:joint{type = "fixed", name = name .. "/mast_mount", body1 = upper, body2 = base.chassis}

    base.upper = upper
    base.mount = mount
    base.tray_size = {ts[1], ts[2], ts[3]}
    base.tray_height = th
    base.ground = z0
    return setmetatable(base, Bot)
end

function Bot:tray_pos()
    return self.upper:pos()
end

function Bot:tray_local(x, y, z)
    local ox, oy, oz = self.upper:pos()
    local w, qx, qy, qz = self.upper:quat()
    -- rotate (p - o) by the conjugate quaternion
    local vx, vy, vz = x - ox, y - oy, z - oz
    local tx = 2 * (-qy * vz + qz * vy)
    local ty = 2 * (-qz * vx + qx * vz)
    local tz = 2 * (-qx * vy + qy * vx)
    return vx + w * tx + (-qy * tz + qz * ty),
           vy + w * ty + (-qz * tx + qx * tz),
           vz + w * tz + (-qx * ty + qy * tx)
end

function Bot:on_tray(body, margin)
    margin = margin or 0
    local lx, ly, lz = self:tray_local(body:pos())
    return math.abs(lx) <= self.tray_size[1] / 2 - margin and math.abs(ly) <= self.tray_size[2] / 2 - margin
        and lz > -0.01
end

return M
