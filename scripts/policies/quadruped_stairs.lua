-- Baseline for scenes/pilot/inspection_quadruped_stairs.lua: walks to the checkpoints in
-- order. It steers toward the next checkpoint (yaw rate proportional to the bearing),
-- trots at 0.3 m/s while the bearing is small and slows to 0.1 m/s to turn, and waits
-- while the worker is within 1 m ahead. The scene's closed-loop gait handles the steps
-- and the ramp.
local util = require "kit.util"

local P = {}

function P.reset(_, _) end

function P.act(obs, action)
    local dx, dy = obs.goal[1], obs.goal[2]
    local bearing = math.atan(dy, dx)
    local v = math.abs(bearing) < 0.3 and 0.3 or 0.1
    local px, py = obs.people[1], obs.people[2]
    if px > 0 and px < 1.0 and math.abs(py) < 0.6 then v = 0 end
    action.cmd[1] = v
    action.cmd[2] = util.clamp(1.5 * bearing, -0.6, 0.6)
end

return P
