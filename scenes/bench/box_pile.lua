--[[
bench/box_pile: 100 boxes of random sizes are dropped from a grid into a bin.

WORLD (pilotsim defaults unless listed): gravity (0, 0, -9.81); timestep 0.002 s,
time limit 4 s (2000 steps); dWorldQuickStep, 20 iterations, SOR w 1.3; world ERP 0.2,
CFM 1e-5; contact surface layer 0.001 m; max correcting vel 1.0 m/s; hash space;
up to 8 contacts per geom pair; no auto-disable, no damping. No ground plane.
Materials: everything uses pilotsim's "default" material: Coulomb friction 0.8, no
restitution, contact softness = the world ERP/CFM.

CONTACTS (what pilotsim's collision pass does): dSpaceCollide over the one space;
pairs with no dynamic body and pairs of bodies joined by any joint
(dAreConnectedExcluding(b1, b2, dJointTypeContact)) are skipped; dCollide with up to 8
contacts; every contact gets surface.mode = dContactApprox1 (so mu is a coefficient, two
friction directions), mu = the combined friction, every other surface field 0; the
contact joints live in a joint group emptied after each step, and pilotsim attaches a
dJointFeedback to each (it reports contact forces). Before each dWorldQuickStep it calls
dRandSetSeed(world seed state) and saves dRandGetSeed() after (see ODE_NOTES.md).

BIN: 5 static boxes (geoms without a body), identity orientation, in this order:
  floor       size 1.40 x 1.40 x 0.10   centre (0, 0, -0.05)      (top face at z = 0)
  wall +x     size 0.10 x 1.40 x 0.80   centre ( 0.65, 0, 0.40)
  wall -x     size 0.10 x 1.40 x 0.80   centre (-0.65, 0, 0.40)
  wall +y     size 1.20 x 0.10 x 0.80   centre (0,  0.65, 0.40)
  wall -y     size 1.20 x 0.10 x 0.80   centre (0, -0.65, 0.40)
The inside is 1.20 x 1.20 m, 0.80 m deep.

BOXES: 100 dynamic boxes, identity orientation, zero velocity, created in order
k = 0..99 (body name "box<k+1>"):
  layer = k // 25, row = (k % 25) // 5, col = k % 5
  centre = (-0.44 + 0.22 * col, -0.44 + 0.22 * row, 0.20 + 0.25 * layer)
  size   = (sx, sy, sz), each 0.10 + 0.10 * u, drawn in that order (sx, sy, sz) for box
           k before box k+1, u = math.random() = the episode RNG's uniform in [0, 1)
           (pilotsim: ps_rng_uniform, see rng.h; any uniform source gives the same
           workload statistically)
  mass   = 500 kg/m^3 * sx * sy * sz (0.5 .. 4 kg), inertia of a uniform box about its
           centre (dMassSetBox(&m, 500, sx, sy, sz)), COM at the body position.

STEP CALLBACK (before every physics step): reads the z of box 100 (the last one
dropped) and keeps the minimum seen in ctx.state; it does not change the physics.
--]]

local N = 100
local DENSITY = 500

local scene = {
    name = "box_pile",
    domain = "bench",
    description = "100 random boxes dropped into a bin",
    timestep = 0.002,
    time_limit = 4,
}

local last                    -- handle of the last box (set in build)

function scene.build(world, ctx)
    local statics = {
        {{1.40, 1.40, 0.10}, {0, 0, -0.05}},
        {{0.10, 1.40, 0.80}, {0.65, 0, 0.40}},
        {{0.10, 1.40, 0.80}, {-0.65, 0, 0.40}},
        {{1.20, 0.10, 0.80}, {0, 0.65, 0.40}},
        {{1.20, 0.10, 0.80}, {0, -0.65, 0.40}},
    }
    for i = 1, #statics do
        world:geom{type = "box", size = statics[i][1], pos = statics[i][2],
                   color = {0.45, 0.45, 0.5, (i == 1) and 1 or 0.5}}
    end
    for k = 0, N - 1 do
        local layer, row, col = k // 25, (k % 25) // 5, k % 5
        local sx = 0.10 + 0.10 * math.random()
        local sy = 0.10 + 0.10 * math.random()
        local sz = 0.10 + 0.10 * math.random()
        last = world:body{
            name = "box" .. (k + 1),
            pos = {-0.44 + 0.22 * col, -0.44 + 0.22 * row, 0.20 + 0.25 * layer},
            geoms = {{type = "box", size = {sx, sy, sz}, density = DENSITY,
                      color = {0.3 + 0.6 * sx / 0.2, 0.5, 0.3 + 0.6 * sz / 0.2}}},
        }
    end
    ctx.state.z_min = 0.20 + 0.25 * ((N - 1) // 25)
end

function scene.step(ctx)
    local _, _, z = last:pos()
    if z < ctx.state.z_min then ctx.state.z_min = z end
end

function scene.metrics(ctx)
    local _, _, z = last:pos()
    return {last_box_z = z, last_box_z_min = ctx.state.z_min}
end

return scene
