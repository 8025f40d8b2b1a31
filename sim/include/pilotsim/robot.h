/// @file robot.h
/// Robots: named trees of links (bodies) and 1-DOF joints (hinges, sliders)
/// with actuators. A robot is built from a URDF model (ps_robot_from_urdf) or
/// assembled from bodies and joints already in the world (ps_robot_create).
/// The world owns robots; ps_world_destroy frees them.
///
/// Actuators act before every physics step:
/// - position servo: an implicit PD (spring kp, damper kd) towards the target,
///   solved by ODE's joint motor, so stiff gains stay stable; force limited;
/// - velocity servo: drives the joint rate to the target, force limited;
///   kd > 0 makes it compliant (force = kd * rate error), kd = 0 rigid;
/// - torque: the command (motor side) times the gear ratio, clamped;
/// - none: passive joint.
/// Gear ratio g: joint torque = g * motor torque, joint speed = motor speed / g;
/// effort and velocity limits are given at the motor side, position and
/// velocity targets at the joint. The velocity limit clamps velocity-servo
/// targets (position servos are bounded by their effort limit). At a joint
/// stop a servo pushes with the force its law gives there, at most the effort
/// limit. Viscous damping (explicit torque -d * rate) and dry friction act on
/// every joint, servo-driven ones included; armature (reflected rotor
/// inertia) on every joint that has it.
/// A command outside its limits is clamped and counted; a non-finite command
/// is refused, naming the actuator.
#ifndef PILOTSIM_ROBOT_H
#define PILOTSIM_ROBOT_H

#include "pilotsim/export.h"

#include "pilotsim/world.h"
#include "pilotsim/urdf.h"

PS_BEGIN_DECLS

typedef enum ps_actuator_mode {
    PS_ACT_NONE,       ///< passive joint
    PS_ACT_POSITION,   ///< target position (rad or m)
    PS_ACT_VELOCITY,   ///< target velocity (rad/s or m/s)
    PS_ACT_TORQUE,     ///< motor torque (N m) or force (N)
} ps_actuator_mode;

/// Actuator parameters. Start from ps_default_actuator_def().
typedef struct ps_actuator_def {
    ps_actuator_mode mode;  ///< default PS_ACT_NONE
    double kp;              ///< position servo stiffness, N m/rad or N/m, >= 0; default 0
    double kd;              ///< position servo damping / velocity servo gain, N m s/rad or N s/m, >= 0; default 0
    double effort_limit;    ///< motor torque/force limit, > 0 (INFINITY = none); default INFINITY
    double velocity_limit;  ///< motor speed limit, > 0 (INFINITY = none); default INFINITY
    double gear;            ///< gear ratio, > 0; default 1
    double damping;         ///< joint viscous damping, N m s/rad or N s/m, >= 0; default 0
    double friction;        ///< joint dry friction, N m or N, >= 0; default 0
    /// Armature: inertia added to the joint's own degree of freedom, kg m^2
    /// (hinge) or kg (slider), >= 0; default 0. What a geared motor's rotor
    /// adds (MuJoCo's and Isaac Lab's `armature`), J = armature +
    /// rotor_inertia * gear^2. The child link carries it (ODE has no
    /// joint-space inertia): a hinge's child gets J about the joint axis, a
    /// slider's child J of extra mass that gravity does not pull (exact along
    /// the slider; across it the parent also drives that mass). Not reported
    /// by ps_body_get_mass; on the diagonal of ps_robot_mass_matrix. It
    /// also lets the solver hold heavy parts between light links (15 g
    /// fingers squeezing a 0.5 kg cube: docs/fidelity.md).
    double armature;
    double rotor_inertia;   ///< motor-side rotor inertia, kg m^2, >= 0; default 0 (see armature)
} ps_actuator_def;

/// The defaults every def starts from (each field states its default above).
ps_actuator_def ps_default_actuator_def(void);

/// One joint of an assembled robot.
typedef struct ps_robot_joint_def {
    const char *name;          ///< copied; NULL uses the joint's own name
    ps_joint_id joint;         ///< a live hinge or slider of the world
    ps_actuator_def actuator;
    int mimic;                 ///< index (in this list) of the joint it follows, or -1 (default)
    double mimic_multiplier;   ///< q = multiplier * q_master + offset
    double mimic_offset;       ///< rad or m
} ps_robot_joint_def;

/// An assembled robot: its links and joints.
typedef struct ps_robot_def {
    const char *name;                  ///< copied; required, unique in the world
    const ps_body_id *links;           ///< link bodies; links[0] is the base
    const char *const *link_names;     ///< names (copied); NULL uses the bodies' names
    size_t link_count;                 ///< >= 1
    const ps_robot_joint_def *joints;  ///< may be NULL when joint_count is 0
    size_t joint_count;
    /// What the robot needs of the solver (ps_world_require_solver); default
    /// (zero) none: an assembled robot's module declares its own.
    ps_solver_need solver;
} ps_robot_def;

/// Assembles a robot from existing bodies and joints. Returns a zero id on an
/// invalid def (see ps_world_last_error).
ps_robot_id ps_robot_create(ps_world *w, const ps_robot_def *def);

/// Options of ps_robot_from_urdf. Start from ps_default_urdf_build_options().
typedef struct ps_urdf_build_options {
    const char *name;          ///< robot name (copied); NULL uses the URDF's robot name
    ps_pose base;              ///< world pose of the root link; default identity
    bool fixed_base;           ///< root link welded to the world (static); default false (floating)
    bool self_collide;         ///< links of the robot collide with each other (except jointed pairs); default false
    /// Actuator of every moving joint; effort and velocity limits left at
    /// INFINITY take the URDF's `<limit>` values, damping and friction left at 0
    /// the URDF's `<dynamics>` values (unless urdf_dynamics is false).
    ps_actuator_def actuator;
    bool urdf_dynamics;        ///< take damping and friction from `<dynamics>`; default true
    ps_material_id material;   ///< contact material of the robot's geoms; default 0
    /// What the robot needs of the solver (ps_world_require_solver), declared
    /// when it has a moving joint; default {PS_URDF_MIN_ITERATIONS, 0}: what
    /// real URDF robots measured (docs/fidelity.md). No timestep need by
    /// default: a robot module that measured one declares it (robots.go2: 2 ms).
    ps_solver_need solver;
} ps_urdf_build_options;

/// QuickStep iterations a URDF robot with moving joints needs by default: at
/// 20 the Go2's stance servos jitter 4x more and 15 g gripper fingers on the
/// UR5 let a held cube slip 9x more (docs/fidelity.md).
#define PS_URDF_MIN_ITERATIONS 50

/// The defaults every def starts from (each field states its default above).
ps_urdf_build_options ps_default_urdf_build_options(void);

/// Builds a URDF model into the world. Links joined by fixed joints are merged
/// into one body (their masses combined exactly, their geoms and visuals kept);
/// each body's frame sits at its link frame and pilotsim keeps ODE's body at the
/// centre of mass. Revolute and continuous joints become hinges, prismatic
/// joints sliders; a floating root is a free body. Hinge angles count turns,
/// so revolute limits beyond [-pi, pi] (several turns too) are enforced as
/// written.
/// Collision meshes must be STL or OBJ. Returns a zero id on error with
/// "file:line: message" in ps_world_last_error; warnings go to the world's log.
ps_robot_id ps_robot_from_urdf(ps_world *w, const ps_urdf_model *m, const ps_urdf_build_options *opt);

bool ps_robot_valid(const ps_world *w, ps_robot_id r);
/// Number of live robots in the world, and the i-th in creation order (a zero
/// id when i is out of range). For tools that list robots (the viewer).
size_t ps_world_robot_count(const ps_world *w);
ps_robot_id ps_world_robot_at(const ps_world *w, size_t i);
ps_robot_id ps_robot_find(const ps_world *w, const char *name);
/// Name (borrowed) or NULL for a stale id.
const char *ps_robot_name(const ps_world *w, ps_robot_id r);

/// Links. Index 0 is the base. A merged link shares its body with its parent
/// and sits at a fixed offset in that body's link frame.
size_t ps_robot_link_count(const ps_world *w, ps_robot_id r);
const char *ps_robot_link_name(const ps_world *w, ps_robot_id r, size_t i);
/// Index of the link named `name`, or -1.
int ps_robot_link_index(const ps_world *w, ps_robot_id r, const char *name);
ps_body_id ps_robot_link_body(const ps_world *w, ps_robot_id r, size_t i);
/// World pose of link i's frame.
ps_status ps_robot_link_pose(const ps_world *w, ps_robot_id r, size_t i, ps_pose *out);
/// Total mass of the robot's dynamic bodies, kg.
double ps_robot_mass(const ps_world *w, ps_robot_id r);

/// Joints (moving ones, in URDF document order or the def's order).
size_t ps_robot_joint_count(const ps_world *w, ps_robot_id r);
const char *ps_robot_joint_name(const ps_world *w, ps_robot_id r, size_t i);
int ps_robot_joint_index(const ps_world *w, ps_robot_id r, const char *name);
ps_joint_id ps_robot_joint_id(const ps_world *w, ps_robot_id r, size_t i);
/// Index of the joint that joint i mimics (it follows that master and takes
/// no command), or -1 (not a mimic joint, or a bad id or index).
int ps_robot_joint_mimic(const ps_world *w, ps_robot_id r, size_t i);
/// Joint limits (rad or m); PS_ERR_STATE when the joint has none.
ps_status ps_robot_joint_limits(const ps_world *w, ps_robot_id r, size_t i, double *lo, double *hi);

/// State of all joints at once into arrays of ps_robot_joint_count doubles:
/// positions (rad or m), velocities, and efforts (N m or N: the actuator,
/// limit and damping torque the joint applied to its child in the last step).
ps_status ps_robot_positions(const ps_world *w, ps_robot_id r, double *q);
ps_status ps_robot_velocities(const ps_world *w, ps_robot_id r, double *qd);
ps_status ps_robot_efforts(const ps_world *w, ps_robot_id r, double *tau);

/// Moves a URDF robot's bodies to joint positions `q` (ps_robot_joint_count
/// values, rad or m; clamped to the limits), keeping the base link's pose, and
/// zeroes every link's velocity. Mimic joints follow their masters. For
/// teleporting to an initial configuration before stepping; position servos'
/// targets are set to `q` too. PS_ERR_STATE for assembled robots.
ps_status ps_robot_set_positions(ps_world *w, ps_robot_id r, const double *q);

/// Sets joint i's command (meaning per its actuator mode). Clamps to the
/// joint's limits (position), velocity limit (velocity) or effort limit
/// (torque) and counts each clamp. PS_ERR_INVALID for a non-finite value or a
/// passive or mimic joint, naming the actuator in ps_world_last_error.
ps_status ps_robot_set_command(ps_world *w, ps_robot_id r, size_t i, double value);
double ps_robot_command(const ps_world *w, ps_robot_id r, size_t i);
/// Number of clamped commands of joint i since the robot was made.
uint64_t ps_robot_clamp_count(const ps_world *w, ps_robot_id r, size_t i);
ps_status ps_robot_set_actuator(ps_world *w, ps_robot_id r, size_t i, const ps_actuator_def *a);
ps_status ps_robot_get_actuator(const ps_world *w, ps_robot_id r, size_t i, ps_actuator_def *out);

/// Visual shapes kept for the renderer (not simulated).
typedef struct ps_robot_visual {
    size_t link;              ///< link index
    ps_pose pose;             ///< in the link frame
    int type;                 ///< ps_urdf_geometry_type
    ps_vec3 size;             ///< box extents, m
    double radius, length;    ///< m
    const char *mesh_path;    ///< absolute path (borrowed), or NULL
    ps_vec3 mesh_scale;
    float rgba[4];
    const char *texture_path; ///< URDF `<texture>` file, absolute (borrowed), or NULL
} ps_robot_visual;

/// Number of visual elements (URDF `<visual>`) of robot `r`; 0 for a stale id.
size_t ps_robot_visual_count(const ps_world *w, ps_robot_id r);
/// Visual element `i` of robot `r` into *out (strings borrowed from the world).
/// PS_ERR_INVALID for a stale id or i out of range.
ps_status ps_robot_get_visual(const ps_world *w, ps_robot_id r, size_t i, ps_robot_visual *out);

PS_END_DECLS
#endif
