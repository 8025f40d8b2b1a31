--[[
policies.pharmacy_picking: baseline for scenes/pilot/retail_pharmacy_picking.lua (a scripted
controller on the scene's observations, chassis frame).

The ordered boxes in the order they come along the aisle. Base: keeps to the aisle's
centre line (steering towards the line 0.6 m ahead), drives until the arms' pan axes (0.2 m
ahead of the chassis centre) are level with the next box (braking profile, 0.5 m/s at
most) and holds there. The arm on the box's side (left arm for the left shelf): tool down
over the box 12 cm above its top, down to 3 cm below its top, close, back up, in towards
the robot (0.3 m from the centre line, 1.0 m up), over its own side of the basket (0.17 m
from the centre line: the arm turns back over its own side, never across the robot) at
0.56 m (the box 5 cm above the rim),
open, back to its travel pose. Stops while the pharmacist is in the corridor ahead.
--]]
local nav = require "policies.lib.nav"

local P = {}
local st

local DT = 0.004
local ARM_X = 0.2

local function set(ph) st.phase, st.t = ph, 0 end

function P.reset() st = {phase = "next", t = 0, r = 0, a = {0, 0.5, 0, 1, 0}, grip = 0} end

local function box(obs, r)
    local o, k = obs.order, (r - 1) * 5
    return o[k + 1], o[k + 2], o[k + 3], o[k + 4], o[k + 5]
end

local function ee_at(obs, arm, x, y, z, tol)
    local e, k = obs.ee, (arm - 1) * 4
    return math.abs(e[k + 1] - x) < tol and math.abs(e[k + 2] - y) < tol and math.abs(e[k + 3] - z) < tol
end

function P.act(obs, action)
    if not st then P.reset() end
    st.t = st.t + DT
    local v, w = 0, 0
    local a = st.a
    local y, yaw = obs.pose[2], obs.pose[3]
    local steer = math.max(-0.5, math.min(0.5, 2.5 * (math.atan(-y, 0.6) - yaw)))
    local ph = st.phase
    if ph == "next" then
        st.r = nil
        local best = 1e9
        for r = 1, #obs.order // 5 do
            local x, _, _, _, s = box(obs, r)
            if s == 0 and x < best then best, st.r = x, r end
        end
        a[1], st.grip = 0, 0
        if st.r then
            local _, _, _, side = box(obs, st.r)
            st.arm = side > 0 and 1 or 2
            set("drive")
        end
    elseif ph == "drive" then
        local x = box(obs, st.r)
        local ex = x - ARM_X
        v = math.max(-0.1, math.min(0.5, math.sqrt(2 * 0.3 * math.max(ex, 0)), 2 * ex))
        w = steer
        if math.abs(ex) < 0.01 and math.abs(obs.twist[1]) < 0.02 then st.f = nil; set("over") end
    elseif ph == "over" then
        local x, by, z = box(obs, st.r)
        if not st.f then st.f = {x, by, z} end
        local f = st.f
        f[1], f[2] = f[1] + 0.05 * (x - f[1]), f[2] + 0.05 * (by - f[2])
        a[1], a[2], a[3], a[4], a[5] = 1, f[1], f[2], f[3] + 0.12, 0
        if st.t > 0.5 and ee_at(obs, st.arm, a[2], a[3], a[4], 0.012) then set("down") end
    elseif ph == "down" then
        a[4] = st.f[3] - 0.03
        if ee_at(obs, st.arm, a[2], a[3], a[4], 0.01) or st.t > 2 then set("close") end
    elseif ph == "close" then
        st.grip = 1
        if obs.held[st.arm] == st.r and st.t > 0.2 then set("lift") elseif st.t > 1.5 then st.grip = 0; set("over") end
    elseif ph == "lift" then
        a[4] = st.f[3] + 0.12
        if ee_at(obs, st.arm, a[2], a[3], a[4], 0.02) then set("in") end
    elseif ph == "in" then
        local side = st.arm == 1 and 1 or -1
        a[2], a[3], a[4] = ARM_X, side * 0.3, 1.0
        if ee_at(obs, st.arm, a[2], a[3], a[4], 0.03) then set("basket") end
    elseif ph == "basket" then
        local side = st.arm == 1 and 1 or -1
        a[2], a[3], a[4] = obs.basket[1], side * 0.17, 0.56
        if ee_at(obs, st.arm, a[2], a[3], a[4], 0.02) or st.t > 3 then set("drop") end
    elseif ph == "drop" then
        st.grip = 0
        if st.t > 0.3 then a[1] = 0; set("stow") end
    elseif ph == "stow" then
        if st.t > 1.0 then set("next") end
    end
    local block = nav.people(obs.people, {ahead = 1.5, half_width = 0.5, horizon = 2.0})
    if block then v = math.min(v, 0) end
    action.base[1], action.base[2] = v, w
    local idle = {0, 0.5, 0, 1, 0}
    local mine, other = st.arm == 2 and action.arm_right or action.arm_left, st.arm == 2 and action.arm_left or action.arm_right
    for k = 1, 5 do mine[k], other[k] = a[k], idle[k] end
    action.grip[st.arm or 1], action.grip[st.arm == 2 and 1 or 2] = st.grip, 0
end

return P
