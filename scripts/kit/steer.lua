--[[
kit.steer: the driving helpers of the baseline policies (pure functions of the
observation; no world access, no random draws). Frames: the robot's, dx forward, dy left (m).

  steer.to_point(dx, dy, o)      v, w towards a point: turn in place while the bearing is
                                 off by more than o.turn_tol (0.35 rad, creeping at o.creep
                                 0.1 m/s while below 2 x turn_tol), else drive at
                                 min(o.vmax 0.7, sqrt(2 o.brake (0.5 m/s^2) (d - o.stop (0)))),
                                 steering o.kw (2.0) x bearing, yaw rate within o.wmax (1.0 rad/s)
  steer.route(r, mem, o)         v, w from a kit.route entry r (7 floats): to the point; at a
                                 stop, once within o.arrive (0.08 m), turn to its heading (or
                                 hold still without one) and stay holding while within
                                 o.hold (0.18 m: turning in place moves the chassis centre)
                                 of that point; also returns true while holding. mem: a
                                 table the policy keeps (reset it each episode)
  steer.blocked(p, n, o)         true when one of the n people of a kit.rover people entry p
                                 is, or within o.horizon (1.5 s) will be, in the corridor
                                 o.ahead (1.8 m) ahead, o.half (0.7 m) to each side
                                 (checked every 0.25 s of the horizon)
  steer.give_way(mem, blocked, dt, o)
                                 the forward speed while blocked (nil when not): 0, but after
                                 o.patience (2.5 s) of waiting back off at o.back (0.15 m/s)
                                 for o.back_time (2 s): a person who stopped for the robot (a
                                 scenario.human yields to a robot in its way) then walks on
  steer.face(err, o)             yaw rate turning by err (rad): o.kw x err within o.wmax
--]]

local util = require "kit.util"

local M = {}

local DEF = {turn_tol = 0.35, creep = 0.1, vmax = 0.7, brake = 0.5, stop = 0, kw = 2.0, wmax = 1.0, arrive = 0.08, hold = 0.18,
             horizon = 1.5, ahead = 1.8, half = 0.7, patience = 2.5, back = 0.15, back_time = 2.0}

local function opt(o, k) return (o and o[k]) or DEF[k] end

function M.face(err, o)
    local wm = opt(o, "wmax")
    return util.clamp(opt(o, "kw") * err, -wm, wm)
end

function M.to_point(dx, dy, o)
    local d = math.sqrt(dx * dx + dy * dy)
    local err = math.atan(dy, dx)
    local tol = opt(o, "turn_tol")
    if math.abs(err) > tol then
        return (math.abs(err) < 2 * tol) and opt(o, "creep") or 0, M.face(err, o)
    end
    local v = math.min(opt(o, "vmax"), math.sqrt(2 * opt(o, "brake") * math.max(d - opt(o, "stop"), 0)))
    return v, M.face(err, o) * math.min(1, d / 0.3)
end

function M.route(r, mem, o)
    local dx, dy, ferr, stop = r[1], r[2], r[3], r[4]
    if r[6] >= r[7] then return 0, 0, true end
    local d = math.sqrt(dx * dx + dy * dy)
    if mem.point ~= r[6] then mem.point, mem.holding = r[6], false end
    if stop > 0.5 and (d < opt(o, "arrive") or (mem.holding and d < opt(o, "hold"))) then
        mem.holding = true
        if ferr ~= 0 then return 0, M.face(ferr, o), true end
        return 0, 0, true
    end
    return M.to_point(dx, dy, o)
end

function M.blocked(p, n, o)
    local ahead, half, hz = opt(o, "ahead"), opt(o, "half"), opt(o, "horizon")
    for i = 0, n - 1 do
        local px, py, vx, vy = p[i * 4 + 1], p[i * 4 + 2], p[i * 4 + 3], p[i * 4 + 4]
        for k = 0, math.floor(hz / 0.25) do
            local t = k * 0.25
            local x, y = px + vx * t, py + vy * t
            if x > -0.2 and x < ahead and math.abs(y) < half then return true end
        end
    end
    return false
end

function M.give_way(mem, blocked, dt, o)
    if not blocked then
        mem.waited = 0
        return nil
    end
    mem.waited = (mem.waited or 0) + dt
    local p = opt(o, "patience")
    if mem.waited > p + opt(o, "back_time") then mem.waited = 0 end
    if mem.waited > p then return -opt(o, "back") end
    return 0
end

return M
