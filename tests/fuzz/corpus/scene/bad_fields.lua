return { name = 1, timestep = -0.01, time_limit = 'x', build = 3, world = {iterations = 0, gravity = {1}},
  params = { p = {default = 5, min = 10, max = 0} } }
