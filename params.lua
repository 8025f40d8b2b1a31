return { name = 'm', timestep = 0.01, time_limit = 0.1, build = function(world, ctx) end,
 params = { speed = {default = 1, min = 0, max = 2}, n = {default = 3, min = 1, max = 9, integer = true},
            on = {default = false}, mode = {default = 'a', choices = {'a', 'b'}} } }
