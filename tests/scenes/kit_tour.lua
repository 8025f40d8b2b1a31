-- Every builder of the scene kit in one world, with metrics tests/test_kit.sh checks:
-- a parcel carried by the conveyor, boxes resting on the ramp's landing and the top step,
-- a box that stays in a doorway-less room, a crowd that walks, the bodies the kit made,
-- a block dropped into a static open box (a tote turned 0.5 rad) and one into an open-box
-- body resting on the floor: both stay inside, on its floor.
local room = require "kit.room"
local props = require "kit.props"
local terrain = require "kit.terrain"
local people = require "kit.people"
local track = require "kit.track"

local belt, parcel, on_steps, on_ramp, crowd, rocks, in_tote, in_bin
local scene = {name = "kit_tour", timestep = 0.002, time_limit = 2.0}

function scene.build(world, ctx)
    room.floor(world, {friction = 0.8})
    room.walls(world, {-10, -10, 10, 10}, {height = 1, doors = {{side = "n", at = 0, width = 1.2},
                                                                 {side = "e", at = -2, width = 1.0}}})
    room.wall(world, {-9, 5}, {-6, 5})
    room.corridor(world, {{-8, -8}, {-4, -8}, {-4, -4}}, {half_width = 0.6, height = 1, end_caps = true})
    props.table(world, {x = -2, y = 6})
    props.table(world, {x = -1, y = 6, style = "legs", size = {0.8, 1.2}})
    props.gondola(world, {x0 = 2, x1 = 5, front = 6, side = 1, tops = {0.15, 0.6, 1.05}})
    props.shelf(world, {x = 7, y = 7, yaw = 0.3, size = {1.2, 0.4}, tops = {0.4, 0.9}})
    belt = props.conveyor(world, {x0 = -6, x1 = 0, y = 2, width = 0.5, top = 0.7, speed = 0.3})
    parcel = world:body{name = "parcel", pos = {-5, 2, 0.7 + 0.1 + 0.001}, mass = 1,
                        geoms = {{type = "box", size = {0.2, 0.2, 0.2}}}}
    props.tree_row(world, {a = {-8, -2}, b = {-8, 2}, spacing = 1})
    props.pipe_rack(world, {bents = {2, 5}, half_width = 1, levels = {2}, height = 3, length = 4, x_mid = 3.5,
                            pipes = {{0, 0.3, 1}}, pipe_length = 4})
    local top = terrain.steps(world, {x = 2, y = -6, n = 3, rise = 0.1, run = 0.3, width = 1, landing = 0.6})
    on_steps = world:body{name = "on_steps", pos = {2 + 0.9 + 0.3, -6, top + 0.05 + 0.01}, mass = 0.5,
                          geoms = {{type = "box", size = {0.1, 0.1, 0.1}}}}
    local rtop = terrain.ramp(world, {x = 6, y = -6, slope = 15, length = 2, width = 1, top = true, top_length = 0.8})
    on_ramp = world:body{name = "on_ramp", pos = {6 + 2 * math.cos(math.rad(15)) + 0.4, -6, rtop + 0.05 + 0.01},
                         mass = 0.5, geoms = {{type = "box", size = {0.1, 0.1, 0.1}}}}
    terrain.heightfield(world, {size = {3, 3}, centre = {7, 2}, dx = 0.25, bumps = 3, bump_height = 0.05,
                                keep_flat = {{7, 2, 0.5}}})
    terrain.rubble(world, {n = 5, area = {4, -3, 6, -1}})
    rocks = terrain.loose(world, {n = 3, area = {4, -3, 6, -1}, size = {0.1, 0.08, 0.06}, mass = 1})
    props.open_box(world, {pos = {-1, -8, 0}, size = {0.4, 0.3, 0.2}, yaw = 0.5})
    in_tote = world:body{name = "in_tote", pos = {-1, -8, 0.3}, mass = 0.2, geoms = {{type = "box", size = {0.08, 0.08, 0.08}}}}
    props.open_box(world, {name = "bin", pos = {0, -8, 0.001}, size = {0.3, 0.3, 0.15}, wall = 0.02, mass = 1})
    in_bin = world:body{name = "in_bin", pos = {0, -8, 0.3}, mass = 0.2, geoms = {{type = "box", size = {0.08, 0.08, 0.08}}}}
    crowd = people.crowd(world, {n = 3, area = {-3, -3, 3, 0}, speed = {1.0, 1.2}})
    ctx.state.path, ctx.state.px, ctx.state.py = 0, crowd[1]:pos()
    ctx.state.top, ctx.state.rtop = top, rtop
end

function scene.step(ctx)
    belt:update()
    people.update(crowd, ctx)
    local x, y = crowd[1]:pos()
    track.odometer(ctx.state, x, y)
end

function scene.metrics(ctx)
    local px = parcel:pos()
    local _, _, sz = on_steps:pos()
    local _, _, rz = on_ramp:pos()
    local line = track.polyline({{0, 0}, {3, 0}, {3, 4}})
    local lx, ly = line:at(5)
    local tx, ty, tz = in_tote:pos()
    local bx, by, bz = in_bin:pos()
    return {parcel_dx = px + 5, steps_rest = sz - ctx.state.top, ramp_rest = rz - ctx.state.rtop,
            walked = ctx.state.path, people_bodies = #people.bodies(crowd), rocks = #rocks,
            line_length = line:length(), line_x = lx, line_y = ly,
            tote_rest = math.max(math.abs(tx + 1), math.abs(ty + 8)) < 0.1 and tz or -1,
            bin_rest = math.max(math.abs(bx), math.abs(by + 8)) < 0.1 and bz or -1}
end

return scene
