
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
local s = ('a'):rep(2e6) local i = s:find('a.-b')
  end end }
