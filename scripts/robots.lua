--[[
robots: every robot model of scripts/robots/ behind one require.

    local robots = require "robots"
    local bot = robots.diffdrive.build(world, {name = "amr", pos = {0, 0}})

Fields (each loaded on first use, as require "robots.NAME"): arm6, crawler, diffdrive, go2,
humanoid, kin (frames and quaternions), mobile_manipulator, service_tray, ur5_gripper (a
URDF arm). An unknown name is an error listing these. See scripts/robots/README.md.
--]]

return require("kit.util").modules("robots", {"arm6", "crawler", "diffdrive", "go2", "humanoid", "kin",
                                              "mobile_manipulator", "service_tray", "ur5_gripper"})
