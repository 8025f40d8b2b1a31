return {name = 'm', timestep = 0.01, time_limit = 0.1, build = function(world, ctx) end,
 view = {eye = {1, 2, 3}, target = {0, 0, 0}, up = {0, 0, 1}}}