-- Found by hand (2026-11-21): four shape sizes of 2^24 wrapped the value count around
-- size_t to 0 (a 0-value observation); now a load error: more than 2^26 values.
return { name = 'a', timestep = 0.01, time_limit = 0.05,
 observation = { x = {shape = {16777216, 16777216, 16777216, 16777216}, fn = function(ctx, out) out[1] = 1 end} },
 build = function(world, ctx) end }
