-- The policy-interface bench (pilotsim bench --policies): the cost of one
-- policy call on a scene with two observation entries (state {4}, joint {3})
-- and one action (force {2}), and with camera = 1 a third observation, a
-- 224 x 224 RGB camera (uint8 on the wire, 150,528 bytes per frame; needs the renderer).
local cart

return {
    name = "policy_io",
    domain = "bench",
    description = "two state observations and an optional 224x224 RGB camera",
    timestep = 0.01,
    time_limit = 1000,
    params = {camera = {default = 0, min = 0, max = 1, integer = true, description = "1: add the 224x224 RGB camera"}},
    build = function(world, ctx)
        world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.5, 0.5, 0.5}}
        world:body{name = "box", kind = "static", pos = {3, 0.4, 0.25}, geoms = {{type = "box", size = {0.3, 0.3, 0.5}, color = {1, 0, 0}}}}
        cart = world:body{name = "cart", pos = {0, 0, 0.25}, mass = 1, gravity = false}
        if ctx.params.camera == 1 then
            world:sensor{type = "camera", name = "front", body = cart, camera = "rgb", width = 224, height = 224,
                         fov_y = 0.9, near = 0.05, far = 20}
        end
    end,
    observation = {
        state = {shape = {4}, fn = function(ctx, out) local x, y = cart:pos() local vx, vy = cart:linvel() out[1], out[2], out[3], out[4] = x, y, vx, vy end},
        joint = {shape = {3}, fn = function(ctx, out) out[1], out[2], out[3] = ctx.t, 0.5, -0.5 end},
    },
    action = {force = {shape = {2}, low = -1, high = 1}},
    act = function(ctx, action) cart:add_force(action.force[1], action.force[2], 0) end,
}
