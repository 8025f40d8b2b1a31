// The text atlas: DejaVu Sans Mono (fonts-dejavu-core) rasterised with
// FreeType at renderer start into one texture of fixed-size cells.
#include "render_internal.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PS_FONT_PATH
#define PS_FONT_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
#endif

bool ps_font_atlas_create(GLuint *tex, char *err, size_t errlen)
{
    FT_Library ft;
    if (FT_Init_FreeType(&ft)) {
        snprintf(err, errlen, "text: FreeType failed to start");
        return false;
    }
    FT_Face face;
    if (FT_New_Face(ft, PS_FONT_PATH, 0, &face)) {
        snprintf(err, errlen, "text: cannot load the font %s (install fonts-dejavu-core)", PS_FONT_PATH);
        FT_Done_FreeType(ft);
        return false;
    }
    // 26 px em in a 16 x 32 cell: DejaVu Sans Mono advances 0.602 em = 15.6 px.
    FT_Set_Pixel_Sizes(face, 0, 26);
    const int W = PS_FONT_COLS * PS_FONT_CELL_W, H = PS_FONT_ROWS * PS_FONT_CELL_H;
    unsigned char *img = calloc((size_t)W * H, 1);
    if (!img) {
        FT_Done_Face(face);
        FT_Done_FreeType(ft);
        snprintf(err, errlen, "text: out of memory");
        return false;
    }
    const int baseline = 24; // pixels from the cell top
    for (int ch = 32; ch < 127; ch++) {
        if (FT_Load_Char(face, (FT_ULong)ch, FT_LOAD_RENDER)) continue;
        FT_GlyphSlot g = face->glyph;
        int cx = ((ch - 32) % PS_FONT_COLS) * PS_FONT_CELL_W, cy = ((ch - 32) / PS_FONT_COLS) * PS_FONT_CELL_H;
        for (unsigned r = 0; r < g->bitmap.rows; r++)
            for (unsigned c = 0; c < g->bitmap.width; c++) {
                int x = g->bitmap_left + (int)c, y = baseline - g->bitmap_top + (int)r;
                if (x < 0 || x >= PS_FONT_CELL_W || y < 0 || y >= PS_FONT_CELL_H) continue;
                img[(size_t)(cy + y) * W + cx + x] = g->bitmap.buffer[r * (unsigned)g->bitmap.pitch + c];
            }
    }
    FT_Done_Face(face);
    FT_Done_FreeType(ft);
    glGenTextures(1, tex);
    glBindTexture(GL_TEXTURE_2D, *tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, W, H, 0, GL_RED, GL_UNSIGNED_BYTE, img);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    free(img);
    return true;
}
