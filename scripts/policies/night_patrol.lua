-- Baseline for scenes/pilot/security_night_patrol.lua (policies.route_follow): drives
-- from look-out stop to look-out stop; standing still at one, it reads the camera pair
-- (policies.lib.vision) every 0.2 s (the cameras' 5 Hz): the segmentation image's bodies,
-- grouped into people by overlapping columns, count only where the RGB image shows them
-- lit (at least 12 pixels brighter than 8/255: the lamp's reach); a person whose lit
-- pixels include the yellow of a hi-vis vest (r, g > 2.5 b) is the guard. Anyone else is
-- placed on the ground: bearing from the mean column, distance from the lowest row (the
-- feet) under a level camera 0.5 m up. After 3 such frames it raises the alarm once at
-- their mean position (frames of one stop only).
local vision = require "policies.lib.vision"

local W, H, FOV_Y, CAM_Z, CAM_X = 96, 72, 0.8, 0.5, 0.26
local FRAMES, GAP, SETTLE = 3, 0.2, 0.2

-- the people in view: groups of bodies whose column spans overlap
local function people(seg, rgb)
    local groups = {}
    for _, b in ipairs(vision.blobs(seg, W, H)) do
        local into
        for _, g in ipairs(groups) do
            if b.left <= g.right + 1 and b.right >= g.left - 1 then into = g end
        end
        if into then
            into.left, into.right = math.min(into.left, b.left), math.max(into.right, b.right)
            into.bottom = math.max(into.bottom, b.bottom)
            into.ids[#into.ids + 1] = b.id
        else
            groups[#groups + 1] = {left = b.left, right = b.right, bottom = b.bottom, ids = {b.id}}
        end
    end
    -- what the RGB image shows of each: lit pixels, vest-yellow pixels, mean lit column
    for _, g in ipairs(groups) do
        local member = {}
        for _, id in ipairs(g.ids) do member[id] = true end
        g.lit, g.yellow, g.col = 0, 0, 0
        for i = 0, W * H - 1 do
            if member[seg[i + 1]] then
                local r, gr, bl = rgb[3 * i + 1], rgb[3 * i + 2], rgb[3 * i + 3]
                if math.max(r, gr, bl) >= 8 then
                    g.lit, g.col = g.lit + 1, g.col + i % W
                    if r > 2.5 * bl and gr > 2.5 * bl then g.yellow = g.yellow + 1 end
                end
            end
        end
        if g.lit > 0 then g.col = g.col / g.lit end
    end
    return groups
end

return require("policies.route_follow").new{
    steer = {vmax = 0.8, brake = 0.6, wmax = 1.2},
    reset = function(_, mem) mem.sx, mem.sy, mem.n, mem.t, mem.frames, mem.sent = 0, 0, 0, 0, 0, false end,
    hook = function(obs, action, v, w, mem, holding)
        action.alarm[1], action.alarm[2], action.alarm[3] = 0, 0, 0
        local still = math.abs(obs.route[3]) < 0.2 and math.abs(obs.twist[1]) < 0.05 and math.abs(obs.twist[2]) < 0.4
        if mem.sent or not holding or not still then
            mem.sx, mem.sy, mem.n, mem.t, mem.frames = 0, 0, 0, 0, 0
            return v, w
        end
        mem.t = mem.t + mem.dt
        if mem.t < SETTLE + mem.frames * GAP then return v, w end
        mem.frames = mem.frames + 1
        local x, y, yaw = obs.pose[1], obs.pose[2], obs.pose[3]
        for _, g in ipairs(people(obs.seg, obs.image)) do
            local d = vision.ground_range(g.bottom, H, FOV_Y, CAM_Z)
            if g.lit >= 12 and g.yellow < 3 and d then
                local b = vision.bearing(g.col, W, H, FOV_Y)
                local cx, cy = x + CAM_X * math.cos(yaw), y + CAM_X * math.sin(yaw)
                mem.sx, mem.sy, mem.n = mem.sx + cx + d * math.cos(yaw + b), mem.sy + cy + d * math.sin(yaw + b), mem.n + 1
                break
            end
        end
        if mem.n >= FRAMES then
            action.alarm[1], action.alarm[2], action.alarm[3] = 1, mem.sx / mem.n, mem.sy / mem.n
            mem.sent = true
        end
        return v, w
    end,
}
