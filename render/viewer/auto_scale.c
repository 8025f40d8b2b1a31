// The automatic resolution step (see auto_scale.h).
#include "auto_scale.h"

#include <math.h>

#define SCALE_MIN 0.5
#define SCALE_STEP 0.25
#define UP_FPS 66.0
#define FIXED_SHARE 0.7
#define CEILING_SECONDS 10

void ps_auto_scale_init(ps_auto_scale *a, double scale, bool vsync)
{
    double s = round(scale / SCALE_STEP) * SCALE_STEP;
    a->scale = fmin(fmax(s, SCALE_MIN), 1.0);
    a->floor_fps = vsync ? 57.0 : 60.0;
    a->ceiling = 2.0;
    a->ceiling_left = 0;
    a->prev_scale = 0;
    a->prev_ms = 0;
}

// Predicted ms per frame at `s` from `ms` measured at a->scale.
static double predict(const ps_auto_scale *a, double ms, double s)
{
    double s0 = a->scale * a->scale, s1 = s * s;
    double fixed = FIXED_SHARE * ms, per_px = (1 - FIXED_SHARE) * ms / s0;
    if (a->prev_scale > 0) { // fitted through the two last measured scales
        double p0 = a->prev_scale * a->prev_scale;
        double b = (ms - a->prev_ms) / (s0 - p0), c = ms - b * s0;
        if (b > 0 && c >= 0) {
            per_px = b;
            fixed = c;
        }
    }
    return fixed + per_px * s1;
}

double ps_auto_scale_update(ps_auto_scale *a, double fps)
{
    if (!(fps > 0)) return a->scale;
    double ms = 1000.0 / fps, s = a->scale;
    if (a->ceiling_left > 0 && --a->ceiling_left == 0) a->ceiling = 2.0;
    if (fps < a->floor_fps && s > SCALE_MIN) {
        s -= SCALE_STEP;
        a->ceiling = a->scale;
        a->ceiling_left = CEILING_SECONDS;
    } else if (s < 1.0 && s + SCALE_STEP < a->ceiling && 1000.0 / predict(a, ms, s + SCALE_STEP) > UP_FPS) {
        s += SCALE_STEP;
    }
    if (s != a->scale) {
        a->prev_scale = a->scale;
        a->prev_ms = ms;
        a->scale = s;
    }
    return a->scale;
}
