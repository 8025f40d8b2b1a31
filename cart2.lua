local cart
return { name = 'c', timestep = 0.01, time_limit = 0.02,
  action = { force = {shape = {1}} },
  build = function(world, ctx) cart = world:body{mass = 1, gravity = false} end }
