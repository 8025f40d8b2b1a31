--[[
policies.hotel_luggage: baseline for scenes/pilot/hospitality_hotel_luggage.lua (a scripted
controller on the scene's observations).

Drives straight for the delivery point (turning on the spot first when the bearing is
large), at most 0.7 m/s and braking at 0.3 m/s^2 so the unstrapped suitcases do not slide;
stops while a guest is, or within 2.5 s will be, in the corridor 0..1.8 m ahead and 0.6 m to
each side, and keeps to 0.35 m/s while anyone is within 1.5 m. Within 5 cm of the point it
stops and waits.
--]]
local nav = require "policies.lib.nav"

local P = {}

function P.reset() end

function P.act(obs, action)
    local g = obs.goal
    local v, w = nav.steer(g[1], g[2], {vmax = 0.7, decel = 0.3, wmax = 0.8, turn_in_place = 0.5})
    local block, near = nav.people(obs.people, {ahead = 1.8, half_width = 0.6, horizon = 2.5})
    if block then v = 0 elseif near then v = math.min(v, 0.35) end
    if g[3] < 0.05 then v, w = 0, 0 end
    action.base[1], action.base[2] = v, w
end

return P
