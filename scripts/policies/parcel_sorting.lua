--[[
policies.parcel_sorting: baseline for scenes/pilot/logistics_parcel_sorting.lua.

Picks the parcels off the belt in the order they arrive (the one furthest downstream
still on the belt, before x = 0.25 m, first) and drops each into the tote of its label:
  wait     hover 8 cm above the parcel's top at x = -0.3 m, over its y, until it is 0.1 m
           before that point
  track    follow the parcel (its x plus 0.1 s of belt travel), 5 cm above its top, 0.3 s
  descend  keep following it, suction on, to 2 cm above its top, then creep down at
           0.05 m/s to 1 mm into it, until the scene reports it attached (give up and take
           the next parcel when it passes x = 0.38 m, the arm's downstream reach)
  lift     straight up until the parcel's bottom is 4 cm above the rails' tops (0.80 m)
  clear    at that height to 0.45 m beside the arm on the tote's side (y = -0.5 m: off
           the belt, away from the arm's axis and from its pan limit behind it)
  carry    over the tote of the label (the parcel's centre over the tote's centre) with
           the parcel's bottom 15 cm above the rim, then lower it to 5 cm above the rim
           (within 1 cm; the arm sags under a heavy parcel, so at most 1.5 s)
  release  suction off for 0.3 s, back up to 1.0 m, and on to the next parcel
Assumes one call per 2 ms step. The sensor noise on the parcel positions is averaged
by an exponential filter (0.05 s).
--]]

local arm = require "policies.lib.arm"

local P = {}
local st

local DT = 0.002
local TIP = 0.045            -- finger tips below the tool point (the suction face)
local HOVER_X = -0.3

local function set(phase) st.phase, st.t = phase, 0 end

function P.reset(spec, seed)
    st = {phase = "select", t = 0, target = 0, f = {}, tcp = {0.0, -0.1, 1.1, 0}, suction = 0}
end

local function parcel(obs, i)
    local k = (i - 1) * 9
    local p = obs.parcels
    return {x = p[k + 1], y = p[k + 2], z = p[k + 3], sx = p[k + 4], sy = p[k + 5], sz = p[k + 6], label = p[k + 7],
            state = p[k + 8], vx = p[k + 9]}
end


function P.act(obs, action)
    if not st then P.reset() end
    st.t = st.t + DT
    local n = #obs.parcels // 9
    -- filtered parcel positions
    for i = 1, n do
        local q = parcel(obs, i)
        local f = st.f[i]
        if not f or q.state ~= 0 then
            st.f[i] = {x = q.x, y = q.y, z = q.z}
        else
            local a = DT / 0.05
            local vx = obs.belt[1]
            f.x = f.x + vx * DT + a * (q.x - (f.x + vx * DT))
            f.y = f.y + a * (q.y - f.y)
            f.z = f.z + a * (q.z - f.z)
        end
    end
    local ph = st.phase
    local v = obs.belt[1]
    if ph == "select" then
        st.target = 0
        local best = -1e9
        for i = 1, n do
            local q = parcel(obs, i)
            if q.state == 0 and q.z > 0.7 and q.x < 0.25 and q.x > best then best, st.target = q.x, i end
        end
        st.suction = 0
        if st.target > 0 then set("wait") end
    elseif ph == "wait" then
        local f = st.f[st.target]
        st.tcp = {HOVER_X, f.y, f.z + TIP + 0.08, 0}
        if f.x > HOVER_X - 0.1 then set("track") end
    elseif ph == "track" then
        local f = st.f[st.target]
        st.tcp = {f.x + v * 0.1, f.y, f.z + TIP + 0.05, 0}
        if st.t > 0.3 then set("descend") end
    elseif ph == "descend" then
        local f = st.f[st.target]
        st.suction = 1
        -- fast to 2 cm above the top, then creep down at 0.05 m/s
        st.z = math.max((st.z or (f.z + TIP + 0.02)) - 0.05 * DT, f.z + TIP - 0.001)
        if st.t < 0.003 then st.z = f.z + TIP + 0.02 end
        st.tcp = {f.x + v * 0.02, f.y, st.z, 0}
        if obs.tcp[4] > 0.5 then set("lift")
        elseif f.x > 0.38 then st.suction = 0; set("select") end
    elseif ph == "lift" then
        -- the parcel's bottom 4 cm above the rails' tops (0.80 m)
        local q = parcel(obs, st.target)
        st.lift_z = 0.885 + q.sz
        st.tcp = {obs.tcp[1], obs.tcp[2], st.lift_z, 0}
        if obs.tcp[3] > st.lift_z - 0.01 then
            local k = math.floor(q.label + 0.5)
            local t = obs.totes
            -- the parcel's centre (offset from the tool as grasped) over the tote's centre,
            -- its bottom 5 cm above the rim (its top is at the finger tips)
            local ox, oy = q.x - obs.tcp[1], q.y - obs.tcp[2]
            local tx, ty = t[(k - 1) * 3 + 1], t[(k - 1) * 3 + 2]
            st.drop = {tx - ox, ty - oy, t[(k - 1) * 3 + 3] + 0.05 + q.sz + TIP}
            -- off the belt beside the arm, on the tote's side, still high above the rails
            st.via = {(tx < 0) and -0.45 or 0.45, -0.5, st.lift_z}
            set("clear")
        end
    elseif ph == "clear" then
        st.tcp = {st.via[1], st.via[2], st.via[3], 0}
        if arm.near(obs.tcp, st.tcp, 0.03) then set("carry") end
    elseif ph == "carry" then
        st.tcp = {st.drop[1], st.drop[2], st.drop[3] + 0.1, 0}
        if arm.near(obs.tcp, st.tcp, 0.01) then set("lower") end
    elseif ph == "lower" then
        st.tcp = {st.drop[1], st.drop[2], st.drop[3], 0}
        -- (a heavy parcel makes the arm sag a centimetre below its command)
        local t = obs.tcp
        if (math.abs(t[1] - st.drop[1]) < 0.01 and math.abs(t[2] - st.drop[2]) < 0.01 and t[3] < st.drop[3] + 0.01)
           or st.t > 1.5 then set("release") end
    elseif ph == "release" then
        st.suction = 0
        if st.t > 0.3 then set("rise") end
    elseif ph == "rise" then
        st.tcp = {obs.tcp[1], obs.tcp[2], 1.0, 0}
        if obs.tcp[3] > 0.95 then set("select") end
    end
    for k = 1, 4 do action.tcp[k] = st.tcp[k] end
    action.suction[1] = st.suction
end

return P
