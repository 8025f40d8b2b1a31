--[[
bench/fleet_contacts: the cost of finding robot-robot collisions in a fleet (issue 18).
12 differential-drive robots (robots.diffdrive, defaults) in two facing rows of 6 on a
warehouse floor section with shelves along both sides; each robot drives at its
opposite number (0.5 m/s), they meet in the middle and keep pushing, turn away after
2 s and come back, so robot-robot contacts come and go all run long.

The param `query` picks what the step callback does every step:
  "none"      nothing (the reference)
  "contacts"  scans world:contacts() (one Lua table per contact, with body handles,
              position, normal, depth and force) and maps each contact's two bodies to
              their robots by name, collecting the touching robot pairs
  "pairs"     world:contact_pairs{r1.robot, ..., r12.robot}: the same pairs from one C
              pass over the contacts
Both queries count the touching pairs of every step into the metric robot_pairs, so a
run shows they agree. `pilotsim bench --contacts` runs the three variants alternating
and reports the steps/s of each and the query's cost per step.

WORLD: pilotsim defaults; timestep 0.002 s, time limit 10 s. Robots at x = -2.5 .. 2.5
(1 m apart), the rows at y = -1.2 (heading +y) and +1.2 (heading -y); shelves (static
boxes 6 x 0.5 x 2 m) at y = +-2.6.
--]]

local diffdrive = require "robots.diffdrive"

local N_PER_ROW = 6
local robots, groups, owner = {}, {}, {} -- set in build

local scene = {
    name = "fleet_contacts",
    domain = "bench",
    description = "12 diff-drive robots bumping into each other; robot-robot contacts by scan or by contact_pairs",
    timestep = 0.002,
    time_limit = 10,
    params = {
        query = {default = "pairs", choices = {"none", "contacts", "pairs"},
                 description = "robot-robot contact query every step"},
    },
}

function scene.build(world, ctx)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.6, 0.6, 0.58}}
    for _, y in ipairs({-2.6, 2.6}) do
        world:geom{type = "box", size = {6, 0.5, 2}, pos = {0, y, 1}, color = {0.3, 0.45, 0.65}}
    end
    robots, groups, owner = {}, {}, {}
    for row = 0, 1 do
        for i = 0, N_PER_ROW - 1 do
            local k = row * N_PER_ROW + i + 1
            local name = "robot" .. k
            local r = diffdrive.build(world, {name = name, pos = {-2.5 + i, row == 0 and -1.2 or 1.2},
                                              yaw = row == 0 and math.pi / 2 or -math.pi / 2})
            robots[k], groups[k] = r, r.robot
            for _, b in ipairs({r.chassis, r.wheel_left, r.wheel_right}) do owner[b:name()] = k end
        end
    end
    ctx.state.mode, ctx.state.pairs = 0, 0
end

-- touching robot pairs from a scan of every contact
local function pairs_by_scan(world)
    local seen, n = {}, 0
    for _, c in ipairs(world:contacts()) do
        local a = c.body1 and owner[c.body1:name()]
        local b = c.body2 and owner[c.body2:name()]
        if a and b and a ~= b then
            local key = math.min(a, b) * 100 + math.max(a, b)
            if not seen[key] then seen[key], n = true, n + 1 end
        end
    end
    return n
end

function scene.step(ctx)
    local s = ctx.state
    diffdrive.shuttle(s, ctx.step, robots, {cycle = 2500, forward = 1500})
    local q = ctx.params.query
    if q == "contacts" then
        s.pairs = s.pairs + pairs_by_scan(ctx.world)
    elseif q == "pairs" then
        s.pairs = s.pairs + #ctx.world:contact_pairs(groups)
    end
end

function scene.metrics(ctx)
    return {robot_pairs = ctx.state.pairs, robots = #robots}
end

return scene
