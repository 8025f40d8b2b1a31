// Camera sensors in the CLI: with the renderer built (PILOTSIM_HAVE_RENDER),
// every loaded scene gets a render callback that loads the renderer plugin
// (cli_plugin.h) and its offscreen camera renderer on the first camera image,
// so scenes without cameras never load GL and machines without GL still run
// them. A camera without the plugin or without GL ends the episode with an
// error naming the camera and the plugin's path or the GL backend problem.
#include "cli.h"
#include "cli_plugin.h"

#ifdef PILOTSIM_HAVE_RENDER
#include <stdlib.h>

// One per process (the CLI is single-threaded; eval workers are processes).
typedef struct cli_cameras {
    const cli_render_plugin *p; // NULL until the first camera image
    void *cameras;              // the plugin's camera renderer
    char error[4800];           // why the plugin could not be loaded
} cli_cameras;

static cli_cameras the_cameras;

static void free_cameras(void)
{
    the_cameras.p->cameras_destroy(the_cameras.cameras);
    the_cameras.cameras = NULL;
}

static bool render(void *user, const ps_world *w, ps_sensor_id camera, ps_pose pose, const ps_sensor_def *def,
                   float *out)
{
    cli_cameras *c = user;
    if (!c->p) {
        if (c->error[0]) return false;
        const cli_render_plugin *p = cli_render_plugin_load("camera sensors need", c->error, sizeof c->error);
        if (!p) return false;
        if (!(c->cameras = p->cameras_create())) {
            snprintf(c->error, sizeof c->error, "camera renderer: out of memory");
            return false;
        }
        c->p = p;
        atexit(free_cameras);
    }
    return c->p->camera_render(c->cameras, w, camera, pose, def, out);
}

static const char *render_error(void *user)
{
    const cli_cameras *c = user;
    return c->p ? c->p->camera_render_error(c->cameras) : c->error;
}

void cli_cameras_install(ps_scene *s)
{
    if (!s) return;
    ps_scene_set_render_callback(s, render, &the_cameras);
    ps_scene_set_render_error_fn(s, render_error);
}

bool cli_cameras_available(void) { return true; }
#else
void cli_cameras_install(ps_scene *s) { (void)s; }
bool cli_cameras_available(void) { return false; }
#endif
