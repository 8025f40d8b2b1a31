--[[
policies.pipe_rack: baseline for scenes/pilot/inspection_pipe_rack.lua.

Drives the aisle under the rack along waypoints: the centre line y = 0, swerving to
y = 0.6 m past the pump skid's keep-out zone (from the `keepout` observation: 0.5 m
before it to 0.5 m after it), to x = 12.8 m. Pure pursuit: yaw rate 2 x bearing, speed
0.45 x cos^2(bearing), ramped at 0.5 m/s^2, stopping at the last waypoint.
Leak search: every lidar point with intensity > 0.5 in the registered `cloud` is
averaged (once per scan, `scan_seq`); once the robot is at the end (and the scan coverage is complete or it has
waited 3 s there) it submits the mean as its report. Assumes one call per 4 ms step.
--]]

local P = {}
local st
local DT = 0.004

local clamp = require("kit.util").clamp

function P.reset(spec, seed)
    st = {wp = 1, v = 0, sx = 0, sy = 0, sz = 0, n = 0, wait = 0, path = nil}
end

function P.act(obs, action)
    if not st then P.reset() end
    local x, y, yaw = obs.pose[1], obs.pose[2], obs.pose[3]
    if not st.path then
        local k = obs.keepout
        st.path = {{k[1] - 0.5, 0}, {k[1] - 0.1, 0.6}, {k[3] + 0.1, 0.6}, {k[3] + 0.5, 0}, {12.8, 0}}
    end
    -- leak points, once per new scan
    local c = obs.cloud
    local fresh = obs.scan_seq[1] ~= st.seq
    st.seq = obs.scan_seq[1]
    for i = 0, fresh and (#c // 4 - 1) or -1 do
        if c[i * 4 + 4] > 0.5 then
            st.sx, st.sy, st.sz = st.sx + c[i * 4 + 1], st.sy + c[i * 4 + 2], st.sz + c[i * 4 + 3]
            st.n = st.n + 1
        end
    end
    local w = st.path[st.wp]
    local dx, dy = w[1] - x, w[2] - y
    local d = math.sqrt(dx * dx + dy * dy)
    local last = st.wp == #st.path
    if not last and d < 0.3 then st.wp = st.wp + 1 end
    local b = math.atan(dy, dx) - yaw
    b = math.atan(math.sin(b), math.cos(b))
    local v = 0.45 * math.max(0, math.cos(b)) ^ 2
    if last then v = math.min(v, 0.1 + 0.5 * math.max(0, d - 0.05)); if d < 0.1 then v = 0; b = 0 end end
    st.v = st.v + clamp(v - st.v, -0.5 * DT, 0.5 * DT)
    action.base[1] = st.v
    action.base[2] = clamp(2.0 * b, -1.0, 1.0)
    -- report at the end
    if last and d < 0.15 then
        st.wait = st.wait + DT
        local cov = obs.coverage
        local full = cov[1] >= 1 and cov[2] >= 1 and cov[3] >= 1 and cov[4] >= 1
        if st.n > 0 and (full or st.wait > 3) then
            action.report[1], action.report[2], action.report[3] = st.sx / st.n, st.sy / st.n, st.sz / st.n
            action.report[4] = 1
        end
    end
end

return P
