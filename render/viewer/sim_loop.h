// The viewer's simulation loop: owns the scene, its running episode and the
// policy, and steps physics at the scene's fixed timestep whatever the frame
// rate: each frame adds real time x speed to an accumulator and runs as many
// whole steps as it holds, capped per frame (steps and wall time) so a slow
// machine slows the simulation down instead of spiralling. Also: pause,
// single steps, reset, reload keeping the last good world on errors, and the
// mouse interactions (spring drag, impulse) applied before each step.
#ifndef PS_VIEWER_SIM_LOOP_H
#define PS_VIEWER_SIM_LOOP_H

#include "pilotsim/pilotsim.h"
#include "pilotsim/robot.h"
#include "pilotsim/sensor.h"
#include "pilotsim/policy.h"
#include "history.h"
#include "step_samples.h"
#include "pilotsim/viewer.h"

/// What the loop loads and how (strings and arrays borrowed for its lifetime).
typedef struct ps_sim_loop_config {
    const char *scene_path;
    ps_scene_options scene_opt;
    ps_policy_options policy_opt;
    const char *policy_spec;   ///< NULL: the scene's baseline, if it declares one
    ps_policy *policy;         ///< a policy object instead of a spec (the loop owns it), or NULL
    bool no_policy;            ///< never run a policy (actions from teleop only)
    uint64_t seed;
    ps_render_fn render_fn;    ///< camera sensor renderer given to every scene (may be NULL)
    void *render_user;
    const ps_viewer_step_hook *hook; ///< called around every step (may be NULL)
    const char *const *base_params;  ///< set by ps_sim_loop_init: the command line's params
    size_t base_param_count;
} ps_sim_loop_config;

typedef struct ps_sim_loop {
    ps_sim_loop_config cfg;
    ps_scene *scene;
    ps_episode *ep;
    ps_policy *policy;         ///< NULL without one
    bool policy_on;
    bool policy_before_manual; ///< policy_on when manual control began
    uint64_t seed;
    double dt;                 ///< the scene's timestep, s
    bool manual;               ///< manual control: actions and the policy off, actuator sliders drive
    bool paused;
    double speed;              ///< simulated s per real s, 1/16..16
    bool max_speed;            ///< as many steps as fit the frame budget
    double acc;                ///< simulated time owed, s
    uint64_t pending_steps;    ///< single steps requested while paused
    uint64_t step_limit;       ///< > 0: never step past this many episode steps
    int max_steps_per_frame;   ///< cap (default 2000)
    double frame_budget;       ///< wall s one frame may spend stepping (default 0.03; the viewer
                               ///< raises it to half its drawing time, up to 0.25)
    bool carry_debt;           ///< keep the time still owed when frame_budget ends an advance
                               ///< early (the physics thread calls again at once), up to 0.25 s
    bool dropped;              ///< the last advance hit a cap and dropped owed time
    // Mouse interaction, applied before every step while active.
    bool drag_on;
    ps_body_id drag_body;
    ps_vec3 drag_local;        ///< grabbed point in the body frame, m
    ps_vec3 drag_target;       ///< where the mouse wants it (world), m
    bool torque_on;            ///< rotational drag: a torque turns the body towards torque_target
    ps_body_id torque_body;
    ps_quat torque_start;      ///< its orientation when the drag began
    ps_vec3 torque_turn;       ///< the mouse's turn since then: axis x angle (rad, world)
    bool impulse_on;
    ps_body_id impulse_body;
    ps_vec3 impulse_point, impulse;  ///< world point (m), impulse (N s)
    char error[PS_ERR_LEN];          ///< the last load/reload/policy error shown in the window, "" none
    uint64_t reloads;          ///< successful reloads
    ps_history *history;       ///< rewind states, one every 0.25 s of simulated time (NULL: none)
    ps_step_samples samples;   ///< per-step plot samples (on while the F3 plots are open)
    // Param edits from the Scene panel: "name=value" after the command line's,
    // applied when the scene loads again (ps_sim_loop_reload; the viewer's reset does it).
    char param_edit[32][128];
    size_t param_edits;
    const char *param_list[96];
    bool params_dirty;         ///< edits made since the scene last loaded
} ps_sim_loop;

/// Loads the scene, opens the policy and begins the first episode. False with
/// the reason in `err` when the scene file is missing or the policy cannot be
/// opened. A scene file that exists but fails to load (a syntax error) leaves
/// the loop without a scene (l->scene NULL), the message in l->error, until a
/// ps_sim_loop_reload succeeds.
bool ps_sim_loop_init(ps_sim_loop *l, const ps_sim_loop_config *cfg, char *err, size_t errlen);
void ps_sim_loop_free(ps_sim_loop *l);
ps_world *ps_sim_loop_world(ps_sim_loop *l);
/// Ends the episode and begins a new one with `seed` (policy reset too).
void ps_sim_loop_reset(ps_sim_loop *l, uint64_t seed);
/// Loads the scene file again and begins an episode with the current seed.
/// On a load or build error the old scene and world stay and l->error holds
/// the message; returns false.
bool ps_sim_loop_reload(ps_sim_loop *l);
/// Advances by `real_dt` wall seconds (ignored while paused, which only runs
/// requested single steps). Returns the number of physics steps taken.
int ps_sim_loop_advance(ps_sim_loop *l, double real_dt);
/// Requests one step (pauses the loop).
void ps_sim_loop_request_step(ps_sim_loop *l);
/// Sets param `name` to `value` (text, as --param takes it) for the next load
/// of the scene. False when 32 different params are already edited.
bool ps_sim_loop_set_param(ps_sim_loop *l, const char *name, const char *value);
/// The edited value of param `name`, or NULL when it has not been edited.
const char *ps_sim_loop_param_edit(const ps_sim_loop *l, const char *name);
/// Turns the policy on (reset for the running episode) or off (actions zeroed).
void ps_sim_loop_set_policy(ps_sim_loop *l, bool on);
/// Manual control on (the policy off, the episode's action mapping skipped:
/// robot commands stay as the actuator sliders set them) or off (the policy
/// back on if it was on before). Kept across resets and reloads.
void ps_sim_loop_set_manual(ps_sim_loop *l, bool on);
/// Sets the speed, clamped to 1/16..16 (turns max speed off).
void ps_sim_loop_set_speed(ps_sim_loop *l, double speed);
/// Starts dragging `body` by the world point `at` (converted to the body frame).
void ps_sim_loop_drag_begin(ps_sim_loop *l, ps_body_id body, ps_vec3 at);
/// Starts turning `body` with the mouse: ps_sim_loop_torque_turn sets how far.
void ps_sim_loop_torque_begin(ps_sim_loop *l, ps_body_id body);
/// The wanted turn from the orientation at the start: axis x angle (rad, world).
/// A 5 Hz critically damped rotational spring (the body's largest principal
/// inertia, torque capped at 400 rad/s^2 x that) pulls the body towards it.
void ps_sim_loop_torque_turn(ps_sim_loop *l, ps_vec3 turn);
/// World point the grabbed point currently is at (false without a drag).
bool ps_sim_loop_drag_anchor(ps_sim_loop *l, ps_vec3 *out);
/// Applies `impulse` (N s, world) at world point `at` during the next step.
void ps_sim_loop_impulse(ps_sim_loop *l, ps_body_id body, ps_vec3 at, ps_vec3 impulse);
/// Pauses and rewinds to the newest history state before the current step
/// (about 0.25 s of simulated time back; again goes further back, up to 60 s).
/// False with the reason in l->error when there is nothing to rewind to.
bool ps_sim_loop_rewind(ps_sim_loop *l);
/// The files to watch for automatic reload: the scene's sources (scene.h).
size_t ps_sim_loop_sources(const ps_sim_loop *l, const char **out, size_t max);

#endif
