// Byte records for state save/restore (state.c, episode.c).
#ifndef PS_STATE_INTERNAL_H
#define PS_STATE_INTERNAL_H

#include "pilotsim/world.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ps_state_buf {
    unsigned char *data;
    size_t len, cap;
    bool ok;           // false once an allocation failed
} ps_state_buf;

typedef struct ps_state_reader {
    const unsigned char *data;
    size_t len, pos;
    bool ok;           // false once a read ran past the end
} ps_state_reader;

bool ps_state_put(ps_state_buf *b, const void *p, size_t n);
bool ps_state_get(ps_state_reader *r, void *p, size_t n);
void ps_state_buf_free(ps_state_buf *b);

/// A fingerprint of `w`'s structure: what a saved state must match.
uint64_t ps_world_state_layout(const ps_world *w);
/// The structure fingerprint of one ps_world_state_write record (0 when it is
/// not one).
uint64_t ps_world_state_record_layout(const unsigned char *data, size_t len);
/// Appends `w`'s state to `b`; false when an allocation failed.
bool ps_world_state_write(const ps_world *w, ps_state_buf *b);
/// Restores `w` from exactly the bytes of one ps_world_state_write record.
ps_status ps_world_state_read(ps_world *w, ps_state_reader *r);

#endif
