// pilotsim run --screenshot / --video: renders the episode offscreen (EGL or a
// hidden GLFW window, PILOTSIM_GL) from the scene's view or a default camera,
// and writes a PNG of the final state and/or a video. Recording only reads the
// world (snapshots), so the trajectory and its state hash are unchanged.
#ifndef PS_RUN_RECORD_H
#define PS_RUN_RECORD_H

#include "cli.h"
#include "pilotsim/policy.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct run_record_opts {
    const char *screenshot;  // PNG of the final state, or NULL
    const char *video;       // video file (container from the extension), or NULL
    double fps;              // video frames per simulated second; 0 = default (30)
    int width, height;       // pixels; 0 = default (1280x720)
    bool collision_shapes;   // draw collision geometry instead of robots' visual meshes
    int screenshot_mode;     // RUN_SHOT_RGB, RUN_SHOT_DEPTH, RUN_SHOT_SEGMENTATION
    bool view_given;         // --view: eye and target (m) and fov (deg) below, instead of the scene's
    double view[7];          // eye x y z, target x y z, vertical fov in degrees
    const char *camera_out;  // directory for camera sensor images (camera_out.h), or NULL
    bool angles_given;       // --view-angles: the automatic framing from this direction
    double azimuth, elevation; // degrees (default -40, 30)
} run_record_opts;

// What --screenshot holds: lit colour; depth as a 16-bit PNG in mm; segment ids in distinct colours.
enum { RUN_SHOT_RGB, RUN_SHOT_DEPTH, RUN_SHOT_SEGMENTATION };

// --screenshot, --video, --video-fps, --video-size, --view, --view-angles,
// --camera-out, --collision-shapes and --screenshot-mode as an option group
// (cli.h); without the renderer or video support they are listed but refused.
cli_group run_record_group(run_record_opts *o);
// The recorder below lives in the renderer plugin (cli_plugin.h), loaded by
// run_recorder_open: without it, that fails naming the plugin's path.
bool run_record_requested(const run_record_opts *o);

typedef struct run_recorder run_recorder;

// Creates the GL context, the renderer, the render target and the video file.
// NULL with a message naming what failed in `err`.
run_recorder *run_recorder_open(const run_record_opts *o, const ps_scene *s, char *err, size_t errlen);
// Runs the episode to its end as ps_episode_run_policy (p non-NULL) or
// ps_episode_run would, recording a video frame whenever simulated time
// reaches the next multiple of 1/fps: frame k shows the state at the first
// step at or after k/fps s, so an episode of T s gives floor(T * fps) + 1
// frames, from the initial state on.
ps_episode_status run_recorder_run(run_recorder *r, ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps);
// Writes the screenshot of the final state and finishes the video. False with
// the first recording error in `err` (also one that happened during the run).
bool run_recorder_finish(run_recorder *r, ps_episode *e, char *err, size_t errlen);
// One line on `f` about what was written and what it cost.
void run_recorder_report(const run_recorder *r, FILE *f);
void run_recorder_destroy(run_recorder *r);  // NULL is a no-op
// True when videos can be written: the renderer plugin loads and has libav.
bool run_record_video_available(void);

#endif
