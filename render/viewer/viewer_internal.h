// Private state of the viewer (viewer.c) shared with its panels (panels.c)
// and screenshots (screenshot.c).
#ifndef PS_VIEWER_INTERNAL_H
#define PS_VIEWER_INTERNAL_H

#include "pilotsim/viewer.h"
#include "pilotsim/render.h"
#include "pilotsim/gl_context.h"
#include "pilotsim/camera_render.h"
#include "auto_scale.h"
#include "keymap.h"
#include "orbit_camera.h"
#include "plots.h"
#include "reload_watch.h"
#include "script.h"
#include "sim_loop.h"
#include "sim_thread.h"
#include "teleop.h"
#include "ui.h"

typedef enum { PS_MOUSE_NONE, PS_MOUSE_ORBIT, PS_MOUSE_PAN, PS_MOUSE_DRAG_BODY, PS_MOUSE_TURN_BODY, PS_MOUSE_UI, PS_MOUSE_RESIZE } ps_mouse_mode;

struct ps_viewer {
    ps_viewer_options opt;
    ps_gl_context *ctx;
    void *win;                    // GLFWwindow*
    ps_renderer *r;
    ps_camera_renderer *cam_r;    // camera sensors (its own hidden context); NULL if unavailable
    ps_sim_loop loop;
    ps_sim_thread *phys;          // the physics thread (NULL: physics steps in the frame, --frame-dt)
    // Where a frame's time goes, ms (averages over about 20 frames): waiting for
    // the loop, input + snapshot, 3D drawing, panels, swap; physics per frame and per step.
    struct { double wait_ms, input_ms, render_ms, ui_ms, swap_ms, physics_ms, step_ms, busy; } prof;
    double rtf;                   // simulated s per wall s (physics thread), 0 paused
    // 3D resolution: the fraction of the window's drawn (1: straight into the
    // window; else into `scaled`, stretched onto it), and the automatic step's window
    double scale;
    bool auto_scale;
    ps_render_target *scaled;
    double scale_t0;
    uint64_t scale_frames;
    ps_auto_scale autoscale;      // the automatic step's state (auto_scale.h)
    ps_plots plots;               // F3 plots and F4 profiler samples
    ps_snapshot *snap;
    ps_orbit_camera cam;
    ps_render_view view;          // of the last drawn frame
    int fb_w, fb_h;               // framebuffer pixels
    double px_scale;              // framebuffer pixels per window pixel
    ps_reload_watch *watch;
    double next_source_scan;      // s: when to add newly required modules to the watch
    ps_teleop tele;
    ps_ui ui;
    ps_script script;
    bool have_script;
    bool pad_scripted;            // the script's `gamepad` axes stand in for the first gamepad
    float pad_axes[4];            // those axes (left x, left y, right x, right y; -1..1, y down)
    // mouse (framebuffer pixels)
    double mx, my, press_x, press_y;
    int press_button, press_mods;
    bool press_moved;
    ps_mouse_mode mouse;
    ps_vec3 drag_plane_p, drag_plane_n;
    // selection and follow
    ps_body_id selected;
    bool follow;
    size_t cam_view;             // 0: the free (orbit) camera; k: the k-th camera sensor of the world
    double cam_darkness, cam_lamp; // the camera sensor looked through: its darkness and lamp
    ps_vec3 follow_offset;        // target - body position when following began
    // display
    unsigned draw_flags;
    bool daylight;                // B: a dark scene drawn in daylight (its darkness ignored)
    int col_w;                    // panel column width, framebuffer pixels (drag its left edge)
    double col_scroll;            // pixels the column is scrolled up (mouse wheel over it)
    bool show_help, show_panels, show_plots, show_profiler, show_inspector;
    bool open_episode, open_scene, open_actions, open_actuators, open_joints, open_sensors, open_overlays;
    char note[512];               // transient message on the status line
    // The panels' cached picture (ps_renderer_overlay_cache_*): redrawn on the
    // frame after any input, at a new window size, for a screenshot, and else
    // at most PANEL_HZ (viewer.c) times a second.
    uint64_t input_events;        // keys, buttons, wheel turns and cursor moves over the panels so far
    uint64_t panels_events;       // input_events when the panels were last drawn
    double panels_t;              // when they were last drawn (ps_viewer_now; < 0: never)
    int panels_w, panels_h;       // the framebuffer size they were drawn at
    bool panels_uncached;         // no cache could be made: drawn every frame
    double note_until;
    // frames
    double t_start, t_last;
    uint64_t frames;
    double fps, fps_t0;
    uint64_t fps_frames;
    int last_steps;
    char shot_path[4096];
    bool shot_pending;
    int shot_count;
    bool quit;
    int exit_code;
    bool hash_printed;
    float *scratch;               // image conversion buffer for sensor previews
    size_t scratch_len;
};

/// Monotonic wall clock, s.
double ps_viewer_now(void);
/// CPU seconds the whole process (every thread: physics, llvmpipe's rasterisers) has used.
double ps_viewer_cpu_now(void);
/// Prints "view: ..." on stdout (flushed) for scripts and tests.
void ps_viewer_log(ps_viewer *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/// Shows `fmt` on the status line for 3 s and logs it.
void ps_viewer_note(ps_viewer *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/// Copies the running world into the snapshot the frame draws.
void ps_viewer_capture(ps_viewer *v);
/// Watches the scene's sources: all of them anew (`replace`) or newly required ones added.
void ps_viewer_refresh_watch(ps_viewer *v, bool replace);
/// After a reset or reload: selection, follow and teleop reset, snapshot refreshed.
void ps_viewer_after_new_episode(ps_viewer *v);
/// Reloads the scene (`why` names the trigger in the log); errors go to the banner.
void ps_viewer_reload(ps_viewer *v, const char *why);
/// Reads the first gamepad (or the script's axes while they are set) and drives the
/// teleop actions with it (input.c).
void ps_viewer_poll_gamepad(ps_viewer *v);
/// Drives the teleop actions with gamepad axes (left x, left y, right x, right y;
/// -1..1, y down positive as GLFW reports them): what a read of the first gamepad
/// does with its sticks (input.c).
void ps_viewer_apply_gamepad(ps_viewer *v, const float axes[4]);
/// Runs the script's events due this frame (script_run.c).
void ps_viewer_script_tick(ps_viewer *v);
/// Draws the side panels, the help window and the error banner (panels.c).
void ps_viewer_draw_panels(ps_viewer *v);
/// Samples the plots and the profiler once per frame (plots.c).
void ps_viewer_sample_plots(ps_viewer *v);
/// The F3 plots and F4 profiler windows at (x, y), w wide (plots.c).
void ps_viewer_draw_plots(ps_viewer *v, int x, int y, int w);
void ps_viewer_draw_profiler(ps_viewer *v, int x, int y, int w);
/// The model tree and body inspector window at (x, y) (inspector.c).
void ps_viewer_draw_inspector(ps_viewer *v, int x, int y);
/// Outlines the selected body's shapes in the 3D view (inspector.c).
void ps_viewer_draw_selection(ps_viewer *v);
/// Logs the selected body's inspector values ("view: inspect ...", inspector.c).
void ps_viewer_print_inspect(ps_viewer *v);
/// Reads the default framebuffer and writes `path` (PNG, or binary PPM when it
/// ends in .ppm). False with a message in `err` (screenshot.c).
bool ps_viewer_screenshot(ps_viewer *v, const char *path, char *err, size_t errlen);
/// The name of body `b` ("static" or "#index" without a name).
const char *ps_viewer_body_name(ps_viewer *v, ps_body_id b, char *buf, size_t n);

#endif
