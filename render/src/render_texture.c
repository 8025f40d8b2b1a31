// Image textures of meshes (see render_internal.h): PNG files decoded with
// libpng's simplified API into RGBA, uploaded with mipmaps, cached by path.
#include "render_internal.h"

#include <png.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Larger images are refused rather than uploaded (a 8192^2 RGBA image with its
// mipmaps is 350 MB in a software rasteriser's memory).
#define MAX_TEXTURE_SIDE 8192

typedef struct tex_entry {
    char *path;
    GLuint tex;          // 0: the file could not be used (warned once)
} tex_entry;

struct ps_texture_cache {
    tex_entry *e;
    size_t n, cap;
};

ps_texture_cache *ps_texture_cache_create(void) { return calloc(1, sizeof(ps_texture_cache)); }

void ps_texture_cache_destroy(ps_texture_cache *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        if (c->e[i].tex) glDeleteTextures(1, &c->e[i].tex);
        free(c->e[i].path);
    }
    free(c->e);
    free(c);
}

// Decodes the PNG at `path` into RGBA bytes, the bottom row first (GL's
// texture origin, where texture coordinate v = 0 is). NULL with the reason in `why`.
static uint8_t *read_png_rgba(const char *path, int *w, int *h, char *why, size_t whylen)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) {
        snprintf(why, whylen, "%s", img.message[0] ? img.message : "cannot read it");
        png_image_free(&img);
        return NULL;
    }
    if (img.width < 1 || img.height < 1 || img.width > MAX_TEXTURE_SIDE || img.height > MAX_TEXTURE_SIDE) {
        snprintf(why, whylen, "%ux%u pixels (1..%d a side)", (unsigned)img.width, (unsigned)img.height,
                 MAX_TEXTURE_SIDE);
        png_image_free(&img);
        return NULL;
    }
    img.format = PNG_FORMAT_RGBA;
    size_t stride = 4 * (size_t)img.width;
    uint8_t *px = malloc(stride * img.height);
    if (!px) {
        snprintf(why, whylen, "out of memory");
        png_image_free(&img);
        return NULL;
    }
    // A negative row stride: libpng stores the top row last (bottom-up).
    if (!png_image_finish_read(&img, NULL, px, -(png_int_32)stride, NULL)) {
        snprintf(why, whylen, "%s", img.message[0] ? img.message : "cannot decode it");
        png_image_free(&img);
        free(px);
        return NULL;
    }
    *w = (int)img.width;
    *h = (int)img.height;
    return px;
}

static GLuint upload(const uint8_t *px, int w, int h)
{
    GLuint t = 0;
    GLint prev = 0; // uploads happen mid-frame: the shadow map stays bound
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &prev);
    glGenTextures(1, &t);
    glBindTexture(GL_TEXTURE_2D, t);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, px);
    glGenerateMipmap(GL_TEXTURE_2D);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR_MIPMAP_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_REPEAT);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_REPEAT);
    glBindTexture(GL_TEXTURE_2D, (GLuint)prev);
    if (glGetError() != GL_NO_ERROR) {
        glDeleteTextures(1, &t);
        return 0;
    }
    return t;
}

GLuint ps_texture_cache_get(ps_texture_cache *c, const char *path, const char *user)
{
    if (!c || !path) return 0;
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->e[i].path, path)) return c->e[i].tex;
    if (c->n == c->cap) {
        size_t n = c->cap ? 2 * c->cap : 8;
        tex_entry *e = realloc(c->e, n * sizeof *e);
        if (!e) return 0;
        c->e = e;
        c->cap = n;
    }
    tex_entry *e = &c->e[c->n];
    e->path = malloc(strlen(path) + 1);
    if (!e->path) return 0;
    strcpy(e->path, path);
    e->tex = 0;
    c->n++;
    char why[300];
    int w = 0, h = 0;
    uint8_t *px = read_png_rgba(path, &w, &h, why, sizeof why);
    if (px) {
        e->tex = upload(px, w, h);
        if (!e->tex) snprintf(why, sizeof why, "GL upload failed");
        free(px);
    }
    if (!e->tex)
        fprintf(stderr, "pilotsim render: warning: cannot use texture '%s' of %s: %s; drawn in its colour instead\n",
                path, user ? user : "a mesh", why);
    return e->tex;
}
