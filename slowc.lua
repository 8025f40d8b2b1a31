return { name = 's', timestep = 0.01, time_limit = 0.02, build = function() end,
  step = function(ctx) while true do pcall(string.rep, 'x', 200000) end end }
