--[[
scenario: the task modules of scripts/scenario/ behind one require.

    local scenario = require "scenario"
    mon = scenario.safety.new(world, {robot_bodies = ..., humans = ..., state = ctx.state})

Fields (each as require "scenario.NAME" returns it): arm_cell (a fixed arm's pick cell),
grasp (attach on contact), human (a walking person), mm_task (what the mobile-manipulator
scenes share), safety (ISO/TS 15066 monitor). An unknown name is an error listing these.
--]]

return require("kit.util").strict({
    arm_cell = require "scenario.arm_cell",
    grasp = require "scenario.grasp",
    human = require "scenario.human",
    mm_task = require "scenario.mm_task",
    safety = require "scenario.safety",
}, "scenario")
