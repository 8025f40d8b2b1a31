--[[
robots: every robot model of scripts/robots/ behind one require.

    local robots = require "robots"
    local bot = robots.diffdrive.build(world, {name = "amr", pos = {0, 0}})

Fields (each as require "robots.NAME" returns it): arm6, base (what the modules share:
placement options, the handle class, a diff drive's twist), crawler, diffdrive, go2,
humanoid, kin (frames and quaternions), mobile_manipulator, service_tray, ur5_gripper (a
URDF arm).
An unknown name is an error listing these. See scripts/robots/README.md.
--]]

return require("kit.util").strict({
    arm6 = require "robots.arm6",
    base = require "robots.base",
    crawler = require "robots.crawler",
    diffdrive = require "robots.diffdrive",
    go2 = require "robots.go2",
    humanoid = require "robots.humanoid",
    kin = require "robots.kin",
    mobile_manipulator = require "robots.mobile_manipulator",
    service_tray = require "robots.service_tray",
    ur5_gripper = require "robots.ur5_gripper",
}, "robots")
