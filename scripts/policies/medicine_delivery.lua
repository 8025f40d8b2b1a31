-- Baseline for scenes/pilot/healthcare_medicine_delivery.lua: follows the ward route
-- (kit.steer.route), gently (0.5 m/s, 0.35 m/s^2 braking: a box rides loose on the tray);
-- waits 1.2 m before the sliding door until it is fully open, and stops while a tracked
-- person is, or within 1.5 s will be, in the 2.4 m corridor ahead ; after 2.5 s of waiting it backs off
-- for 2 s (a person who stopped for the robot then walks on).
local steer = require "kit.steer"

local P = {}
local mem = {}
local O = {vmax = 0.65, brake = 0.4, wmax = 0.8, ahead = 2.4, half = 0.6}

local dt = 0.005

function P.reset(spec) mem, dt = {}, 1 / spec.control_hz end

function P.act(obs, action)
    local v, w = steer.route(obs.route, mem, O)
    local door = obs.door
    local dd = math.sqrt(door[2] ^ 2 + door[3] ^ 2)
    if door[1] < 0.98 and door[2] > 0 and dd < 1.3 then v = 0 end
    v = steer.give_way(mem, steer.blocked(obs.people, 3, O), dt, O) or v
    action.base[1], action.base[2] = v, w
end

return P
