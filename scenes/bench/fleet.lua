--[[
bench/fleet: the pilot base at scale (issue 19). `n` differential-drive robots
(robots.diffdrive, defaults), each with a 2D lidar (360 beams over 360 deg, 10 Hz,
range 0.05..20 m, gaussian noise 0.01 m, on a 0.25 m mast), drive a fixed
forward/turn pattern on an 80 x 80 m floor with 400 static obstacles.
`pilotsim bench --scale` runs it with n = 1, 10, 30 and 130 and reports the cost per
step and per robot-step, the real-time factor and the peak memory.

WORLD: pilotsim defaults but world.static_space = true and world.space = "sap";
timestep 0.002 s, time limit 10 s. Static geometry: the ground plane z = 0; 4 walls 0.5 m high with inner faces at x = +-40 and y = +-40;
400 obstacles (boxes and upright cylinders, 0.3..0.57 m wide, 0.4..1.0 m high), one
at the centre of each 4 x 4 m cell of a 20 x 20 grid, jittered by up to 0.2 m.
404 static shapes and the plane in all.

ROBOTS: on the 19 x 19 inner cell corners (x, y in -36..36 m step 4), robot k
(0-based) at corner floor(k * 361 / n) in row order, heading k * 0.7 rad. A robot
stays within 1.5 m of its corner; the nearest obstacle edge is more than 2.4 m away
and the neighbouring corners are 4 m away, so robots touch only the floor.

DRIVING PATTERN (as bench/lidar_room): with c = step % 2000, forward for c < 1250
(both wheels 5 rad/s, 0.5 m/s), otherwise turn left in place (wheels -2.3 / +2.3
rad/s); set_wheels only when the mode changes.
--]]

local diffdrive = require "robots.diffdrive"

local CELLS, CELL, HALF = 20, 4.0, 40.0  -- obstacle grid, cell size m, floor half-width m

local robots = {}                        -- set in build

local scene = {
    name = "fleet",
    domain = "bench",
    description = "n lidar diff-drive robots on an 80 x 80 m floor with 400 obstacles",
    timestep = 0.002,
    time_limit = 10,
    -- The 404 static shapes and the plane in a quadtree of their own, tested
    -- only against the robots; the robots in a sweep-and-prune space, which
    -- keeps its buffers from step to step (docs/performance.md).
    world = {static_space = true, space = "sap"},
    params = {
        n = {default = 10, min = 1, max = 361, integer = true,
             description = "number of robots (each with a 360-beam 10 Hz lidar)"},
    },
}

function scene.build(world, ctx)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.6, 0.6, 0.55}}
    local wall = {0.4, 0.4, 0.45}
    local len = 2 * HALF + 0.2
    world:geom{type = "box", size = {0.1, len, 0.5}, pos = {HALF + 0.05, 0, 0.25}, color = wall}
    world:geom{type = "box", size = {0.1, len, 0.5}, pos = {-HALF - 0.05, 0, 0.25}, color = wall}
    world:geom{type = "box", size = {len, 0.1, 0.5}, pos = {0, HALF + 0.05, 0.25}, color = wall}
    world:geom{type = "box", size = {len, 0.1, 0.5}, pos = {0, -HALF - 0.05, 0.25}, color = wall}
    local n = 0
    for j = 0, CELLS - 1 do
        for i = 0, CELLS - 1 do
            local x = -HALF + CELL * (i + 0.5) + 0.2 * math.sin(n * 1.7)
            local y = -HALF + CELL * (j + 0.5) + 0.2 * math.cos(n * 2.3)
            local w = 0.3 + 0.3 * ((n * 37) % 10) / 10       -- width 0.3 .. 0.57 m
            local h = 0.4 + ((n * 53) % 7) / 10              -- height 0.4 .. 1.0 m
            if n % 2 == 1 then
                world:geom{type = "cylinder", radius = w / 2, length = h, pos = {x, y, h / 2},
                           color = {0.3, 0.6, 0.4}}
            else
                world:geom{type = "box", size = {w, w, h}, pos = {x, y, h / 2}, color = {0.7, 0.5, 0.3}}
            end
            n = n + 1
        end
    end
    local count = ctx.params.n
    local corners = (CELLS - 1) * (CELLS - 1)
    robots = {}
    for k = 0, count - 1 do
        local c = math.floor(k * corners / count)
        local x = -HALF + CELL * (1 + c % (CELLS - 1))
        local y = -HALF + CELL * (1 + c // (CELLS - 1))
        local name = "robot" .. k
        local r = diffdrive.build(world, {name = name, pos = {x, y}, yaw = k * 0.7})
        world:sensor{type = "lidar", name = name .. "/lidar", body = r.chassis, pos = {0, 0, 0.25},
                     h_beams = 360, rate = 10, range_min = 0.05, range_max = 20, noise = {stddev = 0.01}}
        robots[k + 1] = r
    end
    ctx.state.mode = 0                   -- 0 = not set yet, 1 = forward, 2 = turning
end

function scene.step(ctx)
    diffdrive.shuttle(ctx.state, ctx.step, robots)
end

function scene.metrics(ctx)
    local x, y = robots[1]:pose2d()
    return {robot0_x = x, robot0_y = y, robots = #robots}
end

return scene
