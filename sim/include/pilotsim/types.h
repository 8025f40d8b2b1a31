/// @file types.h
/// Basic value types shared by every pilotsim module. Units are SI; frames are
/// right-handed, Z up, X forward (REP-103).
#ifndef PILOTSIM_TYPES_H
#define PILOTSIM_TYPES_H

#include "pilotsim/export.h"

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

PS_BEGIN_DECLS

/// A 3-vector (metres, m/s, newtons, ... as the field says).
typedef struct ps_vec3 { double x, y, z; } ps_vec3;

/// A unit quaternion, scalar first (w, x, y, z).
typedef struct ps_quat { double w, x, y, z; } ps_quat;

/// A rigid transform: position (m) and orientation.
typedef struct ps_pose { ps_vec3 p; ps_quat q; } ps_pose;

/// Checked handles (as Box2D v3's ids). `index` is a slot in the world's table,
/// `gen` the slot's generation when the object was created and `world` the tag of
/// the world that made it (ps_world_tag: unique within the process). Every call
/// refuses, with PS_ERR_STALE and a message, an id whose generation no longer
/// matches (its object was destroyed) or that comes from another world or an
/// earlier episode. The zero id (gen 0) is never valid and means "none" (for a
/// joint's body: the static world). Compare ids with the ps_*_id_eq functions.
typedef struct ps_body_id { uint32_t index, gen, world; } ps_body_id;
typedef struct ps_geom_id { uint32_t index, gen, world; } ps_geom_id;
typedef struct ps_joint_id { uint32_t index, gen, world; } ps_joint_id;
typedef struct ps_robot_id { uint32_t index, gen, world; } ps_robot_id;

/// Contact material handle: `index` into the world's material table and the
/// world's tag. PS_MATERIAL_DEFAULT (index 0, world 0) names material 0
/// ("default"), which every world has; any other id is checked like the others.
typedef struct ps_material_id { uint32_t index, world; } ps_material_id;

/// The "none" ids. PS_BODY_NONE as a joint's body means the static world.
#define PS_BODY_NONE ((ps_body_id){0, 0, 0})
#define PS_GEOM_NONE ((ps_geom_id){0, 0, 0})
#define PS_JOINT_NONE ((ps_joint_id){0, 0, 0})
#define PS_ROBOT_NONE ((ps_robot_id){0, 0, 0})
/// Material 0 ("default") of whichever world it is used with.
#define PS_MATERIAL_DEFAULT ((ps_material_id){0, 0})
/// Returned by material calls that fail.
#define PS_MATERIAL_NONE ((ps_material_id){UINT32_MAX, 0})

/// True when two ids name the same object of the same world.
static inline bool ps_body_id_eq(ps_body_id a, ps_body_id b)
{
    return a.index == b.index && a.gen == b.gen && a.world == b.world;
}
/// True when two ids name the same object of the same world.
static inline bool ps_geom_id_eq(ps_geom_id a, ps_geom_id b)
{
    return a.index == b.index && a.gen == b.gen && a.world == b.world;
}
/// True when two ids name the same object of the same world.
static inline bool ps_joint_id_eq(ps_joint_id a, ps_joint_id b)
{
    return a.index == b.index && a.gen == b.gen && a.world == b.world;
}
/// True when two ids name the same object of the same world.
static inline bool ps_robot_id_eq(ps_robot_id a, ps_robot_id b)
{
    return a.index == b.index && a.gen == b.gen && a.world == b.world;
}
/// True when the material id is not PS_MATERIAL_NONE (it may still be refused).
static inline bool ps_material_is_set(ps_material_id m) { return m.index != UINT32_MAX; }

/// True when the handle is not the zero handle (it may still be stale).
static inline bool ps_body_is_set(ps_body_id b) { return b.gen != 0; }

/// Identity pose.
static inline ps_pose ps_pose_identity(void)
{
    return (ps_pose){ {0, 0, 0}, {1, 0, 0, 0} };
}

/// Size of an error-message buffer that is always enough for any `err` parameter of
/// the API (messages longer than the buffer given are cut, never overflowed).
#define PS_ERR_LEN 4096

/// Result codes of fallible calls.
typedef enum ps_status {
    PS_OK = 0,
    PS_ERR_INVALID = -1,   ///< an argument is out of its domain (message in the world's last error)
    PS_ERR_STALE = -2,     ///< a handle is stale or was never valid
    PS_ERR_NOMEM = -3,     ///< allocation failed
    PS_ERR_STATE = -4,     ///< the call is not allowed in the current state
    PS_ERR_DIVERGED = -5,  ///< the physics diverged (see ps_world_divergence)
    PS_ERR_TRANSPORT = -6, ///< a policy's transport failed (peer unreachable, dead, timed out, not speaking the protocol)
    PS_ERR_IO = -7,        ///< a file could not be read or written, or GL or the video encoder failed
} ps_status;

PS_END_DECLS
#endif
