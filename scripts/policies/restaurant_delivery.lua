-- Baseline for scenes/pilot/restaurant_tray_delivery.lua: turn towards the serving point,
-- drive there with a braking profile, and yield to diners: stop while a tracked person
-- is (or within the next 1.5 s will be) in a corridor 2.0 m ahead and 0.85 m to each
-- side of the robot's path.
local P = {}

local clamp = require("kit.util").clamp

function P.reset(spec, seed) end

local function blocked(obs, d_goal)
    local pp = obs.people
    for i = 0, 2 do
        local px, py, vx, vy = pp[i * 4 + 1], pp[i * 4 + 2], pp[i * 4 + 3], pp[i * 4 + 4]
        for k = 0, 6 do
            local t = k * 0.25
            local x, y = px + vx * t, py + vy * t
            if x > -0.2 and x < math.min(2.0, d_goal + 0.6) and math.abs(y) < 0.85 then return true end
        end
    end
    return false
end

function P.act(obs, action)
    local gx, gy, d = obs.goal[1], obs.goal[2], obs.goal[3]
    local err = math.atan(gy, gx)
    local v, w = 0, 0
    if d > 0.06 then
        if math.abs(err) > 0.15 and d > 0.3 then
            w = clamp(1.5 * err, -0.7, 0.7)
        else
            v = math.min(0.6, math.sqrt(2 * 0.45 * math.max(d - 0.04, 0)))
            w = clamp(1.5 * err, -0.6, 0.6) * math.min(1, d / 0.4)
            if blocked(obs, d) then v = 0 end
        end
    end
    action.base[1], action.base[2] = v, w
end

return P
