-- Regression (issue 12): a coroutine stopped by the instruction budget ran its
-- pending __close handler with hooks off, so this looped forever. Now the
-- <close> attribute is refused when the file loads.
return { name = "atk", timestep = 0.01, time_limit = 0.05, build = function(world, ctx) end,
  step = function(ctx)
    local co = coroutine.wrap(function()
      local x <close> = setmetatable({}, {__close = function() while true do end end})
      while true do end
    end)
    co()
  end }
