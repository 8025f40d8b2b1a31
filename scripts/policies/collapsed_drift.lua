--[[
policies.collapsed_drift: baseline for scenes/pilot/underground_collapsed_drift.lua (spaces:
goal {forward, left, ...} to the target in the robot frame, a 360-degree 2D scan with
beam k at azimuth -pi + 2 pi (k-1)/n, action twist {v, w}).

A "follow the gap" planner, re-planned every 25 calls (the lidar runs at 10 Hz, 50 ms):
the scan is median-filtered over three beams (rejecting dust's spurious short returns);
for every beam direction within +-89 deg, the free distance is how far a 1.0 m wide
corridor along it stays clear of scan points; the chosen heading maximises
min(free distance, distance to the goal) - 0.6 x |angle to the goal|. The crawler turns
towards it (yaw rate 2 x heading), slowing with the heading error and with obstacles close
ahead. Near the goal it drives straight to it.
--]]

local P = {}
local st = {}

local HALF = 0.5          -- m, half corridor width (crawler 0.8 m wide + margin)
local CAP = 4.0           -- m

local util = require "kit.util"
local clamp = util.clamp

function P.reset(spec, seed)
    local sh = spec.observation.scan.shape
    st = {v = 0, w = 0, n = sh[#sh], calls = 0, head = 0, front = 99}
end

local function plan(obs, gb, gd)
    local n, scan = st.n, obs.scan
    local r = {}
    for k = 1, n do
        local a, b, c = scan[((k - 2) % n) + 1], scan[k], scan[(k % n) + 1]
        -- median of three
        local m = math.max(math.min(a, b), math.min(math.max(a, b), c))
        r[k] = m
    end
    local best, best_az, front = -1e9, gb, 99
    for k = 1, n do
        local az = -math.pi + 2 * math.pi * (k - 1) / n
        if math.abs(az) <= 1.55 then
            local free = CAP
            for j = 1, n do
                local d = 2 * math.pi * (j - k) / n
                local along, lat = r[j] * math.cos(d), math.abs(r[j] * math.sin(d))
                if along > 0 and lat < HALF and along < free then free = along end
            end
            if math.abs(az) < 0.2 and free < front then front = free end
            local diff = math.abs(az - gb)
            if diff > math.pi then diff = 2 * math.pi - diff end
            local score = math.min(free, gd) - 0.6 * diff
            if score > best then best, best_az = score, az end
        end
    end
    st.head, st.front = best_az, front
end

function P.act(obs, action)
    local g = obs.goal
    local fx, fy = g[1], g[2]
    local gd = math.sqrt(fx * fx + fy * fy)
    local gb = math.atan(fy, fx)
    if st.calls % 25 == 0 then plan(obs, gb, math.min(gd, CAP)) end
    st.calls = st.calls + 1
    -- the planned heading was relative to the robot when planned; turning since then is
    -- small over 50 ms, so use it directly
    local h = st.head
    if gd < 1.0 then h = gb end
    local w = 2.0 * h
    local v = 0.9 * math.max(0, math.cos(h)) ^ 2
    if st.front < 1.0 then v = v * clamp((st.front - 0.5) / 0.5, 0.2, 1) end
    if gd < 1.0 then v = math.min(v, 0.2 + 0.4 * gd) end
    w = clamp(w, -1.5, 1.5)
    util.ramp_twist(st, action.twist, v, w, 1.0, 1.0, 4.0, 0.002)
end

return P
