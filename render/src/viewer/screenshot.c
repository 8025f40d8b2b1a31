// Viewer screenshots: the default framebuffer read back with glReadPixels
// (GL loaded by the renderer's glad loader) and written as PNG (image_io.h)
// or binary PPM.
#include "viewer_internal.h"
#include "pilotsim/image_io.h"

#include <glad/gl.h>
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
    uint8_t *px = malloc(row * (size_t)h), *tmp = malloc(row);
    if (!px || !tmp) {
        free(px);
        free(tmp);
        snprintf(err, errlen, "%s: out of memory", path);
        return false;
    }
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glReadBuffer(GL_BACK);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, px);
    GLenum e = glGetError();
    bool ok = e == GL_NO_ERROR;
    if (!ok) snprintf(err, errlen, "%s: glReadPixels failed (GL error 0x%x)", path, (unsigned)e);
    // GL rows start at the bottom; files start at the top.
    for (int y = 0; ok && y < h / 2; y++) {
        memcpy(tmp, px + row * (size_t)y, row);
        memcpy(px + row * (size_t)y, px + row * (size_t)(h - 1 - y), row);
        memcpy(px + row * (size_t)(h - 1 - y), tmp, row);
    }
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
        ok = ps_png_write(path, w, h, px, err, errlen);
    }
    free(px);
    free(tmp);
    return ok;
}
