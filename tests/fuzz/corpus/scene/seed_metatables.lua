-- Fuzz seed (issue 12): metatables everywhere a scene can put one -- on its
-- world and params tables, on ctx, in helper objects with __index chains,
-- __call, __eq, __lt, __len, __tostring -- plus weak tables and coroutines.
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__eq = function(a, b) return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__len = function(a) return 1 end
V.__tostring = function(a) return "V(" .. a.x .. ")" end
V.__call = function(self, k) return self.x * k end
local function v(x) return setmetatable({x = x}, V) end
local cache = setmetatable({}, {__mode = "k"})
local gen = coroutine.wrap(function()
    local i = 0
    while true do i = i + 1 coroutine.yield(i) end
end)
local scene = {
    name = "metatables",
    timestep = 0.01,
    time_limit = 0.2,
    world = setmetatable({iterations = 10}, {__index = function(t, k) error("world." .. k) end}),
    params = setmetatable({}, {__index = function() while true do end end}),
    build = function(world, ctx)
        setmetatable(ctx, {__index = function(t, k) error("ctx." .. tostring(k)) end,
                           __newindex = function(t, k, val) rawset(t, k, val) end})
        local b = world:body{pos = {0, 0, 1}, geoms = {{type = "sphere", radius = 0.1}}}
        cache[b] = v(1) + v(2)
        ctx.state.n = 0
    end,
    step = function(ctx)
        ctx.state.n = ctx.state.n + gen()
        local a, b = v(ctx.state.n + 1), v(1)
        assert(a == a and b < a and #a == 1 and a(2) == 2 * a.x and tostring(b) == "V(1)")
        local ok = pcall(function() return ctx.missing end)
        assert(not ok)
        local t = {}
        for i = 1, 50 do t[i] = v(50 - i) end
        table.sort(t, function(p, q) return p < q end)
        table.move(t, 1, 10, 20)
    end,
    metrics = function(ctx) return setmetatable({n = ctx.state.n}, {__index = function() error("metrics") end}) end,
}
return scene
