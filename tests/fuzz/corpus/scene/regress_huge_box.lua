-- Found by hand: a box of 1e308 gives an infinite mass (was physics_diverged through an
-- ODE debug check; now a script_error naming the body).
return { name = 'a', timestep = 0.01, time_limit = 0.05,
 build = function(world, ctx) world:body{geoms={{type='box', size={1e308,1e308,1e308}}}} end }
