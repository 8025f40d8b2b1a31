
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
local co = coroutine.wrap(function() while true do coroutine.yield(1) end end) while true do pcall(co) end
  end end }
