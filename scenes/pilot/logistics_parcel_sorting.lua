-- Logistics parcel sorting: a 6-DOF arm (robots.arm6, UR5-sized, on a 0.75 m column)
-- stands beside a belt conveyor and sorts the parcels riding past into three totes by
-- their destination label, with a vacuum (suction) tool.
--
-- Conveyor: a belt 0.5 m wide, top at 0.75 m, from x = -6.9 to 1.6 m, moving +x at
-- `belt_speed`. pilotsim's materials have no surface velocity, so the belt is a
-- kinematic body that moves at the belt speed and is put back every step: contact
-- friction drags the parcels along at its velocity, as a real belt does. Side rails keep
-- parcels on it; past its end they fall to the floor.
-- Parcels: boxes of real courier-parcel sizes and masses (0.20 x 0.15 x 0.10 m 0.5 kg,
-- 0.25 x 0.18 x 0.10 m 1 kg, 0.30 x 0.22 x 0.15 m 2.5 kg, 0.35 x 0.25 x 0.20 m 4.5 kg;
-- masses scaled by `mass_scale`), `n_parcels` of them, 1.4 m apart, in a random order,
-- each with a random label 1..3.
-- Totes: 0.45 x 0.45 x 0.45 m open boxes on the floor around the arm: label 1 at
-- (-0.62, -0.53), label 2 at (0.62, -0.53), label 3 at (-0.38, -1.0) (not straight
-- behind the arm, where its pan joint would reach its +-3.1 rad limit).
-- Suction tool: the gripper is kept closed and its finger tips act as the suction
-- face. With `suction` on, a finger touching a parcel and the tool moving with it
-- (relative speed below 0.1 m/s: a cup does not seal on a sliding surface), the scene welds the parcel
-- to the flange (a fixed joint); off deletes the weld. The weld lets go when the step's
-- constraint force pulls the parcel off the cup (upwards on the parcel, the tool
-- pointing down) by more than `suction_force` N (a four-cup vacuum gripper's holding
-- force); pressing the parcel against the cup does not, and shear is not rated.
-- A worker walks the walkway on the far side of the conveyor. Safety keep-out: the
-- walkway (y > 0.45 m): no arm link may reach into it.
--
-- Observation: parcels {5, 9} (per parcel: x, y, top z (world, m; gaussian noise
--   `sensor_noise` x (1 + darkness)), size x, y, z (m), label (1..3), state (0 on the
--   belt/loose, 1 held, 2 sorted right, 3 sorted wrong, 4 lost; -1 for rows beyond
--   `n_parcels`), x speed (m/s)), totes {3, 3} (centre
--   x, y, rim z), tcp {4} (tool point x, y, z, world; suction attached 0/1), belt {1}
--   (belt speed, m/s)
-- Action: tcp {4} (target tool point, world x y z (m), tool yaw (rad); the commanded point
--   moves towards it at <= 1.0 m/s and <= 3 m/s^2, and the arm's top-down IK follows
--   it; an unreachable point stops it there (counted)), suction {1}
--   (> 0.5 on)
-- success: every parcel in the tote of its label
-- failure: a parcel in a wrong tote (more than `max_missorts`), a parcel lost (fell off
--   the belt's end or onto the floor), a contact with the worker above its limit
-- reward:  +1 per parcel sorted right, -1 per parcel sorted wrong or lost, -0.01/s
-- metrics: sorted, missorted, lost, picks, suction drops, IK holds, time, and the
--   scenario.safety metrics

local arm6 = require "robots.arm6"
local scenario = require "scenario"
local kit = require "kit"

local arm, belt, worker, mon    -- handles of the current episode (set in build)
local parcels, weld = {}, nil   -- parcel bodies; the suction weld (a Joint) or nil

local BELT = {x0 = -6.9, x1 = 1.6, w = 0.5, top = 0.75, t = 0.05}
local ARM_POS = {0, -0.45}
local TOTES = {{-0.62, -0.53}, {0.62, -0.53}, {-0.38, -1.0}}
local TOTE = {0.45, 0.45, 0.45}
local TYPES = {{0.20, 0.15, 0.10, 0.5}, {0.25, 0.18, 0.10, 1.0}, {0.30, 0.22, 0.15, 2.5}, {0.35, 0.25, 0.20, 4.5}}
local TCP_SPEED = 1.0            -- m/s
local TCP_ACCEL = 3.0            -- m/s^2
local MAXN = 5

local scene = {
    name = "logistics_parcel_sorting",
    domain = "logistics",
    description = "A suction arm sorts parcels off a moving conveyor into three totes by label",
    timestep = 0.002,
    time_limit = 50,
    view = {eye = {0.50, -6.50, 4.50}, target = {-1.50, 0.00, 0.80}, fov = 45},
    world = {iterations = 50, contact_forces = true},
    policy = "policies.parcel_sorting",
    params = {
        belt_speed = {default = 0.2, min = 0.15, max = 0.25, randomize = true, description = "conveyor speed, m/s"},
        n_parcels = {default = 4, min = 1, max = MAXN, integer = true, description = "parcels on the belt"},
        mass_scale = {default = 1.0, min = 0.8, max = 1.2, randomize = true, description = "scales every parcel's mass"},
        parcel_friction = {default = 0.5, min = 0.35, max = 0.7, randomize = true, description = "Coulomb mu of the cardboard"},
        belt_friction = {default = 0.9, min = 0.7, max = 1.0, randomize = true, description = "Coulomb mu of the belt"},
        parcel_offset = {default = 0.04, min = 0.0, max = 0.08, randomize = true, description = "max shift of each parcel across the belt, m"},
        suction_force = {default = 120, min = 80, max = 160, description = "vacuum tool holding force, N"},
        max_missorts = {default = 0, min = 0, max = 3, integer = true, description = "wrong totes tolerated"},
        sensor_noise = {default = 0.002, min = 0.0, max = 0.005, randomize = true, description = "parcel position noise stddev, m"},
        darkness = {default = 0.0, min = 0.0, max = 0.6, randomize = true, description =
                         "0 lit .. 1 dark hall: label misreads are not modelled; scales sensor noise (1 + darkness)"},
        worker_speed = {default = 1.0, min = 0.7, max = 1.3, randomize = true, description = "worker walking speed, m/s"},
    },
}

-- The tote whose inside a parcel's centre is over (0: none), and whether the parcel
-- rests there: below the rim + 0.15 m (a full tote's top layer sticks out) and slower
-- than 0.05 m/s.
local function tote_of(b)
    local px, py, pz = b:pos()
    local vx, vy, vz = b:linvel()
    for k, t in ipairs(TOTES) do
        if math.abs(px - t[1]) < TOTE[1] / 2 and math.abs(py - t[2]) < TOTE[2] / 2 then
            return k, pz < TOTE[3] + 0.15 and vx * vx + vy * vy + vz * vz < 0.05 ^ 2
        end
    end
    return 0, false
end

function scene.build(world, ctx)
    local p, s = ctx.params, ctx.state
    world:material{name = "belt", friction = p.belt_friction}
    -- cardboard gives a little (20 kN/m, 200 N s/m), which also keeps the finger contacts
    -- on a welded parcel from fighting the weld hard
    world:material{name = "card", friction = p.parcel_friction, soft_erp = ctx.dt * 2e4 / (ctx.dt * 2e4 + 200),
                   soft_cfm = 1 / (ctx.dt * 2e4 + 200)}
    world:material{name = "steel", friction = 0.3}
    kit.room.floor(world, {color = {0.55, 0.55, 0.53}})
    -- conveyor frame under the belt, side rails (3 cm above the belt), the belt
    belt = kit.props.conveyor(world, {x0 = BELT.x0, x1 = BELT.x1, width = BELT.w, top = BELT.top, thickness = BELT.t,
                                  speed = p.belt_speed, material = "belt", frame_material = "steel"})
    -- totes (open, 1 cm walls)
    for k, t in ipairs(TOTES) do
        local col = ({{0.8, 0.3, 0.3}, {0.3, 0.6, 0.85}, {0.35, 0.75, 0.35}})[k]
        local h, w, wt = TOTE[3], TOTE[1], 0.01
        world:geom{type = "box", size = {w, w, wt}, pos = {t[1], t[2], wt / 2}, color = col}
        world:geom{type = "box", size = {w, wt, h}, pos = {t[1], t[2] + w / 2, h / 2}, color = col}
        world:geom{type = "box", size = {w, wt, h}, pos = {t[1], t[2] - w / 2, h / 2}, color = col}
        world:geom{type = "box", size = {wt, w, h}, pos = {t[1] + w / 2, t[2], h / 2}, color = col}
        world:geom{type = "box", size = {wt, w, h}, pos = {t[1] - w / 2, t[2], h / 2}, color = col}
    end
    arm = arm6.build(world, {name = "sorter", pos = {ARM_POS[1], ARM_POS[2], 0}, yaw = math.pi / 2, pedestal = BELT.top,
                             pedestal_radius = 0.1})
    arm:grip(0)
    -- parcels
    parcels = {}
    s.parcel = {}
    local sd = p.sensor_noise * (1 + p.darkness)
    for i = 1, p.n_parcels do
        local ty = TYPES[math.random(#TYPES)]
        local x = -0.9 - 1.4 * (i - 1)
        local y = (2 * math.random() - 1) * p.parcel_offset
        local yaw = (2 * math.random() - 1) * 0.15
        local label = math.random(3)
        local col = ({{0.75, 0.55, 0.35}, {0.7, 0.5, 0.3}, {0.8, 0.62, 0.4}})[label]
        parcels[i] = world:body{name = "parcel" .. i, pos = {x, y, BELT.top + ty[3] / 2 + 0.001}, rpy = {0, 0, yaw},
                                mass = ty[4] * p.mass_scale, linvel = {p.belt_speed, 0, 0},
                                geoms = {{type = "box", size = {ty[1], ty[2], ty[3]}, material = "card", color = col},
                                         -- the label: a coloured patch on the top, drawn only
                                         {type = "box", size = {0.08, 0.06, 0.002}, pos = {0, 0, ty[3] / 2 + 0.001},
                                          category = 0, collide = 0, density = 1e-6,
                                          color = ({{0.8, 0.3, 0.3}, {0.3, 0.6, 0.85}, {0.35, 0.75, 0.35}})[label]}}}
        s.parcel[i] = {label = label, size = {ty[1], ty[2], ty[3]}, state = 0, nx = 0, ny = 0, nz = 0, sd = sd}
    end
    worker = scenario.human.spawn(world, {name = "worker", path = {{-3.0, 1.1}, {2.5, 1.1}}, speed = p.worker_speed, loop = true, wait = 2})
    local links = {}
    for k = 2, 7 do links[#links + 1] = {body = arm.links[k], radius = 0.08} end
    mon = scenario.safety.new(world, {robot_bodies = links, humans = {worker},
                             keepout = {{-5.0, 0.45, 3.0, 3.0}}, state = s})
    weld = nil
    scenario.arm_cell.init_state(s, arm)
    s.picks, s.drops = 0, 0
    s.sorted, s.missorted, s.lost = 0, 0, 0
    s.held = 0
    s.fail = ""
    s.done_t = -1
end

scene.observation = {
    parcels = {shape = {MAXN, 9}, fn = function(ctx, out)
        local s = ctx.state
        for i = 1, MAXN do
            local k = (i - 1) * 9
            local q = s.parcel[i]
            if q then
                local vx = parcels[i]:linvel()
                out[k + 1], out[k + 2], out[k + 3] = scenario.arm_cell.seen_top(parcels[i], q.size[3], q)
                out[k + 4], out[k + 5], out[k + 6] = q.size[1], q.size[2], q.size[3]
                out[k + 7], out[k + 8], out[k + 9] = q.label, q.state, vx
            else
                for j = 1, 9 do out[k + j] = 0 end
                out[k + 8] = -1
            end
        end
    end},
    totes = {shape = {3, 3}, fn = function(ctx, out)
        for k, t in ipairs(TOTES) do
            out[(k - 1) * 3 + 1], out[(k - 1) * 3 + 2], out[(k - 1) * 3 + 3] = t[1], t[2], TOTE[3]
        end
    end},
    tcp = {shape = {4}, fn = function(ctx, out)
        out[1], out[2], out[3] = arm:tcp()
        out[4] = weld and 1 or 0
    end},
    belt = {shape = {1}, fn = function(ctx, out) out[1] = ctx.params.belt_speed end},
}

scene.action = {
    tcp = {shape = {4}, low = {-1.5, -1.6, 0.3, -math.pi}, high = {1.5, 0.6, 1.5, math.pi}},
    suction = {shape = {1}, low = 0, high = 1},
}

function scene.act(ctx, action)
    local s = ctx.state
    -- the commanded tool point: towards the target at <= TCP_SPEED, accelerating and
    -- braking at <= TCP_ACCEL (a robot controller's Cartesian limits)
    scenario.arm_cell.move(ctx, action.tcp, arm, TCP_SPEED, TCP_ACCEL)
    -- suction: weld on contact while on, release when off
    local on = action.suction[1] > 0.5
    if weld and not on then
        weld:destroy()
        weld = nil
        s.held = 0
    end
    if on and not weld then
        for i = 1, #parcels do
            local b = parcels[i]
            -- the cup seals only when the tool moves with the parcel (within 0.1 m/s)
            local vx, vy, vz = b:linvel()
            local fx, fy, fz = arm.flange:linvel()
            local dv = math.sqrt((vx - fx) ^ 2 + (vy - fy) ^ 2 + (vz - fz) ^ 2)
            if s.parcel[i].state <= 1 and dv < 0.1 and
               (ctx.world:touching(arm.finger_left, b) or ctx.world:touching(arm.finger_right, b)) then
                weld = ctx.world:joint{type = "fixed", name = "suction", body1 = b, body2 = arm.flange, feedback = true}
                s.held = i
                s.picks = s.picks + 1
                break
            end
        end
    end
end

function scene.step(ctx)
    local s, p = ctx.state, ctx.params
    -- the belt: back to its place, at the belt speed (friction carries the parcels)
    belt:update(p.belt_speed)
    worker:update(ctx)
    -- the vacuum lets go when the last step pulled the parcel off the cup (tension along
    -- the tool axis, world z while it points down) beyond suction_force; pressing the
    -- parcel against the cup never does. Shear is not rated: the closed fingers (the
    -- cup's face) touch the welded parcel and their contacts load the weld sideways.
    if weld then
        local _, _, fz = weld:feedback()
        if fz > p.suction_force then
            weld:destroy()
            weld = nil
            s.held = 0
            s.drops = s.drops + 1
        end
    end
    for i = 1, #parcels do
        local q = s.parcel[i]
        if q.state < 2 then
            local x, _, z = parcels[i]:pos()
            scenario.arm_cell.draw_noise(q, q.sd)
            if s.held == i then
                q.state = 1
            else
                q.state = 0
                local k, rests = tote_of(parcels[i])
                if k > 0 and rests then
                    if k == q.label then
                        q.state = 2
                        s.sorted = s.sorted + 1
                    else
                        q.state = 3
                        s.missorted = s.missorted + 1
                        if s.missorted > p.max_missorts and s.fail == "" then
                            s.fail = string.format("parcel %d (label %d) sorted into tote %d", i, q.label, k)
                        end
                    end
                elseif k == 0 and ((x > BELT.x1 and z < BELT.top - 0.1) or z < q.size[3] / 2 + 0.03) then
                    -- past the belt's end and falling, or on the floor outside the totes
                    q.state = 4
                    s.lost = s.lost + 1
                    if s.fail == "" then
                        s.fail = (x > BELT.x1) and string.format("parcel %d fell off the end of the conveyor", i)
                                                 or string.format("parcel %d fell to the floor", i)
                    end
                end
            end
        end
    end
    mon:update(ctx)
end

function scene.reward(ctx)
    local s = ctx.state
    local r = (s.sorted - (s.r_sorted or 0)) - (s.missorted + s.lost - (s.r_bad or 0)) - 0.01 * ctx.dt
    s.r_sorted, s.r_bad = s.sorted, s.missorted + s.lost
    return r
end

function scene.failure(ctx)
    local s = ctx.state
    if s.fail ~= "" then return true, s.fail end
    return mon:failed_now("the worker")
end

function scene.success(ctx)
    return kit.track.finish(ctx.state, ctx.state.sorted >= ctx.params.n_parcels, ctx.t)
end

function scene.metrics(ctx)
    local m = kit.track.copy(mon:metrics(), ctx.state, {
        parcels_sorted = "sorted", parcels_missorted = "missorted", parcels_lost = "lost", picks = "picks",
        suction_drops = "drops", ik_holds = "ik_holds",
    })
    m.time_to_finish = kit.track.finish_time(ctx.state, ctx.t)
    return m
end

return scene
