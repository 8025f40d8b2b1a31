
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
local t t = setmetatable({}, {__tostring = function(x) return tostring(x) end}) tostring(t)
  end end }
