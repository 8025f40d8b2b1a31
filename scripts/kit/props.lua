--[[
kit.props: furniture and plant for scenes (static geoms unless stated; no random draws).
Positions in m, world frame; every function takes `material` (a material name, nil = the
default) and a colour where it makes sense.

  props.table(world, o)          a table: o = {x, y (centre), top = 0.75 (height of the top
                                 surface), size = {0.8, 0.8} (top x, y), style = "pedestal"
                                 (central column and foot) or "legs" (four 5 cm legs 4 cm in
                                 from the corners), material, color (the top's)}
  props.gondola(world, o)        a retail shelf unit facing an aisle along x: o = {x0, x1 (run),
                                 front = m (|y| of the shelf fronts), side = 1 (+y) or -1 (-y),
                                 depth = 0.4, tops = {base deck top, shelf tops...} (m),
                                 height = 1.8 (back and end panels), material}
  props.shelf(world, o)          a free-standing shelf: o = {x, y, yaw = 0, size = {len, depth},
                                 tops = {...}, height, material}: shelf boards, two end panels
  props.conveyor(world, o)       a belt conveyor along +x: o = {x0, x1, y = 0, width, top
                                 (belt top height), thickness, speed (m/s), name = "belt",
                                 material (the belt's), frame_material, rails = true}: a frame,
                                 side rails 3 cm above the belt and a kinematic belt body moving
                                 at `speed`. Returns an object: c.body (Body), c:update(speed)
                                 (call every step: puts the belt back and sets its speed, so
                                 friction carries what lies on it)
  props.open_box(world, o)       an open-topped box (a tote, bin or basket) with a floor and four
                                walls: o = {pos = {x, y, z} (centre of its bottom face), size =
                                {x, y, z} (outer), wall = 0.01 (m, walls), floor = wall (m, the
                                floor's thickness), color, material, name, mass, yaw = 0}:
                                static geoms, or with o.mass (kg) a
                                Body of its own (returned; weld it to a robot with a fixed joint)
  props.tree_row(world, o)       a row of trees from a = {x, y} to b = {x, y}: o.n trees (or
                                 o.spacing m apart), trunk_radius = 0.08, trunk_height = 1.2,
                                 canopy_radius = 0.7 (a sphere on the trunk), material;
                                 returns the list of tree positions {{x, y}, ...}
  props.pipe_rack(world, o)      a pipe rack along +x: o = {bents = {x, ...} (frame positions),
                                 half_width = m (column y), levels = {z, ...} (beam tops),
                                 height (column height), column = 0.3 (section), length (top
                                 stringer length, centred on x_mid = o.x_mid), pipes = {{y, outside
                                 diameter, level}, ...} resting on the beams, pipe_length,
                                 pipe_colors, material, color}
--]]

local M = {}

local DARK = {0.2, 0.2, 0.2}

function M.table(world, o)
    local cx, cy, top = o.x, o.y, o.top or 0.75
    local sz = o.size or {0.8, 0.8}
    local mat = o.material
    if (o.style or "pedestal") == "pedestal" then
        world:geom{type = "box", size = {sz[1], sz[2], 0.03}, pos = {cx, cy, top - 0.015}, material = mat,
                   color = o.color or {0.55, 0.4, 0.28}}
        world:geom{type = "cylinder", radius = 0.05, length = top - 0.03, pos = {cx, cy, (top - 0.03) / 2}, material = mat,
                   color = DARK}
        world:geom{type = "cylinder", radius = 0.25, length = 0.02, pos = {cx, cy, 0.01}, material = mat, color = DARK}
    else
        world:geom{type = "box", size = {sz[1], sz[2], 0.03}, pos = {cx, cy, top - 0.015}, material = mat,
                   color = o.color or {0.55, 0.4, 0.28}}
        for _, c in ipairs({{1, 1}, {1, -1}, {-1, 1}, {-1, -1}}) do
            world:geom{type = "box", size = {0.05, 0.05, top - 0.03},
                       pos = {cx + c[1] * (sz[1] / 2 - 0.04), cy + c[2] * (sz[2] / 2 - 0.04), (top - 0.03) / 2},
                       material = mat, color = {0.3, 0.22, 0.15}}
        end
    end
end

local PANEL = {0.85, 0.85, 0.88}

function M.gondola(world, o)
    local s, depth, tops, H = o.side or 1, o.depth or 0.4, o.tops, o.height or 1.8
    local cx, len = (o.x0 + o.x1) / 2, o.x1 - o.x0
    local yc = s * (o.front + depth / 2)
    local mat = o.material
    world:geom{type = "box", size = {len, 0.03, H}, pos = {cx, s * (o.front + depth + 0.015), H / 2}, material = mat,
               color = PANEL}
    world:geom{type = "box", size = {len, depth, tops[1]}, pos = {cx, yc, tops[1] / 2}, material = mat,
               color = {0.5, 0.5, 0.55}}
    for i = 2, #tops do
        world:geom{type = "box", size = {len, depth, 0.02}, pos = {cx, yc, tops[i] - 0.01}, material = mat,
                   color = {0.8, 0.8, 0.82}}
    end
    for _, x in ipairs({o.x0 - 0.015, o.x1 + 0.015}) do
        world:geom{type = "box", size = {0.03, depth, H}, pos = {x, yc, H / 2}, material = mat, color = PANEL}
    end
end

function M.shelf(world, o)
    local yaw = o.yaw or 0
    local len, depth = o.size[1], o.size[2]
    local H = o.height or (o.tops[#o.tops] + 0.2)
    local c, s = math.cos(yaw), math.sin(yaw)
    for _, z in ipairs(o.tops) do
        world:geom{type = "box", size = {len, depth, 0.02}, pos = {o.x, o.y, z - 0.01}, rpy = {0, 0, yaw},
                   material = o.material, color = {0.8, 0.8, 0.82}}
    end
    for _, sd in ipairs({1, -1}) do
        local lx = sd * (len / 2 + 0.015)
        world:geom{type = "box", size = {0.03, depth, H}, pos = {o.x + c * lx, o.y + s * lx, H / 2}, rpy = {0, 0, yaw},
                   material = o.material, color = PANEL}
    end
end

function M.open_box(world, o)
    local sz, t = o.size, o.wall or 0.01
    local fl = o.floor or t
    local c = o.color or {0.3, 0.6, 0.8}
    local gs = {{type = "box", size = {sz[1], sz[2], fl}, pos = {0, 0, fl / 2}, color = c, material = o.material}}
    for _, d in ipairs({{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) do
        gs[#gs + 1] = {type = "box", size = {d[1] ~= 0 and t or sz[1], d[2] ~= 0 and t or sz[2], sz[3]},
                       pos = {d[1] * (sz[1] / 2 - t / 2), d[2] * (sz[2] / 2 - t / 2), sz[3] / 2}, color = c,
                       material = o.material}
    end
    if o.mass then
        return world:body{name = o.name, pos = o.pos, rpy = {0, 0, o.yaw or 0}, mass = o.mass, geoms = gs}
    end
    local p, yaw = o.pos, o.yaw or 0
    local cy, sy = math.cos(yaw), math.sin(yaw)
    for _, g in ipairs(gs) do
        local q = g.pos
        g.pos = {p[1] + cy * q[1] - sy * q[2], p[2] + sy * q[1] + cy * q[2], p[3] + q[3]}
        g.rpy = {0, 0, yaw}
        world:geom(g)
    end
end

local Conveyor = {}
Conveyor.__index = Conveyor

function M.conveyor(world, o)
    local L, cx, y = o.x1 - o.x0, (o.x0 + o.x1) / 2, o.y or 0
    local w, top, t = o.width, o.top, o.thickness or 0.05
    local fm = o.frame_material
    world:geom{type = "box", size = {L, w + 0.08, top - t - 0.02}, pos = {cx, y, (top - t - 0.02) / 2},
               material = fm, color = {0.3, 0.32, 0.36}}
    if o.rails ~= false then
        for _, sy in ipairs({1, -1}) do
            world:geom{type = "box", size = {L, 0.02, 0.08}, pos = {cx, y + sy * (w / 2 + 0.01), top + 0.01},
                       material = fm, color = {0.7, 0.7, 0.2}}
        end
    end
    local body = world:body{name = o.name or "belt", kind = "kinematic", pos = {cx, y, top - t / 2},
                            geoms = {{type = "box", size = {L, w, t}, material = o.material, color = {0.12, 0.12, 0.12}}}}
    body:set_linvel(o.speed or 0, 0, 0)
    return setmetatable({body = body, home = {cx, y, top - t / 2}, speed = o.speed or 0}, Conveyor)
end

function Conveyor:update(speed)
    local h = self.home
    self.body:set_pos(h[1], h[2], h[3])
    self.body:set_linvel(speed or self.speed, 0, 0)
end

function M.tree_row(world, o)
    local a, b = o.a, o.b
    local L = math.sqrt((b[1] - a[1]) ^ 2 + (b[2] - a[2]) ^ 2)
    local n = o.n or (math.floor(L / o.spacing + 1e-9) + 1)
    local tr, th, cr = o.trunk_radius or 0.08, o.trunk_height or 1.2, o.canopy_radius or 0.7
    local out = {}
    for i = 1, n do
        local f = n == 1 and 0.5 or (i - 1) / (n - 1)
        local x, y = a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])
        world:geom{type = "cylinder", radius = tr, length = th, pos = {x, y, th / 2}, material = o.material,
                   color = {0.4, 0.28, 0.16}}
        world:geom{type = "sphere", radius = cr, pos = {x, y, th + 0.7 * cr}, material = o.material,
                   color = o.color or {0.2, 0.5, 0.2}}
        out[i] = {x, y}
    end
    return out
end

function M.pipe_rack(world, o)
    local mat, steel = o.material, o.color or {0.35, 0.38, 0.45}
    local cw, H, Y = o.column or 0.3, o.height, o.half_width
    for _, x in ipairs(o.bents) do
        for _, sy in ipairs({1, -1}) do
            world:geom{type = "box", size = {cw, cw, H}, pos = {x, sy * Y, H / 2}, material = mat, color = steel}
        end
        for _, z in ipairs(o.levels) do
            world:geom{type = "box", size = {cw, 2 * Y + cw, cw}, pos = {x, 0, z - cw / 2}, material = mat, color = steel}
        end
    end
    if o.length then
        for _, sy in ipairs({1, -1}) do
            world:geom{type = "box", size = {o.length, cw, cw}, pos = {o.x_mid, sy * Y, H - cw / 2}, material = mat,
                       color = steel}
        end
    end
    local cols = o.pipe_colors or {{0.75, 0.75, 0.72}, {0.85, 0.7, 0.25}, {0.55, 0.6, 0.7}}
    for k, pp in ipairs(o.pipes or {}) do
        local r = pp[2] / 2
        world:geom{type = "cylinder", radius = r, length = o.pipe_length, pos = {o.x_mid, pp[1], o.levels[pp[3]] + r},
                   rpy = {0, math.pi / 2, 0}, material = mat, color = cols[(k - 1) % #cols + 1]}
    end
end

return M
