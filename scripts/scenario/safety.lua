--[[
scenario.safety: human-robot safety monitor for scenes with scenario.human pedestrians.

Usage:

    local safety = require "scenario.safety"
    -- in build, after the robot and the humans exist:
    mon = safety.new(world, {
        robot_bodies = {bot.chassis, bot.upper},      -- Bodies (or {body = B, radius = r})
        robot_radius = 0.3,                           -- m, default radius of each robot body
        humans = {h1, h2},                            -- scenario.human objects
        keepout = {{xmin, ymin, xmax, ymax}, ...},    -- m, floor rectangles the robot must not enter
                                                      -- (also added as world:zone boxes for renderers)
        limits = {head = 130, torso = 140, ...},      -- N, overrides of M.LIMITS
        state = ctx.state,                            -- where the running metrics live (plain data)
    })
    mon:update(ctx)        -- in step(ctx) after the humans moved, or in reward(ctx): reads the
                           -- contacts of the step just taken
    mon:metrics(ctx)       -- {safety_min_separation = ..., ...}: merge into the scene's metrics
                           -- (without people: safety_humans = 0, and no separation or speed)
    mon:separation()       -- current minimum separation (m), e.g. for an observation

Keep the monitor in a local of the scene chunk (set in build): it holds handles. Its
running values live in `opts.state.safety` (plain data), so snapshots stay exact.
The monitor has the world measure contact forces (world:measure_contact_forces()).

Per update (one physics step):
  separation   for every robot body and human: horizontal distance from the body's
               position to the human's axis - human radius (0.26 m) - the body's radius,
               floored at 0. Minimum over all pairs and steps = safety_min_separation.
  contacts     (only read while the separation is below contact_check, 0.3 m: the
               separation uses radii, so it is approximate; world:contacts() costs)
               world:contacts() entries between a robot body and a human region body.
               The force of a region in a step is |sum of the contact forces| on the robot
               body (Newton's third law: the same magnitude acts on the human).
               safety_human_contacts counts contact events (a robot-human pair touching
               after a step where it did not). safety_peak_force is the largest per-region
               force in any step; safety_force_limit_exceeded counts events (rising edges)
               where a region's force exceeded its limit.
  speed        the fastest robot body's planar speed in steps where the separation is
               below `near` (1 m) = safety_max_speed_near_humans (m/s; ISO/TS 15066 speed
               and separation monitoring uses such a bound).
  keep-out     safety_keepout_violations counts steps with any robot body's position inside
               a keep-out rectangle; each entry (rising edge) is one violation.
  safety_violations = limit exceedances + keep-out entries.

Force limits (N), after ISO/TS 15066:2016 Annex A, Table A.2 (biomechanical limits,
quasi-static contact, the conservative choice for a mobile robot that may pin a person):
  head   130   skull / forehead (face: 65, not modelled separately)
  torso  140   chest (back/shoulders 210, abdomen 110; chest is where a robot meets a
               person it drives towards)
  arm_l  150   upper arm / elbow (lower arm 160, hands 140)
  arm_r  150
  legs   130   lower leg (thigh / knee 220; a robot base meets the shins first)
Transient contacts may reach twice these values in the standard; pass
limits = {...} to use those.

For failure(ctx): safety.failed(ctx, who) is true and "contact with <who> above the ISO/TS
15066 force limit" once any force limit was exceeded in the episode (ctx.state.safety's
count), else false; kit.rover's R:failed and scenario.mm_task.failed end with it.
mon:failed_now(who) is the same for a limit exceeded in the current step only (true and
"contact with <who> above the ISO/TS 15066 limit").
--]]

local M = {}

M.LIMITS = {head = 130, torso = 140, arm_l = 150, arm_r = 150, legs = 130}
M.NEAR = 1.0

local S = {}
S.__index = S

function M.failed(ctx, who)
    local sf = ctx.state.safety
    if sf and sf.exceeded > 0 then return true, "contact with " .. who .. " above the ISO/TS 15066 force limit" end
    return false
end

function M.new(world, o)
    o = o or {}
    local self = setmetatable({world = world}, S)
    self.rb, self.rr, self.rname = {}, {}, {}
    local defr = o.robot_radius or 0.0
    for i, e in ipairs(o.robot_bodies or {}) do
        local b, r = e, defr
        if type(e) == "table" then b, r = e.body, e.radius or defr end
        self.rb[i], self.rr[i] = b, r
        self.rname[b:name()] = i
    end
    self.humans = o.humans or {}
    self.hname = {}                  -- body name -> {human index, region}
    for hi, h in ipairs(self.humans) do
        for _, b in ipairs(h:bodies()) do
            self.hname[b:name()] = {hi, h:region(b:name())}
        end
    end
    -- The force limits read the contact forces: measured from the first step (a scene
    -- measures them only when something reads them).
    world:measure_contact_forces()
    self.keepout = o.keepout or {}
    -- Registered with the world so renderers draw them (translucent boxes, 1 m tall).
    for _, r in ipairs(self.keepout) do
        world:zone{min = {r[1], r[2], 0}, max = {r[3], r[4], 1.0}}
    end
    self.limits = {}
    for k, v in pairs(M.LIMITS) do self.limits[k] = v end
    for k, v in pairs(o.limits or {}) do self.limits[k] = v end
    self.near = o.near or M.NEAR
    self.contact_check = o.contact_check or 0.3
    local st = o.state or {}
    st.safety = {min_sep = 1e9, contacts = 0, peak = 0, exceeded = 0, vmax_near = 0,
                 keepout_steps = 0, keepout_entries = 0, in_keepout = false,
                 touching = {}, over = {}, sep = 1e9}
    self.s = st.safety
    self.state = st
    return self
end

function S:separation()
    local best = 1e9
    for _, h in ipairs(self.humans) do
        local hx, hy = h:pos()
        local hr = h:radius()
        for i, b in ipairs(self.rb) do
            local x, y = b:pos()
            local d = math.sqrt((x - hx) ^ 2 + (y - hy) ^ 2) - hr - self.rr[i]
            if d < best then best = d end
        end
    end
    if best < 0 then best = 0 end
    return best
end

function S:update(ctx)
    self.state = ctx.state
    local s = self.state.safety
    -- separation and speed near humans
    local sep = self:separation()
    s.sep = sep
    if sep < s.min_sep then s.min_sep = sep end
    if sep < self.near then
        for _, b in ipairs(self.rb) do
            local vx, vy = b:linvel()
            local v = math.sqrt(vx * vx + vy * vy)
            if v > s.vmax_near then s.vmax_near = v end
        end
    end
    -- contacts: per (robot body, human region) force this step
    if #self.humans > 0 and sep < self.contact_check then
        local f = {}
        local keys = {}
        for _, c in ipairs(self.world:contacts()) do
            local b1, b2 = c.body1, c.body2
            if b1 and b2 then
                local n1, n2 = b1:name(), b2:name()
                local sign, hr, rn = 0, nil, nil
                if self.rname[n1] and self.hname[n2] then sign, hr, rn = 1, self.hname[n2], n1
                elseif self.rname[n2] and self.hname[n1] then sign, hr, rn = -1, self.hname[n1], n2 end
                if sign ~= 0 then
                    local key = rn .. "|" .. hr[1] .. "|" .. hr[2]
                    local a = f[key]
                    if not a then a = {0, 0, 0, hr[2]}; f[key] = a; keys[#keys + 1] = key end
                    a[1] = a[1] + sign * c.force[1]
                    a[2] = a[2] + sign * c.force[2]
                    a[3] = a[3] + sign * c.force[3]
                end
            end
        end
        local touching, over = {}, {}
        for _, key in ipairs(keys) do
            local a = f[key]
            local mag = math.sqrt(a[1] ^ 2 + a[2] ^ 2 + a[3] ^ 2)
            touching[key] = true
            if not s.touching[key] then s.contacts = s.contacts + 1 end
            if mag > s.peak then s.peak = mag end
            local lim = self.limits[a[4]]
            if lim and mag > lim then
                over[key] = true
                if not s.over[key] then s.exceeded = s.exceeded + 1 end
            end
        end
        s.touching, s.over = touching, over
    end
    -- keep-out zones
    local inside = false
    for _, b in ipairs(self.rb) do
        local x, y = b:pos()
        for _, r in ipairs(self.keepout) do
            if x >= r[1] and x <= r[3] and y >= r[2] and y <= r[4] then inside = true end
        end
    end
    if inside then
        s.keepout_steps = s.keepout_steps + 1
        if not s.in_keepout then s.keepout_entries = s.keepout_entries + 1 end
    end
    s.in_keepout = inside
end

--- True when a force limit was exceeded in the last update.
function S:limit_exceeded_now()
    return next(self.state.safety.over) ~= nil
end

function S:failed_now(who)
    if self:limit_exceeded_now() then return true, "contact with " .. who .. " above the ISO/TS 15066 limit" end
    return false
end

function S:metrics(ctx)
    if ctx then self.state = ctx.state end
    local s = self.state.safety
    local m = {
        safety_humans = #self.humans,
        safety_human_contacts = s.contacts,
        safety_peak_force = s.peak,
        safety_force_limit_exceeded = s.exceeded,
        safety_keepout_violations = s.keepout_steps,
        safety_violations = s.exceeded + s.keepout_entries,
    }
    -- Separation and speed near people exist only where there are people: a
    -- scene without any reports safety_humans = 0 and omits both (no sentinel).
    if #self.humans > 0 and s.min_sep < 1e8 then
        m.safety_min_separation = s.min_sep
        m.safety_max_speed_near_humans = s.vmax_near
    end
    return m
end

return M
