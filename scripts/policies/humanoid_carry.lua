-- Baseline for scenes/pilot/humanoid_walk_carry.lua: walks to the hand-over point in
-- front of the dispatch table and stops there. It steers toward the point (yaw rate
-- proportional to the bearing, at most 0.2 rad/s), walks at 0.2 m/s while the point is
-- more than 0.6 m ahead, at 0.1 m/s closer in, and stops (forward speed 0: the walk closes
-- its feet and stands) once the point is less than 0.12 m ahead.
local util = require "kit.util"

local P = {}

function P.reset(_, _) end

function P.act(obs, action)
    local dx, dy = obs.goal[1], obs.goal[2]
    local v = dx > 0.6 and 0.2 or 0.1
    if dx < 0.12 then v = 0 end
    action.cmd[1] = v
    action.cmd[2] = v > 0 and util.clamp(1.0 * math.atan(dy, math.max(dx, 0.5)), -0.2, 0.2) or 0
end

return P
