return { name = 'm', timestep = 0.01, time_limit = 0.1, build = function(world, ctx) end,
 params = { a = {min = 0, max = 1} } }
