--[[
kit.people: pedestrians for scenes, on top of scenario.human (read its header for the
body model and the walking options).

  people.walker(world, o)        one person walking o.path (scenario.human.spawn)
  people.walkers(world, common, list)
                                 one walker per entry of list, each with common's fields
                                 under its own (yield_to, state, speed, ... said once), in
                                 list order; returns the list of people
  people.crowd(world, o)         o.n people, each walking a closed loop of o.waypoints
                                 (3) points drawn uniformly in o.area = {x0, y0, x1, y1};
                                 names o.name .. i ("person1", ...), speed uniform in
                                 o.speed = {lo, hi} (m/s), start offsets spread over the
                                 loop; every other option (yield_to, state, wait, ...) is
                                 passed on. Draws per person: the waypoints' x and y, then
                                 the speed, then the offset fraction. Returns the list
  people.update(list, ctx)       updates every person of a list (call from step)
  people.bodies(list)            all their Bodies, one flat list
--]]

local human = require "scenario.human"
local util = require "kit.util"

local M = {}

function M.walker(world, o) return human.spawn(world, o) end

function M.walkers(world, common, list)
    local out = {}
    for i, o in ipairs(list) do out[i] = human.spawn(world, util.merged(common, o)) end
    return out
end

function M.crowd(world, o)
    local a, sp = o.area, o.speed or {1.0, 1.4}
    local list = {}
    for i = 1, o.n do
        local path = {}
        for k = 1, o.waypoints or 3 do path[k] = {util.uniform(a[1], a[3]), util.uniform(a[2], a[4])} end
        local h = {}
        for k, v in pairs(o) do
            if k ~= "n" and k ~= "area" and k ~= "speed" and k ~= "waypoints" and k ~= "name" then h[k] = v end
        end
        h.name = (o.name or "person") .. i
        h.path = path
        h.loop = true
        h.speed = util.uniform(sp[1], sp[2])
        h.offset = util.uniform(0, 1) * 20
        list[i] = human.spawn(world, h)
    end
    return list
end

function M.update(list, ctx)
    for _, h in ipairs(list) do h:update(ctx) end
end

function M.bodies(list)
    local out = {}
    for _, h in ipairs(list) do
        for _, b in ipairs(h:bodies()) do out[#out + 1] = b end
    end
    return out
end

return M
