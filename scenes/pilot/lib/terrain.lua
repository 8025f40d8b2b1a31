--[[
lib.terrain: helpers shared by the scenes in scenes/pilot/ (a scene-local module: folders
named lib/ are skipped by `pilotsim list`).

  terrain.uniform(a, b)          a uniform draw from the episode RNG
  terrain.heightfield(world, o)  a static heightfield of smooth gaussian bumps plus a fine
                                 random roughness; returns a function h(x, y) giving the
                                 terrain height (bilinear, as ODE's heightfield) and the
                                 max height. o = {size = {sx, sy}, centre = {cx, cy},
                                 dx = 0.1, bumps = n, bump_height = m, bump_width = {a, b},
                                 rough = m (uniform +- per vertex), keep_flat = {{x0, y0, r}, ...}
                                 (discs forced flat, e.g. the start), material, color}
--]]

local M = {}

function M.uniform(a, b) return a + (b - a) * math.random() end

function M.heightfield(world, o)
    local sx, sy = o.size[1], o.size[2]
    local cx, cy = o.centre[1], o.centre[2]
    local dx = o.dx or 0.1
    local cols = math.floor(sx / dx + 0.5) + 1
    local rows = math.floor(sy / dx + 0.5) + 1
    local bw = o.bump_width or {0.3, 0.8}
    local bumps = {}
    for i = 1, (o.bumps or 0) do
        bumps[i] = {M.uniform(cx - sx / 2, cx + sx / 2), M.uniform(cy - sy / 2, cy + sy / 2),
                    M.uniform(-0.4, 1.0) * (o.bump_height or 0), M.uniform(bw[1], bw[2])}
    end
    local flat = o.keep_flat or {}
    local heights, hmax = {}, 0
    for j = 0, rows - 1 do
        local y = cy - sy / 2 + j * dx
        for i = 0, cols - 1 do
            local x = cx - sx / 2 + i * dx
            local h = 0
            for _, b in ipairs(bumps) do
                local d2 = (x - b[1]) ^ 2 + (y - b[2]) ^ 2
                h = h + b[3] * math.exp(-d2 / (b[4] * b[4]))
            end
            h = h + (o.rough or 0) * (2 * math.random() - 1)
            for _, f in ipairs(flat) do
                local d = math.sqrt((x - f[1]) ^ 2 + (y - f[2]) ^ 2)
                if d < f[3] then h = h * (d / f[3]) ^ 2 end
            end
            heights[#heights + 1] = h
            if h > hmax then hmax = h end
        end
    end
    world:geom{type = "heightfield", size = {sx, sy}, rows = rows, cols = cols, heights = heights,
               pos = {cx, cy, 0}, material = o.material, color = o.color or {0.5, 0.44, 0.35}}
    local function height(x, y)
        local fi = (x - (cx - sx / 2)) / dx
        local fj = (y - (cy - sy / 2)) / dx
        if fi < 0 or fj < 0 or fi > cols - 1 or fj > rows - 1 then return 0 end
        local i0, j0 = math.min(math.floor(fi), cols - 2), math.min(math.floor(fj), rows - 2)
        local u, v = fi - i0, fj - j0
        local function H(i, j) return heights[j * cols + i + 1] end
        return (1 - u) * (1 - v) * H(i0, j0) + u * (1 - v) * H(i0 + 1, j0) + (1 - u) * v * H(i0, j0 + 1) +
            u * v * H(i0 + 1, j0 + 1)
    end
    return height, hmax
end

--- Point (px, py) in the frame of a planar pose (x, y, yaw): dx forward, dy left.
function M.to_local(x, y, yaw, px, py)
    local c, s = math.cos(yaw), math.sin(yaw)
    local dx, dy = px - x, py - y
    return c * dx + s * dy, -s * dx + c * dy
end

return M
