local seed
return { reset = function(spec, s) seed = s end,
  act = function(obs, action) if seed == 1 then
local s = 'x' while true do s = s .. s end
  end action.force[1] = 0 end }
