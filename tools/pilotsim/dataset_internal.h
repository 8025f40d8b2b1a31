// The recorder's buffers, shared by dataset_rec.c (filling them) and
// dataset_h5.c (writing them).
#ifndef PS_DATASET_INTERNAL_H
#define PS_DATASET_INTERNAL_H

#include "dataset.h"

enum { DS_MAX_ACTIONS = 64 };

/// libdeflate's compression level for every chunk the writer compresses itself
/// (dataset_h5.c; 1..12): measured fastest at no larger size (docs/datasets.md).
enum { DS_DEFLATE_LEVEL = 1 };

typedef struct ds_bytes {
    unsigned char *data;
    size_t len, cap;
} ds_bytes;

/// Makes room for `n` bytes in all (b->len unchanged); false when out of memory.
/// Buffers are anonymous mappings (dataset_rec.c): the contents survive growth.
bool ds_bytes_reserve(ds_bytes *b, size_t n);
/// Unmaps the buffer; *b becomes empty.
void ds_bytes_release(ds_bytes *b);

/// The writer's scratch memory (dataset_h5.c), owned by the recorder so that
/// every demo after the first reuses it instead of allocating (and faulting in)
/// fresh pages: a chunk's filter input (shuffled or zero-padded rows), its
/// compressed bytes, the states' rows padded to one width, and libdeflate's
/// compressor.
typedef struct ds_scratch {
    ds_bytes in, out, rows;
    struct libdeflate_compressor *deflater; // made on first use; NULL before
} ds_scratch;

/// Frees what the writer left in `s` (dataset_h5.c); the struct stays.
void ds_scratch_release(ds_scratch *s);

typedef struct ds_obs {
    char name[128];
    int ndim;
    int shape[4];
    size_t count;   // values per step
    bool u8;        // an RGB image: uint8 0..255, else float32
    ds_bytes data;  // steps * count values; RGB images: only the distinct ones (below)
    ds_bytes last;  // the observation after the last step (next_obs of the last step)
    // RGB images: a camera renders at its own rate, so most steps repeat the image
    // before. `same` holds a byte per step (1: the same image as the step before),
    // `prev` the float image last converted; a repeated image is neither converted,
    // nor stored again in `data` (which holds each distinct image once, in step
    // order), nor, when written, compressed again.
    ds_bytes same, prev;
} ds_obs;

struct ds_recorder {
    ds_obs *obs;
    size_t nobs;
    size_t obs_cap;     // entries of `obs` allocated: their buffers are kept for the next episode
    char action_names[DS_MAX_ACTIONS][128];
    size_t action_counts[DS_MAX_ACTIONS];
    size_t naction, action_dim;
    ds_bytes actions;   // float32 [steps][action_dim]
    ds_bytes rewards;   // float64 [steps]
    ds_bytes dones;     // uint8 [steps]
    ds_bytes hashes;    // uint64 [steps]: world state hash before the step's action
    ds_bytes states;    // the states' bytes, back to back
    ds_bytes state_len; // uint64 [steps]
    ds_scratch *scratch; // the writer's (above); never NULL in a created recorder
    size_t state_max;
    uint64_t state_every; // full states at steps i % state_every == 0 (others empty rows)
    size_t steps;
    uint64_t step_limit; // the episode's most steps when known (ds_record_run), else 0
    double last_return;
    ps_episode_state *state;
    char error[PS_ERR_LEN];
};

#endif
