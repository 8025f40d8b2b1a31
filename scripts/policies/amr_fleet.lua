-- Baseline for scenes/pilot/logistics_amr_fleet.lua: every AMR on its own, from its row
-- of the `amr` observation: drive to the next route point (kit.steer.to_point,
-- 0.8 m/s, turning on the spot at the corners, holding at stations), keep 0.4 m behind the robot
-- ahead (speed 1.2 x the gap beyond that), and brake to a stop before a conflict zone
-- that is occupied or where it must yield (the scene gives both; the one-way lanes are
-- kept by following the route, never reversing).
local steer = require "kit.steer"

local P = {}
local O = {vmax = 0.8, brake = 0.8, turn_tol = 0.45, kw = 2.5, wmax = 1.5, creep = 0.15}

function P.act(obs, action)
    local a, c = obs.amr, action.cmd
    for i = 0, #a // 9 - 1 do
        local o = i * 9
        local dx, dy, stop, gap, zd = a[o + 1], a[o + 2], a[o + 3], a[o + 5], a[o + 6]
        local v, w = steer.to_point(dx, dy, O)
        -- at a station: hold once there or past it (turning back would drive against the lane)
        if stop > 0.5 and (math.sqrt(dx * dx + dy * dy) < 0.12 or (dx < 0.05 and math.abs(dy) < 0.3)) then v, w = 0, 0 end
        v = math.min(v, math.max(0, 1.2 * (gap - 0.4)))
        if (a[o + 7] > 0.5 or a[o + 8] > 0.5) and zd > 0 then
            v = math.min(v, math.sqrt(2 * 0.8 * math.max(zd - 0.15, 0)))
        end
        c[i * 2 + 1], c[i * 2 + 2] = v, w
    end
end

return P
