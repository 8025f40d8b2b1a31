
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
local r = {rawget(_G, 'os'), rawget(_G, 'io'), rawget(_G, 'debug'), rawget(_G, 'package'), rawget(_G, 'dofile')}
 error('found ' .. #r, 0)
  end end }
