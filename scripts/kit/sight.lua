--[[
kit.sight: what a camera on a robot can see, for scenes whose observations come from a
camera's detector (a gauge reader, a person detector, a label scanner) instead of pixels:
field of view, range and occlusion by boxes, in the plane. Pure functions, no random draws.

  sight.view(cx, cy, cyaw, tx, ty, o)  -> seen, bearing, dist: the target (tx, ty) from a
                                 camera at (cx, cy) looking along cyaw: bearing (rad, left +)
                                 and distance (m); seen when dist <= o.range, |bearing| <=
                                 o.fov / 2 (full horizontal field of view, rad) and no
                                 rectangle of o.walls ({x0, y0, x1, y1}, ...) cuts the line
  sight.crosses(ax, ay, bx, by, r)   true when the segment a-b passes through the
                                 rectangle r = {x0, y0, x1, y1} (slab test)
  sight.facing(nx, ny, cx, cy, tx, ty) cosine between a target's face normal (nx, ny) and
                                 the direction from the target to the camera (1 head-on)
--]]

local util = require "kit.util"

local M = {}

function M.crosses(ax, ay, bx, by, r)
    local t0, t1 = 0, 1
    local d = {bx - ax, by - ay}
    local o = {ax, ay}
    local lo, hi = {r[1], r[2]}, {r[3], r[4]}
    for k = 1, 2 do
        if math.abs(d[k]) < 1e-12 then
            if o[k] < lo[k] or o[k] > hi[k] then return false end
        else
            local u, v = (lo[k] - o[k]) / d[k], (hi[k] - o[k]) / d[k]
            if u > v then u, v = v, u end
            t0, t1 = math.max(t0, u), math.min(t1, v)
            if t0 > t1 then return false end
        end
    end
    return true
end

function M.view(cx, cy, cyaw, tx, ty, o)
    local lx, ly = util.to_local(cx, cy, cyaw, tx, ty)
    local dist = math.sqrt(lx * lx + ly * ly)
    local bearing = math.atan(ly, lx)
    if dist > o.range or math.abs(bearing) > o.fov / 2 then return false, bearing, dist end
    for _, r in ipairs(o.walls or {}) do
        if M.crosses(cx, cy, tx, ty, r) then return false, bearing, dist end
    end
    return true, bearing, dist
end

function M.facing(nx, ny, cx, cy, tx, ty)
    local dx, dy = cx - tx, cy - ty
    local d = math.sqrt(dx * dx + dy * dy)
    if d < 1e-9 then return 1 end
    return (nx * dx + ny * dy) / d
end

return M
