-- The navigation half of the scene kit (kit.rover, kit.route, kit.steer, kit.sight,
-- kit.door, kit.room.slab and corridor{miter = true}) in one world, with metrics
-- tests/test_kit.sh checks: a robot driven by kit.steer along a kit.route through a
-- mitered L-shaped corridor 1.2 m wide reaches its last stop; a lift cab carries a box up
-- 1 m; a sliding door is half open after 1 s; a ball over a slab's hole falls through
-- while one over the slab rests on it; kit.sight's occlusion and field of view.
local diffdrive = require "robots.diffdrive"
local room = require "kit.room"
local door = require "kit.door"
local rover = require "kit.rover"
local route = require "kit.route"
local sight = require "kit.sight"
local steer = require "kit.steer"

local R, rt = rover.new(), route.new()
local bot, cab, gate, box, ball_hole, ball_slab
local mem = {}
local scene = {name = "kit_nav", timestep = 0.005, time_limit = 25}

function scene.build(world, ctx)
    room.floor(world, {offset = -1})
    room.slab(world, {-2, -2, 14, 6}, {z = 0, hole = {9.5, -1.5, 10.5, -0.5}})
    room.corridor(world, {{-1, 0}, {4, 0}, {4, 4}}, {half_width = 0.6, height = 1, end_caps = true, miter = true})
    bot = diffdrive.build(world, {name = "bot", pos = {0, 0}, casters = 2, wheel_x = 0, caster_lift = 0.004})
    R:attach(bot, ctx.state)
    rt:set(ctx.state, {{4, 0, tol = 0.3}, {4, 3, stop = true, face = math.pi / 2, dwell = 0.5}})
    cab = door.lift(world, {name = "cab", x = 8, y = 3, size = {1, 1}, levels = {1, 2}})
    box = world:body{name = "box", pos = {8, 3, 1.051}, mass = 0.2, geoms = {{type = "box", size = {0.1, 0.1, 0.1}}}}
    gate = door.sliding(world, {name = "gate", x = 12, y = 3, axis = "x", width = 1.2, speed = 0.6})
    ball_hole = world:body{name = "ball_hole", pos = {10, -1, 0.5}, geoms = {{type = "sphere", radius = 0.1}}}
    ball_slab = world:body{name = "ball_slab", pos = {11.5, -1, 0.5}, geoms = {{type = "sphere", radius = 0.1}}}
    ctx.state.gate_1s = -1
end

function scene.step(ctx)
    local x, y, yaw = R:pose()
    local obs = {}
    scene.observation.route.fn(ctx, obs)
    local v, w = steer.route(obs, mem, {vmax = 0.6})
    R:drive(ctx, v, w, 1.0, 3.0)
    R:track(ctx)
    rt:update(ctx, x, y, yaw, R:speed())
    if ctx.t >= 0.5 then cab:call(ctx.state, 2) end
    cab:update(ctx)
    gate:update(ctx, true)
    if ctx.state.gate_1s < 0 and ctx.t >= 1.0 then ctx.state.gate_1s = gate:fraction(ctx.state) end
end

scene.observation = {route = rt:entry(R)}

function scene.success(ctx) return rt:done(ctx.state) and ctx.t > 4 end

function scene.metrics(ctx)
    local _, _, bz = box:pos()
    local _, _, hz = ball_hole:pos()
    local _, _, sz = ball_slab:pos()
    local seen = sight.view(0, 0, 0, 3, 0.5, {fov = math.rad(60), range = 5})
    local wide = sight.view(0, 0, 0, 1, 2, {fov = math.rad(60), range = 5})
    return {route_done = rt:count(ctx.state), path = R:path(ctx), lift_box_z = bz, lift_level = cab:level(ctx.state) or 0,
            gate_1s = ctx.state.gate_1s, ball_hole_z = hz, ball_slab_z = sz,
            sight_blocked = sight.crosses(0, 0, 2, 0, {0.9, -0.1, 1.1, 0.1}) and 1 or 0,
            sight_clear = sight.crosses(0, 0, 2, 0, {0.9, 0.2, 1.1, 0.4}) and 1 or 0,
            sight_in_view = seen and 1 or 0, sight_outside_fov = wide and 1 or 0}
end

return scene
