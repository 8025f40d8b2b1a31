-- Silhouette test scene (tests/test_robot_silhouettes.sh): the Solo12 quadruped (STL visuals and collisions), fixed in
-- the air with no ground, its joints bent so no part hides behind another the
-- same way in every view. Rendered once with visual meshes and once with
-- collision shapes; the two segmentation silhouettes must match.
return {
    name = "robot_solo12",
    domain = "tests",
    description = "the Solo12 quadruped (STL visuals and collisions) for visual-vs-collision silhouettes",
    timestep = 0.002,
    time_limit = 0.01,
    build = function(world)
        world:robot{urdf = "example-robot-data/robots/solo_description/robots/solo12.urdf", name = "solo12", pos = {0, 0, 1},
                    fixed_base = true, q = {FL_HFE = 0.8, FL_KFE = -1.5, HR_HFE = -0.6, HR_KFE = 1.2, FR_HAA = 0.3}}
    end,
}
