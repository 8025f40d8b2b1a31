--[[
scenario.grasp: a gripper "attach" for pick-and-place scenes, and an impact monitor for
breakable objects (crockery, bottles).

Why an attach: a parallel-jaw grasp held by ODE's friction alone slips under the jerks of a
mobile base and cannot lift a flat plate at all. Real bussing and picking robots mostly use
suction cups or a pinch with a mechanical lock; this models both the same way. While the
gripper is commanded closed and a finger pad touches an object, the object is welded to the
gripper's flange link by a fixed joint at its current relative pose (the vacuum seal / the
lock); commanding the gripper open destroys the joint and the object is free again. Only one
object is held at a time. The held object keeps its mass, so the arm carries its weight.

Usage (from a scene's build and step):

    local grasp = require "scenario.grasp"
    g = grasp.new(world, {flange = arm.flange, fingers = {arm.finger_left, arm.finger_right},
                          items = {cup1, plate1, ...}, state = ctx.state,
                          break_speed = 2.0})
    g:update(ctx, closed)    -- in step(ctx), after the gripper command: attach / release,
                             -- then the impact check of the free items
    g:held(ctx)              -- index of the held item (1-based), 0 when none
    g:broken(ctx)            -- index of the first item that broke, 0 when none

Keep the object in a local of the scene chunk (set in build): it holds handles. Its plain
data lives in `state.grasp` (or `state[o.key]`: two grippers need two keys): held (index), broken (index), impact_max (m/s), attaches,
releases. The weld joint itself is not part of a world snapshot (restoring one taken while
an item was held leaves it free).

Impact: each step, a free item's speed change since the previous step, |v - v_prev| (m/s), is
its impact speed (a free fall stopped by the floor in one or two steps loses its whole speed).
Above `break_speed` (default 2.0 m/s, about a 20 cm drop onto a hard surface: ceramic cups
and plates survive less than half a metre onto tiles) the item counts as broken. The held item
is not checked (its speed follows the arm). The first 0.2 s are not checked (items settle).
--]]

local M = {}

local G = {}
G.__index = G

function M.new(world, o)
    assert(type(o) == "table" and o.flange and o.fingers and o.items and o.state,
           "scenario.grasp.new: flange, fingers, items and state are required")
    local self = setmetatable({world = world, flange = o.flange, fingers = o.fingers,
                               items = o.items, joint = nil, key = o.key or "grasp"}, G)
    self.break_speed = o.break_speed or 2.0
    local v = {}
    for i = 1, #o.items do v[i] = {0, 0, 0} end
    o.state[self.key] = {held = 0, broken = 0, impact_max = 0, attaches = 0, releases = 0, v = v}
    return self
end

function G:touching(i)
    local b = self.items[i]
    for _, f in ipairs(self.fingers) do
        if self.world:touching(f, b) then return true end
    end
    return false
end

function G:update(ctx, closed)
    local g = ctx.state[self.key]
    if closed and g.held == 0 then
        for i = 1, #self.items do
            if self:touching(i) then
                self.joint = self.world:joint{type = "fixed", name = "grasp/weld", body1 = self.items[i], body2 = self.flange}
                g.held = i
                g.attaches = g.attaches + 1
                break
            end
        end
    elseif not closed and g.held ~= 0 then
        if self.joint then self.joint:destroy() end
        self.joint = nil
        g.held = 0
        g.releases = g.releases + 1
    end
    for i, b in ipairs(self.items) do
        local vx, vy, vz = b:linvel()
        local p = g.v[i]
        if i ~= g.held and ctx.t > 0.2 then
            local dv = math.sqrt((vx - p[1]) ^ 2 + (vy - p[2]) ^ 2 + (vz - p[3]) ^ 2)
            if dv > g.impact_max then g.impact_max = dv end
            if dv > self.break_speed and g.broken == 0 then g.broken = i end
        end
        p[1], p[2], p[3] = vx, vy, vz
    end
end

function G:held(ctx) return ctx.state[self.key].held end
function G:broken(ctx) return ctx.state[self.key].broken end

return M
