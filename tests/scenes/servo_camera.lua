-- Visual servoing through a camera observation (protocol v2 tests and the
-- example peer tools/python/examples/visual_servo.py; needs the renderer).
-- A kinematic cart slides along y carrying a forward RGB camera (+x); a red
-- box stands 3 m ahead at a lateral offset drawn per episode. The policy sees
-- only the image (`rgb`, uint8 H x W x 3) and the instruction, and commands
-- the cart's lateral speed; success when the box is centred (|dy| < 2 cm) and
-- the cart nearly still. The policy and the camera run at 10 Hz (policy_hz) over 250 Hz physics.
local cart, box

local scene = {
    name = "servo_camera",
    domain = "test",
    description = "centre a red box in a cart-mounted camera's image",
    timestep = 0.004,
    time_limit = 6,
    policy_hz = 10,
    params = {
        offset = {default = 0.5, min = -0.8, max = 0.8, randomize = true, description = "box's lateral offset, m"},
        size = {default = 64, min = 16, max = 448, integer = true, description = "image width and height, px"},
    },
    instruction = function(params, seed)
        return string.format("centre the red box in the image (it starts %s)", params.offset > 0 and "left" or "right")
    end,
}

function scene.build(world, ctx)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.5, 0.5, 0.5}}
    box = world:body{name = "box", kind = "static", pos = {3, ctx.params.offset, 0.25},
                     geoms = {{type = "box", size = {0.3, 0.3, 0.5}, color = {1, 0, 0}}}}
    cart = world:body{name = "cart", kind = "kinematic", pos = {0, 0, 0.25}}
    world:sensor{type = "camera", name = "front", body = cart, camera = "rgb", width = ctx.params.size,
                 height = ctx.params.size, fov_y = 0.9, near = 0.05, far = 20, rate = 10}
end

scene.observation = {
    rgb = {sensor = "front"},
    y = {shape = {1}, fn = function(ctx, out) local _, y = cart:pos() out[1] = y end},
}
scene.action = {vy = {shape = {1}, low = -1, high = 1}}

function scene.act(ctx, action) cart:set_linvel(0, action.vy[1], 0) end

function scene.success(ctx)
    local _, y = cart:pos()
    local _, vy = cart:linvel()
    return math.abs(y - ctx.params.offset) < 0.02 and math.abs(vy) < 0.05
end

function scene.metrics(ctx)
    local _, y = cart:pos()
    return {error = math.abs(y - ctx.params.offset)}
end

return scene
