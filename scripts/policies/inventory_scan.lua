-- Baseline for scenes/pilot/retail_inventory_scan.lua (policies.route_follow): drives the
-- aisle serpentine at 0.4 m/s (below the cameras' 0.5 m/s blur limit; the route's
-- straight aisle legs keep the heading along the shelves) and gives way to shoppers.
return require("policies.route_follow").new{
    people = 2,
    steer = {vmax = 0.4, brake = 0.5, wmax = 1.0, ahead = 1.8, half = 0.6},
}
