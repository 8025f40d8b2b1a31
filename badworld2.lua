return { name = 'm', timestep = 0.01, time_limit = 0.1, build = function(world, ctx) end,
 world = { gravty = {0,0,-1} } }
