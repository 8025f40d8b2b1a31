/// @file camera_render.h
/// Camera sensors rendered offscreen: owns a GL context (see gl_context.h), a
/// renderer and per-size render targets, and implements ps_render_fn so a
/// scene's cameras produce RGB (0..1), depth (m) and segmentation (segment ids)
/// images. Install with ps_scene_set_render_callback(scene, ps_camera_render, cr).
#ifndef PILOTSIM_CAMERA_RENDER_H
#define PILOTSIM_CAMERA_RENDER_H

#include "pilotsim/render.h"
#include "pilotsim/gl_context.h"
#include "pilotsim/scene.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_camera_renderer ps_camera_renderer;

/// Creates an offscreen context with `backend` and a renderer in it. NULL with a message in `err`.
ps_camera_renderer *ps_camera_renderer_create(ps_gl_backend backend, char *err, size_t errlen);
/// A camera renderer that creates its GL context and renderer on the first
/// ps_camera_render call, so scenes without cameras cost nothing and machines
/// without GL still run them. If creation fails, that and every later render
/// call fail (ps_camera_renderer_error says why, naming the backend). NULL on
/// allocation failure only.
ps_camera_renderer *ps_camera_renderer_create_lazy(ps_gl_backend backend);
void ps_camera_renderer_destroy(ps_camera_renderer *cr);   ///< NULL is a no-op
/// ps_render_fn: `user` is the ps_camera_renderer. Renders the world seen from
/// `pose` (the camera looks along the mount frame's +x with +z up, REP-103)
/// with the camera's size, fov_y and clip planes, and fills `out` top row
/// first: RGB 0..1 (3 floats per pixel); DEPTH planar depth along the optical
/// axis in m, far_clip where nothing is hit; SEGMENTATION the segment id
/// (body index + 1, negative: each static geom its own id, 0 nothing/sky). Darkness dims the
/// light. The context is made current for the call and the caller's current
/// context (EGL or GLFW) restored afterwards. Returns false on failure; the
/// reason is in ps_camera_renderer_error (install ps_camera_render_error with
/// ps_world_set_render_error_fn / ps_scene_set_render_error_fn to have it in
/// the step's error message).
bool ps_camera_render(void *user, const ps_world *w, ps_sensor_id camera, ps_pose pose,
                      const ps_sensor_def *def, float *out);
/// Renders `w` as screenshots show it: from the view scene `s` declares
/// (ps_scene_view), else framed by ps_render_view_frame, with the default draw
/// flags, into `rgb` (width*height*3 bytes, top row first; caller-owned).
/// Creates the context on first use like ps_camera_render. PS_OK, or PS_ERR_IO
/// (no GL context, a GL error; reason in ps_camera_renderer_error).
ps_status ps_camera_render_scene(ps_camera_renderer *cr, const ps_scene *s, const ps_world *w, int width, int height,
                            uint8_t *rgb);
/// Why the last call failed ("" if none), naming the GL backend problem. Borrowed.
const char *ps_camera_renderer_error(const ps_camera_renderer *cr);
/// ps_render_error_fn: ps_camera_renderer_error for `user` = the ps_camera_renderer.
const char *ps_camera_render_error(void *user);
/// The renderer and context (created on demand for a lazy one: NULL if that
/// failed). For tools that draw other things in the same context.
ps_renderer *ps_camera_renderer_renderer(ps_camera_renderer *cr);
ps_gl_context *ps_camera_renderer_context(ps_camera_renderer *cr);

#ifdef __cplusplus
}
#endif
#endif
