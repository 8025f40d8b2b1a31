return { act = function(obs, action) assert(os.getenv and io.write) action.force[1] = 0 end }
