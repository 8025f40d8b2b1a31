
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
for x in ('a'):rep(30000):gmatch('^a-b') do end
  end end }
