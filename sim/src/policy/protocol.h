// The wire protocol of exec:/tcp:// policies, version 1 (docs/protocol.md):
// frame encoders and strict frame decoders, independent of any transport.
// The decoders take untrusted bytes (a fuzz target can call them directly):
// every violation is a -1 with a message, never a crash, an unbounded
// allocation or a partial write into the episode's actions.
#ifndef PS_PROTOCOL_H
#define PS_PROTOCOL_H

#include "pilotsim/scene.h"

#include <stddef.h>
#include <stdint.h>

#define PS_PROTO_VERSION 1
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
int ps_proto_encode_hello(ps_proto_buf *b, const ps_space_entry *obs, size_t nobs, const ps_space_entry *act,
                          size_t nact, char *err, size_t errlen);
int ps_proto_encode_reset(ps_proto_buf *b, uint64_t seed, char *err, size_t errlen);
int ps_proto_encode_observation(ps_proto_buf *b, uint64_t step, const ps_space_entry *obs, size_t nobs, char *err,
                                size_t errlen);
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
/// {"type":"ok"}.
int ps_proto_decode_ok(const uint8_t *body, size_t len, char *err, size_t errlen);
/// {"type":"action","arrays":{...}}: exactly the names of `act` (sorted by
/// name, as an episode's action entries), each float32 with the exact shape.
/// The values are written into act[i].data only when the whole message is valid.
int ps_proto_decode_action(const uint8_t *body, size_t len, ps_space_entry *act, size_t nact, char *err,
                           size_t errlen);

#endif
