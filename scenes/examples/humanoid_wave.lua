-- A 1.72 m, 67 kg humanoid (robots.humanoid: 17 position-servo hinges, built from
-- primitives) stands on its own, raises its left arm forward to `raise` radians
-- (shoulder pitch, a minimum-jerk move over 1.5 s), waves its right forearm with the
-- arm held out sideways, takes a shove in the back (a horizontal force of `push`
-- newtons for 0.2 s, its direction jittered by the episode RNG) and lowers both arms.
-- With `ragdoll_at` > 0 every servo switches off at that time and the body goes limp
-- (a ragdoll demonstration: --param ragdoll_at=5 and the shove at 6 s topples it; the
-- episode then cannot succeed and ends as a failure when the pelvis drops).
--
-- success: at the end, standing (pelvis within 3 cm of its start height, torso up
--          z > 0.98), and the left shoulder reached its raise target within 0.05 rad
--          during the hold
-- failure: fell (pelvis below 0.6 m)
-- reward:  -|left shoulder pitch error| * dt during the hold
-- metrics: shoulder tracking error, pelvis height, min torso up z, centre-of-mass
--          travel, wave amplitude measured at the right elbow

local robots = require "robots"
local kit = require "kit"

local h                          -- the robot of the current episode (set in build)

-- timeline, s
local T_RAISE, T_WAVE, T_PUSH, T_LOWER, T_END = 1.0, 3.0, 6.0, 7.0, 9.0
local MOVE = 1.5                 -- s, duration of each arm move

local scene = {
    name = "humanoid_wave",
    domain = "examples",
    description = "Humanoid stands with PD servos, raises an arm, waves, takes a shove",
    timestep = 0.002,
    time_limit = 10,
    view = {eye = {1.30, -3.20, 1.80}, target = {0.00, 0.00, 0.90}, fov = 45},
    world = {iterations = 50},
    params = {
        raise = {default = -1.5708, min = -3.0, max = 0.0, description = "left shoulder pitch target, rad (-pi/2 = forward level)"},
        wave_freq = {default = 1.0, min = 0.2, max = 2.0, description = "wave frequency, Hz"},
        push = {default = 80, min = 0, max = 150, description = "shove in the back, N for 0.2 s"},
        ragdoll_at = {default = 0, min = 0, max = 10, description = "switch the servos off at this time, s (0 = never)"},
    },
}

local function arm_targets(ctx)
    local t, p = ctx.t, ctx.params
    local up = robots.kin.smoothstep((t - T_RAISE) / MOVE) - robots.kin.smoothstep((t - T_LOWER) / MOVE)
    local side = robots.kin.smoothstep((t - T_WAVE + 0.5) / MOVE) - robots.kin.smoothstep((t - T_LOWER) / MOVE)
    local wave = 0
    if t >= T_WAVE and t < T_LOWER then
        wave = 0.5 * math.sin(2 * math.pi * p.wave_freq * (t - T_WAVE))
    end
    return {
        l_shoulder_pitch = p.raise * up,
        r_shoulder_roll = -1.4 * side,
        r_elbow = (-1.2 + wave) * side,
    }
end

function scene.build(world, ctx)
    kit.room.floor(world, {color = {0.6, 0.6, 0.58}})
    h = robots.humanoid.build(world, {name = "h", pos = {0, 0}, yaw = 0})
    local s = ctx.state
    s.z0 = h:pelvis_height()
    s.cx0, s.cy0 = h:com()
    s.push_dir = math.pi + (math.random() - 0.5) * 0.6       -- from behind (pushes +x), jittered
    s.err_hold = -1             -- last shoulder error in the hold (-1: not reached yet)
    s.err_max_hold = 0
    s.up_min = 1
    s.elbow_min, s.elbow_max = 0, -10
    s.ragdoll = false
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    if p.ragdoll_at > 0 and ctx.t >= p.ragdoll_at and not s.ragdoll then
        h:set_mode("ragdoll")
        s.ragdoll = true
    end
    if not s.ragdoll then h:command(arm_targets(ctx)) end
    if ctx.t >= T_PUSH and ctx.t < T_PUSH + 0.2 and p.push > 0 then
        h.torso:add_force(-p.push * math.cos(s.push_dir), -p.push * math.sin(s.push_dir), 0)
    end
    -- the hold: after the raise move finished, before lowering
    if ctx.t >= T_RAISE + MOVE + 0.5 and ctx.t < T_LOWER then
        local e = math.abs(h:q("l_shoulder_pitch") - p.raise)
        s.err_hold = e
        if e > s.err_max_hold then s.err_max_hold = e end
    end
    if ctx.t >= T_WAVE + 0.5 and ctx.t < T_LOWER then
        local e = h:q("r_elbow")
        if e < s.elbow_min then s.elbow_min = e end
        if e > s.elbow_max then s.elbow_max = e end
    end
    local up = h:up_z()
    if up < s.up_min then s.up_min = up end
end

function scene.reward(ctx)
    if ctx.t >= T_RAISE + MOVE + 0.5 and ctx.t < T_LOWER then
        return -math.abs(h:q("l_shoulder_pitch") - ctx.params.raise) * ctx.dt
    end
    return 0
end

function scene.failure(ctx)
    local z = h:pelvis_height()
    if z < 0.6 then return true, string.format("the humanoid fell (pelvis at %.2f m)", z) end
    return false
end

function scene.success(ctx)
    local s = ctx.state
    if ctx.t < T_END - 1e-9 or s.ragdoll then return false end
    return math.abs(h:pelvis_height() - s.z0) < 0.03 and h:up_z() > 0.98
        and s.err_hold >= 0 and s.err_max_hold < 0.05
end

function scene.metrics(ctx)
    local s = ctx.state
    local cx, cy = h:com()
    return {
        shoulder_error_max = s.err_max_hold,
        shoulder_error_final_hold = s.err_hold,
        pelvis_height = h:pelvis_height(),
        min_up_z = s.up_min,
        com_travel = math.sqrt((cx - s.cx0) ^ 2 + (cy - s.cy0) ^ 2),
        wave_amplitude = (s.elbow_max > -10) and (s.elbow_max - s.elbow_min) / 2 or 0,
    }
end

return scene
