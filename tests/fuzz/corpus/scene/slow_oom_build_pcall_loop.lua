-- A fuzz input that hit libFuzzer's 10 s timeout on a loaded machine (0.35 s of CPU
-- when replayed): a build that fills the 32 MiB heap, then runaway loops under pcall.
-- Kept as a regression input: it must end script_error within the limits.
local ok, e = pcall(function() return os.execute('true') end)
assert(not ok)
local s = getmetatable('').__index
s.upper = function() return 'x' end
return { name = 'esc', timestep = 0.01, time_limit = 0.05,
  build = function(world, ctx) local t = {} for i = 1, 1e7 do t[i] = i end end,
  step = function(ctx) while true do pcall(function() while true do end end) end end }
