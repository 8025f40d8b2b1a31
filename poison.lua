getmetatable('').__index.upper = function() return 'pwned' end
string.lower = nil
return { name = 'p', timestep = 0.01, time_limit = 0.02, build = function() end,
  success = function(ctx) return ('x'):upper() == 'pwned' end }
