local h = require 'helper'
local t = require 'robots.thing'
assert(require('helper') == h)
return { name = 'uses', timestep = 0.01, time_limit = 0.02,
  build = function() end, metrics = function() return {v = t.add(h.value)} end }
