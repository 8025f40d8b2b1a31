return { name = 'm', timestep = 0.01, time_limit = 0.1, build = function(world, ctx) end, sucess = function() end }
