-- Regression (issue 12): a finalizer runs with hooks off; an endless one hung
-- run, check, list and the eval parent at close. setmetatable refuses __gc.
return { name = "atk", timestep = 0.01, time_limit = 0.05, build = function(world, ctx) end,
  step = function(ctx) setmetatable({}, {__gc = function() while true do end end}) end }
