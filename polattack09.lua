local seed
return { reset = function(spec, s) seed = s end,
  act = function(obs, action) if seed == 1 then
local function f() return 1 + f() end f()
  end action.force[1] = 0 end }
