
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
local t = {} for i = 1, 100 do t[i] = string.rep('q', 1 << 20) end local s = table.concat(t)
  end end }
