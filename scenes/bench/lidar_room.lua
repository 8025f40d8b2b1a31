--[[
bench/lidar_room: the cost of lidar sensors. A differential-drive robot
(robots.diffdrive, defaults) drives a fixed forward/turn pattern in a 10 x 10 m walled
room with 50 static obstacles; the param `lidar` mounts nothing ("none"), a 2D lidar
("2d": 360 beams over 360 deg, 10 Hz) or a 3D lidar ("3d": 16 x 360 beams, elevation
-15..+15 deg, 10 Hz) on a 0.25 m mast above the chassis centre. Both lidars: range
0.05..20 m, gaussian noise 0.01 m. `pilotsim bench --sensors` runs the three variants
and reports the steps/s of each and the overhead relative to "none".

Sensors never act on the physics, so the three variants follow the same trajectory bit
for bit (the bench checks the final state hashes).

WORLD: pilotsim defaults; timestep 0.002 s, time limit 30 s (15000 steps, 300 lidar
scans). Static geometry: the ground plane z = 0; 4 walls 0.5 m high with inner faces
at x = +-5 and y = +-5; 50 obstacles (boxes and upright cylinders, 0.3..0.6 m wide,
0.4..1.0 m high) on a 1 m grid outside the central 5 x 5 m, where the robot drives
(its chassis centre stays within 1.5 m of the origin; it never touches an obstacle).

DRIVING PATTERN (as bench/diffdrive_obstacles): with c = step % 2000, forward for
c < 1250 (both wheels 5 rad/s, 0.5 m/s), otherwise turn left in place (wheels -2.3 /
+2.3 rad/s); set_wheels only when the mode changes.
--]]

local diffdrive = require "robots.diffdrive"
local kit = require "kit"

local DEG = math.pi / 180

-- The 84 cells of the 10 x 10 grid (centres -4.5 .. 4.5 m) outside the central
-- 4 x 4 cells, in row order; 50 of them, spread evenly, hold an obstacle.
local function obstacles()
    local cells = {}
    for j = 0, 9 do
        for i = 0, 9 do
            local x, y = -4.5 + i, -4.5 + j
            if math.abs(x) > 2 or math.abs(y) > 2 then cells[#cells + 1] = {x, y} end
        end
    end
    local list = {}
    for n = 0, 49 do
        local c = cells[math.floor(n * #cells / 50) + 1]
        local w = 0.3 + 0.3 * ((n * 37) % 10) / 10       -- width 0.3 .. 0.57 m
        local h = 0.4 + ((n * 53) % 7) / 10              -- height 0.4 .. 1.0 m
        local dx, dy = 0.2 * math.sin(n * 1.7), 0.2 * math.cos(n * 2.3)  -- jitter within the cell
        list[#list + 1] = {x = c[1] + dx, y = c[2] + dy, w = w, h = h, cyl = n % 2 == 1}
    end
    return list
end

local robot                              -- set in build

local scene = {
    name = "lidar_room",
    domain = "bench",
    description = "Diff-drive robot among 50 obstacles with no lidar, a 2D lidar or a 3D lidar",
    timestep = 0.002,
    time_limit = 30,
    params = {
        lidar = {default = "none", choices = {"none", "2d", "3d"},
                 description = "sensor on the robot: none, 2D (360 beams) or 3D (16 x 360 beams), 10 Hz"},
    },
}

function scene.build(world, ctx)
    kit.room.floor(world, {color = {0.6, 0.6, 0.55}})
    kit.room.walls(world, {-5, -5, 5, 5}, {height = 0.5, color = {0.4, 0.4, 0.45}})
    for i, o in ipairs(obstacles()) do
        if o.cyl then
            world:geom{type = "cylinder", radius = o.w / 2, length = o.h, pos = {o.x, o.y, o.h / 2},
                       color = {0.3, 0.6, 0.4}, name = "obstacle" .. i}
        else
            world:geom{type = "box", size = {o.w, o.w, o.h}, pos = {o.x, o.y, o.h / 2},
                       color = {0.7, 0.5, 0.3}, name = "obstacle" .. i}
        end
    end
    robot = diffdrive.build(world, {name = "robot", pos = {0, 0}, yaw = 0})
    local kind = ctx.params.lidar
    if kind ~= "none" then
        local def = {type = "lidar", name = "lidar", body = robot.chassis, pos = {0, 0, 0.25},
                     h_beams = 360, rate = 10, range_min = 0.05, range_max = 20, noise = {stddev = 0.01}}
        if kind == "3d" then
            def.v_beams, def.v_min, def.v_max = 16, -15 * DEG, 15 * DEG
        end
        world:sensor(def)
    end
    ctx.state.mode = 0                   -- 0 = not set yet, 1 = forward, 2 = turning
end

function scene.step(ctx)
    diffdrive.shuttle(ctx.state, ctx.step, {robot})
end

function scene.metrics(ctx)
    local x, y, yaw = robot:pose2d()
    return {robot_x = x, robot_y = y, robot_yaw_deg = math.deg(yaw)}
end

return scene
