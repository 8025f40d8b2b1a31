local cart
return { name = 'cart', timestep = 0.01, time_limit = 5,
  observation = { x = {shape = {2}, fn = function(ctx, out) local x = cart:pos() local v = cart:linvel() out[1] = x out[2] = v end} },
  action = { force = {shape = {1}, low = -20, high = 20} },
  build = function(world, ctx) cart = world:body{pos = {1, 0, 0}, mass = 1, gravity = false} end,
  act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end,
  success = function(ctx) local x = cart:pos() local v = cart:linvel() return math.abs(x) < 0.01 and math.abs(v) < 0.01 end,
}
