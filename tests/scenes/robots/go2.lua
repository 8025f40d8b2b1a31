-- Silhouette test scene (tests/test_robot_silhouettes.sh): the Unitree Go2 (Collada visuals, convex STL collisions), fixed in
-- the air with no ground, its joints bent so no part hides behind another the
-- same way in every view. Rendered once with visual meshes and once with
-- collision shapes; the two segmentation silhouettes must match.
return {
    name = "robot_go2",
    domain = "tests",
    description = "the Unitree Go2 (Collada visuals, convex STL collisions) for visual-vs-collision silhouettes",
    timestep = 0.002,
    time_limit = 0.01,
    build = function(world)
        world:robot{urdf = "example-robot-data/robots/go2_description/urdf/go2.urdf", name = "go2", pos = {0, 0, 1},
                    fixed_base = true, q = {FL_thigh_joint = 0.8, FL_calf_joint = -1.5, RR_thigh_joint = 0.6, RR_calf_joint = -1.2, FR_hip_joint = 0.3}}
    end,
}
