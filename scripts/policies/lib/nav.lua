--[[
policies.lib.nav: small pieces the wheeled-delivery baselines share (scripted controllers
on a diff-drive base, observations in the robot frame).

  nav.steer(dx, dy, o)        twist (v, w) towards a point dx ahead, dy left (m): turns on
                              the spot while the bearing is above o.turn_in_place (0.6 rad),
                              then drives with a braking profile sqrt(2 o.decel d) capped at
                              o.vmax, steering with gain o.kw (2.0) up to o.wmax (1.0)
  nav.people(pp, o)           scans an obs.people {n, 4} array (forward, left, vx, vy per
                              person, robot frame): `block` when anyone is, or within
                              o.horizon s (2 s) will be, in the corridor ahead (0 .. o.ahead m,
                              o.half_width m to each side), `near` when anyone is within o.near m;
                              also the nearest person's distance
--]]
local M = {}

local function clamp(v, lo, hi) return math.max(lo, math.min(hi, v)) end

function M.steer(dx, dy, o)
    local d = math.sqrt(dx * dx + dy * dy)
    local b = math.atan(dy, dx)
    local wmax = o.wmax or 1.0
    local w = clamp((o.kw or 2.0) * b, -wmax, wmax)
    if math.abs(b) > (o.turn_in_place or 0.6) then return 0, w end
    local v = math.min(o.vmax, math.sqrt(2 * (o.decel or 0.4) * d)) * math.cos(b)
    return v, w
end

function M.people(pp, o)
    local block, near, nearest = false, false, 1e9
    local ahead, hw, horizon = o.ahead or 1.6, o.half_width or 0.5, o.horizon or 2.0
    for i = 0, #pp // 4 - 1 do
        local px, py, vx, vy = pp[i * 4 + 1], pp[i * 4 + 2], pp[i * 4 + 3], pp[i * 4 + 4]
        local r = math.sqrt(px * px + py * py)
        if r < nearest then nearest = r end
        if r < (o.near or 1.5) then near = true end
        for k = 0, 8 do
            local t = k * horizon / 8
            local x, y = px + vx * t, py + vy * t
            if x > 0 and x < ahead and math.abs(y) < hw then block = true end
        end
    end
    return block, near, nearest
end

return M
