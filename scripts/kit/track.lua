--[[
kit.track: task bookkeeping shared by scenes (plain data in ctx.state, so snapshots stay exact).

  track.odometer(s, x, y)        adds the planar distance from (s.px, s.py) to (x, y) to
                                 s.path and moves (s.px, s.py) there; start with
                                 s.path, s.px, s.py = 0, x0, y0
  track.noisy_pose(s, x, y, yaw, sd)
                                 a localisation estimate: s.nx, s.ny = x, y plus gaussian noise
                                 of sd (m), s.nyaw = yaw plus noise of sd/2 (rad), wrapped
                                 (three math.normal draws, in that order)
  track.pose_entry()             the observation entry {3} of that estimate: s.nx, s.ny, s.nyaw
  track.motion(s, bot)           for step: x, y, yaw = bot:pose2d(), added to the odometer
                                 (s.path), and s.up_min lowered to bot:up_z(); returns x, y, yaw
  track.polyline(points)         a path along {{x, y}, ...}: p:length() (m) and p:at(u) ->
                                 x, y, heading (rad) at arc length u (m; clamped to the last
                                 segment's line beyond the end)
  track.dist_to(list, i, x, y)   planar distance from (x, y) to list[min(i, #list)]
  track.finish(s, done, t)       for success(ctx): records t in s.done_t the first time `done`
                                 is true (start with s.done_t = -1); returns done
  track.finish_time(s, t)        s.done_t once finished, else t (a time_to_finish metric)
  track.hold(ctx, ok, need)      for step: ctx.state.done_for (s) grows by ctx.dt while ok, else
                                 drops to 0; ctx.state.t_done is the time it first reached need
                                 s (start s.done_for, s.t_done = 0, -1)
  track.hold_time(ctx)           s.t_done once reached, else ctx.t (a time-to-finish metric)
  track.gain(ctx, n, k, key, cost)
                                 a reward for a count that grows (items read, hot spots found):
                                 k (default 1) per unit n grew since the last call, -cost per s
                                 (default 0.01; the last n is kept in ctx.state[key], key
                                 "rewarded" unless given: start it at 0)
  track.copy(m, s, names)        m[k] = s[v] for every k = v in names (metrics from state fields);
                                 returns m
--]]

local util = require "kit.util"

local M = {}

function M.odometer(s, x, y)
    s.path = s.path + math.sqrt((x - s.px) ^ 2 + (y - s.py) ^ 2)
    s.px, s.py = x, y
end

function M.noisy_pose(s, x, y, yaw, sd)
    s.nx = x + math.normal(0, sd)
    s.ny = y + math.normal(0, sd)
    s.nyaw = util.wrap(yaw + math.normal(0, sd / 2))
end

function M.pose_entry()
    return {shape = {3}, fn = function(ctx, out)
        local s = ctx.state
        out[1], out[2], out[3] = s.nx, s.ny, s.nyaw
    end}
end

function M.motion(s, bot)
    local x, y, yaw = bot:pose2d()
    M.odometer(s, x, y)
    local up = bot:up_z()
    if up < s.up_min then s.up_min = up end
    return x, y, yaw
end

local Poly = {}
Poly.__index = Poly

function M.polyline(points) return setmetatable({pts = points}, Poly) end

function Poly:at(u)
    local P = self.pts
    for i = 1, #P - 1 do
        local a, b = P[i], P[i + 1]
        local L = math.sqrt((b[1] - a[1]) ^ 2 + (b[2] - a[2]) ^ 2)
        if u <= L or i == #P - 1 then
            local f = u / L
            return a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2]), math.atan(b[2] - a[2], b[1] - a[1])
        end
        u = u - L
    end
end

function Poly:length()
    local P, s = self.pts, 0
    for i = 1, #P - 1 do s = s + math.sqrt((P[i + 1][1] - P[i][1]) ^ 2 + (P[i + 1][2] - P[i][2]) ^ 2) end
    return s
end

function M.finish(s, done, t)
    if done and s.done_t < 0 then s.done_t = t end
    return done
end

function M.finish_time(s, t)
    return s.done_t >= 0 and s.done_t or t
end

function M.hold(ctx, ok, need)
    local s = ctx.state
    if ok then s.done_for = s.done_for + ctx.dt else s.done_for = 0 end
    if s.done_for >= need and s.t_done < 0 then s.t_done = ctx.t end
end

function M.hold_time(ctx)
    local s = ctx.state
    return (s.t_done >= 0) and s.t_done or ctx.t
end

function M.gain(ctx, n, k, key, cost)
    local s = ctx.state
    key = key or "rewarded"
    local r = (k or 1) * (n - s[key]) - (cost or 0.01) * ctx.dt
    s[key] = n
    return r
end

function M.copy(m, s, names)
    for k, v in pairs(names) do m[k] = s[v] end
    return m
end

function M.dist_to(list, i, x, y)
    local w = list[math.min(i, #list)]
    return math.sqrt((w[1] - x) ^ 2 + (w[2] - y) ^ 2)
end

return M
