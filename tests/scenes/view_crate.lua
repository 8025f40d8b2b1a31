-- A red 0.6 m crate on a grey floor: the viewer tests' picking, tint and torque-drag target
-- (test_view_inspect.sh, test_view_select.sh).
local scene = {name = "crate", domain = "tests", timestep = 0.002, time_limit = 1000}
function scene.build(world)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.5, 0.5, 0.5}}
    world:body{name = "crate", pos = {0, 0, 0.3}, mass = 2,
               geoms = {{type = "box", size = {0.6, 0.6, 0.6}, color = {0.8, 0.1, 0.1}}}}
end
return scene
