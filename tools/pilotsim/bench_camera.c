// pilotsim bench --camera (in the renderer plugin): offscreen RGB-D camera frames per second at 320 x 240.
// A frame is one physics step with an RGB and a depth camera sampling every
// step: the scene capture, two renders (RGB with shadows and sky, depth) and
// both read-backs into the sensor buffers.
#define _POSIX_C_SOURCE 200809L
#include "bench.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pilotsim/camera_render.h"
#include "pilotsim/sensor.h"

enum { FRAMES = 100, CW = 320, CH = 240 };

// CPU time of the whole process (llvmpipe's threads included), s: on a shared
// machine wall-clock frames/s understate what a free core does.
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static ps_world *build(ps_camera_renderer *cr)
{
    ps_world_def d = ps_default_world_def();
    char err[PS_ERR_LEN];
    ps_world *w = ps_world_create(&d, err, sizeof err);
    if (!w) return NULL;
    ps_world_set_render_callback(w, ps_camera_render, cr);
    ps_geom_def g = ps_default_geom_def(PS_GEOM_PLANE);
    g.plane[2] = 1;
    ps_geom_create(w, PS_BODY_NONE, &g);
    for (int i = 0; i < 30; i++) {
        ps_body_def bd = ps_default_body_def();
        bd.pose.p = (ps_vec3){1.5 + (i % 6) * 0.7, -1.75 + (i / 6) * 0.7, 0.2 + 0.05 * (i % 3)};
        ps_body_id b = ps_body_create(w, &bd);
        g = ps_default_geom_def(i % 3 == 0 ? PS_GEOM_BOX : i % 3 == 1 ? PS_GEOM_SPHERE : PS_GEOM_CYLINDER);
        g.size = (ps_vec3){0.3, 0.3, 0.3};
        g.radius = 0.15;
        g.length = 0.3;
        g.rgba[0] = (float)(i % 5) / 4.0f;
        g.rgba[1] = (float)(i % 7) / 6.0f;
        g.rgba[2] = 0.5f;
        ps_geom_create(w, b, &g);
    }
    ps_body_def st = ps_default_body_def();
    st.kind = PS_BODY_STATIC;
    st.pose.p = (ps_vec3){0, 0, 0.8};
    ps_body_id stand = ps_body_create(w, &st);
    const char *names[2] = {"rgb", "depth"};
    for (int k = 0; k < 2; k++) {
        ps_sensor_def s = ps_default_sensor_def(PS_SENSOR_CAMERA);
        s.name = names[k];
        s.body = stand;
        s.pose.q = (ps_quat){0.9914448613738104, 0, 0.13052619222005157, 0}; // pitched 15 deg down
        s.width = CW;
        s.height = CH;
        s.camera = k ? PS_CAMERA_DEPTH : PS_CAMERA_RGB;
        if (ps_sensor_create(w, &s).gen == 0) {
            fprintf(stderr, "pilotsim bench --camera: %s\n", ps_world_last_error(w));
            ps_world_destroy(w);
            return NULL;
        }
    }
    return w;
}

int bench_camera(int repeat, bool json)
{
    char err[PS_ERR_LEN];
    ps_camera_renderer *cr = ps_camera_renderer_create(PS_GL_AUTO, err, sizeof err);
    if (!cr) {
        fprintf(stderr, "pilotsim bench --camera: %s\n", err);
        return EXIT_RUNTIME;
    }
    ps_world *w = build(cr);
    if (!w) {
        ps_camera_renderer_destroy(cr);
        return EXIT_RUNTIME;
    }
    double *fps = calloc((size_t)repeat, sizeof *fps), *cpu = calloc((size_t)repeat, sizeof *cpu);
    int rc = EXIT_OK;
    for (int k = 0; k < 5 && rc == EXIT_OK; k++) // warm-up: shaders, buffers, targets
        if (ps_world_step(w) != PS_OK) rc = EXIT_RUNTIME;
    for (int r = 0; r < repeat && rc == EXIT_OK; r++) {
        double t0 = cli_now(), c0 = cpu_now();
        for (int k = 0; k < FRAMES; k++)
            if (ps_world_step(w) != PS_OK) {
                rc = EXIT_RUNTIME;
                break;
            }
        fps[r] = FRAMES / (cli_now() - t0);
        cpu[r] = (cpu_now() - c0) / FRAMES * 1e3;
    }
    if (rc != EXIT_OK) {
        fprintf(stderr, "pilotsim bench --camera: %s\n", ps_world_last_error(w));
    } else {
        double med = bench_median(fps, repeat), cms = bench_median(cpu, repeat); // sorted: fps[0] is the min
        const char *backend = ps_gl_context_backend(ps_camera_renderer_context(cr)) == PS_GL_EGL ? "egl" : "glfw";
        if (json)
            printf("{\"bench\":\"camera\",\"width\":%d,\"height\":%d,\"backend\":\"%s\",\"rgbd_fps\":%.2f,"
                   "\"min\":%.2f,\"max\":%.2f,\"cpu_ms_per_frame\":%.2f}\n", CW, CH, backend, med, fps[0],
                   fps[repeat - 1], cms);
        else
            printf("camera: RGB-D %dx%d offscreen (%s): %.1f frames/s (median of %d x %d frames; min %.1f, max %.1f); "
                   "%.1f ms CPU per frame (all threads)\n", CW, CH, backend, med, repeat, FRAMES, fps[0],
                   fps[repeat - 1], cms);
    }
    free(fps);
    free(cpu);
    ps_world_destroy(w);
    ps_camera_renderer_destroy(cr);
    return rc;
}
