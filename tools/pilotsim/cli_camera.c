// Camera sensors in the CLI: with the renderer built in (PILOTSIM_HAVE_RENDER),
// every loaded scene gets the offscreen camera renderer, created lazily on the
// first camera image, so scenes without cameras never touch GL and machines
// without GL still run them. A camera on a machine without GL ends the episode
// with an error naming the camera and the GL backend problem.
#include "cli.h"

#ifdef PILOTSIM_HAVE_RENDER
#include "pilotsim/camera_render.h"

#include <stdlib.h>

// One per process (the CLI is single-threaded; eval workers are processes).
static ps_camera_renderer *the_cameras;

static void free_cameras(void)
{
    ps_camera_renderer_destroy(the_cameras);
    the_cameras = NULL;
}

void cli_cameras_install(ps_scene *s)
{
    if (!s) return;
    if (!the_cameras) {
        the_cameras = ps_camera_renderer_create_lazy(PS_GL_AUTO);
        if (!the_cameras) return; // out of memory: cameras then fail to load, saying they need a renderer
        atexit(free_cameras);
    }
    ps_scene_set_render_callback(s, ps_camera_render, the_cameras);
    ps_scene_set_render_error_fn(s, ps_camera_render_error);
}

bool cli_cameras_available(void) { return true; }
#else
void cli_cameras_install(ps_scene *s) { (void)s; }
bool cli_cameras_available(void) { return false; }
#endif
