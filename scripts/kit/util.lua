--[[
kit.util: the small helpers every scene, robot module and policy needs (pure functions,
no world access). Vectors are lists {x, y[, z]} in m.

    local util = require "kit.util"
    local o = util.options(opts, M.defaults)     -- opts over defaults, unknown keys refused
    local v = util.clamp(x, -1, 1)

Functions:
  clamp(v, lo, hi)              v limited to [lo, hi]
  wrap(a)                       angle wrapped into (-pi, pi]
  lerp(a, b, f)                 a + f (b - a)
  approach(cur, want, rate, dt) cur moved toward want by at most rate*dt
  uniform(a, b)                 a uniform draw from the episode RNG (math.random)
  options(opts, defaults, fallback, what)
                                a new table: defaults (then fallback, may be nil) overlaid with opts
                                (nil = all defaults); a key of opts that neither defaults
                                nor fallback know is an error naming `what` (say, the
                                module), so a misspelled option is not silently ignored
  merged(a, b)                  a new table with a's fields, then b's (b may be nil)
  copy_list(t)                  a shallow copy of a list
  add(a, b), sub(a, b)          element-wise, 2 or 3 components (as many as a has)
  scale(a, k)                   a * k
  dot(a, b), norm(a)            dot product, Euclidean length
  dist(a, b)                    |a - b|
  dist2d(x1, y1, x2, y2)        planar distance
  to_local(x, y, yaw, px, py)   point (px, py) in the frame at (x, y) heading yaw
  to_world(x, y, yaw, lx, ly)   the inverse of to_local
  tilt_deg(body)                angle of the body's +z axis from the vertical, deg
  strict(t, what)               t, where reading a field t does not have is an error naming
                                `what` and listing t's fields (the umbrella modules kit, robots
                                and scenario: a misspelled module name is not a silent nil)
  ramp_twist(st, out, v, w, dec, acc, wacc, dt)
                                a policy's rate-limited base command: st.v moves toward v by
                                at most dec*dt down / acc*dt up (m/s^2), st.w toward w by at
                                most wacc*dt (rad/s^2); out[1], out[2] = st.v, st.w
--]]

local M = {}

function M.clamp(v, lo, hi)
    if v < lo then return lo elseif v > hi then return hi else return v end
end

function M.wrap(a)
    while a > math.pi do a = a - 2 * math.pi end
    while a <= -math.pi do a = a + 2 * math.pi end
    return a
end

function M.lerp(a, b, f) return a + f * (b - a) end

function M.approach(cur, want, rate, dt)
    return cur + M.clamp(want - cur, -rate * dt, rate * dt)
end

function M.uniform(a, b) return a + (b - a) * math.random() end

function M.options(opts, defaults, fallback, what)
    local r = {}
    if fallback then for k, v in pairs(fallback) do r[k] = v end end
    for k, v in pairs(defaults) do r[k] = v end
    if opts then
        for k, v in pairs(opts) do
            if r[k] == nil and defaults[k] == nil then
                local names = {}
                for n in pairs(r) do names[#names + 1] = tostring(n) end
                table.sort(names)
                error(string.format("%s: unknown option '%s' (known: %s)", what or "options", tostring(k),
                                    table.concat(names, ", ")), 3)
            end
            r[k] = v
        end
    end
    return r
end

function M.merged(a, b)
    local r = {}
    for k, v in pairs(a) do r[k] = v end
    for k, v in pairs(b or {}) do r[k] = v end
    return r
end

function M.copy_list(t)
    local r = {}
    for i = 1, #t do r[i] = t[i] end
    return r
end

function M.add(a, b)
    local r = {}
    for i = 1, #a do r[i] = a[i] + b[i] end
    return r
end

function M.sub(a, b)
    local r = {}
    for i = 1, #a do r[i] = a[i] - b[i] end
    return r
end

function M.scale(a, k)
    local r = {}
    for i = 1, #a do r[i] = a[i] * k end
    return r
end

function M.dot(a, b)
    local s = 0
    for i = 1, #a do s = s + a[i] * b[i] end
    return s
end

function M.norm(a) return math.sqrt(M.dot(a, a)) end

function M.dist(a, b) return M.norm(M.sub(a, b)) end

function M.dist2d(x1, y1, x2, y2) return math.sqrt((x2 - x1) ^ 2 + (y2 - y1) ^ 2) end

function M.to_local(x, y, yaw, px, py)
    local dx, dy = px - x, py - y
    local c, s = math.cos(yaw), math.sin(yaw)
    return c * dx + s * dy, -s * dx + c * dy
end

function M.to_world(x, y, yaw, lx, ly)
    local c, s = math.cos(yaw), math.sin(yaw)
    return x + c * lx - s * ly, y + s * lx + c * ly
end

function M.tilt_deg(b)
    local _, qx, qy = b:quat()
    local uz = M.clamp(1 - 2 * (qx * qx + qy * qy), -1, 1)
    return math.deg(math.acos(uz))
end

---@generic T
---@param t T
---@param what string
---@return T
function M.strict(t, what)
    local names = {}
    for k in pairs(t) do names[#names + 1] = tostring(k) end
    table.sort(names)
    return setmetatable(t, {__index = function(_, k)
        error(string.format("%s: no module '%s' (known: %s)", what, tostring(k), table.concat(names, ", ")), 2)
    end})
end

function M.ramp_twist(st, out, v, w, dec, acc, wacc, dt)
    st.v = st.v + M.clamp(v - st.v, -dec * dt, acc * dt)
    st.w = st.w + M.clamp(w - st.w, -wacc * dt, wacc * dt)
    out[1], out[2] = st.v, st.w
end

return M
