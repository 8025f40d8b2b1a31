local ok, e = pcall(function() return os.execute('true') end)
assert(not ok)
local s = getmetatable('').__index
s.upper = function() return 'x' end
return { name = 'esc', timestep = 0.01, time_limit = 0.05,
  build = function(world, ctx) local t = {} for i = 1, 1e7 do t[i] = i end end,
  step = function(ctx) while true do pcall(function() while true do end end) end end }
