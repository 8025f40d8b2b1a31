// Fuzz target: the policy protocol's decoders (sim/src/protocol.c). The input
// is a frame: its first 4 bytes go to ps_proto_frame_length, the rest (the
// body) to each decoder. Checks the decoders' contract: a result of OK,
// INVALID or PEER_ERROR only, a message on every non-OK result, and the
// episode's action values untouched unless the whole message is valid.
#include "fuzz_common.h"
#include "protocol.h"

static void must(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_protocol: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[PS_ERR_LEN], name[64];
    if (size >= 4) {
        size_t len = 0;
        err[0] = '\0';
        int r = ps_proto_frame_length(data, &len, err, sizeof err);
        must(r == 0 || r == -1, "frame_length: bad result");
        must(r == 0 ? len >= 1 && len <= PS_PROTO_MAX_FRAME : err[0] != '\0', "frame_length: contract");
        data += 4;
        size -= 4;
    }

    err[0] = '\0';
    int r = ps_proto_decode_hello(data, size, name, sizeof name, err, sizeof err);
    must(r == PS_PROTO_OK || r == PS_PROTO_INVALID || r == PS_PROTO_PEER_ERROR, "hello: bad result");
    must(r == PS_PROTO_OK ? strlen(name) < sizeof name : err[0] != '\0', "hello: contract");
    for (const char *c = name; r == PS_PROTO_OK && *c; c++)
        must((unsigned char)*c >= 0x20 && *c != 0x7f, "hello: control character in the name");

    err[0] = '\0';
    r = ps_proto_decode_ok(data, size, err, sizeof err);
    must(r == PS_PROTO_OK || r == PS_PROTO_INVALID || r == PS_PROTO_PEER_ERROR, "ok: bad result");
    must(r == PS_PROTO_OK || err[0] != '\0', "ok: no message");

    // Two action entries, sorted by name, as an episode's.
    float force[1] = {-7}, grip[6] = {-7, -7, -7, -7, -7, -7};
    ps_space_entry act[2] = {
        {.name = "force", .ndim = 1, .shape = {1}, .count = 1, .data = force},
        {.name = "grip", .ndim = 2, .shape = {2, 3}, .count = 6, .data = grip},
    };
    err[0] = '\0';
    r = ps_proto_decode_action(data, size, act, 2, err, sizeof err);
    fz_report("action", r == PS_PROTO_OK ? "decoded" : err);
    must(r == PS_PROTO_OK || r == PS_PROTO_INVALID || r == PS_PROTO_PEER_ERROR, "action: bad result");
    if (r != PS_PROTO_OK) {
        must(err[0] != '\0', "action: no message");
        int untouched = force[0] == -7;
        for (int i = 0; i < 6; i++) untouched = untouched && grip[i] == -7;
        must(untouched, "action: values written by an invalid message");
    }

    // Version 2: the hello reply's version, and action chunks.
    int version = 0;
    err[0] = '\0';
    r = ps_proto_decode_hello_v(data, size, &version, name, sizeof name, err, sizeof err);
    must(r == PS_PROTO_OK ? version >= PS_PROTO_MIN_VERSION && version <= PS_PROTO_VERSION : err[0] != '\0',
         "hello_v: contract");
    ps_proto_chunk ch = {0};
    err[0] = '\0';
    r = ps_proto_decode_action_chunk(data, size, act, 2, &ch, err, sizeof err);
    must(r == PS_PROTO_OK ? ch.horizon >= 1 && ch.horizon <= PS_PROTO_MAX_CHUNK && ch.stride == 7 &&
                                ch.cap >= ch.horizon * ch.stride
                          : err[0] != '\0',
         "action_chunk: contract");
    free(ch.v);
    return 0;
}
