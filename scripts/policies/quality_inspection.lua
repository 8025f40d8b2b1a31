--[[
policies.quality_inspection: baseline for scenes/pilot/manufacturing_quality_inspection.lua
(image processing on the camera's RGB image, a queue, the light barrier).

The first non-black image (the empty belt: the first plate starts out of view) is kept
as the background. Every 0.1 s (the camera's rate) it counts the plate pixels (green
differs from the background's by more than 0.12: bare aluminium against the dark belt)
and the burn pixels (red > 2 x green and red > 0.06). A plate enters
the view when more than 20 plate pixels show and leaves when fewer than 5 do; it is
defective when 2 or more burn pixels showed at any time in between. Classified plates go
into a first-in first-out queue (the line keeps their order); at each rising edge of the
light barrier the next one comes off the queue, and a defective one fires the pusher.
--]]
local P = {}
local st

local W, H = 32, 24

function P.reset() st = {n = 0, inview = false, burn = 0, queue = {}, gate = 0, fire = 0} end

local function count(im, bg)
    local plate, burn = 0, 0
    for k = 1, W * H * 3, 3 do
        local R, G = im[k], im[k + 1]
        if R > 2 * G and R > 0.06 then burn = burn + 1 elseif math.abs(G - bg[k + 1]) > 0.12 then plate = plate + 1 end
    end
    return plate, burn
end

function P.act(obs, action)
    if not st then P.reset() end
    st.n = st.n + 1
    local im = obs.image
    if not st.bg and im[(H // 2 * W + W // 2) * 3 + 2] > 0 then
        st.bg = {}
        for k = 1, W * H * 3 do st.bg[k] = im[k] end
    end
    if st.bg and st.n % 25 == 1 then
        local plate, burn = count(im, st.bg)
        if not st.inview and plate > 20 then st.inview, st.burn = true, 0 end
        if st.inview then
            st.burn = math.max(st.burn, burn)
            if plate + burn < 5 then
                st.queue[#st.queue + 1] = st.burn >= 2
                st.inview = false
            end
        end
    end
    local g = obs.gate[1]
    if g > 0.5 and st.gate < 0.5 and #st.queue > 0 then
        if table.remove(st.queue, 1) then st.fire = 10 end
    end
    st.gate = g
    action.reject[1] = st.fire > 0 and 1 or 0
    if st.fire > 0 then st.fire = st.fire - 1 end
end

return P
