/// @file gl_context.h
/// OpenGL 3.3 core contexts: an EGL context with no window system (Mesa
/// surfaceless or an NVIDIA device) for headless cameras, video and
/// screenshots, or a GLFW window (visible for the viewer, hidden for
/// offscreen work under X). PILOTSIM_GL=egl|glfw picks the offscreen backend;
/// unset tries EGL first, then a hidden GLFW window.
#ifndef PILOTSIM_GL_CONTEXT_H
#define PILOTSIM_GL_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_gl_context ps_gl_context;

typedef enum ps_gl_backend { PS_GL_AUTO, PS_GL_EGL, PS_GL_GLFW } ps_gl_backend;

/// Offscreen context (no window shown). `backend` PS_GL_AUTO reads PILOTSIM_GL.
/// NULL with a message naming the backend and what failed in `err`.
ps_gl_context *ps_gl_context_create_offscreen(ps_gl_backend backend, char *err, size_t errlen);
/// A visible GLFW window of `width` x `height` screen pixels with a GL 3.3 core context.
ps_gl_context *ps_gl_context_create_window(int width, int height, const char *title, char *err, size_t errlen);
/// Like ps_gl_context_create_window with a multisampled framebuffer of
/// `samples` (0..16; 0 = none) for anti-aliased edges. A software rasteriser
/// (Mesa llvmpipe) pays for every sample.
ps_gl_context *ps_gl_context_create_window_msaa(int width, int height, const char *title, int samples, char *err,
                                                size_t errlen);
void ps_gl_context_destroy(ps_gl_context *c);   ///< NULL is a no-op
bool ps_gl_context_make_current(ps_gl_context *c);
void ps_gl_context_swap(ps_gl_context *c);      ///< windows only; no-op offscreen
ps_gl_backend ps_gl_context_backend(const ps_gl_context *c);
/// The GLFWwindow* of a window context (as void*, so this header needs no GLFW), else NULL.
void *ps_gl_context_window(ps_gl_context *c);
/// Framebuffer size in pixels of a window context (may differ from its screen size).
void ps_gl_context_framebuffer_size(ps_gl_context *c, int *width, int *height);

#ifdef __cplusplus
}
#endif
#endif
