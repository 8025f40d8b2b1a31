-- Baseline for scenes/pilot/power_substation_gauges.lua (policies.route_follow): drives
-- to each gauge's stand point and faces it; while holding there with the camera reader
-- on that gauge it averages 100 needle-angle frames (0.5 s), converts the mean
-- angle to the 0..100 scale (-135..+135 deg) and reports it once.
local SWEEP = math.rad(135)
local N = 100

return require("policies.route_follow").new{
    steer = {vmax = 0.7, brake = 0.5, wmax = 1.0},
    reset = function(_, mem) mem.sum, mem.n, mem.sent = 0, 0, {} end,
    hook = function(obs, action, v, w, mem, holding)
        local target = obs.route[6] + 1
        local cam = obs.camera
        action.report[1], action.report[2], action.report[3] = 0, 1, 0
        if holding and cam[1] > 0.5 and math.floor(cam[2] + 0.5) == target and not mem.sent[target] then
            mem.sum, mem.n = mem.sum + cam[3], mem.n + 1
            if mem.n >= N then
                local a = mem.sum / mem.n
                action.report[1], action.report[2] = 1, target
                action.report[3] = math.max(0, math.min(100, (a / SWEEP + 1) / 2 * 100))
                mem.sent[target], mem.sum, mem.n = true, 0, 0
            end
        end
        return v, w
    end,
}
