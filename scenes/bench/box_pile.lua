--[[
bench/box_pile: 100 boxes of random sizes are dropped from a grid into a bin.

WORLD (pilotsim defaults unless listed): gravity (0, 0, -9.81); timestep 0.002 s,
time limit 4 s (2000 steps); dWorldQuickStep, 20 iterations, SOR w 1.3; world ERP 0.2,
CFM 1e-5; contact surface layer 0.001 m; max correcting vel 1.0 m/s; hash space;
up to 8 contacts per geom pair; no auto-disable, no damping. No ground plane.
Materials: everything uses pilotsim's "default" material: Coulomb friction 0.8, no
restitution, contact softness = the world ERP/CFM.

CONTACTS: the contact pass of docs/ode-notes.md ("The contact pass, step by step"),
which other engines' versions of this scene should reproduce.

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

SEEDS (pilotsim as of this writing, sim/src/episode.c): episode seed s (`--seed`, default
0); math.random draws from ps_rng seeded with ps_rng_seed(ps_seed_mix(s, 0x6570697364));
the world's QuickStep seed is ps_seed_mix(s, 0x736f6c766572) & 0xffffffff, passed to
dRandSetSeed before each step. A bare-ODE rebuild that uses rng.h this way gets the
same box sizes and the same solver seed sequence.
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

local boxes = {}              -- handles of this episode's boxes, in creation order (set in build)
local last                    -- boxes[N]

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
    boxes = {}
    for k = 0, N - 1 do
        local layer, row, col = k // 25, (k % 25) // 5, k % 5
        local sx = 0.10 + 0.10 * math.random()
        local sy = 0.10 + 0.10 * math.random()
        local sz = 0.10 + 0.10 * math.random()
        boxes[k + 1] = world:body{
            name = "box" .. (k + 1),
            pos = {-0.44 + 0.22 * col, -0.44 + 0.22 * row, 0.20 + 0.25 * layer},
            geoms = {{type = "box", size = {sx, sy, sz}, density = DENSITY,
                      color = {0.3 + 0.6 * sx / 0.2, 0.5, 0.3 + 0.6 * sz / 0.2}}},
        }
    end
    last = boxes[N]
    ctx.state.z_min = 0.20 + 0.25 * ((N - 1) // 25)
end

function scene.step(ctx)
    local _, _, z = last:pos()
    if z < ctx.state.z_min then ctx.state.z_min = z end
end

-- Once, at the end: where the pile ended up (boxes outside the bin's inside volume,
-- the highest box centre).
function scene.metrics(ctx)
    local outside, top = 0, 0
    for i = 1, #boxes do
        local x, y, z = boxes[i]:pos()
        if math.abs(x) > 0.6 or math.abs(y) > 0.6 or z < 0 then outside = outside + 1 end
        if z > top then top = z end
    end
    local _, _, z = last:pos()
    return {last_box_z = z, last_box_z_min = ctx.state.z_min, boxes_outside = outside, top_box_z = top}
end

return scene
