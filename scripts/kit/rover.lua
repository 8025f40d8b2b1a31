--[[
kit.rover: a wheeled base as a navigation scene drives it: the observation entries such
scenes declare (pose, twist, points and people in the robot frame), acceleration-limited
twist commands and the odometer. Works with any robot object with set_twist(v, w),
pose2d() -> x, y, yaw, up_z() and .chassis (robots.diffdrive, robots.service_tray,
robots.crawler).

    local rover = require "kit.rover"
    local R = rover.new()                        -- at file level: its entries go in the spaces
    scene.params = rover.params(0.8, {...})      -- the scene's params plus accel (default 0.8)
    scene.observation = {pose = R:pose_entry(), twist = R:twist_entry(), ...}
    -- build: R:attach(bot, ctx.state)           after the robot is built
    -- act:   R:drive(ctx, v, w, accel, turn_accel)   limits in m/s^2 and rad/s^2
    -- step:  R:track(ctx)                       odometer (path length in ctx.state.rover.path)

A scene that follows a kit.route (rt) with a crowd of kit.people walkers:
    scene.observation = R:nav_entries(rt, {...})  -- pose, twist and route, plus its own
    -- step:  R:step(ctx, mon, crowd, rt [, ok])  mon:update(ctx), people.update(crowd, ctx),
    --                                            R:track(ctx), rt:follow(ctx, R, ok), in that order

A scene whose task is a kit.route (the route scenes' family) takes its action space, act,
reward and success from one declarative spec:
    R:route_task(scene, rt, {low = {-0.3, -1.5}, high = {0.8, 1.5}, turn_accel = 2.5,
                             action = {spray = {shape = {2}, low = 0, high = 1}},   -- optional
                             act = function(ctx, action) ... end})                  -- optional
  scene.action   {base = {v, w} within low..high (m/s, rad/s)} plus o.action's own entries
  scene.act      R:drive_base(ctx, action, o.turn_accel), then o.act(ctx, action) when given
  scene.reward   rt:progress(ctx) (1 per route point, -0.01 per s)
  scene.success  rt:done(ctx.state)
A function the scene defines after the call (its own reward, say) replaces the template's.
  R:drive_base(ctx, action, turn_accel)   R:drive from action.base with ctx.params.accel

rover.params(accel, own) adds to `own` (the scene's params; returned) the param `accel`: the
base acceleration limit (m/s^2; default `accel`, 0.1 to 5) the scene passes to R:drive.

The running values live in ctx.state.rover (plain data: v, w commanded; path, px, py).

Entries (observation tables {shape = ..., fn = ...}; ground truth unless stated):
  R:pose_entry()                 {3}: x, y (m), yaw (rad), world frame
  R:twist_entry()                {2}: measured forward speed (m/s) and yaw rate (rad/s)
  R:people_entry(n, list_fn, sd_fn)
                                 {n, 4}: the people of list_fn(ctx) (scenario.human objects,
                                 at most n; absent ones read dx = 99, dy = 0), per person dx, dy
                                 (robot frame, m; plus gaussian noise of sd_fn(ctx) m when
                                 sd_fn is given: two math.normal draws per person, x then y)
                                 and vx, vy (robot frame, m/s)
rover.twist(bot)                 forward speed (m/s, along the chassis heading) and yaw rate
                                 (rad/s) of any such robot object
Methods:
  R:to_local(px, py)             (px, py) in the robot frame: forward, left (m)
  R:speed()                      planar speed of the chassis (m/s)
  R:pose()                       x, y, yaw of the chassis
  R:path(ctx)                    distance driven so far (m)
  R:lidar(world, o)              a 2D lidar on the chassis (0.2 m ahead, 0.1 m up), 360 deg,
                                 10 Hz: o = {name = "scan", beams = 72, range = 8, noise = 0.01}
  R:failed(ctx, who)             the failures every such scene shares: true and a message when
                                 the robot tipped (up_z < 0.8) or a contact with a person went
                                 over the ISO/TS 15066 limits (scenario.safety's state; `who`
                                 names the person in the message); else false
  R:metrics(ctx, mon)            mon:metrics(ctx) (a scenario.safety monitor) plus
                                 path_length (m) and time (s)
--]]

local people = require "kit.people"
local safety = require "scenario.safety"
local util = require "kit.util"

local M = {}
local R = {}
R.__index = R

function M.new() return setmetatable({}, R) end

function M.twist(bot)
    local _, _, yaw = bot:pose2d()
    local vx, vy = bot.chassis:linvel()
    local _, _, wz = bot.chassis:angvel()
    return vx * math.cos(yaw) + vy * math.sin(yaw), wz
end

function M.params(accel, own)
    own.accel = {default = accel, min = 0.1, max = 5.0, description = "base acceleration limit applied by act (m/s^2)"}
    return own
end

function R:attach(bot, state)
    self.bot = bot
    local x, y = bot:pose2d()
    state.rover = {v = 0, w = 0, path = 0, px = x, py = y}
end

function R:pose() return self.bot:pose2d() end

function R:to_local(px, py)
    local x, y, yaw = self.bot:pose2d()
    return util.to_local(x, y, yaw, px, py)
end

function R:speed()
    local vx, vy = self.bot.chassis:linvel()
    return math.sqrt(vx * vx + vy * vy)
end

function R:drive(ctx, v, w, accel, turn_accel)
    local s = ctx.state.rover
    s.v = util.approach(s.v, v, accel, ctx.dt)
    s.w = util.approach(s.w, w, turn_accel, ctx.dt)
    self.bot:set_twist(s.v, s.w)
end

function R:track(ctx)
    local s = ctx.state.rover
    local x, y = self.bot:pose2d()
    s.path = s.path + util.dist2d(s.px, s.py, x, y)
    s.px, s.py = x, y
end

function R:path(ctx) return ctx.state.rover.path end

function R:lidar(world, o)
    o = o or {}
    return world:sensor{type = "lidar", name = o.name or "scan", body = self.bot.chassis, pos = {0.2, 0, 0.1},
                        h_beams = o.beams or 72, h_fov = 2 * math.pi, range_min = 0.05, range_max = o.range or 8,
                        rate = 10, noise = {stddev = o.noise or 0.01}}
end

function R:failed(ctx, who)
    if self.bot:up_z() < 0.8 then return true, "the robot tipped over" end
    return safety.failed(ctx, who)
end

function R:metrics(ctx, mon)
    local m = mon:metrics(ctx)
    m.path_length = self:path(ctx)
    m.time = ctx.t
    return m
end

function R:drive_base(ctx, action, turn_accel)
    self:drive(ctx, action.base[1], action.base[2], ctx.params.accel, turn_accel)
end

function R:route_task(scene, rt, o)
    scene.action = o.action or {}
    scene.action.base = {shape = {2}, low = o.low, high = o.high}
    local own, turn_accel = o.act, o.turn_accel
    scene.act = function(ctx, action)
        self:drive_base(ctx, action, turn_accel)
        if own then own(ctx, action) end
    end
    scene.reward = function(ctx) return rt:progress(ctx) end
    scene.success = function(ctx) return rt:done(ctx.state) end
end

function R:nav_entries(rt, own)
    own.pose, own.twist, own.route = self:pose_entry(), self:twist_entry(), rt:entry(self)
    return own
end

function R:step(ctx, mon, crowd, rt, ok)
    mon:update(ctx)
    people.update(crowd, ctx)
    self:track(ctx)
    rt:follow(ctx, self, ok)
end

function R:pose_entry()
    return {shape = {3}, fn = function(_, out) out[1], out[2], out[3] = self.bot:pose2d() end}
end

function R:twist_entry()
    return {shape = {2}, fn = function(_, out) out[1], out[2] = M.twist(self.bot) end}
end

function R:people_entry(n, list_fn, sd_fn)
    return {shape = {n, 4}, fn = function(ctx, out)
        local x, y, yaw = self.bot:pose2d()
        local c, s = math.cos(yaw), math.sin(yaw)
        local list = list_fn(ctx)
        local sd = sd_fn and sd_fn(ctx) or 0
        for i = 1, n do
            local k, h = (i - 1) * 4, list[i]
            if h then
                local hx, hy = h:pos()
                local vx, vy = h:vel()
                if sd > 0 then hx, hy = hx + math.normal(0, sd), hy + math.normal(0, sd) end
                out[k + 1], out[k + 2] = util.to_local(x, y, yaw, hx, hy)
                out[k + 3], out[k + 4] = c * vx + s * vy, -s * vx + c * vy
            else
                out[k + 1], out[k + 2], out[k + 3], out[k + 4] = 99, 0, 0, 0
            end
        end
    end}
end

return M
