// Private layout of a world and its object tables. Shared by the world's
// modules (world, body, geom, joint, material, contact, hash) only.
#ifndef PS_WORLD_INTERNAL_H
#define PS_WORLD_INTERNAL_H

#include "pilotsim/world.h"
#include "pilotsim/body.h"
#include "pilotsim/geom.h"
#include "pilotsim/joint.h"
#include "util.h"
#include "math3d.h"
#include "pilotsim/material.h"
#include "pilotsim/robot.h"
#include "pilotsim/sensor.h"
#include "pilotsim/rng.h"

#include <ode/ode.h>

#define PS_NO_INDEX UINT32_MAX

typedef struct ps_body_slot {
    uint32_t gen;           // generation of the current (or last) occupant; starts at 1
    bool alive;
    char *name;
    ps_body_kind kind;
    dBodyID body;           // NULL for static bodies
    ps_pose static_pose;    // link pose of a static body
    // Mass model. `acc` is the sum of the geoms' masses about the link origin;
    // `com` the centre of mass in the link frame (the ODE body sits there).
    enum { PS_MASS_DENSITY, PS_MASS_SHAPED, PS_MASS_EXPLICIT } mass_mode;
    double mass_target;     // kg, PS_MASS_SHAPED
    dMass acc;
    bool has_mass;          // a valid mass was given to ODE
    ps_vec3 com;
    uint32_t joint_refs;    // joints attached (mass edits forbidden when > 0)
    // Actuator armature carried by this body (robot.c), added to what ODE
    // simulates but not to the mass the API reports: kg (sliders) and
    // kg m^2 about the centre of mass in the link axes (hinges).
    double arm_mass, arm_I[9];
    uint32_t first_geom;    // head of this body's geom list
    uint32_t next_free;
} ps_body_slot;

typedef struct ps_geom_slot {
    uint32_t gen;
    bool alive;
    char *name;
    dGeomID geom;
    ps_body_id body;        // PS_BODY_NONE for world geometry
    ps_geom_def def;        // pointer fields NULL; name points to `name`
    uint32_t material;      // index in the world's material table
    ps_pose local;          // pose in the body's link frame (or world)
    dTriMeshDataID tridata;
    dHeightfieldDataID hfdata;
    double *verts;          // owned copies for trimesh / heightfield
    dTriIndex *tris;
    uint32_t next_in_body;
    uint32_t next_free;
} ps_geom_slot;

typedef struct ps_joint_slot {
    uint32_t gen;
    bool alive;
    char *name;
    ps_joint_type type;
    dJointID joint;
    dJointID amotor;        // ball joints: the Euler angular motor carrying limits/motors
    ps_body_id body1, body2;
    ps_joint_axis axes[3];
    dJointFeedback *fb;     // owned, stable address for ODE
    // Ball joints: Euler axes 0 (in body1's frame) and 2 (in body2's frame or
    // the world's) and ODE's reference vectors, to compute current angles.
    double euler[4][3];
    // Breakable joints: thresholds (0 = off), the anchor in body1's ODE frame
    // (relative to its centre of mass), the last load, and when it broke.
    double break_force, break_torque;
    double anchor1[3];
    double load_force, load_torque;
    bool broken;
    uint64_t broken_step;
    // Hinges: whole turns past ODE's wrapped angle (q = raw + 2 pi turns) and
    // the raw angle when they were last counted; `wide` when the limits reach
    // beyond [-pi, pi] and the stops are re-placed before every step.
    int32_t turns;
    double last_raw;
    bool wide;
    double axis2[3];        // hinges: the axis in body2's frame (the world's without body2), for the health check
    uint32_t next_free;
} ps_joint_slot;

typedef struct ps_robot_joint {
    char *name;
    ps_joint_id joint;
    ps_actuator_def act;
    double command;          // target position / velocity, or motor torque
    double explicit_effort;  // damping + torque added this step, N m or N
    uint64_t clamps;
    int mimic;               // master joint index or -1
    double mimic_mult, mimic_off;
    // Dry friction of a servo-driven joint: an angular (hinge) or linear
    // (slider) motor between the same bodies. Made when first needed.
    dJointID extra;
    double armature_on;      // armature added to the child body, kg m^2 or kg
} ps_robot_joint;

typedef struct ps_robot_link {
    char *name;
    ps_body_id body;
    ps_pose offset;          // link frame in the body's link frame
} ps_robot_link;

typedef struct ps_robot_slot {
    uint32_t gen;
    bool alive;
    char *name;
    ps_robot_link *links;    size_t link_count;
    ps_robot_joint *joints;  size_t joint_count;
    ps_robot_visual *visuals; size_t visual_count; // mesh_path owned
    // Kinematic tree (URDF robots; NULL for assembled ones), per link: parent
    // link (-1 root), joint origin in the parent link frame, unit axis in the
    // joint frame, robot joint index (-1 fixed/floating), and a parents-first order.
    int *kin_parent, *kin_joint, *kin_order;
    ps_pose *kin_origin;
    ps_vec3 *kin_axis;
    bool *kin_prismatic;
} ps_robot_slot;

typedef struct ps_sensor_slot {
    uint32_t gen;
    bool alive;
    char *name;
    ps_sensor_def def;        // name points to `name`
    uint64_t period;          // steps between samples (>= 1)
    float *out;               // the reading readers see (count floats)
    float *raw;               // this sample before noise
    float *ring;              // latency ring: (latency + 1) * count
    int32_t *hits, *hits_raw; // lidar: hit body index + 1 per beam
    int32_t *hits_ring;       // lidar: latency ring of hits_raw, like `ring`
    double *drift;            // random-walk offset per channel
    size_t count;
    int ring_head, ring_fill;
    double stamp, *stamp_ring;
    // IMU: mount point velocity at the previous step; odometry: integrated pose.
    double prev_vel[3];
    bool have_prev;
    double odo[3];
    // Lidar: one ray geom per beam in a space of their own, and the beams'
    // directions in the sensor frame.
    dSpaceID ray_space;
    dGeomID *rays;
    double *dirs;
    uint32_t skip_group;      // geoms of this group are ignored (the robot's own)
    ps_body_id *skip_bodies;  // bodies ignored: the mount body and those joined to it by joints
    size_t skip_count;
} ps_sensor_slot;

typedef struct ps_material_slot {
    ps_material_def def;    // name owned
} ps_material_slot;

typedef struct ps_pair_override {
    uint32_t a, b;          // material indices, a <= b
    ps_material_def def;
} ps_pair_override;

// Contact joint feedback lives in fixed-size blocks that never move, so
// ODE can hold pointers into them while the pool grows.
#define PS_FB_BLOCK 256

struct ps_world {
    ps_world_def def;
    dWorldID world;
    dSpaceID space;
    dSpaceID static_space;   // def.static_space: static geoms' quadtree, built at the first step; else NULL
    dJointGroupID contact_group;
    unsigned long solver_seed;
    uint64_t steps;
    double time;
    bool diverged;
    bool masses_unchecked;   // a dynamic body may lack mass (set on body creation)
    bool extent_unchecked;   // a pose was set from outside the step: check geom extents before collision
    char divergence[640];
    char last_error[PS_ERR_LEN];
    uint32_t tag;            // ps_world_tag: stamped into every id this world makes
    uint32_t room_checks;    // creations since the last look at the process's memory (ps_world_room)

    ps_body_slot *bodies;  uint32_t body_count, body_cap, body_free, body_live;
    ps_geom_slot *geoms;   uint32_t geom_count, geom_cap, geom_free, geom_live;
    ps_joint_slot *joints; uint32_t joint_count, joint_cap, joint_free, joint_live;
    uint32_t world_first_geom;   // geoms attached to PS_BODY_NONE

    ps_robot_slot *robots; uint32_t robot_count, robot_cap;
    ps_sensor_slot *sensors; uint32_t sensor_count, sensor_cap;
    ps_rng sensor_rng;           // noise of every sensor, seeded from the world seed
    ps_render_fn render_fn;
    void *render_user;
    ps_render_error_fn render_error;
    ps_material_slot *materials; uint32_t material_count, material_cap;
    ps_pair_override *pairs; uint32_t pair_count, pair_cap;
    dSurfaceParameters *surface; // material_count^2 combined table
    bool surface_dirty;

    dJointFeedback **fb_blocks;  size_t fb_block_count;
    bool forces_on;              // contacts get feedback (def.contact_forces, or turned on by a reader)
    ps_contact *contacts;        size_t contact_count, contact_cap;
    bool joint_disabled;         // some joint was ever disabled (broken, or restored disabled): contact.c's
                                 // pair filter must then look at each connecting joint
    bool contact_oom;            // the collision pass ran out of memory
    dContact *scratch;           // max_contacts entries for one pair's contact joints
    // The collision pass's finds before they become contact joints (contact.c):
    // one record per touching geom pair and their points, sorted by geom slots.
    struct ps_pair_hit *hits;    size_t hit_count, hit_cap;
    dContactGeom *hit_points;    size_t hit_point_count, hit_point_cap;
    ps_zone *zones; uint32_t zone_count, zone_cap; // keep-out zones (drawn, not simulated)
    // Ray casting (raycast.c): its trees, and what tells them to rebuild or refit:
    // static_version counts changes of static geoms (added, removed, moved),
    // moving_version additions and removals of geoms on dynamic or kinematic
    // bodies, pose_epoch poses set from outside the step.
    struct ps_raycast *raycast;
    struct ps_broad *broad;      // broad.c: the default space's broad phase (NULL until the first step)
    uint64_t static_version, moving_version, pose_epoch;
    ps_solver_health health;
    double step_seconds, sensor_seconds;  // wall time in ps_world_step / its sensor updates (profiling)
    bool timing;                 // ps_world_set_timing: measure step_seconds and sensor_seconds
    uint64_t health_warned_at;   // step of the last health warning (0: none yet)
    bool health_bad_before;      // the last health check passed a threshold
    // Robots' solver needs (solver.c): the strictest so far, who declared them,
    // and where def.iterations came from (its other fields are filled on demand).
    ps_solver_settings solver;
};

// Solver needs (solver.c): whether a need is in range, and the rule as a message.
bool ps_solver_need_valid(const ps_solver_need *n);
#define PS_SOLVER_NEED_RULE "solver need: min_iterations must be in 0..10000 and max_timestep, direct_max_timestep finite numbers >= 0 (s)"

// Error reporting into w->last_error; returns `code` for tail calls.
ps_status ps_world_fail(ps_world *w, ps_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Before creating a body, geom or joint: false (after ps_world_fail, PS_ERR_NOMEM)
// when the world holds def.max_bodies bodies (kind "body") or the process is
// over def.memory_limit.
bool ps_world_room(ps_world *w, const char *kind, const char *name);

// Checked slot lookups: NULL for stale or zero ids.
ps_body_slot *ps_world_body_slot(const ps_world *w, ps_body_id id);
ps_geom_slot *ps_world_geom_slot(const ps_world *w, ps_geom_id id);
ps_joint_slot *ps_world_joint_slot(const ps_world *w, ps_joint_id id);


// Finite checks and pose algebra: math3d.h (inline).

// Places a geom of a static body / the world at its world pose.
void ps_geom_place_static(ps_world *w, ps_geom_slot *g, const ps_pose *parent);
// Re-applies the geom offsets of a body after its centre of mass moved.
void ps_body_apply_geom_offsets(ps_world *w, ps_body_slot *b);
// Adds armature to a body's simulated mass (dmass, kg) and inertia (dI,
// kg m^2, link axes, row-major 3x3); negative deltas remove it (body.c).
void ps_body_add_armature(ps_body_slot *b, double dmass, const double dI[9]);
// Adds a geom's shape to its body's mass (ps_geom_create calls this).
ps_status ps_body_add_geom_mass(ps_world *w, uint32_t body_index, const ps_geom_slot *g);
// Ensures every dynamic body has a valid mass before stepping.
ps_status ps_world_check_masses(ps_world *w);
// Destroys every geom / joint referring to a body (ps_body_destroy).
void ps_geom_destroy_slot(ps_world *w, uint32_t index);
void ps_joint_destroy_slot(ps_world *w, uint32_t index);
void ps_world_free_geoms(ps_world *w);
void ps_world_free_joints(ps_world *w);
// After each step: measures breakable joints' loads and breaks those above
// their thresholds (joint.c).
void ps_joint_check_breaks(ps_world *w);
// Hinge angles as multi-turn values (joint.c): the unwrapped angle, rad;
// counting turns after each step; placing wide limits' stops before it; and
// declaring the current angle to be q (after a teleport).
double ps_joint_hinge_angle(const ps_joint_slot *j);
void ps_joint_count_turns(ps_world *w);
void ps_joint_place_wide_stops(ps_world *w);
void ps_joint_set_hinge_angle(ps_joint_slot *j, double q);
// The largest anchor gap (m) and hinge axis misalignment (rad) over the
// world's enabled joints (joint.c).
void ps_joint_errors(const ps_world *w, double *lin, double *ang);
void ps_world_free_materials(ps_world *w);

// Robots (robot.c): actuators before each step, and freeing.
void ps_robot_apply_actuators(ps_world *w);
void ps_world_free_robots(ps_world *w);
// Adds a robot slot (robot.c; used by the URDF builder). NULL on OOM.
ps_robot_slot *ps_robot_slot_new(ps_world *w, const char *name, ps_robot_id *id);
ps_robot_slot *ps_world_robot_slot(const ps_world *w, ps_robot_id id);
// Inertia tensor check used across modules (ps_strdup: util.h).
bool ps_inertia_ok(const double I[6]);

// Sensors (sensor.c): sampling after each step, freeing; lidar (lidar.c).
ps_status ps_sensors_update(ps_world *w);
void ps_world_free_sensors(ps_world *w);
bool ps_lidar_init(ps_world *w, ps_sensor_slot *s);
void ps_lidar_cast(ps_world *w, ps_sensor_slot *s, ps_pose mount, float *dist, int32_t *hits);
// The geometric part of ps_lidar_cast (no degradation, no RNG): per beam the
// distance (m) and hit id; `hits` may be NULL; `exhaustive`: every geom.
ps_status ps_lidar_trace(ps_world *w, ps_sensor_slot *s, ps_pose mount, bool exhaustive, float *dist, int32_t *hits);
void ps_lidar_free(ps_sensor_slot *s);

// Collision pass (contact.c): fills contacts and creates contact joints.
ps_status ps_contact_collide(ps_world *w);
/// With def.static_space and the static quadtree built: moves a new static geom
/// (no ODE body) from w->space into it. Otherwise a no-op.
void ps_contact_place_geom(ps_world *w, dGeomID g);
// After the step: copies feedback into the public contact list.
void ps_contact_collect(ps_world *w);
// Material table (material.c).
ps_status ps_material_init(ps_world *w);
// "stale (...)" when an id of this world no longer names a live object, "foreign
// (...)" when the id was made by another world (its `world` tag differs).
const char *ps_world_id_problem(const ps_world *w, uint32_t id_world);
// The table index of material id `m` in `w` (PS_MATERIAL_DEFAULT is 0); false when
// the id is none, unknown, or from another world.
bool ps_world_material_index(const ps_world *w, ps_material_id m, uint32_t *index);
ps_status ps_material_refresh(ps_world *w);

#endif
