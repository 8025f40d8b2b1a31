--[[
policies.shelf_picking: baseline for scenes/pilot/retail_shelf_picking.lua (a scripted
controller on the scene's ground-truth observations; perception noise is filtered).

Base: keeps to a lane 0.45 m from the left shelf front (heading along the aisle, steering
towards the lane 0.6 m ahead), drives to the next ordered product until the arm's pan axis
(0.2 m ahead of the chassis centre) is level with it (braking profile, 0.5 m/s at most), and
holds that station while the product is on the shelf. It stops while a shopper is, or within
2 s will be, in a corridor ahead (0 .. 1.6 m, 0.45 m to each side) and drives at most
0.3 m/s while anyone is within 1.5 m (speed and separation monitoring).
Arm (front grasps, mode 2, the tool pointing away from the pan axis; every Cartesian move
is a straight line of the commanded TCP with a trapezoidal speed profile):
  travel   TCP 0.4 m ahead of the pan axis at 0.9 m, tool forward (the elbow then folds
           back over the chassis, inside the robot's footprint)
  pre      10 cm in front of the product's centre (radially), fingers open; the product
           position is low-pass filtered meanwhile
  insert   to the product's centre, then close (the scene attaches it)
  lift     3 cm up; retract to the pre point
  transfer above the product's spot in the tote (2 x 2 spots on the tote's left half, so
           the shoulder pan never passes behind the arm; rear spots first), the palm 1 cm
           above the rim
  release  open, wait 0.3 s, rise to 0.9 m, back to the travel pose through a point 0.32 m
           to the left of the pan axis
Retries a grasp (back to pre) when nothing is attached 1 s after closing.
--]]

local arm = require "policies.lib.arm"

local P = {}
local st

local DT = 0.004            -- s, the scene's timestep (from obs.clock)
local DEBUG = false         -- print the phases
local FAST = 0.8            -- m/s, TCP speed of free moves
local ACC = 1.5             -- m/s^2, TCP acceleration of the moves
local ARM_X = 0.2           -- m, arm base (pan axis) ahead of the chassis centre
local LANE = 0.45           -- m, lane (chassis centre) from the left shelf front
local TRAVEL = {ARM_X + 0.40, 0.0, 0.90}
local VIA = {ARM_X, 0.32, 0.90}
-- tote spots from its centre (m): all behind-left of the pan axis and at least 0.4 m from
-- it (closer, the folded wrist would pass its pitch limit); the rear ones first, as the
-- palm (between the TCP and the pan axis) passes over the front ones
local SPOT = {{-0.115, 0.18}, {-0.115, 0.04}, {-0.035, 0.18}, {-0.035, 0.04}}

local clamp = require("kit.util").clamp
local function wrap(a) return math.atan(math.sin(a), math.cos(a)) end

function P.reset(spec, seed)
    DT = 0.004                  -- until obs.clock shows the scene's step (same in every episode)
    st = {phase = "start", v = 0, k = 0, still = 0, cp = nil, t = 0, arm = "travel", tt = 0,
          fx = 0, fy = 0, fz = 0, grip = 0, picked = 0}
end

local function item(obs, i)
    local o = (i - 1) * 6
    local t = obs.order
    return t[o + 1], t[o + 2], t[o + 3], t[o + 4], t[o + 5], t[o + 6]
end

local function next_item(obs)
    for i = 1, #obs.order // 6 do
        local _, _, _, _, _, status = item(obs, i)
        if status == 0 then return i end
    end
    return nil
end

local function people(obs)
    local pp = obs.people
    local block, near = false, false
    for i = 0, #pp // 4 - 1 do
        local px, py, vx, vy = pp[i * 4 + 1], pp[i * 4 + 2], pp[i * 4 + 3], pp[i * 4 + 4]
        if px * px + py * py < 1.5 * 1.5 then near = true end
        for k = 0, 8 do
            local t = k * 0.25
            local x, y = px + vx * t, py + vy * t
            if x > 0 and x < 1.6 and math.abs(y) < 0.45 then block = true end
        end
    end
    return block, near
end

local function set_arm(phase)
    st.cv = 0
    if DEBUG then print(string.format("%.2f k=%d %s -> %s", st.tt, st.k, st.arm, phase)) end
    st.arm, st.t = phase, 0
end

-- Moves the commanded TCP st.cp towards (x, y, z) at speed; true when there (and the TCP too).
local function move_to(obs, x, y, z, speed, tol) return arm.move_to(st, obs.ee, x, y, z, speed, tol, ACC, DT) end

-- Base twist for the phase; also switches drive -> settle -> pick.
local function drive(obs)
    local y, yaw = obs.pose[2], obs.pose[3]
    local lane = obs.aisle[1] - LANE
    local hd = math.atan(lane - y, 0.6)
    local w = clamp(2.5 * wrap(hd - yaw), -0.5, 0.5)
    local v = 0
    local i = next_item(obs)
    if st.phase == "start" then
        w = 0
        if st.tt > 1.0 then st.phase = "drive" end
    elseif st.phase == "drive" then
        if not i then return 0, 0 end
        local ix = item(obs, i)
        local ex = ix - ARM_X
        v = clamp(math.sqrt(2 * 0.3 * math.max(ex, 0)), 0, 0.5)
        if ex < 0 then v = clamp(2 * ex, -0.1, 0) end
        local block, near = people(obs)
        if block then v = 0 elseif near then v = math.min(v, 0.3) end
        if math.abs(ex) < 0.008 then st.phase = "settle"; st.still = 0 end
    elseif st.phase == "settle" then
        local ix = i and item(obs, i) or ARM_X
        v = clamp(2 * (ix - ARM_X), -0.05, 0.05)
        if math.abs(obs.twist[1]) < 0.01 then st.still = st.still + DT else st.still = 0 end
        if st.still > 0.3 then st.phase = "pick"; st.k = i; set_arm("pre") end
    elseif st.phase == "pick" then
        local k = st.k
        local ix, _, _, _, _, status = item(obs, k)
        if status == 0 then v = clamp(2 * (ix - ARM_X), -0.05, 0.05) end
        w = clamp(2.5 * wrap(-yaw), -0.1, 0.1)
    end
    return v, w
end

local function work(obs)
    local i = st.k
    local ix, iy, iz, _, h, status = item(obs, i)
    st.t = st.t + DT
    if st.arm == "pre" and st.t <= DT * 1.5 then st.fx, st.fy, st.fz = ix, iy, iz end
    if status == 0 and st.arm == "pre" then
        st.fx = st.fx + 0.03 * (ix - st.fx)
        st.fy = st.fy + 0.03 * (iy - st.fy)
        st.fz = st.fz + 0.03 * (iz - st.fz)
    end
    local rx, ry = st.fx - ARM_X, st.fy
    local r = math.sqrt(rx * rx + ry * ry)
    local ux, uy = rx / r, ry / r
    local px, py, pz = st.fx - 0.10 * ux, st.fy - 0.10 * uy, st.fz + 0.005
    local sp = SPOT[st.picked + 1] or SPOT[#SPOT]
    local sx, sy = obs.tote[1] + sp[1], obs.tote[2] + sp[2]
    if st.arm == "pre" then
        st.grip = 0
        if move_to(obs, px, py, pz, FAST, 0.012) and st.t > 0.4 then set_arm("insert") end
    elseif st.arm == "insert" then
        if move_to(obs, st.fx, st.fy, pz, 0.2) then set_arm("close") end
    elseif st.arm == "close" then
        st.grip = 1
        if obs.grip[1] == i and st.t > 0.1 then set_arm("lift")
        elseif st.t > 1.0 then st.grip = 0; set_arm("pre") end
    elseif st.arm == "lift" then
        if move_to(obs, st.fx, st.fy, pz + 0.03, 0.15) then set_arm("retract") end
    elseif st.arm == "retract" then
        if move_to(obs, px, py, pz + 0.03, 0.3, 0.03) then set_arm("transfer") end
    elseif st.arm == "transfer" then
        -- the palm (3 cm below the TCP) 1 cm above the rim, the product at least 2 cm
        -- above the floor (0.15 m below the rim)
        local z = math.max(obs.tote[3] + 0.04, obs.tote[3] - 0.15 + 0.02 + h / 2)
        if move_to(obs, sx, sy, z, FAST, 0.015) then set_arm("release") end
    elseif st.arm == "release" then
        st.grip = 0
        if st.t > 0.3 and obs.grip[1] == 0 then set_arm("rise") end
    elseif st.arm == "rise" then
        if move_to(obs, sx, sy, TRAVEL[3], FAST, 0.04) then set_arm("via") end
    elseif st.arm == "via" then
        if move_to(obs, VIA[1], VIA[2], VIA[3], FAST, 0.04) then set_arm("back") end
    elseif st.arm == "back" then
        if move_to(obs, TRAVEL[1], TRAVEL[2], TRAVEL[3], FAST, 0.03) then
            st.picked = st.picked + 1
            st.phase = "drive"
            set_arm("travel")
        end
    end
end

function P.act(obs, action)
    local t = obs.clock[1]
    if st.t_prev and t > st.t_prev then DT = t - st.t_prev end
    st.t_prev, st.tt = t, t
    if not st.cp then st.cp = {TRAVEL[1], TRAVEL[2], TRAVEL[3]} end
    local v, w = drive(obs)
    if st.phase == "pick" then work(obs) end
    local a = action.arm
    a[1], a[2], a[3], a[4], a[5] = 2, st.cp[1], st.cp[2], st.cp[3], 0
    action.grip[1] = st.grip
    action.base[1], action.base[2] = v, w
    if DEBUG and st.phase ~= st.last then print(string.format("%.2f base %s", t, st.phase)); st.last = st.phase end
end

return P
