--[[
kit: the whole scene kit behind one require.

    local kit = require "kit"
    kit.room.floor(world, {friction = p.floor_friction})
    local R = kit.rover.new()

Its fields are the modules of scripts/kit/ (door, people, props, room, route, rover, sight,
steer, terrain, track, util), each as require "kit.NAME" returns it (so LuaLS completes
kit.room.<field>). A name that is no kit module is an error listing the known ones.
`require "kit.room"` still works for a module alone. The robot models and the task modules
have the same kind of umbrella: require "robots" (robots.diffdrive, ...) and
require "scenario" (scenario.safety, ...).
--]]

local util = require "kit.util"

return util.strict({
    door = require "kit.door",
    people = require "kit.people",
    props = require "kit.props",
    room = require "kit.room",
    route = require "kit.route",
    rover = require "kit.rover",
    sight = require "kit.sight",
    steer = require "kit.steer",
    terrain = require "kit.terrain",
    track = require "kit.track",
    util = util,
}, "kit")
