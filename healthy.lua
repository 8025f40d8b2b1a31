return { name = 'h', timestep = 0.01, time_limit = 0.05,
  build = function(world, ctx) world:body{pos = {0, 0, 1}, mass = 1,
    geoms = {{type = 'sphere', radius = 0.1}}} end,
  success = function(ctx) return ctx.t >= 0.03 and ('ab'):upper() == 'AB' end }
