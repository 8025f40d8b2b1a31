return {
  name = 'meta', domain = 'examples', description = 'a test scene',
  timestep = 0.005, time_limit = 2,
  params = { zeta = {default = 1.5, min = 0, max = 3, description = 'z'},
             alpha = {default = 2, min = 1, max = 4, integer = true},
             flag = {default = true}, mode = {default = 'a', choices = {'a', 'b'}} },
  build = function(world, ctx) end,
}
