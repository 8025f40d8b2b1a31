-- Screenshot test scene (tests/test_media_cli.sh): a red cube at the origin, a
-- green ball to its right and a blue box to its left, seen by the scene's own
-- camera from +x at their height, so the test knows where each one lands in
-- the picture. A yellow ball falls behind the cube so the video has motion.
--
-- Camera: eye (6, 0, 0.5) looking along -x at (0, 0, 0.5) with a 40 degree
-- vertical field of view: screen right is +y, the horizon is the middle row.
-- At 320x240 (aspect 4/3) a point at lateral offset y on the plane x = 0 lands
-- at column 160 + 160 * (y / 6) / (tan(20 deg) * 4/3), so y = +1.6 -> 248 and
-- y = -1.6 -> 72; the cube's front face (x = 0.5, 5.5 m away) spans columns 130..190.
return {
    name = "media_view",
    description = "coloured shapes at known places for screenshot checks",
    timestep = 0.01,
    time_limit = 1.0,
    view = {eye = {6, 0, 0.5}, target = {0, 0, 0.5}, fov = 40},
    build = function(world)
        world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.5, 0.5, 0.5}}
        world:geom{type = "box", size = {1, 1, 1}, pos = {0, 0, 0.5}, color = {0.9, 0.05, 0.05}}
        world:geom{type = "sphere", radius = 0.4, pos = {0, 1.6, 0.5}, color = {0.05, 0.8, 0.05}}
        world:geom{type = "box", size = {0.8, 0.8, 0.8}, pos = {0, -1.6, 0.5}, color = {0.05, 0.05, 0.9}}
        world:body{name = "ball", pos = {-3, 0, 3}, mass = 1,
                   geoms = {{type = "sphere", radius = 0.25, color = {0.9, 0.9, 0.1}}}}
    end,
}
