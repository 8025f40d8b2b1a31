/// @file world.h
/// A physics world: the container that owns every body, geom, joint and
/// material in it, and steps them at a fixed timestep with ODE's QuickStep.
///
/// Ownership: ps_world_destroy frees everything created in the world. Handles
/// (ps_body_id, ...) are checked on every call; a stale one gives PS_ERR_STALE.
/// Thread safety: one world is used by one thread at a time. Different worlds
/// may step in different threads of one process and stay bit-reproducible:
/// ODE's process-wide solver RNG is used under a lock, so their QuickSteps take
/// turns (see docs/ode-notes.md); processes scale better for parallel episodes.
#ifndef PILOTSIM_WORLD_H
#define PILOTSIM_WORLD_H

#include "pilotsim/export.h"

#include "pilotsim/types.h"
#include "pilotsim/log.h"

PS_BEGIN_DECLS

typedef struct ps_world ps_world;

/// Library version, "MAJOR.MINOR.PATCH".
const char *ps_version(void);

/// Constraint solver of a world's step.
typedef enum ps_solver_kind {
    /// ODE's iterative QuickStep (projected Gauss-Seidel): `iterations` passes over
    /// every constraint; cost linear in the constraints, accuracy up to the iterations
    PS_SOLVER_QUICKSTEP,
    /// ODE's direct solver (dWorldStep): each island's LCP solved exactly (Dantzig),
    /// cost about cubic in an island's constraint rows: no iterations to tune, and
    /// stiff chains (a humanoid's legs) hold at larger timesteps; for worlds of many
    /// small islands (robots that do not touch each other)
    PS_SOLVER_DIRECT,
} ps_solver_kind;

/// Broad-phase collision space type.
typedef enum ps_space_kind { PS_SPACE_HASH, PS_SPACE_SAP, PS_SPACE_SIMPLE } ps_space_kind;

/// m: how far from the origin bodies and geoms may reach (see max_linear_speed).
#define PS_WORLD_EXTENT 1e9
/// The most QuickStep iterations a world takes (each is a pass over every constraint).
#define PS_WORLD_MAX_ITERATIONS 10000
/// The largest max_bodies a world accepts.
#define PS_WORLD_MAX_BODIES 1000000

/// World parameters. Start from ps_default_world_def().
typedef struct ps_world_def {
    ps_vec3 gravity;              ///< m/s^2; default (0, 0, -9.81)
    double timestep;              ///< s, > 0; default 0.002
    /// QuickStep iterations, 1..PS_WORLD_MAX_ITERATIONS; default 20. Robots that
    /// need more (ps_solver_need) raise it unless iterations_fixed.
    int iterations;
    double sor;                   ///< QuickStep over-relaxation (0, 2); default 1.3
    double erp;                   ///< global error reduction [0, 1]; default 0.2
    double cfm;                   ///< global constraint force mixing >= 0; default 1e-5
    double contact_surface_layer; ///< m of allowed penetration >= 0; default 0.001
    double max_correcting_vel;    ///< m/s contacts may use to resolve penetration, > 0 or INFINITY; default 1.0
    int max_contacts;             ///< contact points per geom pair, 1..64; default 8
    /// Broad phase; default PS_SPACE_HASH, which is pilotsim's own: a grid of the
    /// static geoms built once and a sweep over the moving ones, reporting the
    /// pairs ODE's hash space would (so the same contacts and trajectories) with no
    /// allocation per step, with or without static_space. PS_SPACE_SAP and
    /// PS_SPACE_SIMPLE are ODE's spaces.
    ps_space_kind space;
    /// m/s; a body faster than this diverged; default 1000. A body farther than
    /// PS_WORLD_EXTENT from the origin diverged too, and a geom reaching beyond it
    /// is refused when created (ODE's collision grids fail on such coordinates).
    double max_linear_speed;
    double max_angular_speed;     ///< rad/s; likewise; default 10000
    /// Measure ps_contact.force from the first step (ODE's contact feedback: about 1-3% of
    /// step time on contact-heavy worlds); default true. Off, ps_world_set_contact_forces
    /// turns it on later (a contact sensor does so when created; scenes leave it off
    /// until something reads the forces).
    bool contact_forces;
    uint64_t seed;                ///< seed of this world's QuickStep constraint shuffling; default 0
    ps_logger log;                ///< where messages go; default stderr (warnings and errors)
    /// Most bodies alive at once, 1..PS_WORLD_MAX_BODIES; default 10000. Creating one more fails.
    uint32_t max_bodies;
    /// Bytes the whole process may hold in resident memory (ODE, geoms, meshes, Lua, ...):
    /// creating a body, geom or joint fails once it is over; 0 = no cap (default).
    size_t memory_limit;
    /// Solver health thresholds (ps_world_solver_health): a checked step (every
    /// PS_HEALTH_EVERY-th) whose joint error (m), hinge axis error (rad) or
    /// deepest contact (m) passes one counts, and when the check before passed
    /// one too (not a one-step impact transient) logs a warning (at most one
    /// per 1000 steps); 0 = no check.
    /// Defaults 0.01 m, 0.05 rad, 0.05 m (a fast impact enters a few cm in one step).
    double health_joint_error;
    double health_angle_error;    ///< rad, see health_joint_error
    double health_penetration;    ///< m, see health_joint_error
    /// Broad phase for large static worlds with space PS_SPACE_SAP or
    /// PS_SPACE_SIMPLE: geoms without a dynamic or kinematic body (ground, walls,
    /// obstacles) go into an ODE quadtree space of their own, built at the first
    /// step over their bounding boxes, and are tested only against the moving
    /// geoms, never against each other. With PS_SPACE_HASH it changes nothing:
    /// pilotsim's own broad phase keeps the static geoms apart already. Default false.
    bool static_space;
    /// true: `iterations` was chosen by whoever made the world (a scene's
    /// world.iterations) and robots' needs never change it: a robot that needs
    /// more gets a warning instead (ps_world_require_solver); default false.
    bool iterations_fixed;
    /// The constraint solver; default PS_SOLVER_QUICKSTEP. With PS_SOLVER_DIRECT
    /// `iterations` and `sor` are unused and robots' iteration needs are met.
    ps_solver_kind solver;
} ps_world_def;

/// Defaults listed on each ps_world_def field.
ps_world_def ps_default_world_def(void);

/// Creates a world. Returns NULL on a NULL or invalid def (message in `err`, which may be
/// NULL; `errlen` bytes at most, NUL-terminated) or allocation failure.
ps_world *ps_world_create(const ps_world_def *def, char *err, size_t errlen);

/// Frees the world and everything in it. NULL is a no-op.
void ps_world_destroy(ps_world *w);

/// The def the world was created with (borrowed, valid for the world's life).
const ps_world_def *ps_world_get_def(const ps_world *w);

/// Advances the world by one timestep: collision, QuickStep, divergence check.
/// Returns PS_OK, or PS_ERR_DIVERGED once the world diverged (then and on every
/// later call; see ps_world_divergence). Allocates nothing once the contact
/// buffers reached their peak size.
ps_status ps_world_step(ps_world *w);

/// What a robot needs of the solver to move as the real one does, measured on
/// it (docs/fidelity.md). Robot modules and the URDF importer declare it
/// (ps_robot_def.solver, ps_urdf_build_options.solver); the world adopts the
/// strictest need of the robots it holds.
typedef struct ps_solver_need {
    int min_iterations;   ///< QuickStep iterations at least, 0..PS_WORLD_MAX_ITERATIONS; 0 = no need
    double max_timestep;  ///< s, >= 0: the largest timestep the robot is measured to work at; 0 = no need
    /// s, >= 0: the largest timestep the robot is measured to work at with
    /// PS_SOLVER_DIRECT (which needs no iterations); 0 = max_timestep applies there too
    double direct_max_timestep;
} ps_solver_need;

/// Where a world's solver setting came from.
typedef enum ps_setting_source {
    PS_SETTING_DEFAULT,  ///< the def's value; no robot needed more
    PS_SETTING_FIXED,    ///< fixed by whoever made the world (ps_world_def.iterations_fixed, a scene's value)
    PS_SETTING_ROBOT,    ///< raised to the need of a robot (named in ps_solver_settings)
} ps_setting_source;

/// "quickstep" or "direct" (the names scenes use in world.solver).
const char *ps_solver_kind_name(ps_solver_kind k);

/// "default", "scene" (fixed) or "robot".
const char *ps_setting_source_name(ps_setting_source s);

/// Longest robot name ps_solver_settings keeps (longer names are cut).
#define PS_SOLVER_NAME_LEN 64

/// The solver settings a world steps with, where they came from, and the
/// strictest needs of its robots.
typedef struct ps_solver_settings {
    ps_solver_kind solver;         ///< the world's solver (ps_world_def.solver)
    int iterations;                ///< QuickStep iterations of the next step (unused by PS_SOLVER_DIRECT)
    ps_setting_source iterations_from;
    /// s; always the def's: robots never change it (a scene's timestep is
    /// required and fixed before its robots exist), a robot whose max_timestep
    /// it exceeds gets a warning
    double timestep;
    int need_iterations;           ///< the largest min_iterations of the robots; 0 = none declared
    /// s: the smallest max_timestep of the robots (their direct_max_timestep where
    /// declared, in a PS_SOLVER_DIRECT world); 0 = none declared
    double need_timestep;
    char need_iterations_robot[PS_SOLVER_NAME_LEN]; ///< the robot that needs need_iterations ("" = none)
    char need_timestep_robot[PS_SOLVER_NAME_LEN];   ///< the robot that needs need_timestep ("" = none)
} ps_solver_settings;

/// Declares what robot `who` (a name for messages; NULL = "robot") needs: the
/// world raises its iterations to need->min_iterations unless
/// ps_world_def.iterations_fixed, and logs one warning (naming the robot, the
/// need and the kept value) when a fixed iteration count or the timestep does
/// not meet the need. A PS_SOLVER_DIRECT world meets every iteration need and
/// checks the timestep against direct_max_timestep where it is declared. Needs
/// only ever tighten; the ps_robot_* constructors call this. PS_ERR_INVALID
/// for a NULL or out-of-range need.
ps_status ps_world_require_solver(ps_world *w, const char *who, const ps_solver_need *need);

/// Fills `out` with the world's settings now and the needs declared so far.
void ps_world_solver_settings(const ps_world *w, ps_solver_settings *out);

/// Steps between two solver health checks (ps_world_solver_health): the joint
/// errors are measured and the thresholds checked every PS_HEALTH_EVERY steps.
#define PS_HEALTH_EVERY 10

/// How well the last step's constraints were solved. QuickStep is iterative:
/// joints drift apart and contacts sink when it has not converged (too few
/// iterations, light links beside heavy ones, stiff servos).
typedef struct ps_solver_health {
    double joint_error;       ///< m: the largest gap between a joint's two anchors (hinge, ball, universal) after the last step
    double angle_error;       ///< rad: the largest angle between a hinge's axis as each of its bodies carries it
    double penetration;       ///< m: the deepest contact of the last step's collision pass
    double joint_error_max;   ///< m: the largest joint_error of the checked steps (every PS_HEALTH_EVERY-th, and this one)
    double angle_error_max;   ///< rad: likewise
    double penetration_max;   ///< m: the largest penetration of every step since the world was made
    uint64_t warned_steps;    ///< checked steps in which a measure passed its threshold (ps_world_def.health_*)
} ps_solver_health;

/// Fills `out`: the measures of the last step (joint errors measured now
/// unless the step measured them: a few ODE queries per joint) and their
/// maxima. The step itself checks every PS_HEALTH_EVERY steps (deepest contact
/// every step), so asking costs nothing when nobody asks.
void ps_world_solver_health(const ps_world *w, ps_solver_health *out);

/// Wall-clock seconds spent in ps_world_step while step timing was on (see
/// ps_world_set_timing), for profilers (`pilotsim view`'s F4; never part of the
/// state): all of it in `total`, the sensor updates (camera images, lidar) in
/// `sensors`. Either may be NULL. Both stay 0 while timing is off.
void ps_world_step_seconds(const ps_world *w, double *total, double *sensors);

/// Turns step timing on or off (ps_world_step_seconds, ps_episode_lua_seconds);
/// default off: it reads the clock about four times a step (some 30 ns each, a
/// percent of a small world's step), which nothing reads in headless runs.
void ps_world_set_timing(ps_world *w, bool on);

/// Whether step timing is on (ps_world_set_timing).
bool ps_world_timing(const ps_world *w);

/// Checks that the world can be stepped: every dynamic body has a mass.
/// PS_ERR_INVALID names the body in ps_world_last_error. ps_world_step does
/// the same check; call this to report problems right after building.
ps_status ps_world_validate(ps_world *w);

/// Simulated time (s) and number of completed steps.
double ps_world_time(const ps_world *w);
uint64_t ps_world_step_count(const ps_world *w);

/// Why the world diverged: "body 'name' (#index) non-finite position at step N"
/// or similar. NULL while the world is healthy. Borrowed.
const char *ps_world_divergence(const ps_world *w);

/// The message of the last failed call on this world (borrowed; "" if none).
const char *ps_world_last_error(const ps_world *w);

/// 64-bit FNV-1a hash over every live body's position, orientation, linear
/// and angular velocity (raw IEEE bits, slot order), the step count and the
/// world's solver seed. Equal hashes mean bit-identical states.
uint64_t ps_world_state_hash(const ps_world *w);

/// Another 64-bit hash of the same state as ps_world_state_hash (step count,
/// solver seed, every live body's slot index, position, orientation, linear and
/// angular velocity as raw IEEE bits; a static body's pose), mixed 8 bytes at
/// a time with a final avalanche: about 5x cheaper, deterministic, a different
/// value. Datasets record it at every step (pilotsim record, replay --verify);
/// ps_world_state_hash stays the hash that runs, evals and pilot checks print.
uint64_t ps_world_state_digest(const ps_world *w);

/// The world's tag: non-zero, distinct for every world created in this process
/// (also across episodes). Every id this world makes carries it in its `world`
/// field, and every call refuses ids with another tag (PS_ERR_STALE).
uint32_t ps_world_tag(const ps_world *w);

/// This world's QuickStep RNG seed as it stands now (it changes every step).
uint64_t ps_world_solver_seed(const ps_world *w);

/// Number of live bodies / joints / geoms.
size_t ps_world_body_count(const ps_world *w);
size_t ps_world_joint_count(const ps_world *w);
size_t ps_world_geom_count(const ps_world *w);

/// The i-th live body in creation (slot) order, i < ps_world_body_count.
/// Returns PS_BODY_NONE when out of range.
ps_body_id ps_world_body_at(const ps_world *w, size_t i);

/// The i-th live geom in creation (slot) order, i < ps_world_geom_count; a
/// zero id when out of range.
ps_geom_id ps_world_geom_at(const ps_world *w, size_t i);

/// One contact point of the last step.
typedef struct ps_contact {
    ps_body_id body1, body2;  ///< PS_BODY_NONE for static geometry
    ps_geom_id geom1, geom2;
    ps_vec3 pos;              ///< world position, m
    ps_vec3 normal;           ///< unit normal, world frame, pointing from geom2 into geom1
    double depth;             ///< penetration, m
    ps_vec3 force;            ///< force on body1 by the contact, N (world frame); 0 without contact_forces
} ps_contact;

/// Contact points of the last completed step (borrowed; valid until the next
/// step or world change). `*count` receives the number; NULL if none.
const ps_contact *ps_world_contacts(const ps_world *w, size_t *count);
/// Turns the measuring of contact forces (ps_contact.force) on or off from the
/// next step on (ps_world_def.contact_forces is the initial setting). Readers
/// turn it on: Lua's world:contacts(), contact sensors, the viewer's contact overlay.
void ps_world_set_contact_forces(ps_world *w, bool on);
/// True when the next step measures contact forces.
bool ps_world_contact_forces(const ps_world *w);

/// A keep-out zone: an axis-aligned box in the world frame (m). Zones take no
/// part in the physics (no collision, no state hash); renderers draw them as
/// translucent boxes and scenario scripts test against their own copies.
typedef struct ps_zone { ps_vec3 min, max; } ps_zone;

/// Adds a keep-out zone with corners `min` <= `max` (finite, m). PS_ERR_INVALID
/// otherwise (message in ps_world_last_error), PS_ERR_NOMEM on allocation failure.
/// Lua: world:zone{min = {x, y, z}, max = {x, y, z}}.
ps_status ps_world_add_zone(ps_world *w, ps_vec3 min, ps_vec3 max);
size_t ps_world_zone_count(const ps_world *w);
/// The i-th zone in the order added; PS_ERR_INVALID when i is out of range.
ps_status ps_world_get_zone(const ps_world *w, size_t i, ps_zone *out);

PS_END_DECLS
#endif
