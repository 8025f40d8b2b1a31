// The viewer's automatic resolution step: once a second, from that second's
// frame rate, the fraction of the window's resolution the 3D view is drawn at
// (0.5, 0.75 or 1; the view is then stretched onto the window).
//
// A frame's time is modelled as fixed + per_pixel * scale^2: the panels, the
// stretch and the physics do not shrink with the 3D view (on llvmpipe at
// 1280 x 720 the fixed part is about 75 % of a frame at scale 0.5). The model
// is fitted to the last two seconds measured at different scales, else taken
// as FIXED_SHARE of the frame. It steps down while frames come slower than the
// floor (60/s; 57/s under vsync, where a display's 59.94 Hz must not count as
// slow), and up when the larger view is predicted to still make 66/s. After a
// step down from a scale, stepping back up to it waits CEILING_SECONDS, so a
// wrong prediction costs one slow second, not a flicker between two sizes.
#ifndef PS_VIEWER_AUTO_SCALE_H
#define PS_VIEWER_AUTO_SCALE_H

#include <stdbool.h>

typedef struct ps_auto_scale {
    double scale;        ///< the fraction drawn now (0.5, 0.75 or 1)
    double floor_fps;    ///< step down below this rate (frames/s)
    double ceiling;      ///< no step up to this fraction or above while ceiling_left > 0
    int ceiling_left;    ///< seconds the ceiling still holds
    double prev_scale;   ///< the last second measured at another scale; 0: none yet
    double prev_ms;      ///< its ms per frame
} ps_auto_scale;

/// Starts at `scale` (clamped to 0.5..1, on the 0.25 grid); `vsync`: the
/// frame rate is held to the display's.
void ps_auto_scale_init(ps_auto_scale *a, double scale, bool vsync);
/// One second's average frame rate at a->scale (frames/s, > 0). Returns the
/// scale to draw at from now on (a->scale, changed when it stepped).
double ps_auto_scale_update(ps_auto_scale *a, double fps);

#endif
