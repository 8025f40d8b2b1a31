-- Baseline for scenes/pilot/agriculture_greenhouse_spraying.lua (policies.route_follow):
-- drives the serpentine at 0.45 m/s (a plant stays about 1.3 s in a boom's 0.6 m window);
-- opens a boom only while an uncovered plant is in its window. While the tracked grower
-- is within 2.1 m (the scene's drift limit is 1.8 m) both booms stay closed, and the
-- robot waits if an uncovered plant is in a window or within 1 m ahead.
return require("policies.route_follow").new{
    people = 1,
    steer = {vmax = 0.45, brake = 0.5, wmax = 1.0, ahead = 1.6, half = 0.6},
    hook = function(obs, action, v, w)
        local p = obs.people
        local clear = math.sqrt(p[1] * p[1] + p[2] * p[2]) > 2.1
        local b = obs.booms
        action.spray[1] = (clear and b[1] > 0) and 1 or 0
        action.spray[2] = (clear and b[3] > 0) and 1 or 0
        if not clear and (b[1] > 0 or b[3] > 0 or b[2] < 1 or b[4] < 1) then v = 0 end
        return v, w
    end,
}
