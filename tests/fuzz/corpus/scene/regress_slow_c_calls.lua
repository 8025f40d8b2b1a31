-- Regression (issue 12): single C calls no hook can interrupt. Each is refused
-- up front: a one-item pattern tried at 2e6 start positions, table.move over
-- 2^62 indices, world.iterations = 1e12 (undefined behaviour in the int cast).
local s = ("a"):rep(2e6)
assert(not pcall(string.find, s, "a.-b"))
assert(not pcall(table.move, {}, 1, 1 << 62, 2))
return { name = "atk", timestep = 0.01, time_limit = 0.05, world = { iterations = 1e12 },
  build = function(world, ctx) end }
