-- Baseline for scenes/pilot/hospitality_room_service.lua (policies.route_follow): follows
-- the route gently (0.5 m/s, 0.35 m/s^2 braking: the plate rides loose on the tray); before
-- the cab it waits for the ground-floor landing door to be open, in the cab for the upper
-- one (turning on the spot meanwhile is allowed), before the room for the guest to open
-- the door; gives way to the lobby guest.
return require("policies.route_follow").new{
    people = 1,
    steer = {vmax = 0.5, brake = 0.35, wmax = 0.8, ahead = 2.0, half = 0.6},
    hook = function(obs, _, v, w)
        local done, lift = obs.route[6], obs.lift
        if done == 1 and lift[3] < 0.98 then v = 0 end
        if done == 2 and lift[4] < 0.98 then v = 0 end
        if done == 5 and lift[5] < 0.98 then v = 0 end
        return v, w
    end,
}
