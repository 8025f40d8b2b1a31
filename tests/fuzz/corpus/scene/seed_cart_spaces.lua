local cart
return { name = 'cart', timestep = 0.01, time_limit = 5,
  params = { k = {default = 2, min = 0, max = 5}, mode = {default = 'a', choices = {'a', 'b'}} },
  observation = { x = {shape = {2}, fn = function(ctx, out) local x = cart:pos() out[1] = x out[2] = cart:linvel() end} },
  action = { force = {shape = {1}, low = -20, high = 20} },
  build = function(world, ctx)
    cart = world:body{pos = {1, 0, 0}, mass = 1, gravity = false}
    world:body{pos = {0, 0, -1}, kind = 'static', geoms = {{type = 'box', size = {4, 4, 0.1}}}}
    ctx.state.n = 0
  end,
  act = function(ctx, action) cart:add_force(action.force[1] * ctx.params.k, 0, 0) end,
  step = function(ctx) ctx.state.n = ctx.state.n + 1 end,
  reward = function(ctx) return -math.abs(cart:pos()) end,
  success = function(ctx) return math.abs(cart:pos()) < 0.01 end,
  failure = function(ctx) return ctx.t > 4, 'too slow' end,
  metrics = function(ctx) return { n = ctx.state.n } end,
}
