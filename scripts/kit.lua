--[[
kit: the whole scene kit behind one require.

    local kit = require "kit"
    kit.room.floor(world, {friction = p.floor_friction})
    local R = kit.rover.new()

Its fields are the modules of scripts/kit/ (door, people, props, room, route, rover, sight,
steer, terrain, track, util): each is loaded on first use (as require "kit.NAME" would, so
an episode's sources list only the modules it used). A name that is no kit module is an
error that lists the known ones. `require "kit.room"` still works for a module alone.
The robot models and the task modules have the same kind of umbrella: require "robots"
(robots.diffdrive, ...) and require "scenario" (scenario.safety, ...).
--]]

return require("kit.util").modules("kit", {"door", "people", "props", "room", "route", "rover", "sight", "steer",
                                           "terrain", "track", "util"})
