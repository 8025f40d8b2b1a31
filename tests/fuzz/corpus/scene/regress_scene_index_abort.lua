-- Regression (issue 12): the loader read the scene table's optional fields
-- through its __index outside a protected call: exit 134. Now refused:
-- "the scene table must be a plain table, without a metatable".
return setmetatable({ name = 'atk', timestep = 0.01, time_limit = 0.05, build = function() end },
  {__index = function() error('boom') end})
