/// @file render.h
/// The pilotsim renderer: draws a ps_snapshot with OpenGL 3.3 core (loaded by
/// glad) into the currently bound framebuffer. Optional at build time
/// (PILOTSIM_RENDER); the simulation library never depends on it.
///
/// Every call needs the GL context the renderer was created in to be current on
/// the calling thread. A renderer caches GPU meshes by ps_snapshot_mesh.key and
/// visual mesh files by path.
#ifndef PILOTSIM_RENDER_H
#define PILOTSIM_RENDER_H

#include "pilotsim/snapshot.h"
#include "pilotsim/sensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_renderer ps_renderer;

/// A pinhole view. Units: m, rad.
typedef struct ps_render_view {
    ps_vec3 eye, target, up;   ///< camera position, point looked at, up direction (world)
    double fov_y;              ///< vertical field of view, rad
    double near_clip, far_clip;///< m
    int width, height;         ///< viewport, pixels
} ps_render_view;

/// What to draw (bit set).
enum {
    PS_DRAW_COLLISION = 1 << 0,  ///< collision shapes (of bodies without visuals, always)
    PS_DRAW_VISUAL    = 1 << 1,  ///< robot visual meshes instead of their collision shapes
    PS_DRAW_CONTACTS  = 1 << 2,  ///< contact points and force arrows
    PS_DRAW_JOINTS    = 1 << 3,  ///< joint axes
    PS_DRAW_COM       = 1 << 4,  ///< centres of mass
    PS_DRAW_LIDAR     = 1 << 5,  ///< lidar rays
    PS_DRAW_ZONES     = 1 << 6,  ///< keep-out zones
    PS_DRAW_SHADOWS   = 1 << 7,  ///< directional light shadow map
    PS_DRAW_GRID      = 1 << 8,  ///< ground grid
    PS_DRAW_SKY       = 1 << 9,  ///< sky gradient (else a flat background)
    PS_DRAW_DEFAULT   = PS_DRAW_VISUAL | PS_DRAW_COLLISION | PS_DRAW_SHADOWS | PS_DRAW_GRID | PS_DRAW_SKY,
};

/// What a pass writes: lit colour, linear depth or segmentation ids.
typedef enum ps_render_mode { PS_RENDER_COLOR, PS_RENDER_DEPTH, PS_RENDER_SEGMENTATION } ps_render_mode;

/// Creates a renderer in the current GL 3.3 core context (loads GL with glad).
/// NULL with a message in `err` (may be NULL) when GL is missing or too old.
ps_renderer *ps_renderer_create(char *err, size_t errlen);
void ps_renderer_destroy(ps_renderer *r);  ///< NULL is a no-op; context must be current

/// Draws `snap` seen from `view` into the bound framebuffer (viewport 0,0,w,h).
/// `flags` is a PS_DRAW_* set; `darkness` 0..1 dims the light (camera darkness).
/// PS_OK, or PS_ERR_IO with the reason in ps_renderer_error on a GL error.
ps_status ps_renderer_draw(ps_renderer *r, const ps_snapshot *snap, const ps_render_view *view,
                           unsigned flags, double darkness);
/// Like ps_renderer_draw for a camera pass: PS_RENDER_DEPTH writes linear depth
/// (m) in the red channel of a float target, PS_RENDER_SEGMENTATION the shape's
/// segment id. Needs a float render target (see ps_render_target). Errors as ps_renderer_draw.
ps_status ps_renderer_draw_mode(ps_renderer *r, const ps_snapshot *snap, const ps_render_view *view,
                                unsigned flags, double darkness, ps_render_mode mode);
/// A lamp at the eye for the following colour draws (a camera's headlamp): a
/// surface d m away whose normal makes angle a with the direction to the eye
/// gets base colour x `intensity` x cos a / max(d^2, 1) on top of the (dimmed)
/// sun and ambient light. 0 (the default) turns it off; negative or NaN is 0.
void ps_renderer_set_lamp(ps_renderer *r, double intensity);
/// Levels of detail of visual mesh files: a coarser level is drawn where its
/// surface moves less than `pixels` on screen from the file's own mesh (twice
/// meshoptimizer's error estimate, at the mesh's nearest point). Default 1
/// (screenshots, videos and camera sensors keep it); an interactive view may
/// trade a little shape for speed (the viewer uses 3). Clamped to 0.25..16;
/// NaN is 1.
void ps_renderer_set_lod_pixels(ps_renderer *r, double pixels);
/// Opaque visual mesh files drawn without their back faces in colour passes
/// (`on`), as closed surfaces show none: about half the triangles set up (the
/// Go2's 80k cost a software rasteriser most of a frame). A mesh open or wound
/// inconsistently may show a hole; so default off (screenshots, videos, camera
/// sensors), the viewer turns it on.
void ps_renderer_set_cull_mesh_backs(ps_renderer *r, bool on);

/// Tints every shape of `body` in colour passes from now on (a selection
/// highlight): its colour becomes (1 - rgba[3]) x its own + rgba[3] x rgba's
/// RGB; its alpha and the depth and segmentation passes are unchanged.
/// PS_BODY_NONE (or `rgba` NULL) tints nothing.
void ps_renderer_set_tint(ps_renderer *r, ps_body_id body, const float rgba[4]);

/// 2D overlay in pixels, origin at the top-left of the viewport. Text is
/// ASCII, monospaced, `scale` 1 = 8x16 pixel cells, '\n' starts a new line.
/// Text and rectangles are batched (one draw call for thousands): they reach
/// the framebuffer at ps_renderer_flush, which images, draws, picks and
/// ps_renderer_read_window call first; call it before swapping buffers.
void ps_renderer_text(ps_renderer *r, int x, int y, float scale, const float rgba[4], const char *text);
void ps_renderer_rect(ps_renderer *r, int x, int y, int w, int h, const float rgba[4]);
/// Draws an RGB float image (values 0..1, row-major, top row first) as a 2D
/// overlay at x, y with size w x h pixels (sensor previews).
void ps_renderer_image(ps_renderer *r, int x, int y, int w, int h, const float *rgb, int img_w, int img_h, int channels);

/// Picks the shape under pixel (px, py) (top-left origin) of `view`: its
/// segment id (0 when the sky) and the world point hit. Renders an offscreen
/// segmentation pass. PS_OK; PS_ERR_INVALID (the pixel is outside the view) or
/// PS_ERR_IO (a GL error), the reason in ps_renderer_error.
ps_status ps_renderer_pick(ps_renderer *r, const ps_snapshot *snap, const ps_render_view *view,
                           unsigned flags, int px, int py, int32_t *segment, ps_vec3 *point);

/// Why the renderer's last failing call failed ("" if none). Borrowed, valid
/// until the next call on `r`.
const char *ps_renderer_error(const ps_renderer *r);

/// Reads the window's back buffer (the default framebuffer of the current
/// context, `width` x `height` pixels) into `rgb`: 3 bytes per pixel, rows top
/// first (`rgb` holds width * height * 3 bytes, owned by the caller). PS_OK;
/// PS_ERR_INVALID (no pixels), PS_ERR_NOMEM or PS_ERR_IO (a GL error) with the
/// reason in `err`. Used by the viewer's screenshots.
ps_status ps_renderer_read_window(ps_renderer *r, int width, int height, uint8_t *rgb, char *err, size_t errlen);
/// Draws the batched 2D text and rectangles (in call order) into the bound framebuffer.
void ps_renderer_flush(ps_renderer *r);

/// The cached 2D overlay: a picture of 2D text, rectangles and images drawn
/// once and composited onto later frames (the viewer's panels, redrawn only a
/// few times a second). Between _begin and _end the 2D calls draw into the
/// cache (the bound framebuffer's viewport size, cleared first) instead of the
/// picture; what was drawn before _begin reaches the picture first. Between
/// _skip and _end they draw nothing (the cache is kept). _draw composites the
/// cache (the 32-pixel tiles its contents touch) onto the bound framebuffer at
/// the same pixels, as drawing them there would have (within 1 of 255 per
/// channel: the cache holds 8 bits per channel). Nothing is cached until a
/// first _begin; _begin returns false when the cache cannot be made (or `r`
/// is NULL): the 2D calls then draw straight onto the picture. The calls do
/// not nest.
bool ps_renderer_overlay_cache_begin(ps_renderer *r);
void ps_renderer_overlay_cache_skip(ps_renderer *r);
void ps_renderer_overlay_cache_end(ps_renderer *r);
void ps_renderer_overlay_cache_draw(ps_renderer *r);

/// The default view's direction: azimuth from +x (degrees, -40: front right)
/// and elevation above the ground plane (degrees).
#define PS_RENDER_VIEW_AZIMUTH -40.0
#define PS_RENDER_VIEW_ELEVATION 30.0

/// The default view of a scene without one: looks at the centre of the
/// axis-aligned bounding box of every shape in `snap` but planes and visual
/// mesh files, from `azimuth_deg` around z (from +x) and `elevation_deg` up (fov
/// 45 degrees), just far enough that the whole box fits a `width` x `height`
/// picture with a 10 % margin (a 2 m box on the ground when there is nothing).
/// Fills every field of `out`.
void ps_render_view_frame(const ps_snapshot *snap, int width, int height, double azimuth_deg, double elevation_deg,
                          ps_render_view *out);

/// Samples per pixel of the bound draw framebuffer (0 or 1: not multisampled).
int ps_renderer_framebuffer_samples(ps_renderer *r);
/// True when the current GL context rasterises on the CPU (Mesa's llvmpipe,
/// softpipe or swrast, SwiftShader, by GL_RENDERER): every pixel then costs
/// CPU time, which an interactive view trades for resolution. False for a NULL
/// renderer.
bool ps_renderer_is_software(ps_renderer *r);

/// Loads a visual mesh file (.dae, .stl, .obj; through assimp) into the
/// renderer's cache as drawing would. PS_OK with its triangle count; PS_ERR_IO
/// with "cannot load visual mesh 'path': reason" in `err` (may be NULL).
ps_status ps_renderer_load_mesh(ps_renderer *r, const char *path, size_t *triangles, char *err, size_t errlen);

/// An offscreen framebuffer with a colour (RGBA8, or RG32F when `float_color`:
/// depth and segmentation passes write two channels) and a depth attachment.
typedef struct ps_render_target ps_render_target;
ps_render_target *ps_render_target_create(ps_renderer *r, int width, int height, bool float_color,
                                          char *err, size_t errlen);
void ps_render_target_destroy(ps_render_target *t);  ///< NULL is a no-op; context must be current
/// Size in pixels.
void ps_render_target_size(const ps_render_target *t, int *width, int *height);
void ps_render_target_bind(ps_render_target *t);     ///< binds it and sets the viewport
void ps_render_target_unbind(ps_render_target *t);   ///< back to the default framebuffer
/// Copies an RGBA8 target's colour, stretched with linear filtering, onto the
/// default framebuffer's rectangle (0, 0, width, height) pixels, and leaves the
/// default framebuffer bound (a window drawing its 3D view at reduced
/// resolution; the default framebuffer must not be multisampled).
void ps_render_target_blit(ps_render_target *t, int width, int height);
/// Reads back pixels, top row first: `rgb8` 3 bytes per pixel (RGBA8 targets
/// only); `f` `channels` floats per pixel (8-bit channels scaled to 0..1; a
/// float target's channels past its two read 0, alpha 1). PS_OK; PS_ERR_INVALID
/// (a NULL argument, a float target for rgb8, channels outside 1..4) or PS_ERR_IO
/// (a GL error, the reason in the target's renderer's ps_renderer_error).
ps_status ps_render_target_read_rgb8(ps_render_target *t, uint8_t *rgb8);
ps_status ps_render_target_read_float(ps_render_target *t, float *f, int channels);

#ifdef __cplusplus
}
#endif
#endif
