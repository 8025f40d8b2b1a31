--[[
kit.door: moving parts of buildings, as kinematic bodies the scene moves every step (no
random draws; their state is plain data in ctx.state.doors[name], so snapshots stay exact).

  door.sliding(world, o)         an automatic sliding door panel filling an opening:
                                 o = {name (unique), x, y (centre of the opening, m),
                                 axis = "x" | "y" (the wall's direction), width (m, the
                                 opening; the panel slides this far along the wall to open),
                                 height = 2.1, thickness = 0.06, speed = 0.6 (m/s), z = 0 (the
                                 floor it stands on, m), color}.
                                 Returns D: D.body (Body), D:update(ctx, want_open) (call
                                 every step: moves the panel towards open or closed at
                                 `speed`), D:fraction(state) (0 closed .. 1 open),
                                 D:near(x, y, r) (the point within r m of the opening's centre)
  door.lift(world, o)            an elevator cab: a kinematic platform o.size = {x, y} (m),
                                 o.thickness = 0.1, its top at one of o.levels = {z1, z2, ...}
                                 (m), centred at o.x, o.y; o.speed = 0.5 (m/s), o.name,
                                 o.color. Returns L: L.body, L:call(state, level) (go to that
                                 level), L:update(ctx) (every step: moves towards the called
                                 level, velocity set so riders are carried), L:level(state)
                                 (the level it stands at, or nil while moving), L:top(state)
                                 (platform top z), L:inside(x, y, margin) (a point on the
                                 platform, margin m in from its edges)
--]]

local util = require "kit.util"

local M = {}

local Door = {}
Door.__index = Door

function M.sliding(world, o)
    local h, t = o.height or 2.1, o.thickness or 0.06
    local along_x = (o.axis or "x") == "x"
    local size = along_x and {o.width, t, h} or {t, o.width, h}
    local d = setmetatable({name = o.name, x = o.x, y = o.y, ax = along_x and 1 or 0, ay = along_x and 0 or 1,
                            width = o.width, h = h, speed = o.speed or 0.6, z = (o.z or 0) + h / 2 + 0.005}, Door)
    d.body = world:body{name = o.name, kind = "kinematic", pos = {o.x, o.y, d.z},
                        geoms = {{type = "box", size = size, color = o.color or {0.55, 0.7, 0.8, 0.8}}}}
    return d
end

local function doors(state)
    state.doors = state.doors or {}
    return state.doors
end

function Door:fraction(state) return doors(state)[self.name] or 0 end

function Door:near(x, y, r) return util.dist2d(x, y, self.x, self.y) < r end

function Door:update(ctx, want_open)
    local ds = doors(ctx.state)
    local f = ds[self.name] or 0
    local rate = self.speed / self.width
    local nf = util.approach(f, want_open and 1 or 0, rate, ctx.dt)
    ds[self.name] = nf
    local v = (nf - f) * self.width / ctx.dt
    self.body:set_pos(self.x + self.ax * nf * self.width, self.y + self.ay * nf * self.width, self.z)
    self.body:set_linvel(self.ax * v, self.ay * v, 0)
end

local Lift = {}
Lift.__index = Lift

function M.lift(world, o)
    local t = o.thickness or 0.1
    local l = setmetatable({name = o.name or "lift", x = o.x, y = o.y, size = o.size, t = t, levels = o.levels,
                            speed = o.speed or 0.5}, Lift)
    l.body = world:body{name = l.name, kind = "kinematic", pos = {o.x, o.y, o.levels[1] - t / 2},
                        geoms = {{type = "box", size = {o.size[1], o.size[2], t}, color = o.color or {0.5, 0.5, 0.55}}}}
    return l
end

local function lifts(state, l)
    state.lifts = state.lifts or {}
    local s = state.lifts[l.name]
    if not s then
        s = {z = l.levels[1], goal = 1}
        state.lifts[l.name] = s
    end
    return s
end

function Lift:call(state, level) lifts(state, self).goal = level end

function Lift:top(state) return lifts(state, self).z end

function Lift:level(state)
    local s = lifts(state, self)
    if math.abs(s.z - self.levels[s.goal]) < 1e-9 then return s.goal end
    return nil
end

function Lift:update(ctx)
    local s = lifts(ctx.state, self)
    local z = util.approach(s.z, self.levels[s.goal], self.speed, ctx.dt)
    local v = (z - s.z) / ctx.dt
    s.z = z
    self.body:set_pos(self.x, self.y, z - self.t / 2)
    self.body:set_linvel(0, 0, v)
end

function Lift:inside(x, y, margin)
    local m = margin or 0
    return math.abs(x - self.x) < self.size[1] / 2 - m and math.abs(y - self.y) < self.size[2] / 2 - m
end

return M
