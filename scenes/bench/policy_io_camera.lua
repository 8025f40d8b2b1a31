-- policy_io.lua with its 224 x 224 RGB camera as a third observation entry
-- (uint8 H x W x 3 to policies). Needs the renderer.
local scene = require("policy_io")
scene.name = "policy_io_camera"
scene.params.camera.default = 1
scene.observation.rgb = {sensor = "front"}
return scene
