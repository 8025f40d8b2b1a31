// FNV-1a 64-bit hashing, shared by state hashes and scene content hashes.
#ifndef PS_HASH_INTERNAL_H
#define PS_HASH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define PS_FNV_OFFSET 0xcbf29ce484222325ULL

uint64_t ps_fnv1a(uint64_t h, const void *data, size_t n);

#endif
