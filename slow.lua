return { name = 'm', timestep = 0.01, time_limit = 0.1, build = function(world, ctx) end,
 step = function(ctx)
 while true do local s = string.rep('x', 100000) end
end }
