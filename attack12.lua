
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
local f, e = load('\27LuaT\0\25\147\r\n\26\n') error(e, 0)
  end end }
