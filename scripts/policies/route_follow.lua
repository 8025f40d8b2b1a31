-- Shared baseline for the route scenes (kit.route + kit.rover): a policy factory.
--   local P = require("policies.route_follow").new{people = 3, steer = {...}, hook = fn}
-- The policy follows the route entry obs.route with kit.steer.route (steer options in
-- o.steer), stops while one of the first o.people tracked people of obs.people is, or
-- within 1.5 s will be, in the corridor ahead (steer.blocked), backing off after waiting
-- (steer.give_way), and writes action.base = {v, w}. o.hook(obs, action, v, w, mem) may
-- change v, w before they are written (returns v, w) and set further action entries;
-- mem is a table reset each episode (mem.dt: the control period, s).
local steer = require "kit.steer"

local M = {}

function M.new(o)
    local P, mem = {}, {}
    function P.reset(spec)
        mem = {dt = 1 / spec.control_hz}
        if o.reset then o.reset(spec, mem) end
    end
    function P.act(obs, action)
        local v, w, holding = steer.route(obs.route, mem, o.steer)
        if (o.people or 0) > 0 then
            v = steer.give_way(mem, steer.blocked(obs.people, o.people, o.steer), mem.dt, o.steer) or v
        end
        if o.hook then v, w = o.hook(obs, action, v, w, mem, holding) end
        action.base[1], action.base[2] = v, w
    end
    return P
end

return M
