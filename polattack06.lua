local seed
return { reset = function(spec, s) seed = s end,
  act = function(obs, action) if seed == 1 then
while true do pcall(function() while true do end end) end
  end action.force[1] = 0 end }
