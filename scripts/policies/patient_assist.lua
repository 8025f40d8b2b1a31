--[[
policies.patient_assist: baseline for scenes/pilot/eldercare_patient_assist.lua (a scripted
controller on the scene's observations).

  approach  to a point 0.9 m short of the hand-over point along the final heading (facing
            the resident), at most 0.5 m/s, braking at 0.25 m/s^2 (the cup)
  align     turn on the spot to face the resident
  final     creep to the hand-over point at <= 0.15 m/s, steering onto it, and stop when
            it is less than 1 cm ahead (or the separation to the resident falls below
            0.13 m)
The caregiver walks back and forth across the robot's way: while their line is 0.8..2.5 m
ahead, the robot waits unless they walk away from its path (it never stops on their line:
within 0.8 m of it, it finishes crossing).
--]]
local nav = require "policies.lib.nav"

local P = {}
local st

function P.reset() st = {phase = "approach"} end

function P.act(obs, action)
    if not st then P.reset() end
    local g = obs.goal
    local h = g[4]                            -- final heading, robot frame
    local v, w = 0, 0
    if st.phase == "approach" then
        local px, py = g[1] - 0.9 * math.cos(h), g[2] - 0.9 * math.sin(h)
        v, w = nav.steer(px, py, {vmax = 0.5, decel = 0.25, wmax = 0.8, turn_in_place = 0.5})
        if px * px + py * py < 0.05 ^ 2 then st.phase = "align" end
    elseif st.phase == "align" then
        w = math.max(-0.6, math.min(0.6, 2 * h))
        if math.abs(h) < 0.02 and math.abs(obs.twist[2]) < 0.05 then st.phase = "final" end
    elseif st.phase == "final" then
        v = math.max(0, math.min(0.15, 0.8 * g[1]))
        w = math.max(-0.3, math.min(0.3, 1.5 * math.atan(g[2], math.max(g[1], 0.2)) + 0.5 * h))
        if g[1] < 0.01 or obs.separation[1] < 0.13 then st.phase = "stop" end
    end
    -- the caregiver (row 2) walks back and forth across our way: cross their line only
    -- while they walk away from our path; once within 0.8 m of it, finish crossing
    local pp = obs.people
    local cx, cy, cvy = pp[5], pp[6], pp[8]
    local away = cy * cvy > 0 and math.abs(cvy) > 0.2
    if cx > 0.8 and cx < 2.5 and not away and st.phase == "approach" then v = 0 end
    action.base[1], action.base[2] = v, w
end

return P
