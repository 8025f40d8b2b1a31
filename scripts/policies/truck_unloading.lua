--[[
policies.truck_unloading: baseline for scenes/pilot/logistics_truck_unloading.lua (a
scripted pick-and-place on the scene's observations).

For each carton still in the trailer, the highest first: the tool over it at 1.85 m (a
held carton clears the stacks), down to 3 cm above its top, then creeping down at 0.1 m/s
with the vacuum on until it holds; up to 1.85 m, round the pan axis at 0.55 m radius (2.5
rad/s; straight lines would pass too close to the axis for the IK) over the belt's drop
point, down until the carton's bottom is 2 cm above the belt, vacuum off, wait 0.3 s, back
up and round to the trailer. Carton positions are averaged over
the approach (their sensor noise).
--]]
local arm = require "policies.lib.arm"

local P = {}
local st

local DT = 0.004
local TIP = 0.045            -- finger tips (the suction face) below the tool point
local SAFE_Z = 1.85
local H = 0.25               -- carton height

local function set(ph) st.phase, st.t = ph, 0 end

function P.reset() st = {phase = "select", t = 0, tcp = {0.15, -0.3, SAFE_Z, 0}, grip = 0} end

local function box(obs, i)
    local b, k = obs.boxes, (i - 1) * 6
    return b[k + 1], b[k + 2], b[k + 3], b[k + 4], b[k + 5]
end


function P.act(obs, action)
    if not st then P.reset() end
    st.t = st.t + DT
    local ph = st.phase
    if ph == "select" then
        st.target, st.grip = nil, 0
        local best = -1
        for i = 1, #obs.boxes // 6 do
            local _, _, z, _, s = box(obs, i)
            if s == 0 and z > best then best, st.target = z, i end
        end
        if st.target then
            local x, y, z, yaw = box(obs, st.target)
            st.f = {x, y, z, yaw}
            set("over")
        end
    elseif ph == "over" then
        local f = arm.smooth(st.f, {box(obs, st.target)}, 0.02)
        st.tcp = {f[1], f[2], SAFE_Z, f[4]}
        if arm.near(obs.tcp, st.tcp, 0.01) and st.t > 0.3 then set("down") end
    elseif ph == "down" then
        local f = st.f
        st.tcp = {f[1], f[2], f[3] + TIP + 0.03, f[4]}
        if arm.near(obs.tcp, st.tcp, 0.01) then st.z = st.tcp[3]; set("touch") end
    elseif ph == "touch" then
        local f = st.f
        st.grip = 1
        st.z = st.z - 0.1 * DT
        st.tcp = {f[1], f[2], st.z, f[4]}
        if obs.tcp[5] == st.target then set("lift") elseif st.t > 1.0 then set("select") end
    elseif ph == "lift" then
        st.tcp = {obs.tcp[1], obs.tcp[2], SAFE_Z, st.f[4]}
        if obs.tcp[3] > SAFE_Z - 0.02 then st.th = math.atan(obs.tcp[2], obs.tcp[1]); set("swing") end
    elseif ph == "swing" then
        -- round the pan axis at 0.55 m (straight lines pass too close to it), the short way
        local goal = math.atan(obs.belt[2], obs.belt[1])
        local d = math.atan(math.sin(goal - st.th), math.cos(goal - st.th))
        st.th = st.th + math.max(-2.5 * DT, math.min(2.5 * DT, d))
        st.tcp = {0.55 * math.cos(st.th), 0.55 * math.sin(st.th), SAFE_Z, st.f[4]}
        if math.abs(d) < 1e-6 and arm.near(obs.tcp, st.tcp, 0.04) then set("lower") end
    elseif ph == "lower" then
        st.tcp = {obs.belt[1], obs.belt[2], obs.belt[3] + H + 0.02 + TIP, st.f[4]}
        -- (a heavy carton makes the arm sag or lag a centimetre)
        if arm.near(obs.tcp, st.tcp, 0.02) or st.t > 1.5 then set("release") end
    elseif ph == "release" then
        st.grip = 0
        if st.t > 0.3 then set("rise") end
    elseif ph == "rise" then
        st.tcp = {obs.tcp[1], obs.tcp[2], SAFE_Z, st.f[4]}
        if obs.tcp[3] > SAFE_Z - 0.05 then set("back") end
    elseif ph == "back" then
        -- round the axis again, towards the trailer (+-pi)
        local d = math.atan(math.sin(math.pi - st.th), math.cos(math.pi - st.th))
        st.th = st.th + math.max(-2.5 * DT, math.min(2.5 * DT, d))
        st.tcp = {0.55 * math.cos(st.th), 0.55 * math.sin(st.th), SAFE_Z, st.f[4]}
        if math.abs(d) < 1e-6 then set("select") end
    end
    for k = 1, 4 do action.tcp[k] = st.tcp[k] end
    action.grip[1] = st.grip
end

return P
