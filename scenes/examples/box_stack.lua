-- A stack of n cardboard boxes (0.30 x 0.30 x 0.20 m, 2 kg each) on the floor, each
-- placed with a small random x-y offset (uniform in [-jitter, jitter], drawn from the
-- episode RNG, bottom box first). The stack must stand: success when the top box is
-- still within 2 cm of its start (horizontally) at the time limit; failure as soon as
-- it drops below half its start height (the stack fell).

local BOX = {0.30, 0.30, 0.20}   -- m, full extents
local BOX_MASS = 2.0             -- kg
local TOL = 0.02                 -- m, allowed horizontal drift of the top box

local top                        -- handle of the top box (set in build)

local scene = {
    name = "box_stack",
    domain = "examples",
    description = "A stack of n boxes must stay standing for 10 s",
    timestep = 0.002,
    time_limit = 10,
    view = {eye = {1.40, -3.00, 2.00}, target = {0.00, 0.00, 1.00}, fov = 45},
    world = {iterations = 40},
    params = {
        n = {default = 10, min = 1, max = 30, integer = true, description = "number of boxes"},
        jitter = {default = 0.005, min = 0.0, max = 0.05, description = "max x-y offset of each box, m"},
    },
}

local function final_step(ctx)
    return ctx.step >= math.floor(scene.time_limit / ctx.dt + 0.5)
end

local function top_offset(ctx)
    local s = ctx.state
    local x, y, z = top:pos()
    return math.sqrt((x - s.x0) ^ 2 + (y - s.y0) ^ 2), z
end

function scene.build(world, ctx)
    local n, j = ctx.params.n, ctx.params.jitter
    world:material{name = "cardboard", friction = 0.6}
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.55, 0.55, 0.5}}
    local b
    for i = 1, n do
        local dx = (2 * math.random() - 1) * j
        local dy = (2 * math.random() - 1) * j
        b = world:body{
            name = "box" .. i,
            pos = {dx, dy, (i - 0.5) * BOX[3]},
            mass = BOX_MASS,
            geoms = {{type = "box", size = BOX, material = "cardboard",
                      color = {0.75, 0.6 - 0.02 * (i % 5), 0.4}}},
        }
    end
    top = b
    local x, y, z = top:pos()
    ctx.state.x0, ctx.state.y0, ctx.state.z0 = x, y, z
    ctx.state.max_offset = 0
end

function scene.step(ctx)
    local d = top_offset(ctx)
    if d > ctx.state.max_offset then ctx.state.max_offset = d end
end

function scene.failure(ctx)
    local _, z = top_offset(ctx)
    if z < 0.5 * ctx.state.z0 then
        return true, string.format("top box fell to z = %.3f m (start %.3f m)", z, ctx.state.z0)
    end
    return false
end

function scene.success(ctx)
    return final_step(ctx) and top_offset(ctx) < TOL
end

function scene.metrics(ctx)
    local d, z = top_offset(ctx)
    return {
        top_displacement = d,
        top_displacement_max = ctx.state.max_offset,
        top_height_drop = ctx.state.z0 - z,
    }
end

return scene
