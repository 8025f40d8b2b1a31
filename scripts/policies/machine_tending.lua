--[[
policies.machine_tending: baseline for scenes/pilot/manufacturing_machine_tending.lua (a
scripted pick-and-place with the machine's interlock on the scene's observations).

  pick    over the blank at 1.0 m, fingers open; down until the TCP is 2.5 cm below the
          blank's top; close; lift to 1.0 m (blank positions averaged while hovering)
  load    over the chuck (through the open door, above the walls' reach), down until the
          blank's bottom is 5 mm above the pocket floor, open, rise to 1.0 m
  out     back to a waiting point (0.2, 0, 1.0), outside the machine; press start and wait
          for the door to open again
  unload  as pick, from the chuck; then over the outfeed tray, down until the part's
          bottom is 1 cm above the tray floor, open, rise
--]]
local arm = require "policies.lib.arm"

local P = {}
local st

local DT = 0.004
local SAFE_Z = 1.0
local GRASP = 0.025          -- TCP below the blank's top when grasping
local H = 0.14               -- blank height
local WAIT = {0.2, 0.0, SAFE_Z}

local function set(ph) st.phase, st.t = ph, 0 end

function P.reset() st = {phase = "over", t = 0, tcp = {0.3, 0.2, SAFE_Z, 0}, grip = 0, start = 0, f = nil, job = "load"} end


function P.act(obs, action)
    if not st then P.reset() end
    st.t = st.t + DT
    local b, c = obs.blank, obs.cell
    local ph = st.phase
    st.start = 0
    if ph == "over" then
        st.grip = 0
        if not st.f or st.t < DT * 1.5 then st.f = {b[1], b[2], b[3]} end
        local f = arm.smooth(st.f, b, 0.05)
        st.tcp = {f[1], f[2], SAFE_Z, 0}
        if arm.near(obs.tcp, st.tcp, 0.008, 0.03) and st.t > 0.3 then set("down") end
    elseif ph == "down" then
        st.tcp = {st.f[1], st.f[2], st.f[3] - GRASP, 0}
        if arm.near(obs.tcp, st.tcp, 0.012) or st.t > 1.0 then set("close") end
    elseif ph == "close" then
        st.grip = 1
        if obs.tcp[5] > 0 and st.t > 0.2 then set("lift") elseif st.t > 1.0 then st.f = nil; set("over") end
    elseif ph == "lift" then
        st.tcp = {st.f[1], st.f[2], SAFE_Z, 0}
        if arm.near(obs.tcp, st.tcp, 0.02) then
            if st.job == "load" then st.dest = {c[1], c[2], c[3] + H + 0.005 - GRASP} else st.dest = {c[4], c[5], c[6] + H + 0.01 - GRASP} end
            set("carry")
        end
    elseif ph == "carry" then
        st.tcp = {st.dest[1], st.dest[2], SAFE_Z, 0}
        if arm.near(obs.tcp, st.tcp, 0.008, 0.03) then set("lower") end
    elseif ph == "lower" then
        st.tcp = {st.dest[1], st.dest[2], st.dest[3], 0}
        if arm.near(obs.tcp, st.tcp, 0.006) or st.t > 1.5 then set("release") end
    elseif ph == "release" then
        st.grip = 0
        if st.t > 0.3 then set("rise") end
    elseif ph == "rise" then
        st.tcp = {obs.tcp[1], obs.tcp[2], SAFE_Z, 0}
        if obs.tcp[3] > SAFE_Z - 0.02 then
            if st.job == "load" then set("retreat") else set("done") end
        end
    elseif ph == "retreat" then
        st.tcp = {WAIT[1], WAIT[2], WAIT[3], 0}
        if arm.near(obs.tcp, st.tcp, 0.02) then set("start") end
    elseif ph == "start" then
        st.start = 1
        if obs.machine[1] > 0 then set("wait") end
        if st.t > 1.0 then set("retreat") end
    elseif ph == "wait" then
        if b[4] > 0.5 and obs.machine[1] <= 0 then st.job = "unload"; st.f = nil; set("over") end
    end
    for k = 1, 4 do action.tcp[k] = st.tcp[k] end
    action.grip[1] = st.grip
    action.start[1] = st.start
end

return P
