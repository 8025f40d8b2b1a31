
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
collectgarbage('stop') collectgarbage('generational') local t = {} for i = 1, 1e9 do t[i] = string.rep('y', 4096) .. i end
  end end }
