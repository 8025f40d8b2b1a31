-- Baseline for scenes/pilot/security_night_patrol.lua (policies.route_follow): drives
-- from look-out stop to look-out stop; while holding at one, it turns each detection
-- without a badge into a world position (pose + distance along the bearing) and, after
-- 40 such frames (0.2 s), raises the alarm once at their mean.
return require("policies.route_follow").new{
    steer = {vmax = 0.8, brake = 0.6, wmax = 1.2},
    reset = function(_, mem) mem.sx, mem.sy, mem.n, mem.sent = 0, 0, 0, false end,
    hook = function(obs, action, v, w, mem, holding)
        action.alarm[1], action.alarm[2], action.alarm[3] = 0, 0, 0
        if mem.sent or not holding then return v, w end
        local c, x, y, yaw = obs.camera, obs.pose[1], obs.pose[2], obs.pose[3]
        for k = 0, 1 do
            if c[k * 4 + 1] > 0.5 and c[k * 4 + 4] < 0.5 then
                local b, d = c[k * 4 + 2], c[k * 4 + 3]
                mem.sx, mem.sy, mem.n = mem.sx + x + d * math.cos(yaw + b), mem.sy + y + d * math.sin(yaw + b), mem.n + 1
                break
            end
        end
        if mem.n >= 40 then
            action.alarm[1], action.alarm[2], action.alarm[3] = 1, mem.sx / mem.n, mem.sy / mem.n
            mem.sent = true
        end
        return v, w
    end,
}
