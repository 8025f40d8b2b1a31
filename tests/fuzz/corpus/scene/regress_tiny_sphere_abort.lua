-- Found by hand (2026-11-21): a sphere of radius 1e-300 gives a mass that underflows to 0,
-- and Debian's ODE aborted the process in dBodySetMass (fixed in body.c: script_error).
return { name = 'a', timestep = 0.01, time_limit = 0.05,
 build = function(world, ctx) world:body{geoms={{type='sphere', radius=1e-300}}} end }
