--[[
kit.terrain: ground shapes for scenes: heightfields, ramps, steps and rubble. All static
geometry; random draws come from the episode RNG (math.random), in the order documented.

  terrain.uniform(a, b)          a uniform draw from the episode RNG
  terrain.to_local(x, y, yaw, px, py)  point (px, py) in a planar pose's frame (dx forward, dy left)
  terrain.heightfield(world, o)  a static heightfield of smooth gaussian bumps plus a fine
                                 random roughness; returns a function h(x, y) giving the
                                 terrain height (bilinear, as ODE's heightfield) and the
                                 max height. o = {size = {sx, sy}, centre = {cx, cy},
                                 dx = 0.1, bumps = n, bump_height = m, bump_width = {a, b},
                                 rough = m (uniform +- per vertex), keep_flat = {{x0, y0, r}, ...}
                                 (discs forced flat, e.g. the start), material, color}
                                 Draws: per bump x, y, height factor, width; then one per vertex.
  terrain.ramp(world, o)         an inclined plate climbing along +x of its own frame:
                                 o = {x, y (foot of the slope, centre of its width), yaw = 0,
                                 slope = deg, length = m (along the slope), width = m,
                                 thickness = 0.1, top = false (true: a flat landing at the top,
                                 o.top_length m long), z = 0 (height of its foot: the plate
                                 then lies on a landing that high), material, color};
                                 returns the top height (m)
  terrain.steps(world, o)        a flight of steps climbing along +x: o = {x, y (front edge
                                 of the first step), yaw = 0, n, rise = m, run = m, width = m,
                                 landing = m (a flat top n*rise high, 0 = none), z = 0 (height
                                 of the floor it starts from; blocks reach down to 0),
                                 material, color};
                                 returns the top height (m)
  terrain.climb(world, o)        a climbing course along +x from o.x (default 0) at y = o.y (0):
                                 o.n steps of o.rise (m) and o.run (m), a landing of o.landing
                                 (1 m) long, a ramp of o.slope (deg) climbing o.ramp_rise (m),
                                 then a top landing o.top_length (1.5 m) long; o.width (1.2 m),
                                 material, color. Returns {steps_x, steps_end, ramp_x, top_x, top_z,
                                 height = function(x) -> course height under x (m)}
  terrain.rubble(world, o)       o.n static boxes half sunk into the ground: per box the
                                 position comes from o.at() -> x, y (called first; default a
                                 uniform draw in o.area = {x0, y0, x1, y1}), then sizes
                                 uniform in o.size = {{sx0, sx1}, {sy0, sy1}, {sz0, sz1}}, the
                                 sunk fraction in o.sink = {0.1, 0.4} (centre z = sz * f), roll
                                 and pitch uniform in +-o.tilt (0.2 rad), yaw uniform; material, color
  terrain.loose(world, o)        o.n dynamic boxes (bricks, rocks) named o.name .. i: position
                                 from o.at() or o.area at height o.z (0.3 m), yaw uniform;
                                 o.size {x, y, z}, o.mass kg, material, color; returns the Bodies
--]]

local util = require "kit.util"

local M = {}

M.uniform = util.uniform

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

M.to_local = util.to_local

local function place(x, y, yaw, lx, ly)
    local c, s = math.cos(yaw), math.sin(yaw)
    return x + c * lx - s * ly, y + s * lx + c * ly
end

function M.ramp(world, o)
    local yaw = o.yaw or 0
    local a = math.rad(o.slope)
    local L, W, T = o.length, o.width, o.thickness or 0.1
    local color = o.color or {0.55, 0.55, 0.5}
    -- the plate's top face runs from the foot (height 0) up the slope
    local cx, cy = place(o.x, o.y, yaw, (L / 2) * math.cos(a) + (T / 2) * math.sin(a), 0)
    local z0 = o.z or 0
    local cz = z0 + (L / 2) * math.sin(a) - (T / 2) * math.cos(a)
    world:geom{type = "box", size = {L, W, T}, pos = {cx, cy, cz}, rpy = {0, -a, yaw}, material = o.material,
               color = color}
    local top = L * math.sin(a)
    if o.top then
        local tl = o.top_length or 1
        local tx, ty = place(o.x, o.y, yaw, L * math.cos(a) + tl / 2, 0)
        world:geom{type = "box", size = {tl, W, top}, pos = {tx, ty, z0 + top / 2}, rpy = {0, 0, yaw},
                   material = o.material, color = color}
    end
    return z0 + top
end

function M.steps(world, o)
    local yaw = o.yaw or 0
    local color = o.color or {0.6, 0.6, 0.58}
    local z0 = o.z or 0
    for i = 1, o.n do
        local h = z0 + i * o.rise
        -- each step a solid block from the ground up, so nothing is hollow under it
        local x, y = place(o.x, o.y, yaw, (i - 0.5) * o.run, 0)
        world:geom{type = "box", size = {o.run, o.width, h}, pos = {x, y, h / 2}, rpy = {0, 0, yaw},
                   material = o.material, color = color}
    end
    local top = z0 + o.n * o.rise
    if (o.landing or 0) > 0 then
        local x, y = place(o.x, o.y, yaw, o.n * o.run + o.landing / 2, 0)
        world:geom{type = "box", size = {o.landing, o.width, top}, pos = {x, y, top / 2}, rpy = {0, 0, yaw},
                   material = o.material, color = color}
    end
    return top
end

function M.climb(world, o)
    local x0, y0, w = o.x or 0, o.y or 0, o.width or 1.2
    local landing = o.landing or 1.0
    local a = math.rad(o.slope)
    local steps_end = x0 + o.n * o.run
    local ramp_x = steps_end + landing
    local ramp_len = o.slope > 0 and o.ramp_rise / math.sin(a) or 0
    local top_x = ramp_x + ramp_len * math.cos(a)
    local h1 = M.steps(world, {x = x0, y = y0, n = o.n, rise = o.rise, run = o.run, width = w,
                               landing = landing + 0.05, material = o.material, color = o.color})
    local top = h1
    if o.slope > 0 then
        top = M.ramp(world, {x = ramp_x, y = y0, z = h1, slope = o.slope, length = ramp_len, width = w, top = true,
                             top_length = o.top_length or 1.5, material = o.material, color = o.color})
    end
    local c = {steps_x = x0, steps_end = steps_end, ramp_x = ramp_x, top_x = top_x, top_z = top}
    function c.height(x)
        if x < x0 then return 0 end
        if x < steps_end then return math.ceil((x - x0) / o.run) * o.rise end
        if x < ramp_x then return h1 end
        if x < top_x then return h1 + (x - ramp_x) * math.tan(a) end
        return top
    end
    return c
end

local function area_at(o)
    if o.at then return o.at() end
    local a = o.area
    return M.uniform(a[1], a[3]), M.uniform(a[2], a[4])
end

function M.rubble(world, o)
    local sz = o.size or {{0.08, 0.25}, {0.08, 0.25}, {0.04, 0.10}}
    local sink = o.sink or {0.1, 0.4}
    local tilt = o.tilt or 0.2
    for _ = 1, o.n do
        local x, y = area_at(o)
        local sx, sy, sh = M.uniform(sz[1][1], sz[1][2]), M.uniform(sz[2][1], sz[2][2]), M.uniform(sz[3][1], sz[3][2])
        world:geom{type = "box", size = {sx, sy, sh}, pos = {x, y, sh * M.uniform(sink[1], sink[2])},
                   rpy = {M.uniform(-tilt, tilt), M.uniform(-tilt, tilt), M.uniform(-math.pi, math.pi)},
                   material = o.material, color = o.color or {0.5, 0.47, 0.43}}
    end
end

function M.loose(world, o)
    local list = {}
    for i = 1, o.n do
        local x, y = area_at(o)
        list[i] = world:body{name = (o.name or "rock") .. i, pos = {x, y, o.z or 0.3},
                             rpy = {0, 0, M.uniform(-math.pi, math.pi)}, mass = o.mass,
                             geoms = {{type = "box", size = o.size, material = o.material,
                                       color = o.color or {0.5, 0.45, 0.4}}}}
    end
    return list
end

return M
