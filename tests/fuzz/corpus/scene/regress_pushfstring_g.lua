-- Found by hand: these errors used %g in luaL_error, which Lua's formatter does not
-- know ("invalid option '%g' to 'lua_pushfstring'" instead of the message).
return { name = 'a', timestep = 0.01, time_limit = 0.05,
 build = function(world, ctx)
  pcall(function() world:body{geoms={{type='trimesh', vertices={0,0,0, 1,0,0, 0,1,0}, indices={1,2,4}}}} end)
  world:body{geoms={{type='sphere', radius=1, category=-1}}} end }
