-- Baseline of tests/scenes/record_camera.lua (its `policy`): pushes the ball along a slow circle whose
-- phase comes from the seed, so demos differ.
local phase = 0
local t = 0
return {
    reset = function(spec, seed)
        phase = (seed % 628) / 100
        t = 0
    end,
    act = function(obs, action)
        t = t + 1
        action.push[1] = 0.6 * math.cos(phase + t * 0.02)
        action.push[2] = 0.6 * math.sin(phase + t * 0.02)
    end,
}
