-- Found by hand: a body moved to 1e15 m by set_pos aborted the process the same way at
-- the next step. Now the step checks every geom's extent first: physics_diverged.
return { name = 'a', timestep = 0.01, time_limit = 0.05,
 build = function(world, ctx)
  local b = world:body{kind='kinematic', geoms={{type='sphere', radius=1}}}
  world:body{kind='kinematic', geoms={{type='sphere', radius=1}}}
  b:set_pos(1e15, 0, 0) end }
