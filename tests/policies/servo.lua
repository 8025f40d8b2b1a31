-- A Lua visual servo for tests/scenes/servo_camera.lua (test_policy_v2.sh): it
-- reads the uint8 RGB image as integers, finds the red pixels' mean column and
-- sets the lateral speed; it prints the image's dtype and shape and the
-- instruction from the reset spec.
local W, H, K = 0, 0, 1.7
return {
    reset = function(spec, seed)
        local s = spec.observation.rgb
        H, W = s.shape[1], s.shape[2]
        print(string.format("servo.lua: %s %dx%dx%d: %s", s.dtype, s.shape[1], s.shape[2], s.shape[3], spec.instruction))
    end,
    act = function(obs, action)
        local img, sum, n = obs.rgb, 0, 0
        for r = 0, H - 1 do
            for c = 0, W - 1 do
                local i = 3 * (r * W + c)
                if img[i + 1] > 120 and img[i + 2] < 80 and img[i + 3] < 80 then
                    sum = sum + c
                    n = n + 1
                end
            end
        end
        local v = 0
        if n > 0 then v = -K * ((sum / n + 0.5 - W / 2) / (W / 2)) end
        action.vy[1] = v
    end,
}
