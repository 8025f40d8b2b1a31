-- Baseline for scenes/pilot/power_cable_tunnel.lua (policies.route_follow): drives the
-- tunnel's centre line at 0.5 m/s (0.25 m/s within 2 m of a person). Per side, while the
-- thermal reader shows more than 45 C it averages the hot spot's estimated x (robot x +
-- distance ahead, from frames 1-3 m away, where the range noise is small); when the spot
-- leaves the view (the reading falls back) it reports the mean once (never on two
-- ticks in a row: the scene counts rising edges of the report flag).
local THRESH = 45

local function side_track(mem, k, obs, action)
    local th, x, yaw = obs.thermal, obs.pose[1], obs.pose[3]
    local t, fwd = th[(k - 1) * 3 + 1], th[(k - 1) * 3 + 2]
    local c = mem.cand[k]
    if t > THRESH then
        if fwd > 1.0 and fwd < 3.0 then c.sum, c.n = c.sum + x + fwd * math.cos(yaw), c.n + 1 end
    elseif c.n > 0 then
        action.report[1], action.report[2], action.report[3] = 1, c.sum / c.n, k == 1 and 1 or -1
        c.sum, c.n = 0, 0
    end
end

return require("policies.route_follow").new{
    people = 1,
    steer = {vmax = 0.5, brake = 0.5, wmax = 1.0, ahead = 1.5, half = 0.55},
    reset = function(_, mem) mem.cand = {{sum = 0, n = 0}, {sum = 0, n = 0}} end,
    hook = function(obs, action, v, w, mem)
        action.report[1], action.report[2], action.report[3] = 0, 0, 0
        if not mem.just then           -- a report is a rising edge: a tick without one after each
            side_track(mem, 1, obs, action)
            if action.report[1] == 0 then side_track(mem, 2, obs, action) end
        end
        mem.just = action.report[1] > 0
        local p = obs.people
        if p[1] > -0.5 and p[1] < 2.0 then v = math.min(v, 0.25) end
        return v, w
    end,
}
