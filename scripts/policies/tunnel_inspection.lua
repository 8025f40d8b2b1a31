--[[
policies.tunnel_inspection: baseline for scenes/pilot/underground_tunnel_inspection.lua
(and any crawler scene with the same spaces: goal {forward, left, passed, total}, a
360-degree 2D scan with beam k at azimuth -pi + 2 pi (k-1)/n, action twist {v, w}).

Pursues the next checkpoint (yaw rate proportional to its bearing, speed reduced while the
bearing is large) and bends away from obstacles the scan shows closer than 0.8 m ahead or
beside (a beam counts only when a neighbour agrees within 0.25 m, which rejects the
spurious short returns of dust). Speed and yaw rate are rate-limited.
--]]

local P = {}
local st = {}

local CRUISE = 0.8       -- m/s
local NEAR = 0.8         -- m, obstacle influence distance (from the lidar, chassis centre)

function P.reset(spec, seed)
    st = {v = 0, w = 0, n = spec.observation.scan and spec.observation.scan.shape[#spec.observation.scan.shape] or 0}
end

local util = require "kit.util"
local clamp = util.clamp

function P.act(obs, action)
    local g = obs.goal
    local fx, fy = g[1], g[2]
    local d = math.sqrt(fx * fx + fy * fy)
    local bearing = math.atan(fy, fx)
    local w = 2.5 * bearing
    local v = CRUISE * math.max(0, math.cos(bearing)) ^ 2
    -- obstacle avoidance from the scan
    local scan, n = obs.scan, st.n
    if scan and n > 0 then
        local push, front = 0, 99
        for k = 1, n do
            local az = -math.pi + 2 * math.pi * (k - 1) / n
            local r = scan[k]
            if math.abs(az) < 1.9 and r < NEAR + 0.45 then
                local a = scan[(k % n) + 1]
                local b = scan[((k - 2) % n) + 1]
                if math.abs(a - r) < 0.25 or math.abs(b - r) < 0.25 then
                    -- body clearance: the chassis is ~0.45 m long each way, 0.4 m wide
                    local c = r - 0.45
                    if c < NEAR then
                        push = push - (az > 0 and 1 or -1) * (NEAR - c) * math.cos(az * 0.5)
                        if math.abs(az) < 0.5 and r < front then front = r end
                    end
                end
            end
        end
        w = w + 1.2 * push
        if front < 0.9 then v = v * math.max(0.3, (front - 0.5) / 0.4) end
    end
    if d < 0.8 then v = math.min(v, 0.3 + 0.5 * d) end
    v = clamp(v, -0.5, 1.0)
    w = clamp(w, -1.5, 1.5)
    util.ramp_twist(st, action.twist, v, w, 1.0, 1.0, 4.0, 0.002)
end

return P
