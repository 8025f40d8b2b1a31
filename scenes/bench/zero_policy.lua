-- The Lua side of pilotsim bench --policies' per-call measurement: writes a
-- zero into every action value (the cost of a call, not of a controller).
return {
    act = function(obs, action)
        local f = action.force
        f[1], f[2] = 0, 0
    end,
}
