
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
local function f(n) return f(n + 1) + 1 end f(1)
  end end }
