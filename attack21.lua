
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
xpcall(function() while true do end end, function(e) while true do end end) while true do end
  end end }
