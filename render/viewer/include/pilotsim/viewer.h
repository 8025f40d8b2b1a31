/// @file viewer.h
/// The interactive viewer behind `pilotsim view`: a GLFW window showing a
/// scene's running episode, with an orbit/pan/zoom/follow camera, pause, step,
/// reset, automatic reload on source changes (a Lua error is shown and the last
/// good world keeps running), speed control, mouse picking with a spring drag
/// or an impulse, keyboard and gamepad teleop of the action space, a policy
/// switch, and panels (scene, episode, actuators, sensors, overlays, key map).
///
/// Physics is decoupled from frames: it steps at the scene's fixed timestep on
/// a thread of its own (real time x speed, as far as the CPU allows; with
/// `frame_dt` in the frame instead) and the renderer draws a snapshot copied
/// from the world (snapshot.h), so slow drawing never slows simulated time and
/// the same scene, seed and actions give the same state hash as `pilotsim run`.
///
/// Input arrives through the ps_viewer_on_* entry points, which the GLFW
/// callbacks call and which scripts (`script_path`) call with synthetic events.
#ifndef PILOTSIM_VIEWER_H
#define PILOTSIM_VIEWER_H

#include "pilotsim/episode.h"
#include "pilotsim/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_viewer ps_viewer;

/// Calls around every physics step the viewer takes (`pilotsim view --record`
/// records demonstrations through it). All callbacks may be NULL; `user` is
/// borrowed and must outlive the viewer.
typedef struct ps_viewer_step_hook {
    void *user;
    /// The actions of the coming step are written (teleop or policy). `seed`:
    /// the episode's seed; `forced`: a mouse drag or impulse also pushes a body
    /// this step, or manual control drives the robot (not an action).
    void (*before_step)(void *user, ps_episode *e, uint64_t seed, bool forced);
    void (*after_step)(void *user, ps_episode *e);   ///< right after the step
    /// `discard_key` (a GLFW key, 0 none) was pressed: drop the current attempt;
    /// the viewer then resets the episode (same seed).
    void (*discard)(void *user);
    int discard_key;
    /// A line for the Episode panel (e.g. how many demos are kept), or NULL.
    const char *(*status)(void *user);
} ps_viewer_step_hook;

/// Viewer options. Start from ps_default_viewer_options(). Strings and arrays
/// are borrowed and must outlive the viewer.
typedef struct ps_viewer_options {
    const char *scene_path;       ///< required
    ps_scene_options scene_opt;   ///< module/package paths, params, sandbox, log
    ps_policy_options policy_opt;
    const char *policy_spec;      ///< NULL: the scene's baseline policy, if any
    /// A policy object to use instead of a spec (e.g. a recorded demo played
    /// back); the viewer owns it from ps_viewer_create on, even when that fails.
    ps_policy *policy;
    bool no_policy;               ///< start without a policy (actions from teleop)
    uint64_t seed;                ///< first episode's seed (default 0)
    int width, height;            ///< window size, screen pixels (default 1280 x 720)
    double speed;                 ///< 1/16..16 (default 1); ignored with max_speed
    bool max_speed;               ///< step as fast as possible
    bool paused;                  ///< start paused
    bool has_camera;              ///< use `eye` and `target` instead of framing the scene
    ps_vec3 eye, target;          ///< m, world
    bool panels;                  ///< show the side panels (default true)
    bool vsync;                   ///< wait for the display's refresh (default true)
    int msaa;                     ///< multisample anti-aliasing samples, 0 (default: off) .. 16
    /// The 3D view's resolution as a fraction of the window's, 0.25..1 (the
    /// panels always draw at full resolution); 0 (default): automatic, from 1
    /// down to 0.5 in steps while frames take longer than 1/60 s, back up when
    /// they are fast again; scripted runs, --frame-dt and MSAA keep 1
    double render_scale;
    /// > 0: every frame counts as this many real seconds (s), whatever the wall
    /// clock says, so scripted runs see the same simulated time per frame on any
    /// machine (tests); 0 (default): real time
    double frame_dt;
    /// > 0: sleep this long (s) after every frame, as a slow machine would draw
    /// (shows and tests that slow drawing does not slow the simulation)
    double frame_delay;
    uint64_t exit_after_steps;    ///< > 0: stop stepping at this many steps, print the hash, quit
    uint64_t frames;              ///< > 0: quit after this many frames
    bool fps_report;              ///< print frames per second at exit
    const char *script_path;      ///< synthetic input script (see render/viewer/script.h), or NULL
    bool watch;                   ///< reload automatically when a source changes (default true)
    unsigned draw_flags;          ///< PS_DRAW_* set to start with (default PS_DRAW_DEFAULT)
    /// Start with a dark scene brightened: drawn in daylight, its `view.darkness`
    /// (and through a camera sensor, that camera's darkness and lamp) ignored; B
    /// toggles. Default false: the 3D view is as dark as the scene says.
    bool daylight;
    const ps_viewer_step_hook *step_hook; ///< called around every step, or NULL (borrowed)
} ps_viewer_options;

ps_viewer_options ps_default_viewer_options(void);

/// Opens the window and loads the scene. NULL with the reason in `err` (no
/// display, no GL 3.3, a scene, policy or script error).
ps_viewer *ps_viewer_create(const ps_viewer_options *opt, char *err, size_t errlen);
void ps_viewer_destroy(ps_viewer *v);   ///< NULL is a no-op
/// Runs one frame: input, physics, drawing. False once the viewer should close.
bool ps_viewer_frame(ps_viewer *v);
/// Runs frames until the window closes or a quit; returns the process exit
/// code (0, or 3 when a script failed or the scene never loaded: a scene that
/// fails to load at start opens the window with the error and loads when its
/// file is fixed).
int ps_viewer_run(ps_viewer *v);

/// Input entry points. `key` a GLFW_KEY_* code, `button` a GLFW_MOUSE_BUTTON_*,
/// `action` GLFW_PRESS (1), GLFW_RELEASE (0) or GLFW_REPEAT (2), `mods`
/// GLFW_MOD_* bits; cursor positions in window (screen) pixels from the top-left.
void ps_viewer_on_key(ps_viewer *v, int key, int action, int mods);
void ps_viewer_on_mouse_button(ps_viewer *v, int button, int action, int mods);
void ps_viewer_on_cursor(ps_viewer *v, double x, double y);
void ps_viewer_on_scroll(ps_viewer *v, double dx, double dy);

/// Writes the key map and mouse help (the F1 panel's text) to `f` (a FILE*).
void ps_viewer_print_keymap(void *f);

#ifdef __cplusplus
}
#endif
#endif
