local seed
return { reset = function(spec, s) seed = s end,
  act = function(obs, action) if seed == 1 then
load(string.dump(function() end), 'x', 'b')
  end action.force[1] = 0 end }
