// Viewer screenshots: the window read back through the renderer
// (ps_renderer_read_window) and written as PNG (image_io.h) or binary PPM.
#include "viewer_internal.h"
#include "pilotsim/image_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool ps_viewer_screenshot(ps_viewer *v, const char *path, char *err, size_t errlen)
{
    int w = v->fb_w, h = v->fb_h;
    if (w <= 0 || h <= 0) {
        snprintf(err, errlen, "%s: the window has no pixels", path);
        return false;
    }
    size_t row = (size_t)w * 3;
    uint8_t *px = malloc(row * (size_t)h);
    if (!px) {
        snprintf(err, errlen, "%s: out of memory", path);
        return false;
    }
    char rerr[PS_ERR_LEN];
    bool ok = ps_renderer_read_window(v->r, w, h, px, rerr, sizeof rerr) == PS_OK;
    if (!ok) snprintf(err, errlen, "%s: %s", path, rerr);
    if (ok && ends_with(path, ".ppm")) {
        FILE *f = fopen(path, "wb");
        if (!f) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            ok = false;
        } else {
            fprintf(f, "P6\n%d %d\n255\n", w, h);
            ok = fwrite(px, 1, row * (size_t)h, f) == row * (size_t)h;
            ok = (fclose(f) == 0) && ok;
            if (!ok) snprintf(err, errlen, "%s: write failed", path);
        }
    } else if (ok) {
        ok = ps_png_write(path, w, h, px, err, errlen) == PS_OK;
    }
    free(px);
    return ok;
}
