/// @file camera_render.h
/// Camera sensors rendered offscreen: owns a GL context (see gl_context.h), a
/// renderer and per-size render targets, and implements ps_render_fn so a
/// scene's cameras produce RGB (0..1), depth (m) and segmentation (segment ids)
/// images. Install with ps_scene_set_render_callback(scene, ps_camera_render, cr).
#ifndef PILOTSIM_CAMERA_RENDER_H
#define PILOTSIM_CAMERA_RENDER_H

#include "pilotsim/render.h"
#include "pilotsim/gl_context.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_camera_renderer ps_camera_renderer;

/// Creates an offscreen context with `backend` and a renderer in it. NULL with a message in `err`.
ps_camera_renderer *ps_camera_renderer_create(ps_gl_backend backend, char *err, size_t errlen);
void ps_camera_renderer_destroy(ps_camera_renderer *cr);
/// ps_render_fn: `user` is the ps_camera_renderer.
bool ps_camera_render(void *user, const ps_world *w, ps_sensor_id camera, ps_pose pose,
                      const ps_sensor_def *def, float *out);

#ifdef __cplusplus
}
#endif
#endif
