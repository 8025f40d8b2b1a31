-- Regression (issue 12): C wrote ctx.t and read ctx.action through
-- metamethods, outside any protected call: a raising __newindex aborted the
-- process (exit 134, no message). ctx is now read and written raw.
return { name = "atk", timestep = 0.01, time_limit = 0.05,
  action = { f = { shape = {1} } },
  act = function(ctx, action) end,
  build = function(world, ctx)
    ctx.t, ctx.step, ctx.action, ctx.obs, ctx.state = nil, nil, nil, nil, nil
    setmetatable(ctx, {__index = function() error('boom') end, __newindex = function() error('boom') end})
  end }
