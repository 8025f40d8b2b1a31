--[[
kit: the whole scene kit behind one require.

    local kit = require "kit"
    kit.room.floor(world, {friction = p.floor_friction})
    local R = kit.rover.new()

Its fields are the modules of scripts/kit/ (door, people, props, room, route, rover, sight,
steer, terrain, track, util): each is loaded on first use (as require "kit.NAME" would, so
an episode's sources list only the modules it used). A name that is no kit module is an
error that lists the known ones. `require "kit.room"` still works for a module alone.
--]]

local NAMES = {"door", "people", "props", "room", "route", "rover", "sight", "steer", "terrain", "track", "util"}
local KNOWN = {}
for _, n in ipairs(NAMES) do KNOWN[n] = true end

return setmetatable({}, {__index = function(t, k)
    if not KNOWN[k] then
        error(string.format("kit: no module '%s' (known: %s)", tostring(k), table.concat(NAMES, ", ")), 2)
    end
    local m = require("kit." .. k)
    rawset(t, k, m)
    return m
end})
