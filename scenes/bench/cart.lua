--[[
bench/cart: a 1 kg cart without gravity on a frictionless line, pushed by a
force action; the smallest scene with an observation and an action, so that
`pilotsim bench --policies` measures what each policy interface costs per step
(observation out, action in) rather than physics.

observation  x     [2]  cart position (m) and velocity (m/s) along x
action       force [1]  N, clamped to [-20, 20], applied along x each step
The reference policy is a PD law, force = -20 x - 8 v, written once per
interface: scenes/bench/cart_pd.lua (Lua), tests/policies/pd_policy.c (C
library), tools/python/policy_server.py (exec and tcp). No success: a run
lasts exactly the steps it is given (time limit 400 s = 40000 steps).
]]
local cart
return {
    name = "cart",
    domain = "bench",
    description = "1-D cart pushed by a force action: the policy-interface benchmark",
    timestep = 0.01,
    time_limit = 400,
    observation = {
        x = {shape = {2}, fn = function(ctx, out)
            out[1] = cart:pos()
            out[2] = cart:linvel()
        end},
    },
    action = {force = {shape = {1}, low = -20, high = 20}},
    build = function(world, ctx)
        cart = world:body{pos = {1, 0, 0}, mass = 1, gravity = false}
    end,
    act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end,
}
