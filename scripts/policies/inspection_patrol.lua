-- Baseline for scenes/pilot/inspection_gauge_patrol.lua: visits the gauges in route order.
-- For each: drive to the stand point 1.1 m in front of the gauge's face (turn in place,
-- then drive with a braking profile), turn to face the gauge, hold still until the scene
-- reports it read (staying in place while within 0.3 m of the stand point). Stops while the worker is within 1.3 m ahead.
local P = {}
local clamp = require("kit.util").clamp

local facing = -1      -- index of the gauge being faced (hysteresis: turning in place
                       -- moves the chassis centre, so the stand-point test loosens once there)

function P.reset(spec, seed) facing = -1 end

function P.act(obs, action)
    local g = obs.gauges
    local v, w = 0, 0
    for i = 0, 3 do
        local k = i * 6
        if g[k + 5] < 0.5 then
            local gx, gy, nx, ny = g[k + 1], g[k + 2], g[k + 3], g[k + 4]
            local sx, sy = gx + 1.1 * nx, gy + 1.1 * ny      -- stand point, robot frame
            local d = math.sqrt(sx * sx + sy * sy)
            if facing == i and d > 0.3 then facing = -1 end
            if facing ~= i and d < 0.08 then facing = i end
            if facing ~= i then
                local err = math.atan(sy, sx)
                if math.abs(err) > 0.12 and (d > 0.25 or math.abs(err) < 2.0) then
                    w = clamp(2.0 * err, -1.0, 1.0)
                    if math.abs(err) < 0.5 then v = 0.15 end
                else
                    v = math.min(0.7, math.sqrt(2 * 0.6 * math.max(d - 0.03, 0)))
                    w = clamp(2.0 * err, -0.8, 0.8)
                end
                local px, py = obs.people[1], obs.people[2]
                if px > 0 and px < 1.3 and math.abs(py) < 0.7 then v = 0 end
            else
                w = clamp(2.5 * math.atan(gy, gx), -0.6, 0.6)   -- face the gauge
            end
            break
        end
    end
    action.base[1], action.base[2] = v, w
end

return P
