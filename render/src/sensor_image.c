// Camera buffers to PNG files (see sensor_image.h).
#include "pilotsim/sensor_image.h"
#include "pilotsim/image_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

// HSV (h in turns, s, v in 0..1) to 8-bit RGB.
static void hsv(double h, double s, double v, uint8_t rgb[3])
{
    h = 6.0 * (h - floor(h));
    int i = (int)h;
    double f = h - i, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    double c[6][3] = {{v, t, p}, {q, v, p}, {p, v, t}, {p, q, v}, {t, p, v}, {v, p, q}};
    for (int k = 0; k < 3; k++) rgb[k] = (uint8_t)lrint(255.0 * c[i % 6][k]);
}

void ps_segment_color(int32_t segment, uint8_t rgb[3])
{
    if (segment == 0) {
        rgb[0] = rgb[1] = rgb[2] = 0;
        return;
    }
    // Bodies (positive ids) saturated; static geoms (negative ids) pale, so
    // the two never share a colour.
    bool body = segment > 0;
    uint32_t k = body ? (uint32_t)segment : (uint32_t)(-(int64_t)segment);
    double h = 0.61803398875 * (double)k + (body ? 0.0 : 0.31);
    unsigned lap = (k / 7u) % 3u;
    static const double sat[2][3] = {{0.30, 0.18, 0.42}, {0.80, 0.55, 0.95}},
                        val[2][3] = {{0.70, 0.85, 0.55}, {0.95, 0.80, 0.65}};
    hsv(h, sat[body][lap], val[body][lap], rgb);
}

uint16_t ps_depth_to_mm(float depth_m, double far_clip)
{
    if (!isfinite(depth_m) || depth_m <= 0 || (double)depth_m >= far_clip) return 0;
    double mm = floor((double)depth_m * 1000.0 + 0.5);
    return mm < 1 ? 1 : mm > 65535 ? 65535 : (uint16_t)mm;
}

ps_status ps_image_write_png(const char *path, ps_image_kind kind, int width, int height, const float *data,
                        double far_clip, char *err, size_t errlen)
{
    if (width < 1 || height < 1 || width > 16384 || height > 16384 || !data) {
        if (err && errlen) snprintf(err, errlen, "png '%s': bad image (%dx%d)", path ? path : "", width, height);
        return PS_ERR_INVALID;
    }
    size_t n = (size_t)width * (size_t)height;
    ps_status ok;
    if (kind == PS_IMAGE_DEPTH) {
        uint16_t *mm = malloc(n * sizeof *mm);
        if (!mm) {
            if (err && errlen) snprintf(err, errlen, "png '%s': out of memory", path);
            return PS_ERR_NOMEM;
        }
        for (size_t i = 0; i < n; i++) mm[i] = ps_depth_to_mm(data[i], far_clip);
        ok = ps_png_write_gray16(path, width, height, mm, err, errlen);
        free(mm);
        return ok;
    }
    uint8_t *rgb = malloc(n * 3);
    if (!rgb) {
        if (err && errlen) snprintf(err, errlen, "png '%s': out of memory", path);
        return PS_ERR_NOMEM;
    }
    if (kind == PS_IMAGE_RGB) {
        for (size_t i = 0; i < 3 * n; i++) {
            float v = data[i];
            rgb[i] = (uint8_t)(v > 0 ? (v < 1 ? lrintf(v * 255.0f) : 255) : 0);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            float v = data[i];
            int32_t id = isfinite(v) && fabsf(v) < 2e9f ? (int32_t)lrintf(v) : 0;
            ps_segment_color(id, rgb + 3 * i);
        }
    }
    ok = ps_png_write(path, width, height, rgb, err, errlen);
    free(rgb);
    return ok;
}
