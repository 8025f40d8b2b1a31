-- Test scene: boxes dropped at seeded random positions onto a floor. Used by
-- the determinism tests (same seed same hash; different seeds differ) and the
-- state save/restore test. The box handles live in a chunk local: ctx.state
-- holds only plain data.
local boxes
return {
  name = "random_pile",
  domain = "test",
  description = "8 boxes dropped at random positions",
  timestep = 0.004,
  time_limit = 1.0,
  params = {
    n = {default = 8, min = 1, max = 50, integer = true, description = "boxes"},
    friction = {default = 0.6, min = 0.2, max = 1.0, randomize = true},
  },
  build = function(world, ctx)
    world:material{name = "floor", friction = ctx.params.friction}
    world:geom{type = "plane", material = "floor"}
    boxes = {}
    for i = 1, ctx.params.n do
      local b = world:body{
        name = "box" .. i,
        pos = {math.random() - 0.5, math.random() - 0.5, 0.2 + 0.25 * i},
        rpy = {0, 0, math.random() * 3.14},
        mass = 1.0,
        geoms = {{type = "box", size = {0.2, 0.15, 0.1}}},
      }
      boxes[i] = b
    end
  end,
  step = function(ctx)
    -- a scripted push with seeded noise every 50 steps
    if ctx.step % 50 == 0 then
      boxes[1]:add_force(math.normal(0, 5), math.normal(0, 5), 0)
    end
  end,
  metrics = function(ctx)
    local _, _, z = boxes[#boxes]:pos()
    return {top_z = z}
  end,
}
