/// @file types.h
/// Basic value types shared by every pilotsim module. Units are SI; frames are
/// right-handed, Z up, X forward (REP-103).
#ifndef PILOTSIM_TYPES_H
#define PILOTSIM_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A 3-vector (metres, m/s, newtons, ... as the field says).
typedef struct ps_vec3 { double x, y, z; } ps_vec3;

/// A unit quaternion, scalar first (w, x, y, z).
typedef struct ps_quat { double w, x, y, z; } ps_quat;

/// A rigid transform: position (m) and orientation.
typedef struct ps_pose { ps_vec3 p; ps_quat q; } ps_pose;

/// Generation-checked handles. `index` is a slot in the world's table and `gen`
/// the slot's generation when the object was created; an id whose generation no
/// longer matches is stale and rejected by every call. The zero id (gen 0) is
/// never valid and is used as "none" (for joints: the static world).
typedef struct ps_body_id { uint32_t index, gen; } ps_body_id;
typedef struct ps_geom_id { uint32_t index, gen; } ps_geom_id;
typedef struct ps_joint_id { uint32_t index, gen; } ps_joint_id;
typedef struct ps_robot_id { uint32_t index, gen; } ps_robot_id;

/// Contact material handle: an index into the world's material table. Material
/// 0 always exists ("default").
typedef uint32_t ps_material_id;

/// The "none" body: as a joint's body it means the static world.
#define PS_BODY_NONE ((ps_body_id){0, 0})

/// True when the handle is not the zero handle (it may still be stale).
static inline bool ps_body_is_set(ps_body_id b) { return b.gen != 0; }

/// Identity pose.
static inline ps_pose ps_pose_identity(void)
{
    return (ps_pose){ {0, 0, 0}, {1, 0, 0, 0} };
}

/// Result codes of fallible calls.
typedef enum ps_status {
    PS_OK = 0,
    PS_ERR_INVALID = -1,   ///< an argument is out of its domain (message in the world's last error)
    PS_ERR_STALE = -2,     ///< a handle is stale or was never valid
    PS_ERR_NOMEM = -3,     ///< allocation failed
    PS_ERR_STATE = -4,     ///< the call is not allowed in the current state
    PS_ERR_DIVERGED = -5,  ///< the physics diverged (see ps_world_divergence)
    PS_ERR_TRANSPORT = -6, ///< a policy's transport failed (peer unreachable, dead, timed out, not speaking the protocol)
} ps_status;

#ifdef __cplusplus
}
#endif
#endif
