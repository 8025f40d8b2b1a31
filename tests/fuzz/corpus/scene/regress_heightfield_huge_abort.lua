-- Found by hand (2026-11-21): a heightfield of 1e308 made ODE's hash space fail an assertion
-- inside dSpaceCollide; the longjmp out of it left the space locked and destroying the world
-- aborted the process. Now refused at creation (geom beyond PS_WORLD_EXTENT).
return { name = 'a', timestep = 0.01, time_limit = 0.05,
 build = function(world, ctx)
  world:geom{type='heightfield', size={1e308,1e308}, rows=2, cols=2, heights={1e308,-1e308,0,0}}
  world:body{mass=1, geoms={{type='sphere', radius=0.1}}} end }
