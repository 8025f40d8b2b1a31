-- Baseline for scenes/pilot/power_substation_gauges.lua (policies.route_follow): drives
-- to each gauge's stand point and faces it; while standing still there it reads the needle from
-- the camera image (policies.lib.vision: the white dial's centre, the red needle's
-- direction from it) in three frames 0.2 s apart (the camera's 5 Hz), converts the mean
-- angle to the 0..100 scale (-135..+135 deg) and reports it once. No reading (no dial or
-- no needle in the image): it keeps looking until the stop's time runs out.
local vision = require "policies.lib.vision"

local SWEEP = math.rad(135)
local FRAMES, GAP = 3, 0.2      -- frames averaged, s between them (one camera period)
local SETTLE = 0.3              -- s standing still before the first frame

return require("policies.route_follow").new{
    steer = {vmax = 0.7, brake = 0.5, wmax = 1.0},
    reset = function(_, mem) mem.sum, mem.n, mem.t, mem.sent = 0, 0, 0, {} end,
    hook = function(obs, action, v, w, mem, holding)
        local target = obs.route[6] + 1
        action.report[1], action.report[2], action.report[3] = 0, 1, 0
        -- still and facing the gauge (the image is at most one camera period old)
        local still = math.abs(obs.route[3]) < 0.05 and math.abs(obs.twist[1]) < 0.02 and math.abs(obs.twist[2]) < 0.05
        if not holding or not still or mem.sent[target] then
            mem.t, mem.sum, mem.n = 0, 0, 0
            return v, w
        end
        mem.t = mem.t + mem.dt
        if mem.t >= SETTLE + mem.n * GAP then
            local a = vision.gauge_angle(obs.image, 96, 72)
            if a then
                mem.sum, mem.n = mem.sum + a, mem.n + 1
            else
                mem.t = mem.t - GAP / 2   -- try again half a camera period later
            end
            if mem.n >= FRAMES then
                local mean = mem.sum / mem.n
                action.report[1], action.report[2] = 1, target
                action.report[3] = math.max(0, math.min(100, (mean / SWEEP + 1) / 2 * 100))
                mem.sent[target] = true
            end
        end
        return v, w
    end,
}
