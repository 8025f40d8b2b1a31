--[[
kit.track: task bookkeeping shared by scenes (plain data in ctx.state, so snapshots stay exact).

  track.odometer(s, x, y)        adds the planar distance from (s.px, s.py) to (x, y) to
                                 s.path and moves (s.px, s.py) there; start with
                                 s.path, s.px, s.py = 0, x0, y0
  track.noisy_pose(s, x, y, yaw, sd)
                                 a localisation estimate: s.nx, s.ny = x, y plus gaussian noise
                                 of sd (m), s.nyaw = yaw plus noise of sd/2 (rad), wrapped
                                 (three math.normal draws, in that order)
  track.polyline(points)         a path along {{x, y}, ...}: p:length() (m) and p:at(u) ->
                                 x, y, heading (rad) at arc length u (m; clamped to the last
                                 segment's line beyond the end)
  track.dist_to(list, i, x, y)   planar distance from (x, y) to list[min(i, #list)]
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

function M.dist_to(list, i, x, y)
    local w = list[math.min(i, #list)]
    return math.sqrt((w[1] - x) ^ 2 + (w[2] - y) ^ 2)
end

return M
