--[[
kit.route: a robot's task as a sequence of route points: waypoints it passes and stops
where it must stand still (optionally facing a heading) for a dwell time. The progress
is plain data in ctx.state[key], so snapshots stay exact; no random draws.

    local route = require "kit.route"
    local rt = route.new("route")                -- at file level; key in ctx.state
    -- build: rt:set(ctx.state, points)
    -- step:  local done = rt:update(ctx, x, y, yaw, speed [, ok])
    scene.observation.route = rt:entry(R)        -- R: a kit.rover (the robot frame)

Points: {x, y, stop = false, tol = m, face = yaw (rad) or nil, dwell = s, name = string}.
  A waypoint (stop = false) is passed once the robot is within tol (default 0.5 m).
  A stop (stop = true) is done once the robot stood within tol (default 0.25 m), slower
  than `still` (0.05 m/s), facing `face` within 0.2 rad (when given), for `dwell` s
  (default 1) while `ok` (update's last argument, default true: the scene's own
  condition, e.g. the sensor sees the target) held; leaving resets the dwell.
update returns the index of the point completed in this step, or nil.

Entry rt:entry(R) {7}: the current point's dx, dy (robot frame, m), face error (rad, the
point's heading minus the robot's; 0 without one), stop (0/1), dwell fraction (0..1),
points done, points in all. After the last point: zeros but points done = points in all.

Methods: rt:done(state), rt:index(state) (current point, 1-based; #points + 1 when done),
rt:point(state [, i]), rt:count(state) -> done, total, rt:dwell(state) (s),
rt:follow(ctx, R [, ok]) (update with a kit.rover's pose and speed),
rt:progress(ctx [, k]) (a reward: k (1) per point completed since the last call, -0.01 per s).
--]]

local util = require "kit.util"

local M = {}
local Rt = {}
Rt.__index = Rt

M.STILL, M.FACE_TOL = 0.05, 0.2

function M.new(key) return setmetatable({key = key or "route"}, Rt) end

function Rt:set(state, points)
    local pts = {}
    for i, p in ipairs(points) do
        pts[i] = {p[1], p[2], stop = p.stop or false, tol = p.tol or (p.stop and 0.25 or 0.5), face = p.face,
                  dwell = p.dwell or 1.0, name = p.name}
    end
    state[self.key] = {pts = pts, i = 1, dwell = 0, t_done = {}, rewarded = 0}
end

function Rt:index(state) return state[self.key].i end
function Rt:done(state) local r = state[self.key]; return r.i > #r.pts end
function Rt:count(state) local r = state[self.key]; return r.i - 1, #r.pts end
function Rt:dwell(state) return state[self.key].dwell end
function Rt:point(state, i) local r = state[self.key]; return r.pts[i or r.i] end

function Rt:update(ctx, x, y, yaw, speed, ok)
    local r = ctx.state[self.key]
    local p = r.pts[r.i]
    if not p then return nil end
    local d = util.dist2d(x, y, p[1], p[2])
    local fin
    if not p.stop then
        fin = d < p.tol
    else
        local good = d < p.tol and speed < M.STILL and ok ~= false
        if good and p.face then good = math.abs(util.wrap(p.face - yaw)) < M.FACE_TOL end
        r.dwell = good and r.dwell + ctx.dt or 0
        fin = r.dwell >= p.dwell
    end
    if not fin then return nil end
    r.t_done[r.i] = ctx.t
    r.i, r.dwell = r.i + 1, 0
    return r.i - 1
end

function Rt:follow(ctx, rv, ok)
    local x, y, yaw = rv:pose()
    return self:update(ctx, x, y, yaw, rv:speed(), ok)
end

function Rt:progress(ctx, k)
    local r = ctx.state[self.key]
    local gain = (r.i - 1 - r.rewarded) * (k or 1)
    r.rewarded = r.i - 1
    return gain - 0.01 * ctx.dt
end

function Rt:entry(rv)
    return {shape = {7}, fn = function(ctx, out)
        local r = ctx.state[self.key]
        local p = r.pts[r.i]
        for k = 1, 7 do out[k] = 0 end
        out[6], out[7] = r.i - 1, #r.pts
        if not p then return end
        local _, _, yaw = rv:pose()
        out[1], out[2] = rv:to_local(p[1], p[2])
        out[3] = p.face and util.wrap(p.face - yaw) or 0
        out[4] = p.stop and 1 or 0
        out[5] = p.stop and math.min(1, r.dwell / p.dwell) or 0
    end}
end

return M
