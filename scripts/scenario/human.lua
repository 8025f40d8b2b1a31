--[[
scenario.human: scripted kinematic pedestrians (diners, workers, shoppers) with a body
geometry split into the regions scenario.safety rates contacts by.

Usage (from a scene's build and step):

    local human = require "scenario.human"
    local h = human.spawn(world, {name = "diner1", path = {{1, 0}, {3, 0}, {3, 2}},
                                  speed = 1.1, loop = true})
    h:update(ctx)                 -- in step(ctx): pose and velocity for time ctx.t
    local x, y, yaw = h:pos()     -- planar position of the body axis and heading
    local list = h:bodies()       -- {Body, ...}: legs, torso, head, arm_l, arm_r

Without yield_to the walk is a pure function of the time (no state): the human starts at path[1] at
t = start_time and walks the polyline at `speed` (m/s), waiting `wait` s at every
waypoint; with loop = true the path closes back to path[1] and repeats, otherwise the
human stands at the last waypoint. Snapshots therefore stay exact, and a scene keeps the
object in a local of its chunk (set in build), not in ctx.state.

Each region is its own kinematic body (infinite mass: a robot pushing it feels the full
contact force, which is what the safety limits are about), named <name>/<region>. Each
update() places every body at the path position and sets its linear velocity to the
walking velocity. All geoms of one human share one collision group (they never collide
with each other) and float 1 cm above the ground (no contacts with the floor).

Body model (a 1.70 m, 0.5 m wide adult; all heights above the floor `z`):
  region  geom                                          placement
  legs    capsule r 0.12 (both legs), 0.01 .. 0.88 m    on the body axis
  torso   capsule r 0.16, 0.88 .. 1.46 m                on the body axis
  head    sphere  r 0.11, centre 1.59 m (top 1.70 m)    on the body axis
  arm_l   capsule r 0.045, 0.80 .. 1.42 m               0.215 m left of the axis
  arm_r   capsule r 0.045, 0.80 .. 1.42 m               0.215 m right of the axis
  radius()  0.26 m: the horizontal radius of the body's envelope (arms included)

Options:
  name        "human"     prefix of body names (must be unique in the world)
  path        {{x, y}, ...}   waypoints (m); one point = a standing person
  speed       1.2         m/s walking speed (1.2-1.4 is a normal adult pace)
  loop        true        close the path and repeat
  wait        0           s standing at each waypoint
  start_time  0           s, the walk starts then (before: standing at path[1])
  offset      0           m, start this far along the path (spread several walkers)
  z           0           floor height (m)
  group       auto        collision group shared by the human's geoms (1000 + n)
  color       {0.85, 0.55, 0.4}  shirt colour (head and arms are skin-coloured)
  yield_to    nil         list of Bodies (e.g. a robot's chassis) the person stops for:
                          while one of their positions lies ahead of the person, closer
                          than yield_dist along the walking direction and within
                          yield_width to the side, the person stands still (people make
                          way for a robot blocking their path; one driving into them
                          from the side or behind is not avoided)
  yield_dist  1.0         m, from the body axis
  yield_width 0.6         m, each side
  state       nil         ctx.state: required with yield_to; the walking clock then lives
                          in state.humans[name] (plain data) instead of being ctx.t

Methods: h:update(ctx) · h:pos() → x, y, yaw · h:vel() → vx, vy · h:bodies() → list of
Bodies · h:region(body_name) → region name or nil · h:radius() · h:name().
--]]

local M = {}

M.REGIONS = {"legs", "torso", "head", "arm_l", "arm_r"}
M.RADIUS = 0.26

local H = {}
H.__index = H

local counter = 0

function M.spawn(world, o)
    assert(type(o) == "table" and type(o.path) == "table" and #o.path >= 1,
           "scenario.human.spawn: opts.path (a list of {x, y}) is required")
    counter = counter + 1
    local self = setmetatable({}, H)
    self.nm = o.name or ("human" .. counter)
    self.speed = o.speed or 1.2
    self.loop = (o.loop ~= false)
    self.wait = o.wait or 0
    self.t0 = o.start_time or 0
    self.offset = o.offset or 0
    self.z = o.z or 0
    self.yield_to = o.yield_to
    self.yield_dist = o.yield_dist or 1.0
    self.yield_width = o.yield_width or 0.6
    if self.yield_to then
        assert(o.state, "scenario.human.spawn: yield_to needs state = ctx.state")
        o.state.humans = o.state.humans or {}
        o.state.humans[self.nm] = {clock = 0}
        self.st = o.state
    end
    local pts = {}
    for i, p in ipairs(o.path) do pts[i] = {p[1], p[2]} end
    if self.loop and #pts > 1 then pts[#pts + 1] = {pts[1][1], pts[1][2]} end
    -- segments with cumulative times
    self.segs = {}
    local t = 0
    for i = 1, #pts - 1 do
        local a, b = pts[i], pts[i + 1]
        local len = math.sqrt((b[1] - a[1]) ^ 2 + (b[2] - a[2]) ^ 2)
        local dur = len / self.speed
        self.segs[#self.segs + 1] = {ax = a[1], ay = a[2], bx = b[1], by = b[2], len = len,
                                     t0 = t, dur = dur, yaw = math.atan(b[2] - a[2], b[1] - a[1])}
        t = t + dur + self.wait
    end
    self.period = t
    self.pts = pts
    local group = o.group or (1000 + counter)
    local shirt = o.color or {0.85, 0.55, 0.4}
    local skin = {0.87, 0.72, 0.6}
    local z = self.z
    local defs = {
        legs = {{type = "capsule", radius = 0.12, length = 0.87 - 0.24, pos = {0, 0, 0}}, 0.01 + 0.87 / 2, 0, {0.2, 0.22, 0.3}},
        torso = {{type = "capsule", radius = 0.16, length = 0.58 - 0.32, pos = {0, 0, 0}}, 0.88 + 0.29, 0, shirt},
        head = {{type = "sphere", radius = 0.11, pos = {0, 0, 0}}, 1.59, 0, skin},
        arm_l = {{type = "capsule", radius = 0.045, length = 0.62 - 0.09, pos = {0, 0, 0}}, 0.80 + 0.31, 0.215, skin},
        arm_r = {{type = "capsule", radius = 0.045, length = 0.62 - 0.09, pos = {0, 0, 0}}, 0.80 + 0.31, -0.215, skin},
    }
    self.b, self.lat, self.hz, self.byname = {}, {}, {}, {}
    local x, y, yaw = self:_at(0)
    for i, r in ipairs(M.REGIONS) do
        local d = defs[r]
        local g = d[1]
        g.group, g.color, g.name = group, d[4], self.nm .. "/" .. r
        local c, s = math.cos(yaw), math.sin(yaw)
        local body = world:body{name = self.nm .. "/" .. r, kind = "kinematic",
                                pos = {x - s * d[3], y + c * d[3], z + d[2]}, rpy = {0, 0, yaw},
                                geoms = {g}}
        self.b[i], self.lat[i], self.hz[i] = body, d[3], z + d[2]
        self.byname[self.nm .. "/" .. r] = r
    end
    return self
end

-- Position, heading and velocity along the path at walking time tw.
function H:_at(tw)
    local segs = self.segs
    if #segs == 0 then return self.pts[1][1], self.pts[1][2], 0, 0, 0 end
    tw = tw + self.offset / self.speed
    if tw < 0 then tw = 0 end
    if self.loop then
        tw = tw % self.period
    elseif tw >= self.period then
        local s = segs[#segs]
        return s.bx, s.by, s.yaw, 0, 0
    end
    for i = #segs, 1, -1 do
        local s = segs[i]
        if tw >= s.t0 then
            local u = tw - s.t0
            if u >= s.dur then return s.bx, s.by, s.yaw, 0, 0 end   -- waiting at the waypoint
            local f = (s.len > 0) and (u / s.dur) or 1
            local vx = (s.len > 0) and (s.bx - s.ax) / s.dur or 0
            local vy = (s.len > 0) and (s.by - s.ay) / s.dur or 0
            return s.ax + f * (s.bx - s.ax), s.ay + f * (s.by - s.ay), s.yaw, vx, vy
        end
    end
    local s = segs[1]
    return s.ax, s.ay, s.yaw, 0, 0
end

function H:_blocked(x, y, vx, vy)
    local v = math.sqrt(vx * vx + vy * vy)
    if v < 1e-6 then return false end
    local ux, uy = vx / v, vy / v
    for _, b in ipairs(self.yield_to) do
        local bx, by = b:pos()
        local f = (bx - x) * ux + (by - y) * uy
        local l = -(bx - x) * uy + (by - y) * ux
        if f > 0 and f < self.yield_dist and math.abs(l) < self.yield_width then return true end
    end
    return false
end

function H:update(ctx)
    local hs = self.st and ctx.state.humans[self.nm]
    local tw = (hs and hs.clock or ctx.t) - self.t0
    local x, y, yaw, vx, vy = self:_at(tw)
    if tw < 0 then vx, vy = 0, 0 end
    if hs then
        if self:_blocked(x, y, vx, vy) then
            vx, vy = 0, 0                     -- standing: the walking clock stops
        else
            hs.clock = hs.clock + ctx.dt
        end
    end
    self.x, self.y, self.yaw, self.vx, self.vy = x, y, yaw, vx, vy
    local c, s = math.cos(yaw), math.sin(yaw)
    local qw, qz = math.cos(yaw / 2), math.sin(yaw / 2)
    for i, b in ipairs(self.b) do
        local l = self.lat[i]
        b:set_pos(x - s * l, y + c * l, self.hz[i])
        b:set_quat(qw, 0, 0, qz)
        b:set_linvel(vx, vy, 0)
        b:set_angvel(0, 0, 0)
    end
end

function H:pos()
    if self.x == nil then
        local x, y, yaw = self:_at(0)
        return x, y, yaw
    end
    return self.x, self.y, self.yaw
end

function H:vel() return self.vx or 0, self.vy or 0 end
function H:bodies() return self.b end
function H:region(body_name) return self.byname[body_name] end
function H:radius() return M.RADIUS end
function H:name() return self.nm end

return M
