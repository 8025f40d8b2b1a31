-- Run with --trusted by tests/test_lua_api.sh (it needs debug.getmetatable and io): every
-- method the runtime registers on a class must have a stub in
-- tools/lua-api/types/pilotsim.lua, and every stubbed method must exist. The stub file's
-- path comes from the scene param `stubs`.
local scene = {
    name = "api_stub_coverage", timestep = 0.01, time_limit = 0.02,
    params = {stubs = {default = "", description = "path of the generated stub file"}},
}

local function methods(h)
    local idx = debug.getmetatable(h).__index
    local out = {}
    for k in pairs(idx) do out[#out + 1] = k end
    table.sort(out)
    return out
end

function scene.build(world, ctx)
    local f = assert(io.open(ctx.params.stubs))
    local text = f:read("a")
    f:close()
    local stubbed = {}
    -- line by line (plain find), so no pattern runs over the whole file
    local pos = 1
    while true do
        local _, e = text:find("\nfunction ", pos, true)
        if not e then break end
        local nl = text:find("\n", e + 1, true) or #text + 1
        local cls, m = text:sub(e + 1, nl - 1):match("^(%w+):([%w_]+)%(")
        if cls then
            stubbed[cls] = stubbed[cls] or {}
            stubbed[cls][m] = true
        end
        pos = e
    end
    local b = world:body{name = "b", pos = {0, 0, 1}, geoms = {{type = "sphere", radius = 0.1}}}
    local b2 = world:body{name = "b2", pos = {0, 0, 2}, geoms = {{type = "sphere", radius = 0.1}}}
    local j = world:joint{type = "hinge", body1 = b2, body2 = b, anchor = {0, 0, 1.5}, axis = {0, 1, 0}}
    local handles = {
        World = world, Body = b, Joint = j,
        Geom = world:geom{type = "plane", normal = {0, 0, 1}, offset = 0},
        Robot = world:robot{name = "r", links = {b, b2}, joints = {{joint = j, name = "j"}}},
        Sensor = world:sensor{type = "imu", name = "imu", body = b},
    }
    local problems = {}
    for _, cls in ipairs({"World", "Body", "Geom", "Joint", "Robot", "Sensor"}) do
        local have = {}
        for _, m in ipairs(methods(handles[cls])) do
            have[m] = true
            if not (stubbed[cls] or {})[m] then problems[#problems + 1] = cls .. ":" .. m .. " has no stub" end
        end
        local names = {}
        for m in pairs(stubbed[cls] or {}) do names[#names + 1] = m end
        table.sort(names)
        for _, m in ipairs(names) do
            if not have[m] then problems[#problems + 1] = cls .. ":" .. m .. " is stubbed but not registered" end
        end
    end
    if #problems > 0 then error(table.concat(problems, "; "), 0) end
end

function scene.success() return true end

return scene
