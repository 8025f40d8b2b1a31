--[[
kit.room: floors, walls, rooms with doors and corridors (static box geoms; no random draws).
Rectangles are {x0, y0, x1, y1} in m (world frame); wall options shared by every
function: height (2.5 m), thickness (0.1 m), material (nil = default), color, z (0: the
floor the walls stand on, m; for upper storeys).

  room.floor(world, o)           a ground plane z = o.offset (0) and, with o.friction, the
                                 material o.material ("floor") it uses; returns the material name
  room.wall(world, a, b, o)      one straight wall whose centre line runs from a = {x, y} to
                                 b = {x, y}, o.extend m longer at each end (0)
  room.walls(world, rect, o)     the four walls around rect, their inner faces on its edges,
                                 in the order south, north, west, east; o.doors = a list of
                                 {side = "s"|"n"|"w"|"e", at = m (door centre along the side's
                                 axis, world x for s/n, world y for w/e), width = m}: each door
                                 splits its wall into the pieces either side of the opening
  room.slab(world, rect, o)      a floor slab (a static box) covering rect, its top at o.z (0),
                                 o.thickness (0.2) thick; o.hole = {x0, y0, x1, y1} leaves a
                                 rectangular opening (a lift shaft, a stairwell): the slab is
                                 then four boxes around it
  room.corridor(world, line, o)  walls either side of a polyline centre line {{x, y}, ...}:
                                 o.half_width (m, to the inner faces), one box per side per
                                 segment overlapping o.overlap (0.6 m) at each end so the bends
                                 close; o.end_caps = true closes both ends (a wall just past each).
                                 o.miter = true instead joins the walls at every bend exactly
                                 (each side's wall centre lines meet where they cross, one
                                 box per side per segment, half a thickness longer at each
                                 end): for sharp bends, where overlapping boxes would reach
                                 into the other leg of the corridor
--]]

local M = {}

local WALL = {0.9, 0.88, 0.82}

function M.floor(world, o)
    o = o or {}
    local mat = o.material
    if o.friction then
        mat = mat or "floor"
        world:material{name = mat, friction = o.friction}
    end
    world:geom{type = "plane", normal = {0, 0, 1}, offset = o.offset or 0, material = mat,
               color = o.color or {0.7, 0.66, 0.6}}
    return mat
end

local function box(world, size, pos, yaw, o)
    if o.z then pos = {pos[1], pos[2], pos[3] + o.z} end
    world:geom{type = "box", size = size, pos = pos, rpy = yaw and {0, 0, yaw} or nil, material = o.material,
               color = o.color or WALL}
end

function M.wall(world, a, b, o)
    o = o or {}
    local h, t, e = o.height or 2.5, o.thickness or 0.1, o.extend or 0
    local L = math.sqrt((b[1] - a[1]) ^ 2 + (b[2] - a[2]) ^ 2)
    local yaw = math.atan(b[2] - a[2], b[1] - a[1])
    box(world, {L + 2 * e, t, h}, {(a[1] + b[1]) / 2, (a[2] + b[2]) / 2, h / 2}, yaw, o)
end

-- pieces of the span [lo, hi] left by the doors on one side
local function spans(lo, hi, doors, side)
    local cuts = {}
    for _, d in ipairs(doors or {}) do
        if d.side == side then cuts[#cuts + 1] = {d.at - d.width / 2, d.at + d.width / 2} end
    end
    table.sort(cuts, function(p, q) return p[1] < q[1] end)
    local out, x = {}, lo
    for _, c in ipairs(cuts) do
        if c[1] > x then out[#out + 1] = {x, c[1]} end
        if c[2] > x then x = c[2] end
    end
    if x < hi then out[#out + 1] = {x, hi} end
    return out
end

function M.walls(world, r, o)
    o = o or {}
    local h, t = o.height or 2.5, o.thickness or 0.1
    local wx, wy = r[3] - r[1], r[4] - r[2]
    local cx, cy = (r[1] + r[3]) / 2, (r[2] + r[4]) / 2
    if not o.doors then
        box(world, {wx, t, h}, {cx, r[2] - t / 2, h / 2}, nil, o)
        box(world, {wx, t, h}, {cx, r[4] + t / 2, h / 2}, nil, o)
        box(world, {t, wy, h}, {r[1] - t / 2, cy, h / 2}, nil, o)
        box(world, {t, wy, h}, {r[3] + t / 2, cy, h / 2}, nil, o)
        return
    end
    for _, side in ipairs({"s", "n", "w", "e"}) do
        local ns = side == "s" or side == "n"
        local lo, hi = ns and r[1] or r[2], ns and r[3] or r[4]
        for _, sp in ipairs(spans(lo, hi, o.doors, side)) do
            local len, mid = sp[2] - sp[1], (sp[1] + sp[2]) / 2
            if ns then
                box(world, {len, t, h}, {mid, side == "s" and r[2] - t / 2 or r[4] + t / 2, h / 2}, nil, o)
            else
                box(world, {t, len, h}, {side == "w" and r[1] - t / 2 or r[3] + t / 2, mid, h / 2}, nil, o)
            end
        end
    end
end

function M.slab(world, r, o)
    o = o or {}
    local t, top = o.thickness or 0.2, o.z or 0
    local oo = {material = o.material, color = o.color or {0.75, 0.74, 0.7}}
    local function piece(x0, y0, x1, y1)
        if x1 - x0 > 1e-9 and y1 - y0 > 1e-9 then
            box(world, {x1 - x0, y1 - y0, t}, {(x0 + x1) / 2, (y0 + y1) / 2, top - t / 2}, nil, oo)
        end
    end
    local h = o.hole
    if not h then return piece(r[1], r[2], r[3], r[4]) end
    piece(r[1], r[2], h[1], r[4])          -- west of the hole, full depth
    piece(h[3], r[2], r[3], r[4])          -- east of it
    piece(h[1], r[2], h[3], h[2])          -- south, between
    piece(h[1], h[4], h[3], r[4])          -- north, between
end

-- unit normal (to the left) of the segment line[i] -> line[i + 1]
local function normal(line, i)
    local a, b = line[i], line[i + 1]
    local L = math.sqrt((b[1] - a[1]) ^ 2 + (b[2] - a[2]) ^ 2)
    return -(b[2] - a[2]) / L, (b[1] - a[1]) / L
end

-- the vertices of a polyline offset by d to its left, with miter joins: the point at
-- distance d from both segments' lines, p + d (n1 + n2) / (1 + n1 . n2)
local function offset_line(line, d)
    local out = {}
    for i = 1, #line do
        local n1x, n1y = normal(line, math.max(i - 1, 1))
        local n2x, n2y = normal(line, math.min(i, #line - 1))
        local k = d / (1 + n1x * n2x + n1y * n2y)
        out[i] = {line[i][1] + (n1x + n2x) * k, line[i][2] + (n1y + n2y) * k}
    end
    return out
end

function M.corridor(world, line, o)
    local h, t, hw = o.height or 2.5, o.thickness or 0.4, o.half_width
    local ov = o.overlap or 0.6
    if o.miter then
        for _, sd in ipairs({1, -1}) do
            local pts = offset_line(line, sd * (hw + t / 2))
            for i = 1, #pts - 1 do
                local a, b = pts[i], pts[i + 1]
                local L = math.sqrt((b[1] - a[1]) ^ 2 + (b[2] - a[2]) ^ 2)
                box(world, {L + t, t, h}, {(a[1] + b[1]) / 2, (a[2] + b[2]) / 2, h / 2},
                    math.atan(b[2] - a[2], b[1] - a[1]), o)
            end
        end
        ov = 0
    end
    for i = 1, o.miter and 0 or #line - 1 do
        local a, b = line[i], line[i + 1]
        local L = math.sqrt((b[1] - a[1]) ^ 2 + (b[2] - a[2]) ^ 2)
        local yaw = math.atan(b[2] - a[2], b[1] - a[1])
        local mx, my = (a[1] + b[1]) / 2, (a[2] + b[2]) / 2
        for _, sd in ipairs({1, -1}) do
            local off = sd * (hw + t / 2)
            box(world, {L + 2 * ov, t, h}, {mx - math.sin(yaw) * off, my + math.cos(yaw) * off, h / 2}, yaw, o)
        end
    end
    if o.end_caps then
        for _, k in ipairs({{1, 2, -1}, {#line, #line - 1, 1}}) do
            local e, f = line[k[1]], line[k[2]]
            local yaw = math.atan(e[2] - f[2], e[1] - f[1])
            box(world, {t, 2 * hw + 2 * t, h}, {e[1] + math.cos(yaw) * t / 2, e[2] + math.sin(yaw) * t / 2, h / 2}, yaw, o)
        end
    end
end

return M
