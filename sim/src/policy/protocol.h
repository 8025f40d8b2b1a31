// The wire protocol of exec:/tcp:// policies, versions 1 and 2 (docs/protocol.md):
// frame encoders and strict frame decoders, independent of any transport.
// The decoders take untrusted bytes (a fuzz target can call them directly):
// every violation is a -1 with a message, never a crash, an unbounded
// allocation or a partial write into the episode's actions.
#ifndef PS_PROTOCOL_H
#define PS_PROTOCOL_H

#include "pilotsim/episode.h"

#include <stddef.h>
#include <stdint.h>

/// The newest version spoken (offered in hello), and the oldest still spoken.
#define PS_PROTO_VERSION 2
#define PS_PROTO_MIN_VERSION 1
/// Most actions in one version-2 chunk.
#define PS_PROTO_MAX_CHUNK 1024
/// Largest frame body accepted or sent (bytes, without the 4-byte header).
#define PS_PROTO_MAX_FRAME (64u * 1024u * 1024u)
/// Most msgpack objects (containers and scalars, keys included) in one frame.
#define PS_PROTO_MAX_OBJECTS (1u << 20)
/// Deepest nesting of arrays and maps in one frame (the top-level map is 1).
#define PS_PROTO_MAX_DEPTH 16

/// A growable byte buffer holding one encoded frame (header + body).
typedef struct ps_proto_buf {
    uint8_t *data;
    size_t size, cap;
} ps_proto_buf;

void ps_proto_buf_free(ps_proto_buf *b);

/// Encoders: replace b's content with one whole frame (4-byte big-endian body
/// length, then the msgpack map). 0 on success, -1 with a message (out of
/// memory, frame over PS_PROTO_MAX_FRAME).
/// The version-1 messages (every array float32: observations send `data`).
int ps_proto_encode_hello(ps_proto_buf *b, const ps_space_entry *obs, size_t nobs, const ps_space_entry *act,
                          size_t nact, char *err, size_t errlen);
int ps_proto_encode_reset(ps_proto_buf *b, uint64_t seed, char *err, size_t errlen);
int ps_proto_encode_observation(ps_proto_buf *b, uint64_t step, const ps_space_entry *obs, size_t nobs, char *err,
                                size_t errlen);
/// The same messages in protocol `version` (1 or 2). Version 2 adds to hello
/// the scene's name and the control rate (Hz), to reset the instruction, to
/// observation the simulated time (s); its arrays carry each entry's dtype
/// and `values` (version 1 sends the float32 view `data`).
int ps_proto_encode_hello_v(ps_proto_buf *b, int version, const ps_space_entry *obs, size_t nobs,
                            const ps_space_entry *act, size_t nact, const char *scene, double control_hz, char *err,
                            size_t errlen);
int ps_proto_encode_reset_v(ps_proto_buf *b, int version, uint64_t seed, const char *instruction, char *err,
                            size_t errlen);
int ps_proto_encode_observation_v(ps_proto_buf *b, int version, uint64_t step, double time, const ps_space_entry *obs,
                                  size_t nobs, char *err, size_t errlen);
/// Version 2: the episode ended ("status", "return", "steps", "metrics" name -> number, "message").
int ps_proto_encode_episode_end(ps_proto_buf *b, const char *status, double ret, uint64_t steps,
                                const char *const *names, const double *values, size_t n, const char *message,
                                char *err, size_t errlen);
int ps_proto_encode_close(ps_proto_buf *b, char *err, size_t errlen);
int ps_proto_encode_error(ps_proto_buf *b, const char *message, char *err, size_t errlen);

/// The body length announced by a frame's 4-byte header. -1 with a message
/// when it is 0 or over PS_PROTO_MAX_FRAME.
int ps_proto_frame_length(const uint8_t hdr[4], size_t *len, char *err, size_t errlen);

/// Results of the decoders.
enum {
    PS_PROTO_OK = 0,
    PS_PROTO_INVALID = -1,   ///< a protocol violation (message in err)
    PS_PROTO_PEER_ERROR = 1, ///< a well-formed {"type":"error"} (its text in err)
};

/// Decoders of one frame body (the bytes after the header). Each checks the
/// whole message: a single msgpack map, string keys, no duplicate or unknown
/// key, the expected "type" (or "error"), every field's type.
/// The policy's hello: version must be PS_PROTO_VERSION; its optional name is
/// copied into `name` ("" when absent; control characters replaced).
int ps_proto_decode_hello(const uint8_t *body, size_t len, char *name, size_t namelen, char *err, size_t errlen);
/// The reply to a version-2 hello: version 1 or 2 (into *version).
int ps_proto_decode_hello_v(const uint8_t *body, size_t len, int *version, char *name, size_t namelen, char *err,
                            size_t errlen);
/// {"type":"ok"}.
int ps_proto_decode_ok(const uint8_t *body, size_t len, char *err, size_t errlen);
/// {"type":"action","arrays":{...}}: exactly the names of `act` (sorted by
/// name, as an episode's action entries), each float32 with the exact shape.
/// The values are written into act[i].data only when the whole message is valid.
int ps_proto_decode_action(const uint8_t *body, size_t len, ps_space_entry *act, size_t nact, char *err,
                           size_t errlen);

/// Where a version-2 action reply goes: `horizon` actions of `stride` floats
/// each (every action entry's values in name order), at most `cap` floats.
typedef struct ps_proto_chunk {
    float *v;
    size_t cap;      ///< floats available in v
    size_t stride;   ///< floats per action (the sum of the action entries' counts)
    size_t horizon;  ///< actions decoded (1 for a single action)
} ps_proto_chunk;

/// A version-2 action reply: every array either with exactly its spec's shape
/// (one action) or with one more leading dimension H (a chunk of H actions,
/// 1 <= H <= PS_PROTO_MAX_CHUNK, the same H for every array). The actions go
/// into `chunk` (grown with realloc when too small), only when the whole
/// message is valid; act[] gives names, shapes and counts and is not written.
int ps_proto_decode_action_chunk(const uint8_t *body, size_t len, const ps_space_entry *act, size_t nact,
                                 ps_proto_chunk *chunk, char *err, size_t errlen);

#endif
