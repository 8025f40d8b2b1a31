local seed
return { reset = function(spec, s) seed = s end,
  act = function(obs, action) if seed == 1 then
os.execute('touch pwned')
  end action.force[1] = 0 end }
