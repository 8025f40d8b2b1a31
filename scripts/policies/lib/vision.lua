--[[
policies.lib.vision: what the camera baselines read from their images (pixels only, no
ground truth). Images are observation entries of camera sensors: RGB uint8 {h, w, 3}
(0..255) or segmentation int32 {h, w, 1} (body index + 1, negative static, 0 sky), top
row first, read with img[i] (1-based, row-major, channels last).

  vision.gauge_angle(img, w, h)  the needle angle of a round dial gauge seen head-on: a
                                 red needle (r > 2 g, r > 2 b) from the centre of a white
                                 dial. The needle's axis is the principal axis of its pixels;
                                 of its two senses, the one from the dial's centre (the
                                 centroid of the bright neutral pixels, within 0.75 of the
                                 brightest, and the needle's, near the needle) towards the
                                 needle's centroid. Angle from straight up, clockwise (rad);
                                 nil when no needle (fewer than 6 pixels) or no dial is seen
  vision.blobs(seg, w, h)        the bodies in a segmentation image: a list of {id, n
                                 (pixels), col (mean column, 0-based, left edge 0), left,
                                 right (columns), top, bottom (rows, 0-based)}, one per
                                 positive id, largest first
  vision.mean_rgb(rgb, seg, w, h, id) mean r, g, b (0..255) of the RGB pixels where seg
                                 shows id (the same size and view), and their count
  vision.ground_range(row, h, fov_y, cam_z) distance (m) along the ground to a point on it
                                 seen at image row `row` (0-based, its centre) by a level
                                 pinhole camera cam_z m up; nil above the horizon
  vision.bearing(col, w, h, fov_y) bearing (rad, left +) of image column `col` (0-based)
--]]
local M = {}

function M.gauge_angle(img, w, h)
    -- the needle's red pixels (their moments) and the brightest neutral pixel
    local nr, sx, sy, sxx, syy, sxy, top = 0, 0, 0, 0, 0, 0, 0
    for i = 0, w * h - 1 do
        local r, g, b = img[3 * i + 1], img[3 * i + 2], img[3 * i + 3]
        if r >= 6 and r > 2 * g and r > 2 * b then
            local x, y = i % w, i // w
            nr, sx, sy = nr + 1, sx + x, sy + y
            sxx, syy, sxy = sxx + x * x, syy + y * y, sxy + x * y
        else
            local hi, lo = math.max(r, g, b), math.min(r, g, b)
            if hi - lo <= 0.2 * hi + 3 and hi > top then top = hi end
        end
    end
    if nr < 6 or top < 10 then return nil end
    local nx, ny = sx / nr, sy / nr
    -- the dial: bright neutral and needle pixels within 40 px of the needle's centroid
    local R = 40
    local x0, x1 = math.max(0, math.floor(nx - R)), math.min(w - 1, math.ceil(nx + R))
    local y0, y1 = math.max(0, math.floor(ny - R)), math.min(h - 1, math.ceil(ny + R))
    local nd, cx, cy = 0, 0, 0
    for y = y0, y1 do
        for x = x0, x1 do
            local i = 3 * (y * w + x)
            local r, g, b = img[i + 1], img[i + 2], img[i + 3]
            local hi, lo = math.max(r, g, b), math.min(r, g, b)
            local red = r >= 6 and r > 2 * g and r > 2 * b
            if red or (hi >= 0.75 * top and hi - lo <= 0.2 * hi + 3) then
                nd, cx, cy = nd + 1, cx + x, cy + y
            end
        end
    end
    if nd < 4 * nr then return nil end
    cx, cy = cx / nd, cy / nd
    -- the needle's axis: the principal axis of its pixels (image x right, y down), turned
    -- to point from the dial's centre towards the needle's centroid
    local vxx, vyy, vxy = sxx / nr - nx * nx, syy / nr - ny * ny, sxy / nr - nx * ny
    local phi = 0.5 * math.atan(2 * vxy, vxx - vyy)
    local right, up = math.cos(phi), -math.sin(phi)
    if right * (nx - cx) + up * (cy - ny) < 0 then right, up = -right, -up end
    return math.atan(right, up)
end

function M.blobs(seg, w, h)
    local by = {}
    for i = 0, w * h - 1 do
        local id = seg[i + 1]
        if id > 0 then
            local b = by[id]
            local row = i // w
            if not b then
                b = {id = id, n = 0, col = 0, bottom = row, top = row, left = i % w, right = i % w}
                by[id] = b
            end
            local col = i % w
            b.n, b.col = b.n + 1, b.col + col
            if row > b.bottom then b.bottom = row end
            if col < b.left then b.left = col end
            if col > b.right then b.right = col end
        end
    end
    local list = {}
    for _, b in pairs(by) do
        b.col = b.col / b.n
        list[#list + 1] = b
    end
    table.sort(list, function(a, b) return a.n > b.n or (a.n == b.n and a.id < b.id) end)
    return list
end

function M.mean_rgb(rgb, seg, w, h, id)
    local n, r, g, b = 0, 0, 0, 0
    for i = 0, w * h - 1 do
        if seg[i + 1] == id then
            n, r, g, b = n + 1, r + rgb[3 * i + 1], g + rgb[3 * i + 2], b + rgb[3 * i + 3]
        end
    end
    if n == 0 then return 0, 0, 0, 0 end
    return r / n, g / n, b / n, n
end

local function focal(h, fov_y) return h / 2 / math.tan(fov_y / 2) end

function M.ground_range(row, h, fov_y, cam_z)
    local below = (row + 0.5 - h / 2) / focal(h, fov_y)   -- tan of the angle below the horizon
    if below <= 0 then return nil end
    return cam_z / below
end

function M.bearing(col, w, h, fov_y) return math.atan(w / 2 - (col + 0.5), focal(h, fov_y)) end

return M
