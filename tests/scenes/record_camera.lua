-- Test and benchmark scene for dataset recording (tests/test_dataset.sh, docs/datasets.md):
-- a static camera (RGB, `size` x `size` px, 10 Hz; none with cameras = 0) watches a red ball
-- that the policy pushes around the floor.
--
-- Observation: front {size, size, 3} RGB 0..1; ball {7}: the ball's pose.
-- Action: push {2}: horizontal force on the ball, [-1, 1] x 5 N.
-- success: the ball ends within 0.5 m of the origin's +y side (x in [1, 3], y > 0).
local ball

local scene = {
    name = "record_camera",
    domain = "test",
    description = "a pushed ball under a 10 Hz RGB camera, for recording datasets",
    timestep = 0.01,
    time_limit = 2,
    instruction = "keep the ball in view",
    -- its policy, tests/policies/record_camera_policy.lua, comes from --policy (a scene may name
    -- only a policy beside it or in scripts/)
    params = {
        size = {default = 128, min = 8, max = 512, integer = true, description = "image width and height, px"},
    },
}

function scene.build(world, ctx)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.5, 0.5, 0.5}}
    ball = world:body{name = "ball", pos = {2, 0, 0.2}, mass = 1,
                      geoms = {{type = "sphere", radius = 0.2, color = {1, 0, 0}}}}
    local stand = world:body{name = "stand", kind = "static", pos = {0, 0, 0.6}}
    world:sensor{type = "camera", name = "front", body = stand, camera = "rgb", width = ctx.params.size,
                 height = ctx.params.size, fov_y = 1.2, near = 0.05, far = 20, rate = 10}
    world:sensor{type = "pose", name = "ball_pose", body = ball}
end

scene.observation = {ball = {sensor = "ball_pose"}, front = {sensor = "front"}}
scene.action = {push = {shape = {2}, low = {-1, -1}, high = {1, 1}}}

function scene.act(ctx, action)
    ball:add_force(5 * action.push[1], 5 * action.push[2], 0)
end

function scene.success(ctx)
    if ctx.step < math.floor(scene.time_limit / ctx.dt + 0.5) then return false end
    local b = ctx.obs.ball
    return b[1] > 1 and b[1] < 3 and b[2] > 0
end

function scene.metrics(ctx)
    local b = ctx.obs.ball
    return {x = b[1], y = b[2]}
end

return scene
