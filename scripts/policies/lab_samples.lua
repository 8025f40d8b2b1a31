-- Baseline for scenes/pilot/healthcare_lab_samples.lua (policies.route_follow): follows
-- the lab route (the scene's route already keeps to the spill's far side), 0.6 m/s with
-- 0.35 m/s^2 braking (the rack rides loose on top), giving way to the two technicians.
return require("policies.route_follow").new{
    people = 2,
    steer = {vmax = 0.6, brake = 0.35, wmax = 1.0, ahead = 2.0, half = 0.6},
}
