-- Manufacturing quality inspection: machined plates ride a belt conveyor under a
-- downward-looking RGB camera; a plate with a defect (a dark-red burn mark on its top face,
-- visible only in the image) must be pushed off the belt into the reject bin by the
-- pneumatic pusher further down the line; good plates ride on to the end of the belt.
--
-- Conveyor: belt 0.30 m wide (no side rails), top 0.80 m, x -3.6..2.0, at `belt_speed`;
-- good plates drop off its end. Camera: 32 x 24 px RGB, 10 Hz, 0.45 m above the belt at x = 0, looking
-- straight down (fov_y 0.6 rad: about 28 x 21 cm of belt), lamp `darkness`. Light barrier
-- and pusher at x = 1.2 m: the barrier reads 1 while a plate's centre is within 6 cm of it;
-- the pusher (a 0.25 x 0.04 m paddle on the +y side) strokes across the belt in 0.25 s
-- when the `reject` action rises above 0.5, and back; reject bin (its floor 0.3 m up) on
-- the -y side.
-- Plates: `n_parts` (2..5) aluminium plates 0.12 x 0.12 x 0.03 m, 0.35 kg, mu 0.4, spaced
-- 0.5..0.7 m apart (from x = -0.6 back), dropped from 2 cm onto the belt (the infeed
-- chute), yaw up to 0.3 rad; each defective with
-- probability `defect_rate` (at least one good and one bad plate), its burn mark 4 x 3 cm
-- at a random spot of the top face.
-- Without the renderer (a PILOTSIM_RENDER=OFF build) no camera can exist: the image stays
-- black and the metric `camera` is 0 (no image is faked).
--
-- Observation: image {24, 32, 3} (RGB 0..1, top row first; the camera's image),
--   gate {1} (light barrier 0/1), belt {1} (belt speed, m/s)
-- Action: reject {1} (> 0.5 fires the pusher; it strokes once per rising edge)
-- success: every defective plate in the reject bin and every good plate past the belt's end
-- failure: a good plate rejected, or a defective plate past the end of the belt (more than
--   `max_errors`); a plate off the belt anywhere else
-- reward: +1 per plate sorted right, -1 per plate sorted wrong, -0.01/s
-- metrics: rejected_bad, rejected_good, passed_good, passed_bad, pusher_strokes, camera,
--   and the scenario.safety metrics (an inspector walks along the line's far side; the
--   pusher's stroke zone y -0.2..0.4 at x 1.05..1.35 is a keep-out for people's side, not
--   entered by the robot)

local kit = require "kit"
local safety = require "scenario.safety"

local belt, cam, pusher, parts, inspector, mon   -- handles of the current episode (set in build)
local shown = -1             -- stamp of the camera image in the observation (a cache; -1: none)

local BELT = {x0 = -3.6, x1 = 2.0, w = 0.30, top = 0.80}
local GATE_X = 1.2
local PART = {0.12, 0.12, 0.03}
local W, H = 32, 24
local STROKE = 0.25          -- s, pusher out (and as long back)
local PUSH_Y = {0.23, -0.05} -- paddle centre y: rest, full stroke
local MAXN = 5

local scene = {
    name = "manufacturing_quality_inspection",
    domain = "manufacturing",
    description = "A camera over a conveyor spots burn marks on machined plates; a pusher rejects the bad ones",
    instruction = "Watch the plates passing under the camera and push every plate with a burn mark " ..
                  "into the reject bin; let the good ones pass.",
    timestep = 0.004,
    time_limit = 32,
    world = {iterations = 20, contact_forces = true},
    policy = "policies.quality_inspection",
    view = {eye = {0.2, -2.2, 1.9}, target = {0.8, 0, 0.8}, fov = 50},
    params = {
        n_parts = {default = 4, min = 2, max = MAXN, integer = true, description = "plates on the belt"},
        defect_rate = {default = 0.4, min = 0.2, max = 0.6, randomize = true, description = "probability of a burn mark"},
        belt_speed = {default = 0.3, min = 0.2, max = 0.4, randomize = true, description = "belt speed, m/s"},
        darkness = {default = 0.1, min = 0.0, max = 0.35, randomize = true, description = "camera light: 0 lit .. 1 dark"},
        max_errors = {default = 0, min = 0, max = 3, integer = true, description = "wrong sorts tolerated"},
        inspector_speed = {default = 0.9, min = 0.6, max = 1.2, randomize = true, description = "inspector's walking speed, m/s"},
    },
}

-- where a plate is: 0 on the belt, 1 rejected (in the bin), 2 passed (past the end), 3 lost
local function where(b)
    local x, y, z = b:pos()
    if z > BELT.top then return (x > BELT.x1 + 0.1) and 3 or 0 end
    if y < -BELT.w / 2 and x > GATE_X - 0.4 and x < GATE_X + 0.5 then return 1 end
    if x > BELT.x1 then return 2 end
    return 3
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    kit.room.floor(world, {friction = 0.8, material = "floor", color = {0.45, 0.47, 0.45}})
    world:material{name = "belt", friction = 0.8}
    world:material{name = "steel", friction = 0.3}
    world:material{name = "alu", friction = 0.4}
    belt = kit.props.conveyor(world, {x0 = BELT.x0, x1 = BELT.x1, width = BELT.w, top = BELT.top, speed = p.belt_speed,
                                  material = "belt", frame_material = "steel", rails = false})
    -- the reject bin beside the belt, opposite the pusher (its floor 0.3 m up, on a stand)
    world:geom{type = "box", size = {0.4, 0.4, 0.02}, pos = {GATE_X, -0.45, 0.3}, color = {0.8, 0.25, 0.2}}
    world:geom{type = "box", size = {0.1, 0.1, 0.29}, pos = {GATE_X, -0.45, 0.145}, color = {0.3, 0.3, 0.3}}
    -- camera mast and the light barrier's posts
    local mast = world:body{name = "camera_mast", kind = "static", pos = {0, 0, BELT.top + 0.45}, rpy = {0, math.pi / 2, 0}}
    world:geom{type = "box", size = {0.04, 0.04, 0.5}, pos = {0, 0.35, BELT.top + 0.2}, color = {0.3, 0.3, 0.3}}
    local ok, c = pcall(world.sensor, world, {type = "camera", name = "inspect_cam", body = mast, camera = "rgb",
                                              width = W, height = H, fov_y = 0.6, near = 0.05, far = 3, rate = 10,
                                              darkness = p.darkness})
    cam = ok and c or nil
    shown = -1
    for _, sy in ipairs({1, -1}) do
        world:geom{type = "box", size = {0.02, 0.02, 0.15}, pos = {GATE_X, sy * 0.2, BELT.top + 0.05}, color = {0.9, 0.8, 0.1},
                   category = 0, collide = 0}
    end
    pusher = world:body{name = "pusher", kind = "kinematic", pos = {GATE_X, PUSH_Y[1], BELT.top + 0.03},
                        geoms = {{type = "box", size = {0.25, 0.04, 0.05}, material = "steel", color = {0.2, 0.5, 0.8}}}}
    -- the plates; at least one good and one defective
    parts, s.part = {}, {}
    local x = -0.6
    local bad = {}
    for i = 1, p.n_parts do bad[i] = math.random() < p.defect_rate end
    local b = math.random(p.n_parts)
    bad[b] = true
    bad[(b + math.random(p.n_parts - 1) - 1) % p.n_parts + 1] = false
    for i = 1, p.n_parts do
        local geoms = {{type = "box", size = PART, material = "alu", color = {0.72, 0.74, 0.76}}}
        if bad[i] then
            geoms[2] = {type = "box", size = {0.04, 0.03, 0.002},
                        pos = {kit.util.uniform(-0.035, 0.035), kit.util.uniform(-0.04, 0.04), PART[3] / 2 + 0.001},
                        category = 0, collide = 0, density = 1e-6, color = {0.45, 0.05, 0.03}}
        end
        parts[i] = world:body{name = "plate" .. i, pos = {x, kit.util.uniform(-0.03, 0.03), BELT.top + PART[3] / 2 + 0.02},
                              rpy = {0, 0, kit.util.uniform(-0.3, 0.3)}, mass = 0.35, linvel = {p.belt_speed, 0, 0}, geoms = geoms}
        s.part[i] = {bad = bad[i], where = 0}
        x = x - kit.util.uniform(0.5, 0.7)
    end
    inspector = kit.people.walker(world, {name = "inspector", path = {{-3.0, 1.0}, {2.0, 1.0}}, speed = p.inspector_speed,
                                      wait = 2})
    mon = safety.new(world, {robot_bodies = {{body = pusher, radius = 0.13}}, humans = {inspector}, state = s,
                             keepout = {{GATE_X - 0.15, 0.45, GATE_X + 0.15, 0.8}}})
    s.stroke, s.strokes, s.armed = -1, 0, true
    s.rb, s.rg, s.pg, s.pb, s.lost, s.seen = 0, 0, 0, 0, 0, 0
end

scene.observation = {
    image = {shape = {H, W, 3}, fn = function(ctx, out)
        if cam then
            -- copy only a new image (10 Hz); the entry keeps the last one in between
            if cam:stamp() ~= shown then
                local d = cam:data()
                for i = 1, W * H * 3 do out[i] = d[i] end
                shown = cam:stamp()
            end
        else
            for i = 1, W * H * 3 do out[i] = 0 end
        end
    end},
    gate = {shape = {1}, fn = function(ctx, out)
        out[1] = 0
        for _, b in ipairs(parts) do
            local x, _, z = b:pos()
            if math.abs(x - GATE_X) < 0.06 and z > BELT.top then out[1] = 1 end
        end
    end},
    belt = {shape = {1}, fn = function(ctx, out) out[1] = ctx.params.belt_speed end},
}

scene.action = {reject = {shape = {1}, low = 0, high = 1}}

function scene.act(ctx, action)
    local s = ctx.state
    local on = action.reject[1] > 0.5
    if on and s.armed and s.stroke < 0 then
        s.stroke, s.strokes = 0, s.strokes + 1
    end
    s.armed = not on
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    belt:update(p.belt_speed)
    inspector:update(ctx)
    mon:update(ctx)
    -- the pusher: out in STROKE s, back in STROKE s
    local y, vy = PUSH_Y[1], 0
    if s.stroke >= 0 then
        s.stroke = s.stroke + ctx.dt
        local d = PUSH_Y[2] - PUSH_Y[1]
        if s.stroke < STROKE then y, vy = PUSH_Y[1] + d * s.stroke / STROKE, d / STROKE
        elseif s.stroke < 2 * STROKE then y, vy = PUSH_Y[2] - d * (s.stroke - STROKE) / STROKE, -d / STROKE
        else s.stroke = -1 end
    end
    pusher:set_pos(GATE_X, y, BELT.top + 0.03)
    pusher:set_linvel(0, vy, 0)
    for i, b in ipairs(parts) do
        local q = s.part[i]
        if q.where == 0 then
            local w = where(b)
            local _, _, vz = b:linvel()
            if w ~= 0 and (w == 3 or math.abs(vz) < 0.01) then
                q.where = w
                if w == 1 then
                    if q.bad then s.rb = s.rb + 1 else s.rg = s.rg + 1 end
                elseif w == 2 then
                    if q.bad then s.pb = s.pb + 1 else s.pg = s.pg + 1 end
                else
                    s.lost = s.lost + 1
                end
            end
        end
    end
end

function scene.reward(ctx)
    local s = ctx.state
    local good, bad = s.rb + s.pg, s.rg + s.pb + s.lost
    local r = (good + bad - s.seen > 0) and (good - (s.good_seen or 0)) - (bad - (s.bad_seen or 0)) or 0
    s.good_seen, s.bad_seen, s.seen = good, bad, good + bad
    return r - 0.01 * ctx.dt
end

function scene.failure(ctx)
    local s, p = ctx.state, ctx.params
    if s.lost > 0 then return true, "a plate fell off the line" end
    if s.rg + s.pb > p.max_errors then
        return true, string.format("%d good plate(s) rejected, %d defective plate(s) passed (at most %d)", s.rg, s.pb,
                                   p.max_errors)
    end
    return safety.failed(ctx, "the inspector")
end

function scene.success(ctx)
    local s = ctx.state
    local bad = 0
    for _, q in ipairs(s.part) do if q.bad then bad = bad + 1 end end
    return s.rb == bad and s.pg == #parts - bad
end

function scene.metrics(ctx)
    local s = ctx.state
    local m = mon:metrics(ctx)
    m.rejected_bad, m.rejected_good, m.passed_good, m.passed_bad = s.rb, s.rg, s.pg, s.pb
    m.pusher_strokes = s.strokes
    m.camera = cam and 1 or 0
    return m
end

return scene
