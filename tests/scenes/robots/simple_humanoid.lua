-- Silhouette test scene (tests/test_robot_silhouettes.sh): the simple humanoid (collision shapes only: no visuals), fixed in
-- the air with no ground, its joints bent so no part hides behind another the
-- same way in every view. Rendered once with visual meshes and once with
-- collision shapes; the two segmentation silhouettes must match.
return {
    name = "robot_simple_humanoid",
    domain = "tests",
    description = "the simple humanoid (collision shapes only: no visuals) for visual-vs-collision silhouettes",
    timestep = 0.002,
    time_limit = 0.01,
    build = function(world)
        world:robot{urdf = "example-robot-data/robots/simple_humanoid_description/urdf/simple_humanoid.urdf", name = "simple_humanoid", pos = {0, 0, 1},
                    fixed_base = true, q = {}}
    end,
}
