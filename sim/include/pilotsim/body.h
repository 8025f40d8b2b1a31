/// @file body.h
/// Rigid bodies. A body has a link frame (its pose as the user sees it) and a
/// centre of mass `com` given in that frame; pilotsim keeps ODE's body at the
/// centre of mass internally, so every pose in this API is the link frame.
#ifndef PILOTSIM_BODY_H
#define PILOTSIM_BODY_H

#include "pilotsim/export.h"

#include "pilotsim/world.h"

PS_BEGIN_DECLS

typedef enum ps_body_kind {
    PS_BODY_DYNAMIC,   ///< moved by forces and contacts
    PS_BODY_KINEMATIC, ///< moved by its velocity or pose only; pushes dynamic bodies
    PS_BODY_STATIC,    ///< never moves (walls, floors); costs nothing to step
} ps_body_kind;

/// Body parameters. Start from ps_default_body_def().
typedef struct ps_body_def {
    const char *name;       ///< copied; NULL or "" gives "body`<index>`"
    ps_body_kind kind;      ///< default PS_BODY_DYNAMIC
    ps_pose pose;           ///< link frame in world, m; default identity
    ps_vec3 linvel;         ///< m/s, world frame, of the centre of mass; default 0
    ps_vec3 angvel;         ///< rad/s, world frame; default 0
    double mass;            ///< kg; 0 = computed from the geoms' densities (default)
    ps_vec3 com;            ///< centre of mass in the link frame, m (used with mass > 0 and has_inertia)
    bool has_inertia;       ///< true: use `inertia` and `com`; false: shape the inertia from the geoms
    double inertia[6];      ///< Ixx, Iyy, Izz, Ixy, Ixz, Iyz about the COM, link axes, kg m^2
    double linear_damping;  ///< fraction of linear velocity removed per second-ish (ODE), [0,1]; default 0
    double angular_damping; ///< same for angular velocity; default 0
    bool gravity;           ///< affected by gravity; default true
} ps_body_def;

/// The defaults every def starts from (each field states its default above).
ps_body_def ps_default_body_def(void);

/// Creates a body. Returns PS_BODY_NONE on invalid def (see ps_world_last_error).
/// A dynamic body needs mass: either `mass` > 0, or geoms with density added
/// before the first step (ps_world_step fails otherwise).
ps_body_id ps_body_create(ps_world *w, const ps_body_def *def);

/// Destroys the body, its geoms and the joints attached to it. Its id and
/// theirs become stale.
ps_status ps_body_destroy(ps_world *w, ps_body_id b);

/// True when `b` refers to a live body of `w`.
bool ps_body_valid(const ps_world *w, ps_body_id b);

/// Looks a body up by name (first created wins); PS_BODY_NONE if absent.
ps_body_id ps_body_find(const ps_world *w, const char *name);

/// Name (borrowed) or NULL if stale.
const char *ps_body_name(const ps_world *w, ps_body_id b);
ps_body_kind ps_body_get_kind(const ps_world *w, ps_body_id b);

/// Link-frame pose and velocities. Getters return PS_ERR_STALE and leave the
/// output untouched for a stale id. Velocities are of the centre of mass.
ps_status ps_body_get_pose(const ps_world *w, ps_body_id b, ps_pose *out);
ps_status ps_body_get_linvel(const ps_world *w, ps_body_id b, ps_vec3 *out);
ps_status ps_body_get_angvel(const ps_world *w, ps_body_id b, ps_vec3 *out);
/// Centre of mass in the world frame, m.
ps_status ps_body_get_com_world(const ps_world *w, ps_body_id b, ps_vec3 *out);

/// Setters validate (finite values, unit-normalisable quaternion) before ODE
/// sees anything. Setting the pose of a static body moves its geoms.
ps_status ps_body_set_pose(ps_world *w, ps_body_id b, ps_pose pose);
ps_status ps_body_set_linvel(ps_world *w, ps_body_id b, ps_vec3 v);
ps_status ps_body_set_angvel(ps_world *w, ps_body_id b, ps_vec3 v);

/// Mass properties: total mass (kg), COM in the link frame (m), inertia about
/// the COM in link axes (Ixx, Iyy, Izz, Ixy, Ixz, Iyz; kg m^2). Static,
/// kinematic and not-yet-massive bodies report mass and inertia 0. Any output
/// pointer may be NULL.
ps_status ps_body_get_mass(const ps_world *w, ps_body_id b, double *mass,
                           ps_vec3 *com, double inertia[6]);
/// Replaces the mass properties (mass > 0, inertia positive definite). Once
/// joints are attached to the body (a robot's link) the mass and inertia may
/// change but the centre of mass may not (ODE stores joint anchors relative
/// to it): PS_ERR_STATE for a different `com`.
ps_status ps_body_set_mass(ps_world *w, ps_body_id b, double mass, ps_vec3 com,
                           const double inertia[6]);

/// Forces and torques (N, N m), accumulated until the end of the next step.
/// World-frame vectors; `at` is a world point. Ignored for non-dynamic bodies.
ps_status ps_body_add_force(ps_world *w, ps_body_id b, ps_vec3 f);
ps_status ps_body_add_force_at(ps_world *w, ps_body_id b, ps_vec3 f, ps_vec3 at);
ps_status ps_body_add_torque(ps_world *w, ps_body_id b, ps_vec3 t);
/// Force given in the body's link frame, applied at the centre of mass.
ps_status ps_body_add_rel_force(ps_world *w, ps_body_id b, ps_vec3 f);

/// Transforms a point from the link frame to the world frame (no checks on
/// `local`: non-finite in, non-finite out).
ps_status ps_body_point_to_world(const ps_world *w, ps_body_id b, ps_vec3 local, ps_vec3 *out);

PS_END_DECLS
#endif
