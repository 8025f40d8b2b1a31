return { name = 'm', timestep = 0.01, time_limit = 0.1, build = function(world, ctx) end,
 step = function(ctx)
local r = math.random(1, 6) assert(r >= 1 and r <= 6)
end }
