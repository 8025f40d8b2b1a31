--[[
scenario.arm_cell: what the fixed-arm work-cell scenes share (manufacturing_machine_tending,
logistics_truck_unloading): a robots.arm6 driven by a Cartesian tool-point target with a
controller's speed and acceleration limits, the tool pointing down, and a gripper or
vacuum tool whose hold is scenario.grasp's attach.

    local cell = require "scenario.arm_cell"
    scene.action = cell.action({xmin, ymin, zmin}, {xmax, ymax, zmax})
    scene.observation = {tcp = cell.tcp_observation(function() return arm end), ...}
    -- in build, after the arm exists:   cell.init_state(ctx.state, arm)
    -- in act(ctx, action):              cell.act(ctx, action, arm, o)
    -- in step(ctx):                     grasp object:update(ctx, ctx.state.closed)

Action:
  tcp  {4}  target tool point, world x, y, z (m), and tool yaw (rad); the commanded point
            moves towards it along a straight line at <= o.speed (1.0 m/s) with <= o.accel
            (3 m/s^2), and arm:ik_down follows it. A commanded point the arm cannot reach
            holds the arm where it is (counted in state.ik_holds)
  grip {1}  > 0.5 closes the gripper (or turns the vacuum on): ctx.state.closed
Observation (tcp_observation): tcp {5}: the tool point now (world x, y, z, m), the pad gap
  (m), and the index of the held item (state.grasp.held; 0 none).
act() options o: speed, accel (as above), open_width (the gap when open; default the
arm's), close_width (the gap commanded when closed, default 0: squeeze with the fingers'
force limit; a gap a few mm below the part's width squeezes it with the servos' stiffness
instead, which keeps the part centred between the pads), vacuum (true: the fingers stay
closed, the grip entry only switches the hold).
cell.move(ctx, target, arm, speed, accel): the tool-point part of act alone (a scene with its
own tool, say a suction cup): the commanded point towards target {x, y, z, yaw} at <= speed
(m/s) and accel (m/s^2), arm:ik_down following it, unreachable points held and counted.
The parts as the cell's camera reports them (position noise drawn anew every step):
  cell.draw_noise(t, sd)       t.nx, t.ny, t.nz = three math.normal(0, sd) draws (m), x, y, z
  cell.seen_top(body, h, t)    x, y, z of the body's top centre (its position + h/2 up, m)
                               plus t's noise
Running values live in ctx.state (cmd, cmd_v, ik_holds, closed): plain data.
--]]
local M = {}

function M.action(lo, hi)
    return {
        tcp = {shape = {4}, low = {lo[1], lo[2], lo[3], -math.pi}, high = {hi[1], hi[2], hi[3], math.pi}},
        grip = {shape = {1}, low = 0, high = 1},
    }
end

function M.tcp_observation(arm)
    return {shape = {5}, fn = function(ctx, out)
        local a = arm()
        out[1], out[2], out[3] = a:tcp()
        out[4] = a:gripper_width()
        out[5] = ctx.state.grasp and ctx.state.grasp.held or 0
    end}
end

function M.draw_noise(t, sd)
    t.nx, t.ny, t.nz = math.normal(0, sd), math.normal(0, sd), math.normal(0, sd)
end

function M.seen_top(body, h, t)
    local x, y, z = body:pos()
    return x + t.nx, y + t.ny, z + h / 2 + t.nz
end

function M.init_state(s, arm)
    local x, y, z = arm:tcp()
    s.cmd, s.cmd_v, s.ik_holds, s.closed = {x, y, z, 0}, {0, 0, 0}, 0, false
end

function M.move(ctx, t, arm, vmax, amax)
    local s, dt = ctx.state, ctx.dt
    local c, cv = s.cmd, s.cmd_v
    local d = {t[1] - c[1], t[2] - c[2], t[3] - c[3]}
    local dist = math.sqrt(d[1] ^ 2 + d[2] ^ 2 + d[3] ^ 2)
    -- the velocity the limits allow towards the target (braking in time), then the
    -- velocity change limited by the acceleration
    local sp = dist > 1e-9 and math.min(vmax, math.sqrt(2 * amax * dist), dist / dt) or 0
    local dv, n = {}, 0
    for k = 1, 3 do
        dv[k] = (dist > 1e-9 and d[k] / dist * sp or 0) - cv[k]
        n = n + dv[k] ^ 2
    end
    n = math.sqrt(n)
    local f = n > amax * dt and amax * dt / n or 1
    local nv, nc = {}, {}
    for k = 1, 3 do
        nv[k] = cv[k] + dv[k] * f
        nc[k] = c[k] + nv[k] * dt
    end
    nc[4] = t[4]
    local q = arm:ik_down(nc[1], nc[2], nc[3], nc[4])
    if q then
        s.cmd, s.cmd_v = nc, nv
        arm:command(q)
    else
        s.cmd_v = {0, 0, 0}
        s.ik_holds = s.ik_holds + 1
    end
end

function M.act(ctx, action, arm, o)
    o = o or {}
    local s = ctx.state
    M.move(ctx, action.tcp, arm, o.speed or 1.0, o.accel or 3.0)
    s.closed = action.grip[1] > 0.5
    if o.vacuum then arm:grip(0) else arm:grip(s.closed and (o.close_width or 0) or (o.open_width or arm.o.open_width)) end
end

return M
