
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
assert(os.time() > 0 and io.open and debug.getinfo(1) and package.loadlib and string.dump)
 assert(load(string.dump(function() return 7 end), 'd', 'b')() == 7)
  end end }
