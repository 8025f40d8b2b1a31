--[[
policies.fruit_picking: baseline for scenes/pilot/agriculture_fruit_picking.lua.

A scripted picker on the scene's observations (apple positions with their perception
error, ripe flags, states; the tool point and pad gap; the bin). For each ripe apple still
hanging, nearest along the row first, until `progress` says enough are in the bin:
  drive    along the row (heading 0, holding the start line y) until the arm mast is
           abreast of the apple (braking profile, <= 0.4 m/s, ramped at 0.5 m/s^2),
           then settle 0.3 s
  above    tool 0.12 m above the apple, fingers closing along the row, pads 11 cm apart
  descend  to 5 mm above the apple's centre
  close    squeeze (grip 0) for 1.0 s
  pull     down and out of the wall (-0.06 m in y and z) until the stem breaks; if the
           tool got there without a break, open and try again from `above`, once, then
           give up on that apple
  lift     up by 0.15 m (to at most 1.15 m), then over the centre of the next free
           tray cell at 0.60 m
  lower    until the apple's bottom (its radius from the squeezed pad gap) is 8 mm above
           the tray floor
  release  open to 9.5 cm for 0.6 s, rise to 0.60 m, back to the carry pose
The base stands still while the arm works. Assumes one call per 2 ms step.
--]]

local P = {}
local st

local clamp = require("kit.util").clamp

local CARRY = {0.45, 0.0, 1.05}      -- tool point while driving (robot frame)
local DT = 0.002

function P.reset(spec, seed)
    st = {phase = "select", t = 0, v = 0, target = 0, tries = 0, bin_n = 0, y0 = nil,
          tcp = {CARRY[1], CARRY[2], CARRY[3], math.pi / 2}, grip = 0.11, skip = {}}
end

local function set(phase) st.phase, st.t = phase, 0 end

local function near(obs, p, tol)
    local t = obs.tcp
    return math.abs(t[1] - p[1]) < tol and math.abs(t[2] - p[2]) < tol and math.abs(t[3] - p[3]) < tol
end

local function fruit(obs, i)
    local k = (i - 1) * 7
    local f = obs.fruits
    return {x = f[k + 1], y = f[k + 2], z = f[k + 3], ripe = f[k + 4] > 0.5, state = f[k + 5], held = f[k + 7] > 0.5}
end

function P.act(obs, action)
    if not st then P.reset() end
    st.t = st.t + DT
    local by, byaw = obs.base[2], obs.base[3]
    if not st.y0 then st.y0 = by end
    local v, w = 0, 0
    local nf = #obs.fruits // 7
    local ph = st.phase

    if ph == "select" then
        st.tcp = {CARRY[1], CARRY[2], CARRY[3], math.pi / 2}
        st.grip = 0.11
        st.target = 0
        if obs.progress[1] < obs.progress[2] then
            local best = 1e9
            for i = 1, nf do
                local f = fruit(obs, i)
                if f.ripe and f.state == 0 and not st.skip[i] and f.x < best then best, st.target = f.x, i end
            end
        end
        if st.target > 0 and near(obs, CARRY, 0.03) then st.tries = 0; set("drive") end
    elseif ph == "drive" then
        local f = fruit(obs, st.target)
        local ex = f.x - 0.2
        v = math.min(0.4, math.sqrt(2 * 0.3 * math.max(math.abs(ex) - 0.003, 0)))
        if ex < 0 then v = -math.min(v, 0.25) end
        w = clamp(-2.0 * byaw - 1.5 * (by - st.y0) * (v >= 0 and 1 or -1), -0.5, 0.5)
        if math.abs(ex) < 0.006 then v = 0; set("settle") end
    elseif ph == "settle" then
        if st.t > 0.3 then set("above") end
    elseif ph == "above" then
        local f = fruit(obs, st.target)
        st.tcp = {f.x, f.y, f.z + 0.12, 0}
        st.grip = 0.11
        if near(obs, st.tcp, 0.004) and st.t > 0.2 then set("descend") end
    elseif ph == "descend" then
        local f = fruit(obs, st.target)
        st.tcp = {f.x, f.y, f.z + 0.005, 0}
        if near(obs, st.tcp, 0.003) and st.t > 0.3 then set("close") end
    elseif ph == "close" then
        st.grip = 0
        if st.t > 1.0 then
            st.pull = {obs.tcp[1], obs.tcp[2] - 0.06, obs.tcp[3] - 0.06, 0}
            set("pull")
        end
    elseif ph == "pull" then
        st.tcp = st.pull
        local f = fruit(obs, st.target)
        if f.state >= 1 and st.t > 0.1 then
            set("lift")
        elseif near(obs, st.pull, 0.004) and st.t > 0.5 then
            st.tries = st.tries + 1
            if st.tries >= 2 then st.skip[st.target] = true; set("giveup") else set("above") end
        end
    elseif ph == "giveup" then
        st.grip = 0.11
        local f = fruit(obs, st.target)
        st.tcp = {obs.tcp[1], obs.tcp[2], f.z + 0.15, 0}
        if st.t > 0.8 then set("select") end
    elseif ph == "lift" then
        st.tcp = {obs.tcp[1], obs.tcp[2], math.min(1.15, obs.tcp[3] + 0.15), 0}
        if st.t > 0.3 then
            local n = obs.bin[4]
            local sx = obs.bin[1] + ((n % 2 == 0) and 0.09 or -0.09)     -- the centre of cell n
            local sy = obs.bin[2] + ((n // 2 % 2 == 0) and -0.075 or 0.075)
            st.spot = {sx, sy}
            set("to_bin")
        end
    elseif ph == "to_bin" then
        st.tcp = {st.spot[1], st.spot[2], 0.60, 0}
        if near(obs, st.tcp, 0.01) then set("lower") end
    elseif ph == "lower" then
        -- the apple's radius from the squeezed pad gap; its bottom 8 mm above the floor
        local f = fruit(obs, st.target)
        if not st.drop_z then
            local r = obs.tcp[4] / 2 + 0.001
            st.drop_z = obs.tcp[3] - (f.z - r - obs.bin[3] - 0.008)
        end
        st.tcp = {st.spot[1], st.spot[2], st.drop_z, 0}
        if near(obs, st.tcp, 0.004) and st.t > 0.2 then st.drop_z = nil; set("release") end
    elseif ph == "release" then
        st.grip = 0.095
        if st.t > 0.6 then set("rise") end
    elseif ph == "rise" then
        st.tcp = {st.spot[1], st.spot[2], 0.60, 0}
        if near(obs, st.tcp, 0.01) then set("select") end
    end

    local dv = clamp(v - st.v, -0.5 * DT, 0.5 * DT)
    st.v = st.v + dv
    action.base[1] = st.v
    action.base[2] = w
    for k = 1, 4 do action.tcp[k] = st.tcp[k] end
    action.grip[1] = st.grip
end

return P
