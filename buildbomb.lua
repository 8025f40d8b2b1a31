return { name = 'b', timestep = 0.01, time_limit = 0.02,
  build = function(world, ctx) local s = string.rep('x', 1 << 28) end }
