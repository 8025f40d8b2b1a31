--[[
policies.assembly: baseline for scenes/pilot/manufacturing_assembly.lua (a scripted
pick-and-insert on the scene's observations; the grasp holds by friction only).

  over     tool over the pin at 0.95 m, gripper open (the pin's position averaged meanwhile)
  down     tool point 1 cm below the pin's top (the pads then cover its upper 5.5 cm and
           end 4.5 cm above the pin's bottom, clear of the fixture when inserting)
  close    squeeze; wait until the gap has settled for 0.3 s
  lift     straight up to 0.95 m
  carry    over the bore's axis
  insert   down to 2 cm above the seated height, then at 0.03 m/s until the pin's bottom is
           on the bore floor (the tool stops following: the pin rests)
  release  open, wait 0.3 s, rise to 0.95 m
--]]
local arm = require "policies.lib.arm"

local P = {}
local st

local DT = 0.002
local SAFE_Z = 0.95
local GRASP = 0.01           -- tool point below the pin's top
local H = 0.10

local function set(ph) st.phase, st.t = ph, 0 end

function P.reset() st = {phase = "over", t = 0, tcp = {0.4, 0, SAFE_Z, 0}, grip = 0} end


function P.act(obs, action)
    if not st then P.reset() end
    st.t = st.t + DT
    local pn, fx = obs.pin, obs.fixture
    local ph = st.phase
    if ph == "over" then
        st.grip = 0
        if not st.f then st.f = {pn[1], pn[2], pn[3]} end
        local f = arm.smooth(st.f, pn, 0.02)
        st.tcp = {f[1], f[2], SAFE_Z, 0}
        if arm.near(obs.tcp, st.tcp, 0.004, 0.02) and st.t > 0.3 then set("down") end
    elseif ph == "down" then
        st.tcp = {st.f[1], st.f[2], st.f[3] - GRASP, 0}
        if arm.near(obs.tcp, st.tcp, 0.004, 0.006) then set("close") end
    elseif ph == "close" then
        st.grip = 1
        if math.abs(obs.tcp[4] - (st.w or 0)) > 2e-4 then st.settled = 0 else st.settled = (st.settled or 0) + DT end
        st.w = obs.tcp[4]
        if st.settled > 0.3 and st.t > 0.4 then set("lift") end
    elseif ph == "lift" then
        st.tcp = {st.f[1], st.f[2], SAFE_Z, 0}
        if arm.near(obs.tcp, st.tcp, 0.01, 0.02) then set("carry") end
    elseif ph == "carry" then
        st.tcp = {fx[1], fx[2], SAFE_Z, 0}
        if arm.near(obs.tcp, st.tcp, 0.003, 0.02) and st.t > 0.3 then st.z = fx[3] + H - GRASP + 0.02; set("insert") end
    elseif ph == "insert" then
        local seat = fx[3] + H - GRASP
        if obs.tcp[3] < st.z + 0.003 then st.z = math.max(seat, st.z - 0.03 * DT) end
        st.tcp = {fx[1], fx[2], st.z, 0}
        if st.z <= seat and obs.tcp[3] < seat + 0.004 then set("release") end
        if st.t > 3 then set("release") end
    elseif ph == "release" then
        st.grip = 0
        if st.t > 0.3 then set("rise") end
    elseif ph == "rise" then
        st.tcp = {fx[1], fx[2], SAFE_Z, 0}
    end
    for k = 1, 4 do action.tcp[k] = st.tcp[k] end
    action.grip[1] = st.grip
end

return P
