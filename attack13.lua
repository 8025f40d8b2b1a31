
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
local sent local f, e = load(function() if sent then return nil end sent = true return '\27Lua' end) error(e, 0)
  end end }
