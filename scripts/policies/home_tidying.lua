--[[
policies.home_tidying: baseline for scenes/pilot/home_tidying.lua (a scripted controller on
the scene's observations, chassis frame).

For each toy on the floor, the nearest first:
  drive   to the point 0.62 m short of the toy on the line from the robot (turning on the
          spot first, 0.6 m/s at most), then turn to face it and creep until it lies within
          4 cm of 0.62 m ahead of the chassis centre (0.42 m ahead of the arm's pan axis)
  pick    tool down over the toy at 0.2 m (waiting until the tool is there), the fingers
          closing across the toy's x axis; down until the pads end 1.5 cm above the floor
          (or 2.5 cm below the toy's top); close until the toy is held; up to 0.35 m
  bin     over the deck bin: up to 0.65 m, back over the bin (8 cm left of its centre: the
          shoulder pan stops short of straight back), open, wait 0.3 s, forward again
Stops while the resident is, or within 2 s will be, in the corridor 0..1.5 m ahead and
0.55 m to each side; at most 0.25 m/s while anyone is within 1.5 m. Toy positions are
averaged while the arm hovers.
--]]
local nav = require "policies.lib.nav"

local P = {}
local st

local DT = 0.004
local REACH = 0.62           -- m, toy ahead of the chassis centre when picking
local HIGH = 0.65            -- m, tool height over the bin

local function set(ph) st.phase, st.t = ph, 0 end

function P.reset() st = {phase = "select", t = 0, arm = {0, 0.5, 0, 0.4, 0}, grip = 0} end

local function toy(obs, i)
    local t, k = obs.toys, (i - 1) * 5
    return t[k + 1], t[k + 2], t[k + 3], t[k + 4], t[k + 5]
end

local function at(obs, x, y, z, tol)
    local e = obs.ee
    return math.abs(e[1] - x) < tol and math.abs(e[2] - y) < tol and math.abs(e[3] - z) < tol
end

-- twist to bring a chassis-frame point (x, y) REACH m straight ahead; true when there
local function approach(x, y)
    local d = math.sqrt(x * x + y * y)
    local b = math.atan(y, x)
    if d > REACH + 0.06 then
        local f = 1 - REACH / d
        local v, w = nav.steer(x * f, y * f, {vmax = 0.6, decel = 0.5, wmax = 1.0, turn_in_place = 0.4})
        return v, w, false
    end
    local w = math.max(-0.6, math.min(0.6, 2.5 * b))
    local v = math.abs(b) < 0.1 and math.max(-0.1, math.min(0.1, 1.5 * (x - REACH))) or 0
    return v, w, math.abs(b) < 0.04 and math.abs(x - REACH) < 0.04
end

function P.act(obs, action)
    if not st then P.reset() end
    st.t = st.t + DT
    local v, w = 0, 0
    local ph = st.phase
    local a = st.arm
    if ph == "select" then
        a[1], st.grip = 0, 0
        st.k = nil
        local best = 1e9
        for i = 1, #obs.toys // 5 do
            local x, y, _, s = toy(obs, i)
            if s == 0 and x * x + y * y < best then best, st.k = x * x + y * y, i end
        end
        if st.k then set("drive") end
    elseif ph == "drive" then
        local x, y = toy(obs, st.k)
        local done
        v, w, done = approach(x, y)
        st.still = done and (st.still or 0) + DT or 0
        if st.still > 0.2 then st.f = nil; set("over") end
    elseif ph == "over" then
        local x, y, z, _, yaw = toy(obs, st.k)
        if not st.f then st.f = {x, y, z, yaw} end
        local f = st.f
        f[1], f[2] = f[1] + 0.05 * (x - f[1]), f[2] + 0.05 * (y - f[2])
        a[1], a[2], a[3], a[4], a[5] = 1, f[1], f[2], 0.2, f[4]
        if st.t > 0.5 and at(obs, f[1], f[2], 0.2, 0.012) then set("down") end
    elseif ph == "down" then
        a[4] = math.max(st.f[3] - 0.025, 0.06)
        st.low = (math.abs(obs.ee[3] - a[4]) < 0.012) and (st.low or 0) + DT or 0
        if st.low > 0.15 or st.t > 2 then set("close") end
    elseif ph == "close" then
        st.grip = 1
        if obs.grip[1] == st.k and st.t > 0.2 then set("lift") elseif st.t > 1.5 then st.grip = 0; set("select") end
    elseif ph == "lift" then
        a[4] = HIGH
        if at(obs, a[2], a[3], HIGH, 0.03) then set("over_bin") end
    elseif ph == "over_bin" then
        -- 8 cm left of the bin's centre line: straight behind the pan axis is its +-3.1 rad limit
        a[1], a[2], a[3], a[4], a[5] = 1, obs.bin[1], obs.bin[2] + 0.08, HIGH, 0
        if at(obs, a[2], a[3], HIGH, 0.02) or st.t > 3 then set("drop") end
    elseif ph == "drop" then
        st.grip = 0
        if st.t > 0.3 then a[2], a[3] = 0.6, 0; set("forward") end
    elseif ph == "forward" then
        if at(obs, 0.6, 0, HIGH, 0.05) or st.t > 2 then set("select") end
    end
    local block, near = nav.people(obs.people, {ahead = 1.5, half_width = 0.55, horizon = 2.0})
    if block then v = 0 elseif near then v = math.max(-0.25, math.min(v, 0.25)) end
    action.base[1], action.base[2] = v, w
    for k = 1, 5 do action.arm[k] = a[k] end
    action.grip[1] = st.grip
end

return P
