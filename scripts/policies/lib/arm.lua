--[[
policies.lib.arm: small pieces the arm baselines share (a tool centre point commanded and
measured as x, y, z in one frame: the cell's or the robot chassis').

  arm.near(t, p, tol, ztol)   true when the point t (t[1..3]) is within tol of p in x and y
                              and within ztol (default tol) in z (m)
  arm.move_to(st, e, x, y, z, speed, tol, acc, dt)
                              moves the commanded point st.cp ({x, y, z}) towards (x, y, z)
                              with a trapezoidal speed profile (st.cv, m/s: up at acc m/s^2,
                              at most speed m/s, braking to stop there; one step of dt s);
                              true when st.cp is there and the measured point e (e[1..3])
                              within tol (default 0.012 m) of it
  arm.smooth(f, p, a)         a low-pass filter of a noisy observed point: every f[k] of the
                              list f moves a fraction a (0..1) towards p[k]; f is returned
--]]
local M = {}

function M.near(t, p, tol, ztol)
    return math.abs(t[1] - p[1]) < tol and math.abs(t[2] - p[2]) < tol and math.abs(t[3] - p[3]) < (ztol or tol)
end

function M.smooth(f, p, a)
    for k = 1, #f do f[k] = f[k] + a * (p[k] - f[k]) end
    return f
end

function M.move_to(st, e, x, y, z, speed, tol, acc, dt)
    local cp = st.cp
    local dx, dy, dz = x - cp[1], y - cp[2], z - cp[3]
    local d = math.sqrt(dx * dx + dy * dy + dz * dz)
    -- smooth starts and stops keep the arm's reaction on a mobile base small
    st.cv = math.min(speed, (st.cv or 0) + acc * dt, math.sqrt(2 * acc * d))
    local step = math.max(st.cv * dt, 1e-5)
    if d <= step then cp[1], cp[2], cp[3] = x, y, z
    else cp[1], cp[2], cp[3] = cp[1] + dx / d * step, cp[2] + dy / d * step, cp[3] + dz / d * step end
    local te = math.sqrt((e[1] - x) ^ 2 + (e[2] - y) ^ 2 + (e[3] - z) ^ 2)
    return d <= step and te < (tol or 0.012)
end

return M
