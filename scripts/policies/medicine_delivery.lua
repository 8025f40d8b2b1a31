-- Baseline for scenes/pilot/healthcare_medicine_delivery.lua (policies.route_follow):
-- follows the ward route gently (0.65 m/s, 0.4 m/s^2 braking: the box rides loose on the
-- tray); waits 1.3 m before the sliding door until it is fully open; stops while a
-- tracked person is, or within 1.5 s will be, in the 2.4 m corridor ahead, and after
-- 2.5 s of waiting backs off for 2 s (a person who stopped for the robot then walks on).
return require("policies.route_follow").new{
    people = 3,
    steer = {vmax = 0.65, brake = 0.4, wmax = 0.8, ahead = 2.4, half = 0.6},
    hook = function(obs, _, v, w)
        local door = obs.door
        if door[1] < 0.98 and door[2] > 0 and math.sqrt(door[2] ^ 2 + door[3] ^ 2) < 1.3 then v = 0 end
        return v, w
    end,
}
