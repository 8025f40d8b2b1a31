-- Fuzz seed (issue 12): finalizers and to-be-closed variables, which Lua runs
-- with hooks off (outside the instruction budget and the wall clock). The
-- sandbox refuses both; the fuzzer mutates around the refusals (a __gc added
-- after setmetatable is never run; <close> in load()ed text or in a coroutine).
local mt = {}
local keep = setmetatable({}, mt)
mt.__gc = function() while true do end end -- added later: never a finalizer
local ok, err = pcall(setmetatable, {}, {__gc = function() while true do end end})
assert(not ok and err:find("__gc"))
local f, msg = load("local x <close> = setmetatable({}, {__close = function() while true do end end})")
assert(f == nil and msg:find("to%-be%-closed"))
local parts, i = {"local y <cl", "ose> = nil"}, 0
assert(load(function() i = i + 1 return parts[i] end) == nil)
local c = load("local z <const> = 1 return z")
assert(c() == 1)
return {
    name = "finalizers",
    timestep = 0.01,
    time_limit = 0.1,
    build = function(world, ctx)
        world:body{pos = {0, 0, 1}, geoms = {{type = "box", size = {0.1, 0.1, 0.1}}}}
    end,
    step = function(ctx)
        local co = coroutine.create(function()
            pcall(setmetatable, {}, {__gc = print})
            coroutine.yield(1)
            while true do end
        end)
        coroutine.resume(co)
        coroutine.close(co)
        collectgarbage()
        keep = nil
    end,
}
