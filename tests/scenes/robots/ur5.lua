-- Silhouette test scene (tests/test_robot_silhouettes.sh): the UR5 arm (Collada visuals, STL collisions), fixed in
-- the air with no ground, its joints bent so no part hides behind another the
-- same way in every view. Rendered once with visual meshes and once with
-- collision shapes; the two segmentation silhouettes must match.
return {
    name = "robot_ur5",
    domain = "tests",
    description = "the UR5 arm (Collada visuals, STL collisions) for visual-vs-collision silhouettes",
    timestep = 0.002,
    time_limit = 0.01,
    build = function(world)
        world:robot{urdf = "example-robot-data/robots/ur_description/urdf/ur5_robot.urdf", name = "ur5", pos = {0, 0, 1},
                    fixed_base = true, q = {shoulder_pan_joint = 0.5, shoulder_lift_joint = -1.0, elbow_joint = 1.2, wrist_1_joint = -0.8, wrist_2_joint = 0.7}}
    end,
}
