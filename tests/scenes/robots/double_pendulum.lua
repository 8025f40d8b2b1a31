-- Silhouette test scene (tests/test_robot_silhouettes.sh): the double pendulum (STL visuals and collisions), fixed in
-- the air with no ground, its joints bent so no part hides behind another the
-- same way in every view. Rendered once with visual meshes and once with
-- collision shapes; the two segmentation silhouettes must match.
return {
    name = "robot_double_pendulum",
    domain = "tests",
    description = "the double pendulum (STL visuals and collisions) for visual-vs-collision silhouettes",
    timestep = 0.002,
    time_limit = 0.01,
    build = function(world)
        world:robot{urdf = "example-robot-data/robots/double_pendulum_description/urdf/double_pendulum.urdf", name = "double_pendulum", pos = {0, 0, 1},
                    fixed_base = true, q = {0.6, -1.0}}
    end,
}
