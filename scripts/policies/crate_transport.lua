--[[
policies.crate_transport: baseline for scenes/pilot/agriculture_crate_transport.lua.

Waypoint pursuit (yaw rate 1.8 x bearing, speed cos^2 of the bearing) with gentle
acceleration limits so the loose crate never slides (+0.35 / -0.6 m/s^2, 1.5 rad/s^2), slowing
when the crate load sensor shows it has shifted, and speed-and-separation monitoring of the
worker: stop while a person is in the corridor ahead (forward -0.3 .. 2.5 m, within 1.3 m
of the centre line), 0.3 m/s while anyone is within 2.5 m.
Stops on the last waypoint.
--]]

local P = {}
local st = {}

local util = require "kit.util"
local clamp = util.clamp

function P.reset(spec, seed) st = {v = 0, w = 0} end

function P.act(obs, action)
    local g = obs.goal
    local fx, fy, idx, n = g[1], g[2], g[3], g[4]
    local d = math.sqrt(fx * fx + fy * fy)
    local b = math.atan(fy, fx)
    local last = idx >= n - 1
    local v = 0.8 * math.max(0, math.cos(b)) ^ 2
    local w = 1.8 * b
    if last then v = math.min(v, 0.15 + 0.5 * math.max(0, d - 0.15)) ; if d < 0.2 then v, w = 0, 0 end end
    -- the crate
    local cx, cy = obs.crate[1], obs.crate[2]
    if math.sqrt(cx * cx + cy * cy) > 0.1 then v = v * 0.5 end
    -- people
    local hx, hy, hd = obs.human[1], obs.human[2], obs.human[3]
    if hx > -0.3 and hx < 2.5 and math.abs(hy) < 1.3 then v = 0 elseif hd < 2.5 then v = math.min(v, 0.3) end
    v = clamp(v, -0.5, 1.0)
    w = clamp(w, -1.0, 1.0)
    util.ramp_twist(st, action.twist, v, w, 0.6, 0.35, 1.5, 0.002)
end

return P
