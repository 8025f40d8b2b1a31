--[[
robots.base: what the robot modules of scripts/robots/ share, written once: the placement
options every ground robot takes, the handle class with the methods that read one body,
and a differential drive's twist.

    local base = require "robots.base"
    M.defaults = base.placed("crawler", {chassis_size = {0.9, 0.55, 0.2}, ...})
    local Rover = base.class("chassis")          -- Rover.__index = Rover; pose2d, up_z, speed
    Rover.set_twist = base.set_twist             -- a differential drive's v, w

Functions:
  placed(name, own)     `own` (a module's defaults; returned) with the placement options
                        every ground robot takes: name = name, pos = {0, 0} (x, y, m),
                        z = 0 (m, the ground under the robot), yaw = 0 (rad)
  class(body, up)       a new handle class (its own __index) whose objects read the Body in
                        their field `body` (nil: a class with no methods):
                          h:pose2d()  x, y (m) of that body, yaw (rad, in (-pi, pi])
                          h:up_z()    world z of the up (+z) axis of the body in field `up`
                                      (default `body`): 1 upright, 0 on its side
                          h:speed()   planar speed of that body, m/s
  set_twist(h, v, w)    a differential drive's body twist: forward speed v (m/s), yaw rate
                        w (rad/s, + = left) as wheel rates (rad/s) h:set_wheels(wl, wr)
                        from h.track (m, wheel centre to wheel centre) and h.wheel_radius (m)
--]]

local kin = require "robots.kin"

local M = {}

function M.placed(name, own)
    own.name = name
    own.pos = {0, 0}
    own.z = 0
    own.yaw = 0
    return own
end

function M.class(body, up)
    local C = {}
    C.__index = C
    if not body then return C end
    up = up or body
    function C:pose2d()
        local b = self[body]
        local x, y = b:pos()
        return x, y, kin.yaw_of(b:quat())
    end
    function C:up_z()
        return kin.up_z(self[up]:quat())
    end
    function C:speed()
        local vx, vy = self[body]:linvel()
        return math.sqrt(vx * vx + vy * vy)
    end
    return C
end

function M.set_twist(h, v, w)
    local d = w * h.track / 2
    h:set_wheels((v - d) / h.wheel_radius, (v + d) / h.wheel_radius)
end

return M
