--[[
policies.pilot_base: baseline for scenes/pilot/pilot_base.lua, the base's traffic manager.

Every zone at its full speed limit, except the restaurant: while a diner is within 1.0 m of
a waiter, the restaurant's robots slow to 30 % (speed-and-separation monitoring for the
whole zone; the scene's waiters also wait for a person right ahead of them).
--]]

local P = {}

function P.reset(spec, seed) end

function P.act(obs, action)
    for i = 1, #action.speed do action.speed[i] = 1.0 end
    -- restaurant (zone 2): the nearest person to the nearest waiter, m
    if obs.separation[1] < 1.0 then action.speed[2] = 0.3 end
end

return P
