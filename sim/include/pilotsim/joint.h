/// @file joint.h
/// Joints between two bodies (or a body and the static world). Anchors and
/// axes are given in the world frame at creation time, as ODE does. A joint's
/// position is body1 relative to body2, so attach (child, parent).
#ifndef PILOTSIM_JOINT_H
#define PILOTSIM_JOINT_H

#include "pilotsim/export.h"

#include "pilotsim/world.h"

PS_BEGIN_DECLS

typedef enum ps_joint_type {
    PS_JOINT_HINGE,     ///< 1 rotational DOF about `axis` through `anchor`
    PS_JOINT_SLIDER,    ///< 1 translational DOF along `axis`
    PS_JOINT_BALL,      ///< 3 rotational DOF about `anchor`; limits through an Euler angular motor
    PS_JOINT_UNIVERSAL, ///< 2 rotational DOF: `axis` fixed in body1, `axis2` fixed in body2
    PS_JOINT_FIXED,     ///< welds body1 to body2
} ps_joint_type;

/// Per-axis limit and motor settings.
typedef struct ps_joint_axis {
    bool limited;       ///< use lo/hi; default false
    /// rad or m; lo <= hi. A hinge's angle counts turns (it is not wrapped to
    /// [-pi, pi]), so its limits may span any range, several turns included;
    /// universal and ball axes need [-pi, pi].
    double lo, hi;
    double motor_vel;   ///< target velocity of the motor, rad/s or m/s; default 0
    double motor_fmax;  ///< motor force/torque limit, N or N m, >= 0; 0 = motor off (default)
    double friction;    ///< dry friction torque/force, >= 0 (used when the motor is off); default 0
    double stop_erp;    ///< limit stiffness ERP (0,1]; default 0.2
    double stop_cfm;    ///< limit softness >= 0; default 1e-8
    double bounce;      ///< restitution at the limit [0,1]; default 0
} ps_joint_axis;

/// Joint parameters. Start from ps_default_joint_def(type).
typedef struct ps_joint_def {
    ps_joint_type type;
    const char *name;       ///< copied; may be NULL
    ps_body_id body1;       ///< the child: a live dynamic or kinematic body
    ps_body_id body2;       ///< the parent, or PS_BODY_NONE for the world
    ps_vec3 anchor;         ///< world frame, m
    ps_vec3 axis;           ///< world frame, non-zero (normalised); default (0,0,1)
    ps_vec3 axis2;          ///< universal's second axis, perpendicular to `axis`; default (0,1,0)
    /// axes[0] = main axis (hinge, slider, universal axis 1, ball Euler 0);
    /// axes[1] = universal axis 2 / ball Euler 1; axes[2] = ball Euler 2.
    /// A ball joint's Euler axes (ODE's Euler angular motor): axis 0 is
    /// body1's x axis at creation, fixed in body1; axis 2 is body2's z axis
    /// (the world's z without body2), fixed in body2; axis 1 = axis 2 x axis 0,
    /// its angle within +-90 deg (limits beyond are refused).
    ps_joint_axis axes[3];
    bool feedback;          ///< measure constraint forces (ps_joint_get_feedback); default false
    /// Breakable joints (a fruit's stem, a snap fit, a weak weld). After every
    /// step the constraint load on body1 is compared with these thresholds: the
    /// force magnitude |f1| (N) and the torque magnitude about `anchor` (N m;
    /// ODE's torque about body1's centre of mass moved to the anchor). When
    /// either exceeds its threshold the joint breaks for good: it is disabled
    /// (it no longer constrains the bodies, and two bodies it joined collide
    /// again), its handle stays valid, ps_joint_broken turns true, positions
    /// and rates read 0 and efforts are ignored. Restoring a state saved
    /// before the break (state.h) mends it. 0 = never breaks on that measure
    /// (default); >= 0.
    /// A breakable joint measures feedback whatever `feedback` says.
    double break_force;
    double break_torque;    ///< N m, see break_force
} ps_joint_def;

/// The defaults for a joint of `type` (each field states its default above).
ps_joint_def ps_default_joint_def(ps_joint_type type);

/// Creates a joint. Returns a zero id on an invalid def (see ps_world_last_error).
ps_joint_id ps_joint_create(ps_world *w, const ps_joint_def *def);
ps_status ps_joint_destroy(ps_world *w, ps_joint_id j);
bool ps_joint_valid(const ps_world *w, ps_joint_id j);
ps_joint_id ps_joint_find(const ps_world *w, const char *name);
/// Name (borrowed) or NULL if stale.
const char *ps_joint_name(const ps_world *w, ps_joint_id j);
ps_joint_type ps_joint_get_type(const ps_world *w, ps_joint_id j);

/// Number of degrees of freedom the joint's axes expose (hinge/slider 1,
/// universal 2, ball 3, fixed 0).
int ps_joint_dof(const ps_world *w, ps_joint_id j);

/// Position (rad or m) and rate (rad/s or m/s) of axis `i` (< dof), zero at
/// the pose the bodies had when the joint was created. A ball's positions are
/// its Euler angles, computed from the bodies' current orientations.
ps_status ps_joint_get_position(const ps_world *w, ps_joint_id j, int i, double *out);
ps_status ps_joint_get_rate(const ps_world *w, ps_joint_id j, int i, double *out);

/// The joint's current anchor (m) and axis `i` (unit vector) in the world
/// frame, as the bodies carry them now (body1's frame for hinge, slider and
/// universal axis 1; body2's for universal axis 2; a ball's Euler axis 0 on
/// body1, 2 on body2, 1 their cross product). A slider has no anchor: its
/// body1's origin. Either pointer may be NULL. PS_ERR_INVALID for a missing
/// axis (or any axis of a fixed joint), PS_ERR_STALE for a stale id.
ps_status ps_joint_get_world_frame(const ps_world *w, ps_joint_id j, int i, ps_vec3 *anchor, ps_vec3 *axis);

/// Replaces axis `i`'s limit/motor settings (validated as at creation).
ps_status ps_joint_set_axis(ps_world *w, ps_joint_id j, int i, const ps_joint_axis *axis);
ps_status ps_joint_get_axis(const ps_world *w, ps_joint_id j, int i, ps_joint_axis *out);
/// Sets the velocity motor of axis `i`: target (rad/s or m/s) and limit (>= 0).
ps_status ps_joint_set_motor(ps_world *w, ps_joint_id j, int i, double vel, double fmax);
/// Adds a torque (N m) or force (N) along axis `i` for the next step.
ps_status ps_joint_add_effort(ps_world *w, ps_joint_id j, int i, double effort);

/// Constraint force and torque (world frame, N and N m) that the joint applied
/// to body1 and body2 in the last step. Needs `feedback` in the def.
ps_status ps_joint_get_feedback(const ps_world *w, ps_joint_id j, ps_vec3 *f1,
                                ps_vec3 *t1, ps_vec3 *f2, ps_vec3 *t2);

/// True once a breakable joint broke (false for live unbroken or stale ids).
bool ps_joint_broken(const ps_world *w, ps_joint_id j);
/// The step at which the joint broke (1-based count of the world's steps, the
/// step whose load exceeded a threshold), or 0 if it has not broken.
uint64_t ps_joint_broken_step(const ps_world *w, ps_joint_id j);
/// The load a breakable joint carried in the last step, as compared with its
/// thresholds: force magnitude (N) and torque magnitude about the anchor (N m).
/// The last load before breaking stays readable after the break. Either
/// pointer may be NULL. PS_ERR_STATE if the joint is not breakable.
ps_status ps_joint_get_load(const ps_world *w, ps_joint_id j, double *force, double *torque);

PS_END_DECLS
#endif
