local cart
return { name = 'c', timestep = 0.01, time_limit = 0.03,
  observation = { x = {shape = {1}, fn = function(ctx, out) out[1] = cart:pos() end} },
  action = { force = {shape = {1}, low = -1, high = 1} },
  build = function(world, ctx) cart = world:body{mass = 1, gravity = false} end,
  act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end }
