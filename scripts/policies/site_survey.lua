-- Baseline for scenes/pilot/construction_site_survey.lua (policies.route_follow): drives
-- stake to stake (straight lines between them stay clear of the keep-out zones the site
-- plan puts north and south of the survey corridor) at up to 0.8 m/s, turning harder
-- than a diff drive would (skid steering slips), and gives way to the workers.
return require("policies.route_follow").new{
    people = 2,
    steer = {vmax = 0.8, brake = 0.6, kw = 3.0, wmax = 1.5, arrive = 0.15, hold = 0.28, ahead = 2.2, half = 0.8},
}
