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
/// `data` points into pilotsim's buffers (read observations, write actions;
/// no copies). Return 0 on success; non-zero ends the episode with the
/// message written into `err` (NUL-terminated, at most errlen bytes).
#ifndef PILOTSIM_POLICY_ABI_H
#define PILOTSIM_POLICY_ABI_H

#include "pilotsim/export.h"

#include <stddef.h>
#include <stdint.h>

PS_BEGIN_DECLS

#define PS_POLICY_ABI_VERSION 1u

/// One named float32 array (layout identical to ps_space_entry).
typedef struct ps_abi_array {
    const char *name;
    int ndim;
    int shape[4];
    size_t count;
    float *data;
    const float *low, *high;   ///< bounds or NULL
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
