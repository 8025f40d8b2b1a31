-- The cart's PD law as a Lua policy (pilotsim bench --policies): force = -20 x - 8 v.
return {
    reset = function() end,
    act = function(obs, action)
        local x = obs.x
        action.force[1] = -20 * x[1] - 8 * x[2]
    end,
}
