/// @file policy_abi.h
/// The versioned C ABI of policy shared libraries (`--policy lib:path.so`).
/// A policy library exports one function, `pilotsim_policy_entry`, returning
/// a pointer to a static ps_policy_abi whose abi_version is
/// PS_POLICY_ABI_VERSION. This header is self-contained (no other pilotsim
/// header) so policy code can be built against it alone.
///
/// Calls, all on one thread, for every episode: create once per process,
/// then reset at each episode start and act at each step, then destroy.
/// Arrays are the episode's observation and action spaces, sorted by name;
/// `data` and `values` point into pilotsim's buffers (read observations, write
/// actions; no copies), valid from reset until the episode ends. Return 0 on
/// success; non-zero ends the episode with the message written into `err`
/// (NUL-terminated, at most errlen bytes).
///
/// Version 2 added `dtype`, `values` and `nbytes` at the end of ps_abi_array
/// (camera observations: uint8 RGB, int32 segmentation, float32 depth).
/// pilotsim still loads version-1 libraries and gives them version-1 arrays
/// (64 bytes on LP64, the float32 view only).
#ifndef PILOTSIM_POLICY_ABI_H
#define PILOTSIM_POLICY_ABI_H

#include "pilotsim/export.h"

#include <stddef.h>
#include <stdint.h>

PS_BEGIN_DECLS

#define PS_POLICY_ABI_VERSION 2u

/// Element types of ps_abi_array.values (the values of ps_dtype, pilotsim/scene.h).
#define PS_ABI_FLOAT32 0
#define PS_ABI_UINT8 1   ///< camera RGB, 0..255
#define PS_ABI_INT32 2   ///< camera segmentation ids

/// One named array.
typedef struct ps_abi_array {
    const char *name;
    int ndim;
    int shape[4];
    size_t count;              ///< elements (product of the shape)
    float *data;               ///< float32 view of every array (actions: write here)
    const float *low, *high;   ///< bounds or NULL
    int dtype;                 ///< PS_ABI_*: the type of `values` (actions: PS_ABI_FLOAT32)
    const void *values;        ///< count elements of dtype (== data for float32)
    size_t nbytes;             ///< count * element size
} ps_abi_array;

typedef struct ps_policy_abi {
    uint32_t abi_version;      ///< PS_POLICY_ABI_VERSION
    /// Makes a policy instance; `config` is the text after "lib:path.so?" or "".
    /// NULL on failure (message in err).
    void *(*create)(const char *config, char *err, size_t errlen);
    int (*reset)(void *self, const ps_abi_array *obs, size_t nobs, const ps_abi_array *act, size_t nact,
                 uint64_t seed, char *err, size_t errlen);
    int (*act)(void *self, const ps_abi_array *obs, size_t nobs, ps_abi_array *act, size_t nact, char *err,
               size_t errlen);
    void (*destroy)(void *self);
} ps_policy_abi;

/// The symbol a policy library exports.
typedef const ps_policy_abi *(*ps_policy_entry_fn)(void);
#define PS_POLICY_ENTRY_SYMBOL "pilotsim_policy_entry"

PS_END_DECLS
#endif
