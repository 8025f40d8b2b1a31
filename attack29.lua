
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
local t = {} while true do pcall(function() t[#t + 1] = string.rep('z', 1 << 20) end) end
  end end }
