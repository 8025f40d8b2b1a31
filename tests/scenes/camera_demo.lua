-- Test scene for camera sensors through the CLI (needs the renderer: run by
-- tests/test_camera_cli.sh only when PILOTSIM_RENDER is built). A static stand
-- at 0.5 m looks along +x at a red box (front face at x = 2.75 m); a ball rolls
-- across the floor so the state hash means something. With `cameras = 1` three
-- cameras (rgb, depth, segmentation, 10 Hz) watch; `cameras = 0` makes none, and
-- the final hash must be the same: rendering never touches the physics.
--
-- Observation: centre {5}: the centre pixel's r, g, b, depth (m) and segment id.
-- success: at the last step, the centre pixel is red, at 2.75 m, and the box's segment.
local cams = {}
local box

local scene = {
    name = "camera_demo",
    domain = "test",
    description = "a red box straight ahead of RGB, depth and segmentation cameras",
    timestep = 0.004,
    time_limit = 0.4,
    params = {
        cameras = {default = 1, min = 0, max = 1, integer = true, description = "1: make the cameras"},
        width = {default = 64, min = 8, max = 640, integer = true, description = "image width, px"},
        height = {default = 48, min = 8, max = 480, integer = true, description = "image height, px"},
    },
}

function scene.build(world, ctx)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.5, 0.5, 0.5}}
    box = world:body{name = "box", pos = {3, 0, 0.25}, mass = 5,
                     geoms = {{type = "box", size = {0.5, 0.5, 0.5}, color = {1, 0, 0}}}}
    local ball = world:body{name = "ball", pos = {1.5, -1, 0.1}, mass = 0.5, linvel = {0, 0.8, 0},
                            geoms = {{type = "sphere", radius = 0.1, color = {0.2, 0.4, 1}}}}
    local stand = world:body{name = "stand", kind = "static", pos = {0, 0, 0.25}}
    cams = {}
    if ctx.params.cameras == 1 then
        for _, kind in ipairs({"rgb", "depth", "segmentation"}) do
            cams[kind] = world:sensor{type = "camera", name = "front_" .. kind, body = stand, camera = kind,
                                      width = ctx.params.width, height = ctx.params.height,
                                      fov_y = 1.0, near = 0.05, far = 20, rate = 10}
        end
    end
    ctx.state.box_segment = box:id()   -- body index + 1, as segmentation ids
end

-- The centre pixel (top row first, row-major; RGB has 3 channels).
local function centre(ctx, out)
    if not cams.rgb then
        for i = 1, 5 do out[i] = 0 end
        return
    end
    local w, h = ctx.params.width, ctx.params.height
    local i = (h // 2) * w + (w // 2)
    local rgb, d, s = cams.rgb:data(), cams.depth:data(), cams.segmentation:data()
    out[1], out[2], out[3] = rgb[3 * i + 1], rgb[3 * i + 2], rgb[3 * i + 3]
    out[4], out[5] = d[i + 1], s[i + 1]
end

scene.observation = {centre = {shape = {5}, fn = centre}}

function scene.success(ctx)
    -- only at the last step, so both variants run the same number of steps
    if ctx.step < math.floor(scene.time_limit / ctx.dt + 0.5) or not cams.rgb then return false end
    local c = ctx.obs.centre
    return c[1] > 0.4 and c[2] < 0.15 and c[3] < 0.15 and math.abs(c[4] - 2.75) < 0.0275
        and c[5] == ctx.state.box_segment
end

function scene.metrics(ctx)
    local c = ctx.obs.centre
    return {r = c[1], g = c[2], b = c[3], depth = c[4], segment = c[5], box_segment = ctx.state.box_segment}
end

return scene
