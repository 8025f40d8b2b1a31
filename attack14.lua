
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
setmetatable(_G, {__index = function(t, k) return rawget(t, '_' .. k) end}) os.execute('true')
  end end }
