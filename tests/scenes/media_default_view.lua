-- Default-camera test scene (tests/test_media_cli.sh): a red cube away from the
-- origin and no `view`: the default camera frames the bounding box of every
-- shape but the plane, so the cube must fill the middle of the picture.
return {
    name = "media_default_view",
    description = "one red cube off the origin, no declared view",
    timestep = 0.01,
    time_limit = 0.2,
    build = function(world)
        world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.5, 0.5, 0.5}}
        world:geom{type = "box", size = {1, 1, 1}, pos = {5, 3, 0.5}, color = {0.9, 0.05, 0.05}}
    end,
}
