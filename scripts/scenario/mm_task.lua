--[[
scenario.mm_task: what the mobile-manipulator pilot scenes share (restaurant_table_bussing,
retail_shelf_picking): the robot-state observation entries, the action space and act().

    local mm = require "scenario.mm_task"
    local bot, people                          -- set in build
    scene.observation = mm.observations(function() return bot end, function() return people end, 3)
    scene.observation.items = {...}            -- the scene's own entries
    scene.params = mm.params({accel = {0.5, 0.1, 4}, turn_accel = {...}, arm_speed = {...}},
                             {...})              -- the scene's own params
    scene.action = mm.action(1.6)              -- highest TCP target z (m, chassis frame)
    -- in build, after the robot exists:   mm.init_state(ctx.state, bot)
    scene.act = function(ctx, action) mm.act(ctx, action, bot) end

Observations (robot frame unless said):
  clock {1}   simulated time (s)
  pose  {3}   x, y (m), yaw (rad), world frame
  twist {2}   forward speed (m/s), yaw rate (rad/s)
  ee    {4}   tool centre point in the chassis frame (m) and the gripper opening (m)
  grip  {1}   index of the item held by scenario.grasp, 0 none
  people {n, 4}  per person: forward, left (m, gaussian noise 0.02 / params.light m), vx, vy (m/s)

Action:
  base {2}  v in [-0.3, 0.6] m/s, w in [-1, 1] rad/s, ramped at params.accel (m/s^2) and
            params.turn_accel (rad/s^2), as a firmware would
  arm  {5}  mode (0 carry pose, 1 tool down, 2 tool horizontal facing forward), then the TCP
            target x, y, z (m, chassis frame) and the tool yaw (rad); the joints move towards
            the IK solution at params.arm_speed (rad/s, synchronised); an unreachable target
            holds the arm and counts in ctx.state.ik_fail
  grip {1}  >= 0.5 closes the gripper
Params act() reads (mm.params declares them, each with the scene's default, min and max):
  accel (m/s^2), turn_accel (rad/s^2): the base's ramps; arm_speed (rad/s): the arm's joints
Task bookkeeping (ctx.state, plain data):
  mm.hold_done(ctx, all)      in step: while `all` (every item placed) and nothing held,
                              s.done_for grows by ctx.dt (else 0); s.t_done is the time it
                              first reached 0.5 s (start s.done_for, s.t_done = 0, -1)
  mm.done(ctx)                success: the hold lasted 0.5 s
  mm.contact_penalty(s)       for reward: 5 per person contact since the last call
                              (s.contacts_seen, start 0)
  mm.failed(ctx, bot, who)    the failures these scenes share, after their own: a contact with
                              `who` above the ISO/TS 15066 force limit, the robot tipped
  mm.metrics(ctx, mon, name)  mon:metrics(ctx) (scenario.safety) plus ik_failures,
                              path_length (s.path) and, as `name`, s.t_done once done (else now)
The scenes' template and step (the calls every such scene makes, in their order):
  mm.task(scene, {bot = function() return bot end, z_max = 1.6, dual = false})
                              scene.action (mm.action(z_max), or mm.action_dual with dual),
                              scene.act (mm.act or mm.act_dual on bot()), scene.success = mm.done
  mm.step(ctx, bot, mon, people, grips)
                              for step, before the scene's own counting: mon:update(ctx), the
                              people's update, each scenario.grasp of `grips` updated with the
                              gripper's command (ctx.state.closed, then closed2), the odometer
                              (ctx.state.path)
  mm.seen(bot, body, sd)      the body's position in bot's chassis frame (m) as the perception
                              reports it: plus three math.normal(0, sd) draws, x, y, z
The container on the rear deck (a tote, tub, bin or basket):
  mm.deck_box(world, bot, o)  kit.props.open_box as a body (o.mass kg) at chassis-frame x = o.x
                              on the deck (its bottom 1 mm above o.deck_z, m), turned by o.yaw
                              (the robot's start heading), welded to the chassis by a fixed
                              joint named o.mount; o.name, o.outer = {x, y, z} (m), o.wall,
                              o.floor, o.color as open_box's. Returns a DeckBox:
    box.body                  the Body
    box:inner()               x0, y0, x1, y1 of its inside and its floor's top z (chassis frame)
    box:rim()                 the rim's z (chassis frame)
    box:holds(x, y, z, above) a chassis-frame point inside the walls, above the floor and at
                              most `above` m over the rim
    box:has(body, above)      box:holds for the body's position (world, turned into the
                              frame of the chassis the box is welded to)
Running values live in ctx.state (v, w, qc, ik_fail, closed): plain data, so saved states
restore them.
]]
local M = {}


local props = require "kit.props"
local rover = require "kit.rover"
local safety = require "scenario.safety"
local track = require "kit.track"
local util = require "kit.util"
local approach = util.approach

--- The shared observation entries; `bot()` and `people()` return the robot and the list
--- of scenario.human people (made in build); `n_people` fixes the people entry's rows.
function M.observations(bot, people, n_people)
    return {
        clock = {shape = {1}, fn = function(ctx, out) out[1] = ctx.t end},
        pose = {shape = {3}, fn = function(ctx, out) local x, y, yaw = bot():pose2d(); out[1], out[2], out[3] = x, y, yaw end},
        twist = {shape = {2}, fn = function(_, out) out[1], out[2] = rover.twist(bot()) end},
        ee = {shape = {4}, fn = function(ctx, out)
            local b = bot()
            local x, y, z = b:to_chassis(b.arm:tcp())
            out[1], out[2], out[3], out[4] = x, y, z, b.arm:gripper_width()
        end},
        grip = {shape = {1}, fn = function(ctx, out) out[1] = ctx.state.grasp.held end},
        people = {shape = {n_people, 4}, fn = function(ctx, out)
            local x, y, yaw = bot():pose2d()
            local sd = 0.02 / ctx.params.light
            local c, s = math.cos(yaw), math.sin(yaw)
            for i, h in ipairs(people()) do
                local hx, hy = h:pos()
                local vx, vy = h:vel()
                local px, py = hx + math.normal(0, sd) - x, hy + math.normal(0, sd) - y
                local k = (i - 1) * 4
                out[k + 1], out[k + 2], out[k + 3], out[k + 4] = c * px + s * py, -s * px + c * py,
                    c * vx + s * vy, -s * vx + c * vy
            end
        end},
    }
end

--- The action space; `z_max` is the highest TCP target (m, chassis frame).
function M.action(z_max)
    return {
        base = {shape = {2}, low = {-0.3, -1.0}, high = {0.6, 1.0}},
        arm = {shape = {5}, low = {0, -1.0, -1.0, 0.0, -math.pi}, high = {2, 1.2, 1.0, z_max, math.pi}},
        grip = {shape = {1}, low = 0, high = 1},
    }
end

local PARAMS = {
    accel = "base acceleration limit applied by act (m/s^2)",
    turn_accel = "base yaw acceleration limit applied by act (rad/s^2)",
    arm_speed = "joint speed limit of the arm targets (rad/s)",
}

--- The params act() reads, added to `own` (the scene's other params; returned):
--- ranges = {accel = {default, min, max}, turn_accel = {...}, arm_speed = {...}}.
function M.params(ranges, own)
    for name, what in pairs(PARAMS) do
        local r = assert(ranges[name], "mm.params: no range for " .. name)
        own[name] = {default = r[1], min = r[2], max = r[3], description = what}
    end
    return own
end

function M.hold_done(ctx, all)
    local s = ctx.state
    track.hold(ctx, all and s.grasp.held == 0 and (not s.grasp2 or s.grasp2.held == 0), 0.5)
end

function M.done(ctx) return ctx.state.done_for >= 0.5 end

function M.contact_penalty(s)
    local c = s.safety.contacts
    if c <= s.contacts_seen then return 0 end
    local p = 5 * (c - s.contacts_seen)
    s.contacts_seen = c
    return p
end

function M.failed(ctx, bot, who)
    local hit, why = safety.failed(ctx, who)
    if hit then return true, why end
    if bot:up_z() < 0.8 then return true, "the robot tipped over" end
    return false
end

function M.metrics(ctx, mon, time_name)
    local s = ctx.state
    local m = mon:metrics(ctx)
    m.ik_failures = s.ik_fail
    m.path_length = s.path
    m[time_name] = track.hold_time(ctx)
    return m
end

local DeckBox = {}
DeckBox.__index = DeckBox

function M.seen(bot, body, sd)
    local x, y, z = bot:to_chassis(body:pos())
    return x + math.normal(0, sd), y + math.normal(0, sd), z + math.normal(0, sd)
end

function M.deck_box(world, bot, o)
    local x, y = bot:to_world(o.x, 0, 0)
    local body = props.open_box(world, {name = o.name, pos = {x, y, o.deck_z + 0.001}, yaw = o.yaw, size = o.outer,
                                        wall = o.wall, floor = o.floor, mass = o.mass, color = o.color})
    world:joint{type = "fixed", name = o.mount, body1 = body, body2 = bot.chassis}
    return setmetatable({body = body, bot = bot, x = o.x, outer = o.outer, wall = o.wall or 0.01, floor = o.floor or o.wall or 0.01,
                         deck_z = o.deck_z}, DeckBox)
end

function DeckBox:inner()
    local o, w = self.outer, self.wall
    return self.x - o[1] / 2 + w, -o[2] / 2 + w, self.x + o[1] / 2 - w, o[2] / 2 - w, self.deck_z + self.floor
end

function DeckBox:rim() return self.deck_z + self.outer[3] end

function DeckBox:holds(x, y, z, above)
    local x0, y0, x1, y1, fz = self:inner()
    return x > x0 and x < x1 and y > y0 and y < y1 and z > fz and z < self.deck_z + self.outer[3] + above
end

function DeckBox:has(body, above)
    local x, y, z = self.bot:to_chassis(body:pos())
    return self:holds(x, y, z, above)
end

--- Resets the running values act() keeps in ctx.state.
function M.init_state(s, bot)
    s.v, s.w = 0, 0
    s.qc = bot:carry_q()
    if bot.arms[2] then s.qc2 = bot:carry_q(2) end
    s.ik_fail = 0
end

-- Arm action -> joint targets of arm n (default 1; its running targets in s.qc, arm 2's
-- in s.qc2).
local function arm_act(ctx, a, bot, n)
    local s, p = ctx.state, ctx.params
    local qc = (n or 1) == 1 and s.qc or s.qc2
    local mode = math.floor(a[1] + 0.5)
    local qt
    if mode == 0 then
        qt = bot:carry_q(n)
    else
        local q = bot:ik(mode == 2 and "front" or "down", a[2], a[3], a[4], a[5], n)
        if q then qt = q else s.ik_fail = s.ik_fail + 1 end
    end
    if qt then
        local m = 0
        for i = 1, 6 do m = math.max(m, math.abs(qt[i] - qc[i])) end
        local k = math.min(1, p.arm_speed * ctx.dt / math.max(m, 1e-9))
        for i = 1, 6 do qc[i] = qc[i] + k * (qt[i] - qc[i]) end
    end
    bot.arms[n or 1]:command(qc)
end

-- The base action, ramped at params.accel and turn_accel (running values s.v, s.w).
local function base_act(ctx, a, bot)
    local s, p = ctx.state, ctx.params
    s.v = approach(s.v, a[1], p.accel, ctx.dt)
    s.w = approach(s.w, a[2], p.turn_accel, ctx.dt)
    bot:set_twist(s.v, s.w)
end

--- Applies an action: ramped base twist, arm, gripper.
function M.act(ctx, action, bot)
    local s = ctx.state
    base_act(ctx, action.base, bot)
    arm_act(ctx, action.arm, bot)
    s.closed = action.grip[1] >= 0.5
    bot.arm:grip(s.closed and 0 or bot.arm.o.open_width)
end

--- The dual-arm action space: base {2}, arm_left {5}, arm_right {5} (each as `arm`),
--- grip {2} (left, right).
function M.action_dual(z_max)
    local a = M.action(z_max)
    return {base = a.base, arm_left = a.arm, arm_right = util.merged(a.arm, {}), grip = {shape = {2}, low = 0, high = 1}}
end

--- Applies a dual-arm action (a robots.mobile_manipulator built with dual = true); the
--- grippers' states go to ctx.state.closed and closed2.
function M.act_dual(ctx, action, bot)
    local s = ctx.state
    base_act(ctx, action.base, bot)
    arm_act(ctx, action.arm_left, bot, 1)
    arm_act(ctx, action.arm_right, bot, 2)
    s.closed, s.closed2 = action.grip[1] >= 0.5, action.grip[2] >= 0.5
    for k, c in ipairs({s.closed, s.closed2}) do
        local arm = bot.arms[k]
        arm:grip(c and 0 or arm.o.open_width)
    end
end

function M.task(scene, o)
    local bot, dual = o.bot, o.dual
    scene.action = dual and M.action_dual(o.z_max) or M.action(o.z_max)
    if dual then
        scene.act = function(ctx, action) M.act_dual(ctx, action, bot()) end
    else
        scene.act = function(ctx, action) M.act(ctx, action, bot()) end
    end
    scene.success = M.done
end

function M.step(ctx, bot, mon, people, grips)
    local s = ctx.state
    mon:update(ctx)
    for _, h in ipairs(people) do h:update(ctx) end
    local closed = {s.closed, s.closed2}
    for k, g in ipairs(grips) do g:update(ctx, closed[k] == true) end
    local x, y = bot:pose2d()
    track.odometer(s, x, y)
end

return M
