return { name = 'r', timestep = 0.01, time_limit = 0.05,
  build = function(world, ctx) world:body{pos = {0/0, 0, 0}, mass = -1} end,
  step = function(ctx) error(setmetatable({}, {__tostring = function() error('again') end})) end }
