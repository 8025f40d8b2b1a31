-- A differential-drive robot (robots.diffdrive: 0.5 x 0.4 x 0.15 m, 20 kg chassis,
-- two 0.1 m wheels on velocity-motor hinges, one low-friction rear ball caster) drives a
-- square by itself. step() runs a waypoint controller: turn in place towards the
-- next corner, drive to it with a proportional heading correction, repeat. The
-- corners are, counter-clockwise from the start (0, 0) facing +x:
-- (side, 0), (side, side), (0, side), back to (0, 0). Positions are those of the
-- axle midpoint (robot:axle2d(), the point the robot turns in place about).
--
-- success: all 4 corners visited (within `tolerance`) and back within 0.25 m of the start
-- failure: the chassis tipped (its up axis' world z < 0.5)
-- reward:  -(distance to the next waypoint) * dt per step

local diffdrive = require "robots.diffdrive"

local robot                      -- the robot of the current episode (set in build)

local scene = {
    name = "diffdrive_square",
    domain = "examples",
    description = "Diff-drive robot drives a 2 m square with a waypoint controller",
    timestep = 0.002,
    time_limit = 60,
    view = {eye = {1.00, -3.60, 3.40}, target = {1.00, 1.00, 0.00}, fov = 45},
    params = {
        side = {default = 2.0, min = 0.5, max = 5.0, description = "square side, m"},
        speed = {default = 0.5, min = 0.1, max = 1.0, description = "cruise speed, m/s"},
        turn_rate = {default = 1.2, min = 0.2, max = 3.0, description = "max yaw rate in place, rad/s"},
        tolerance = {default = 0.05, min = 0.01, max = 0.2, description = "waypoint reached radius, m"},
    },
}

local HOME_TOL = 0.25          -- m, success radius around the start
local ALIGN = 0.02             -- rad, heading error at which a turn ends
local REALIGN = 0.35           -- rad, heading error that interrupts driving


local kit = require "kit"
local clamp = kit.util.clamp

-- The waypoint list, as plain data (index 1..4; 4 = the start).
local function waypoint(s, i)
    local w = s.waypoints[i]
    return w[1], w[2]
end

local function dist_to_next(ctx)
    local s = ctx.state
    local x, y = robot:axle2d()
    local i = math.min(s.next, #s.waypoints)
    local wx, wy = waypoint(s, i)
    return math.sqrt((wx - x) ^ 2 + (wy - y) ^ 2)
end

function scene.build(world, ctx)
    kit.room.floor(world, {color = {0.6, 0.6, 0.55}})
    -- chassis centre 0.1 m behind the origin, so the axle midpoint starts at (0, 0)
    robot = diffdrive.build(world, {name = "robot", pos = {-0.1, 0}, yaw = 0})
    local a = ctx.params.side
    local s = ctx.state
    s.waypoints = {{a, 0}, {a, a}, {0, a}, {0, 0}}
    s.next = 1                  -- index of the waypoint being approached
    s.visited = 0
    s.phase = "turn"            -- "turn", "drive" or "done"
    s.path = 0
    s.x0, s.y0 = 0, 0
    s.px, s.py = robot:axle2d()
    s.t_done = -1
end

function scene.step(ctx)
    local s = ctx.state
    local p = ctx.params
    local x, y, yaw = robot:axle2d()
    kit.track.odometer(s, x, y)

    if s.phase == "done" then
        robot:set_twist(0, 0)
        return
    end
    local wx, wy = waypoint(s, s.next)
    local dx, dy = wx - x, wy - y
    local d = math.sqrt(dx * dx + dy * dy)
    if d < p.tolerance then
        s.visited = s.visited + 1
        if s.next == #s.waypoints then
            s.phase = "done"
            s.t_done = ctx.t
            robot:set_twist(0, 0)
            return
        end
        s.next = s.next + 1
        s.phase = "turn"
        wx, wy = waypoint(s, s.next)
        dx, dy = wx - x, wy - y
        d = math.sqrt(dx * dx + dy * dy)
    end
    local err = kit.util.wrap(math.atan(dy, dx) - yaw)
    if s.phase == "turn" and math.abs(err) < ALIGN then
        s.phase = "drive"
    elseif s.phase == "drive" and math.abs(err) > REALIGN then
        s.phase = "turn"
    end
    if s.phase == "turn" then
        -- in place; the 0.15 rad/s floor keeps the turn from stalling near the goal
        local w = clamp(3.0 * err, -p.turn_rate, p.turn_rate)
        if math.abs(w) < 0.15 then w = (err >= 0) and 0.15 or -0.15 end
        robot:set_twist(0, w)
    else
        local v = clamp(1.2 * d, 0.08, p.speed)
        robot:set_twist(v, clamp(4.0 * err, -p.turn_rate, p.turn_rate))
    end
end

function scene.reward(ctx)
    return -dist_to_next(ctx) * ctx.dt
end

function scene.failure(ctx)
    local up = robot:up_z()
    if up < 0.5 then
        return true, string.format("robot tipped over (up z = %.2f)", up)
    end
    return false
end

function scene.success(ctx)
    local s = ctx.state
    if s.visited < #s.waypoints then return false end
    local x, y = robot:axle2d()
    return math.sqrt((x - s.x0) ^ 2 + (y - s.y0) ^ 2) < HOME_TOL
end

function scene.metrics(ctx)
    local s = ctx.state
    local x, y, yaw = robot:axle2d()
    return {
        final_position_error = math.sqrt((x - s.x0) ^ 2 + (y - s.y0) ^ 2),
        final_heading_deg = math.deg(yaw),
        path_length = s.path,
        corners_visited = s.visited,
        time_to_finish = s.t_done,
    }
end

return scene
