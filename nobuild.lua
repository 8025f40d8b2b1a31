return { name = 'b', timestep = 0.01, time_limit = 1 }
