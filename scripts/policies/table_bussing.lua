--[[
policies.table_bussing: baseline for scenes/pilot/restaurant_table_bussing.lua (a scripted
controller on the scene's ground-truth observations; perception noise is filtered).

Base: turn towards a staging point 0.4 m in front of the bussing station (chassis centre
0.30 m before the table's near edge, facing it), drive there (braking profile, 0.5 m/s at
most), turn to face the table, creep to the station pursuing the line through it along
the table normal, turn square to the table, settle. While the arm works, hold the station
(x and heading); between items, when the base has crept more than 4 cm sideways, back off
0.5 m and dock again. It stops while a diner is, or within 2 s will be, in a corridor
ahead (forward -0.2 .. 1.6 m, 0.8 m to each side; backing up: -1.3 .. 0.2 m).
While driving, the arm holds its tool above the chassis' left edge beside the pedestal
(inside the robot's footprint). Arm, per item in the order plates, bowl, cups (all
Cartesian moves are straight lines of the commanded TCP with a trapezoidal speed profile:
0.9 m/s and 1.5 m/s^2 for free moves, 0.12-0.25 m/s near the item and the tub):
  pre      above the item (cups: fingers open, 8 cm above the grasp point; plates and
           bowl: fingers closed, their tips 10 cm above the item; lower when the arm's
           reach needs it), tool down, fingers closing along the chassis x; the item
           position is low-pass filtered meanwhile
  descend  cups: to the pinch height (TCP 3.5 cm below the rim), then close; plates and
           bowl: down until the pads touch (the scene attaches the item), 1 cm press at most
  lift     straight up to 0.93 m (or the arm's reach)
  via      beside the arm, 0.45 m to the side of the tub spot (the shoulder pan never
           passes behind the arm, where its +-3.1 rad limit is)
  above    0.12 m above the item's spot in the tub; lower to 2 cm above the landing
           (plates and the bowl stack at the tub centre, the cups go to its right corners)
  release  open, wait 0.25 s, rise to 0.75 m, back to the via point
Retries a grasp (back to pre) when nothing is attached 1 s after closing.
--]]

local arm = require "policies.lib.arm"

local P = {}
local st

local DT = 0.004            -- s, the scene's timestep (from obs.clock)
local DEBUG = false         -- print the phases
local FAST = 0.9            -- m/s, TCP speed of free moves
local ACC = 1.5             -- m/s^2, TCP acceleration of the moves
local LIFT_Z = 0.93         -- m, TCP height of the lift and the via points
local DROP = 0.02           -- m, item bottom above its landing at release
local ARM_X = 0.2           -- m, arm base (pan axis) ahead of the chassis centre
local STATION = 0.30        -- m, chassis centre before the table's near edge
local ORDER = {1, 2, 3, 4, 5}
-- tub spots relative to the tub centre: dx, dy, landing height above the tub floor (m)
local SPOT = {{0.0, 0.04, 0.0}, {0.0, 0.04, 0.02}, {0.0, 0.04, 0.04}, {-0.09, -0.165, 0.0}, {0.09, -0.165, 0.0}}

local clamp = require("kit.util").clamp

function P.reset(spec, seed)
    DT = 0.004                  -- until obs.clock shows the scene's step (same in every episode)
    st = {phase = "goto", v = 0, w = 0, k = 1, still = 0, cp = nil, t = 0, arm = "idle",
          fx = 0, fy = 0, fz = 0, n_f = 0, grip = 0, off = 0}
end

local function item(obs, i)
    local o = (i - 1) * 6
    local t = obs.items
    return t[o + 1], t[o + 2], t[o + 3], t[o + 4], t[o + 5], t[o + 6]
end

-- A tracked person is (or within 2 s will be) in the corridor from x0 to x1 (robot
-- frame, m), 0.8 m to each side.
local function blocked(obs, x0, x1)
    local pp = obs.people
    for i = 0, #pp // 4 - 1 do
        local px, py, vx, vy = pp[i * 4 + 1], pp[i * 4 + 2], pp[i * 4 + 3], pp[i * 4 + 4]
        for k = 0, 8 do
            local t = k * 0.25
            local x, y = px + vx * t, py + vy * t
            if x > x0 and x < x1 and math.abs(y) < 0.8 then return true end
        end
    end
    return false
end

-- Base: returns v, w and true once parked at the station.
local function drive(obs)
    local ex, ey, dyaw = obs.table[1], obs.table[2], obs.table[3]
    local c, s = math.cos(dyaw), math.sin(dyaw)
    local sx, sy = ex - STATION * c, ey - STATION * s          -- station, robot frame
    local v, w = 0, 0
    if st.phase == "goto" then
        local gx, gy = sx - 0.4 * c, sy - 0.4 * s
        local d = math.sqrt(gx * gx + gy * gy)
        local err = math.atan(gy, gx)
        if d < 0.04 then st.phase = "align"
        elseif math.abs(err) > 0.12 and d > 0.15 then w = clamp(1.5 * err, -0.7, 0.7)
        else
            v = math.min(0.5, math.sqrt(2 * 0.35 * math.max(d - 0.02, 0)))
            w = clamp(1.5 * err, -0.6, 0.6) * math.min(1, d / 0.3)
            if blocked(obs, -0.2, math.min(1.6, d + 1.0)) then v = 0 end
        end
    elseif st.phase == "align" then
        w = clamp(2.0 * dyaw, -0.5, 0.5)
        if math.abs(dyaw) < 0.01 and math.abs(obs.twist[2]) < 0.02 then st.phase = "approach" end
    elseif st.phase == "approach" then
        -- pure pursuit of the line through the station along the table normal
        v = math.min(0.25, math.sqrt(2 * 0.3 * math.max(sx, 0)))
        w = clamp(2.5 * (dyaw + math.atan(sy, math.max(sx, 0.25))), -0.4, 0.4)
        if sx < 0.004 then st.phase = "square" end
    elseif st.phase == "square" then
        -- turn in place (about the chassis centre: the station stays put) to face the table
        w = clamp(2.0 * dyaw, -0.3, 0.3)
        if math.abs(dyaw) < 0.008 then st.phase = "settle" end
    elseif st.phase == "backup" then
        v = -0.15
        w = clamp(2.0 * dyaw, -0.3, 0.3)
        if blocked(obs, -1.3, 0.2) then v = 0 end
        if sx > 0.5 then st.phase = "approach" end
    elseif st.phase == "settle" then
        if math.abs(obs.twist[1]) < 0.01 and st.v == 0 then st.still = st.still + DT else st.still = 0 end
        if st.still > 0.3 then st.phase = "work"; st.arm = "idle" end
    end
    if st.phase == "work" and st.arm == "idle" and math.abs(sy) > 0.04 then
        -- the base crept sideways while the arm worked: back off and dock again, the arm
        -- in its travel pose
        st.phase, st.cp = "backup", nil
    end
    if st.phase == "work" then
        -- hold the station against the arm's reactions (the wheels' servos are compliant)
        v = clamp(2.0 * sx, -0.05, 0.05)
        w = clamp(2.0 * dyaw, -0.1, 0.1)
    end
    if DEBUG and st.phase ~= st.last_phase then print(string.format("%.2f base %s", st.tt, st.phase)); st.last_phase = st.phase end
    return v, w
end

-- Moves the commanded TCP st.cp towards (x, y, z) at speed; true when there (and the TCP too).
local function move_to(obs, x, y, z, speed, tol) return arm.move_to(st, obs.ee, x, y, z, speed, tol, ACC, DT) end

-- m, the highest TCP the arm reaches (tool down) above a chassis-frame point (x, y): the
-- wrist centre within 0.80 m of the shoulder (arm base 0.62 m up, shoulder 0.089 m above
-- it, wrist pitch axis 0.272 m above the TCP)
local function z_max(x, y)
    local r2 = (x - ARM_X) ^ 2 + y ^ 2
    return 0.62 + 0.089 - 0.272 + math.sqrt(math.max(0.64 - r2, 0))
end

local function set_arm(phase) st.cv = 0; if DEBUG then print(string.format("%.2f k=%d %s -> %s", st.tt or 0, st.k, st.arm, phase)) end st.arm, st.t = phase, 0 end

local function spot(obs, i)
    local s = SPOT[i]
    return obs.tub[1] + s[1], obs.tub[2] + s[2], obs.tub[3] + s[3]
end

local function work(obs)
    local i = ORDER[st.k]
    if not i then return 0 end
    local ix, iy, iz, kind, h, status = item(obs, i)
    local pinch = (kind == 1)
    local sx, sy, sfloor = spot(obs, i)
    local side = (sy >= 0) and 1 or -1
    local via = {ARM_X - 0.05, side * 0.45, LIFT_Z}
    st.t = st.t + DT
    if not st.cp then st.cp = {obs.ee[1], obs.ee[2], obs.ee[3]} end
    if st.arm == "idle" then
        st.fx, st.fy, st.fz = ix, iy, iz
        set_arm("pre")
    end
    -- low-pass filtered item position while the item is still on the table
    if status == 0 and (st.arm == "pre") then
        st.fx = st.fx + 0.02 * (ix - st.fx)
        st.fy = st.fy + 0.02 * (iy - st.fy)
        st.fz = st.fz + 0.02 * (iz - st.fz)
    end
    local top = st.fz + h / 2
    if st.arm == "pre" then
        st.grip = pinch and 0 or 1
        local z = math.min(pinch and (top - 0.035 + 0.08) or (top + 0.045 + 0.10), z_max(st.fx, st.fy) - 0.01)
        if move_to(obs, st.fx, st.fy, z, FAST, 0.015) and st.t > 0.3 then set_arm("descend") end
    elseif st.arm == "descend" then
        if pinch then
            if move_to(obs, st.fx, st.fy, top - 0.035, 0.25) then set_arm("close") end
        else
            move_to(obs, st.fx, st.fy, top + 0.035, 0.12)
            if obs.grip[1] == i then st.off = obs.ee[3] - iz; set_arm("lift")
            elseif st.t > 3 then set_arm("pre") end
        end
    elseif st.arm == "close" then
        st.grip = 1
        if obs.grip[1] == i and st.t > 0.1 then st.off = obs.ee[3] - iz; set_arm("lift")
        elseif st.t > 1.0 then st.grip = 0; set_arm("pre") end
    elseif st.arm == "lift" then
        if move_to(obs, st.cp[1], st.cp[2], math.min(LIFT_Z, z_max(st.cp[1], st.cp[2]) - 0.01), 0.5, 0.03) then set_arm("via") end
    elseif st.arm == "via" then
        if move_to(obs, via[1], via[2], via[3], FAST, 0.05) then set_arm("above") end
    elseif st.arm == "above" then
        if move_to(obs, sx, sy, sfloor + DROP + h / 2 + st.off + 0.12, FAST, 0.03) then set_arm("lower") end
    elseif st.arm == "lower" then
        if move_to(obs, sx, sy, sfloor + DROP + h / 2 + st.off, 0.25) then set_arm("release") end
    elseif st.arm == "release" then
        st.grip = 0
        if st.t > 0.25 and obs.grip[1] == 0 then set_arm("rise") end
    elseif st.arm == "rise" then
        if move_to(obs, st.cp[1], st.cp[2], 0.75, FAST, 0.05) then set_arm("back") end
    elseif st.arm == "back" then
        if move_to(obs, via[1], via[2], via[3], FAST, 0.05) then
            st.k = st.k + 1
            set_arm("idle")
        end
    end
    return 1
end

function P.act(obs, action)
    local t = obs.clock[1]
    if st.t_prev and t > st.t_prev then DT = t - st.t_prev end
    st.t_prev = t
    st.tt = t
    local v, w = drive(obs)
    local a = action.arm
    if st.phase == "work" then
        local mode = work(obs)
        a[1] = mode
        if mode == 1 then a[2], a[3], a[4], a[5] = st.cp[1], st.cp[2], st.cp[3], 0
        elseif st.cp then a[1] = 1; a[2], a[3], a[4], a[5] = st.cp[1], st.cp[2], st.cp[3], 0 end
    else
        -- travel pose: tool down above the chassis' left edge, beside the arm, inside the
        -- robot's footprint (the scene's travel pose, mode 0, reaches 0.5 m ahead)
        a[1], a[2], a[3], a[4], a[5] = 1, ARM_X, 0.25, 0.95, 0
    end
    action.grip[1] = st.grip
    st.v, st.w = v, w
    action.base[1], action.base[2] = v, w
end

return P
