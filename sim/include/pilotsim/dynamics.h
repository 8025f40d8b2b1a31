/// @file dynamics.h
/// Rigid-body dynamics of URDF robots in joint space: forward kinematics of
/// any link, the geometric Jacobian at a point, the joint-space mass matrix,
/// gravity and bias torques (recursive Newton-Euler), inverse dynamics, and a
/// damped-least-squares inverse kinematics with joint limits. What gravity
/// compensation, operational-space control and IK controllers need.
///
/// Model. The robot's URDF tree (ps_robot_from_urdf; assembled robots have no
/// tree and get PS_ERR_STATE) with its links' current mass properties (a
/// ps_body_set_mass shows up here), each actuator's armature on the mass
/// matrix diagonal (as MuJoCo does), and the world's gravity. The base link
/// is held at its current pose and not moving: the quantities are those of
/// the fixed-base robot (for a floating base, the joints' part with the base
/// frozen). Every robot joint is one degree of freedom, in robot joint order
/// (n = ps_robot_joint_count); mimic relations are not applied, so pass
/// consistent values. Angles in rad, lengths in m, world frame throughout.
/// Everything is computed from the joint values given (NULL = the robot's
/// current ones), not from the simulated bodies, so ODE's constraint drift
/// does not enter.
///
/// Output buffers are the caller's; each call allocates and frees its own
/// scratch memory (not for the physics step's inner loop of huge robots).
#ifndef PILOTSIM_DYNAMICS_H
#define PILOTSIM_DYNAMICS_H

#include "pilotsim/robot.h"

#ifdef __cplusplus
extern "C" {
#endif

/// World poses of all links (ps_robot_link_count entries in `out`) at joint
/// positions q (NULL: current).
ps_status ps_robot_forward_kinematics(const ps_world *w, ps_robot_id r, const double *q, ps_pose *out);

/// Geometric Jacobian of a point fixed to link `link` (`point` in the link's
/// frame): 6 x n row-major into J; rows 0-2 map joint rates to the point's
/// linear velocity (m/s), rows 3-5 to the link's angular velocity (rad/s).
/// Columns of joints that do not move the link are zero.
ps_status ps_robot_jacobian(const ps_world *w, ps_robot_id r, const double *q, size_t link, ps_vec3 point, double *J);

/// Joint-space mass matrix M(q), n x n row-major, symmetric positive
/// definite (kg m^2, kg, kg m), armature included on the diagonal.
ps_status ps_robot_mass_matrix(const ps_world *w, ps_robot_id r, const double *q, double *M);

/// Inverse dynamics (recursive Newton-Euler): the joint torques/forces tau
/// (N m or N, n values) that give accelerations qdd at (q, qd) against
/// gravity: tau = M(q) qdd + C(q, qd) qd + g(q). qd or qdd NULL mean zeros
/// (not the current values); q NULL means current.
ps_status ps_robot_inverse_dynamics(const ps_world *w, ps_robot_id r, const double *q, const double *qd,
                                    const double *qdd, double *tau);

/// Gravity torques g(q): what holds the robot still (tau with qd = qdd = 0).
ps_status ps_robot_gravity_torques(const ps_world *w, ps_robot_id r, const double *q, double *tau);

/// Bias torques C(q, qd) qd + g(q) (Coriolis, centrifugal and gravity), with
/// qd NULL meaning the current velocities.
ps_status ps_robot_bias_torques(const ps_world *w, ps_robot_id r, const double *q, const double *qd, double *tau);

/// Inverse kinematics options. Start from ps_default_ik_options().
typedef struct ps_ik_options {
    int max_iterations;       ///< >= 1; default 200
    double damping;           ///< DLS damping lambda (m), > 0; default 0.05
    double position_tolerance;///< m; default 1e-4
    double rotation_tolerance;///< rad; default 1e-3
    bool orientation;         ///< also reach target.q (else position only); default true
    double max_step;          ///< largest joint change per iteration, rad or m; default 0.2
} ps_ik_options;

ps_ik_options ps_default_ik_options(void);

/// Outcome of ps_robot_ik.
typedef struct ps_ik_result {
    bool converged;           ///< both errors within their tolerances
    int iterations;
    double position_error;    ///< m, at the returned q
    double rotation_error;    ///< rad, at the returned q (0 with orientation off)
} ps_ik_result;

/// Damped-least-squares inverse kinematics: joint positions q (n values into
/// q_out) that bring the point `point` of link `link` (link frame) to
/// target.p and, with `orientation`, the link's frame to target.q. Starts
/// from q0 (NULL: current), keeps every joint within its limits, moves only
/// joints on the link's chain (mimic and passive joints included as given),
/// and returns the best q found even when it did not converge (unreachable
/// target): check `res`. Does not move the robot (ps_robot_set_positions
/// or servo commands do). opt and res may be NULL.
ps_status ps_robot_ik(const ps_world *w, ps_robot_id r, size_t link, ps_vec3 point, ps_pose target, const double *q0,
                      const ps_ik_options *opt, double *q_out, ps_ik_result *res);

#ifdef __cplusplus
}
#endif
#endif
