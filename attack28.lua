
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
local t = {} local i = 0 while true do i = i + 1 t[i] = string.rep('t', 256) .. i end
  end end }
