// The policy wire protocol, versions 1 and 2 (docs/protocol.md): encoders through
// msgpack-c's packer, strict decoders over msgpack-c's object tree.
//
// Incoming bytes are walked once by a small well-formedness scan before
// msgpack-c sees them: msgpack-c allocates a container's element array from
// its announced count, so a 5-byte frame claiming 2^32 elements would ask for
// ~100 GB. The scan bounds every count by the bytes left, the total object
// count and the nesting depth.
#include "protocol.h"
#include "log_internal.h"

#include <msgpack.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ buffers */

void ps_proto_buf_free(ps_proto_buf *b)
{
    free(b->data);
    *b = (ps_proto_buf){0};
}

static int buf_write(void *user, const char *p, size_t n)
{
    ps_proto_buf *b = user;
    if (n > SIZE_MAX - b->size) return -1;
    if (b->size + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->size + n) {
            if (cap > SIZE_MAX / 2) return -1;
            cap *= 2;
        }
        uint8_t *d = realloc(b->data, cap);
        if (!d) return -1;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->size, p, n);
    b->size += n;
    return 0;
}

static bool little_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* ----------------------------------------------------------------- encoding */

typedef struct enc {
    ps_proto_buf *b;
    msgpack_packer pk;
    int rc; // sticky: non-zero once a write failed
} enc;

static void enc_begin(enc *w, ps_proto_buf *b)
{
    w->b = b;
    w->rc = 0;
    b->size = 0;
    static const char hdr[4] = {0, 0, 0, 0}; // the length, filled in by enc_end
    w->rc |= buf_write(b, hdr, 4);
    msgpack_packer_init(&w->pk, b, buf_write);
}

static void put_str(enc *w, const char *s)
{
    size_t n = strlen(s);
    w->rc |= msgpack_pack_str(&w->pk, n);
    w->rc |= msgpack_pack_str_body(&w->pk, s, n);
}

static void put_floats(enc *w, const float *v, size_t count)
{
    w->rc |= msgpack_pack_bin(&w->pk, count * 4);
    if (little_endian()) {
        w->rc |= msgpack_pack_bin_body(&w->pk, v, count * 4);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        uint8_t le[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
        w->rc |= msgpack_pack_bin_body(&w->pk, le, 4);
    }
}

// An entry's values as sent in `version`: version 1 always the float32 view.
static void put_values(enc *w, int version, const ps_space_entry *a)
{
    if (version < 2 || !a->values || a->dtype == PS_DTYPE_FLOAT32) {
        put_floats(w, a->data, a->count);
        return;
    }
    size_t n = a->count * ps_dtype_size(a->dtype);
    w->rc |= msgpack_pack_bin(&w->pk, n);
    if (a->dtype == PS_DTYPE_UINT8 || little_endian()) {
        w->rc |= msgpack_pack_bin_body(&w->pk, a->values, n);
        return;
    }
    const uint8_t *p = a->values; // int32 on a big-endian host: swap each element
    for (size_t i = 0; i < a->count; i++) {
        uint8_t le[4] = {p[4 * i + 3], p[4 * i + 2], p[4 * i + 1], p[4 * i]};
        w->rc |= msgpack_pack_bin_body(&w->pk, le, 4);
    }
}

static const char *dtype_of(int version, const ps_space_entry *a)
{
    return version < 2 || !a->values ? "float32" : ps_dtype_name(a->dtype);
}

static void put_shape(enc *w, const ps_space_entry *a)
{
    w->rc |= msgpack_pack_array(&w->pk, (size_t)a->ndim);
    for (int d = 0; d < a->ndim; d++) w->rc |= msgpack_pack_uint64(&w->pk, (uint64_t)a->shape[d]);
}

static int enc_end(enc *w, const char *what, char *err, size_t errlen)
{
    if (w->rc) {
        ps_set_error(err, errlen, "out of memory encoding the '%s' message", what);
        return -1;
    }
    size_t body = w->b->size - 4;
    if (body > PS_PROTO_MAX_FRAME) {
        ps_set_error(err, errlen, "the '%s' message is %zu bytes, over the %u MiB frame limit", what, body,
                     PS_PROTO_MAX_FRAME >> 20);
        return -1;
    }
    uint8_t *h = w->b->data;
    h[0] = (uint8_t)(body >> 24);
    h[1] = (uint8_t)(body >> 16);
    h[2] = (uint8_t)(body >> 8);
    h[3] = (uint8_t)body;
    return 0;
}

static void put_specs(enc *w, int version, const ps_space_entry *a, size_t n)
{
    w->rc |= msgpack_pack_array(&w->pk, n);
    for (size_t i = 0; i < n; i++) {
        w->rc |= msgpack_pack_map(&w->pk, 5);
        put_str(w, "name");
        put_str(w, a[i].name);
        put_str(w, "dtype");
        put_str(w, dtype_of(version, &a[i]));
        put_str(w, "shape");
        put_shape(w, &a[i]);
        put_str(w, "low");
        if (a[i].low) put_floats(w, a[i].low, a[i].count);
        else w->rc |= msgpack_pack_nil(&w->pk);
        put_str(w, "high");
        if (a[i].high) put_floats(w, a[i].high, a[i].count);
        else w->rc |= msgpack_pack_nil(&w->pk);
    }
}

int ps_proto_encode_hello_v(ps_proto_buf *b, int version, const ps_space_entry *obs, size_t nobs,
                            const ps_space_entry *act, size_t nact, const char *scene, double control_hz, char *err,
                            size_t errlen)
{
    enc w;
    enc_begin(&w, b);
    w.rc |= msgpack_pack_map(&w.pk, version >= 2 ? 6 : 4);
    put_str(&w, "type");
    put_str(&w, "hello");
    put_str(&w, "version");
    w.rc |= msgpack_pack_uint64(&w.pk, (uint64_t)version);
    put_str(&w, "observation");
    put_specs(&w, version, obs, nobs);
    put_str(&w, "action");
    put_specs(&w, version, act, nact);
    if (version >= 2) {
        put_str(&w, "scene");
        put_str(&w, scene ? scene : "");
        put_str(&w, "control_hz");
        w.rc |= msgpack_pack_double(&w.pk, control_hz);
    }
    return enc_end(&w, "hello", err, errlen);
}

int ps_proto_encode_hello(ps_proto_buf *b, const ps_space_entry *obs, size_t nobs, const ps_space_entry *act,
                          size_t nact, char *err, size_t errlen)
{
    return ps_proto_encode_hello_v(b, 1, obs, nobs, act, nact, NULL, 0, err, errlen);
}

int ps_proto_encode_reset_v(ps_proto_buf *b, int version, uint64_t seed, const char *instruction, char *err,
                            size_t errlen)
{
    enc w;
    enc_begin(&w, b);
    w.rc |= msgpack_pack_map(&w.pk, version >= 2 ? 3 : 2);
    put_str(&w, "type");
    put_str(&w, "reset");
    put_str(&w, "seed");
    w.rc |= msgpack_pack_uint64(&w.pk, seed);
    if (version >= 2) {
        put_str(&w, "instruction");
        put_str(&w, instruction ? instruction : "");
    }
    return enc_end(&w, "reset", err, errlen);
}

int ps_proto_encode_reset(ps_proto_buf *b, uint64_t seed, char *err, size_t errlen)
{
    return ps_proto_encode_reset_v(b, 1, seed, NULL, err, errlen);
}

int ps_proto_encode_observation_v(ps_proto_buf *b, int version, uint64_t step, double time, const ps_space_entry *obs,
                                  size_t nobs, char *err, size_t errlen)
{
    enc w;
    enc_begin(&w, b);
    w.rc |= msgpack_pack_map(&w.pk, version >= 2 ? 4 : 3);
    put_str(&w, "type");
    put_str(&w, "observation");
    put_str(&w, "step");
    w.rc |= msgpack_pack_uint64(&w.pk, step);
    if (version >= 2) {
        put_str(&w, "time");
        w.rc |= msgpack_pack_double(&w.pk, time);
    }
    put_str(&w, "arrays");
    w.rc |= msgpack_pack_map(&w.pk, nobs);
    for (size_t i = 0; i < nobs; i++) {
        put_str(&w, obs[i].name);
        w.rc |= msgpack_pack_map(&w.pk, 3);
        put_str(&w, "dtype");
        put_str(&w, dtype_of(version, &obs[i]));
        put_str(&w, "shape");
        put_shape(&w, &obs[i]);
        put_str(&w, "data");
        put_values(&w, version, &obs[i]);
    }
    return enc_end(&w, "observation", err, errlen);
}

int ps_proto_encode_observation(ps_proto_buf *b, uint64_t step, const ps_space_entry *obs, size_t nobs, char *err,
                                size_t errlen)
{
    return ps_proto_encode_observation_v(b, 1, step, 0, obs, nobs, err, errlen);
}

int ps_proto_encode_episode_end(ps_proto_buf *b, const char *status, double ret, uint64_t steps,
                                const char *const *names, const double *values, size_t n, const char *message,
                                char *err, size_t errlen)
{
    enc w;
    enc_begin(&w, b);
    w.rc |= msgpack_pack_map(&w.pk, 6);
    put_str(&w, "type");
    put_str(&w, "episode_end");
    put_str(&w, "status");
    put_str(&w, status);
    put_str(&w, "return");
    w.rc |= msgpack_pack_double(&w.pk, ret);
    put_str(&w, "steps");
    w.rc |= msgpack_pack_uint64(&w.pk, steps);
    put_str(&w, "metrics");
    w.rc |= msgpack_pack_map(&w.pk, n);
    for (size_t i = 0; i < n; i++) {
        put_str(&w, names[i]);
        w.rc |= msgpack_pack_double(&w.pk, values[i]);
    }
    put_str(&w, "message");
    put_str(&w, message ? message : "");
    return enc_end(&w, "episode_end", err, errlen);
}

int ps_proto_encode_close(ps_proto_buf *b, char *err, size_t errlen)
{
    enc w;
    enc_begin(&w, b);
    w.rc |= msgpack_pack_map(&w.pk, 1);
    put_str(&w, "type");
    put_str(&w, "close");
    return enc_end(&w, "close", err, errlen);
}

int ps_proto_encode_error(ps_proto_buf *b, const char *message, char *err, size_t errlen)
{
    enc w;
    enc_begin(&w, b);
    w.rc |= msgpack_pack_map(&w.pk, 2);
    put_str(&w, "type");
    put_str(&w, "error");
    put_str(&w, "message");
    put_str(&w, message);
    return enc_end(&w, "error", err, errlen);
}

/* ------------------------------------------------------ well-formedness scan */

int ps_proto_frame_length(const uint8_t hdr[4], size_t *len, char *err, size_t errlen)
{
    uint32_t n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    *len = n;
    if (n == 0) {
        ps_set_error(err, errlen, "empty frame (length 0)");
        return -1;
    }
    if (n > PS_PROTO_MAX_FRAME) {
        ps_set_error(err, errlen,
                     "frame length %lu (header bytes %02x %02x %02x %02x) is over the %u MiB limit: "
                     "not a protocol frame (an exec: policy must not print to stdout)",
                     (unsigned long)n, hdr[0], hdr[1], hdr[2], hdr[3], PS_PROTO_MAX_FRAME >> 20);
        return -1;
    }
    return 0;
}

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

// Checks that `p` holds exactly one msgpack object, within the limits.
static int scan(const uint8_t *p, size_t len, char *err, size_t errlen)
{
    uint64_t left[PS_PROTO_MAX_DEPTH + 1]; // items still to read per open container
    int depth = 0;
    left[0] = 1;
    size_t pos = 0;
    uint64_t objects = 0;
    while (depth >= 0) {
        if (left[depth] == 0) {
            depth--;
            continue;
        }
        left[depth]--;
        if (pos >= len) {
            ps_set_error(err, errlen, "malformed msgpack: truncated at byte %zu", pos);
            return -1;
        }
        if (++objects > PS_PROTO_MAX_OBJECTS) {
            ps_set_error(err, errlen, "malformed msgpack: more than %u objects", PS_PROTO_MAX_OBJECTS);
            return -1;
        }
        uint8_t t = p[pos];
        size_t at = pos;
        uint64_t skip = 0;    // bytes after the type byte (fixed part + payload)
        int lenbytes = 0;     // width of a length field after the type byte
        uint64_t children = 0;
        bool container = false;
        if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
            skip = 0;
        } else if (t >= 0x80 && t <= 0x8f) {
            container = true;
            children = 2u * (t & 0x0fu);
        } else if (t >= 0x90 && t <= 0x9f) {
            container = true;
            children = t & 0x0fu;
        } else if (t >= 0xa0 && t <= 0xbf) {
            skip = t & 0x1fu;
        } else {
            switch (t) {
            case 0xc4: case 0xd9: lenbytes = 1; break; // bin8, str8
            case 0xc5: case 0xda: lenbytes = 2; break;
            case 0xc6: case 0xdb: lenbytes = 4; break;
            case 0xc7: lenbytes = 1; skip = 1; break;  // ext8: length, type, data
            case 0xc8: lenbytes = 2; skip = 1; break;
            case 0xc9: lenbytes = 4; skip = 1; break;
            case 0xca: skip = 4; break;
            case 0xcb: skip = 8; break;
            case 0xcc: case 0xd0: skip = 1; break;
            case 0xcd: case 0xd1: skip = 2; break;
            case 0xce: case 0xd2: skip = 4; break;
            case 0xcf: case 0xd3: skip = 8; break;
            case 0xd4: skip = 2; break; // fixext1: type + 1
            case 0xd5: skip = 3; break;
            case 0xd6: skip = 5; break;
            case 0xd7: skip = 9; break;
            case 0xd8: skip = 17; break;
            case 0xdc: case 0xde: lenbytes = 2; container = true; break;
            case 0xdd: case 0xdf: lenbytes = 4; container = true; break;
            default:
                ps_set_error(err, errlen, "malformed msgpack: invalid byte 0x%02x at byte %zu", t, at);
                return -1;
            }
        }
        pos++;
        if (lenbytes) {
            if ((size_t)lenbytes > len - pos) {
                ps_set_error(err, errlen, "malformed msgpack: truncated at byte %zu", at);
                return -1;
            }
            uint64_t n = be(p + pos, lenbytes);
            pos += (size_t)lenbytes;
            if (container) children = (t == 0xde || t == 0xdf) ? 2 * n : n;
            else skip += n;
        }
        if (container) {
            // Every child takes at least one byte.
            if (children > len - pos) {
                ps_set_error(err, errlen,
                             "malformed msgpack: a container at byte %zu announces %llu items but only %zu bytes "
                             "remain",
                             at, (unsigned long long)children, len - pos);
                return -1;
            }
            if (children) {
                if (depth + 1 >= PS_PROTO_MAX_DEPTH) {
                    ps_set_error(err, errlen, "malformed msgpack: nested deeper than %d", PS_PROTO_MAX_DEPTH);
                    return -1;
                }
                left[++depth] = children;
            }
        } else {
            if (skip > len - pos) {
                ps_set_error(err, errlen, "malformed msgpack: truncated at byte %zu", at);
                return -1;
            }
            pos += (size_t)skip;
        }
    }
    if (pos != len) {
        ps_set_error(err, errlen, "%zu trailing bytes after the message in the frame", len - pos);
        return -1;
    }
    return 0;
}

/* ----------------------------------------------------------------- decoding */

static const char *type_name(const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: return "nil";
    case MSGPACK_OBJECT_BOOLEAN: return "a boolean";
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: return "an integer";
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: return "a float";
    case MSGPACK_OBJECT_STR: return "a string";
    case MSGPACK_OBJECT_ARRAY: return "an array";
    case MSGPACK_OBJECT_MAP: return "a map";
    case MSGPACK_OBJECT_BIN: return "bin";
    case MSGPACK_OBJECT_EXT: return "an ext";
    }
    return "an unknown type";
}

// A peer string made printable for a message: control bytes become '?', long
// ones are cut with "...".
static void printable(char *out, size_t outlen, const char *p, size_t n)
{
    const size_t max = outlen > 4 ? outlen - 4 : 0;
    size_t k = 0;
    for (size_t i = 0; i < n && k < max; i++) {
        unsigned char c = (unsigned char)p[i];
        out[k++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (k < n && outlen >= 4) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    if (outlen) out[k < outlen ? k : outlen - 1] = '\0';
}

static bool str_is(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);
    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n && !memcmp(o->via.str.ptr, s, n);
}

// The keys a message (or an array map) may have; each at most once.
typedef struct field {
    const char *key;
    bool required;
    const msgpack_object *val; // found
} field;

// Matches a map's keys against `f`: string keys, none unknown or repeated,
// every required one present. `ctx` names the map in messages.
static int match_fields(const msgpack_object *map, field *f, size_t nf, const char *ctx, char *err, size_t errlen)
{
    for (size_t j = 0; j < nf; j++) f[j].val = NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR) {
            ps_set_error(err, errlen, "%s has a key that is %s, keys must be strings", ctx, type_name(k));
            return -1;
        }
        size_t j = 0;
        while (j < nf && !str_is(k, f[j].key)) j++;
        char kn[80];
        printable(kn, sizeof kn, k->via.str.ptr, k->via.str.size);
        if (j == nf) {
            ps_set_error(err, errlen, "%s has an unexpected key '%s'", ctx, kn);
            return -1;
        }
        if (f[j].val) {
            ps_set_error(err, errlen, "%s has the key '%s' twice", ctx, kn);
            return -1;
        }
        f[j].val = &map->via.map.ptr[i].val;
    }
    for (size_t j = 0; j < nf; j++)
        if (f[j].required && !f[j].val) {
            ps_set_error(err, errlen, "%s has no '%s'", ctx, f[j].key);
            return -1;
        }
    return 0;
}

// Parses one frame body into `u` and checks it is a map whose "type" is
// `want` or "error". Returns PS_PROTO_OK with *is_error false for `want`,
// PS_PROTO_OK with *is_error true for an error message (to be matched), or
// PS_PROTO_INVALID.
static int open_message(msgpack_unpacked *u, const uint8_t *body, size_t len, const char *want, bool *is_error,
                        char *err, size_t errlen)
{
    if (scan(body, len, err, errlen)) return PS_PROTO_INVALID;
    size_t off = 0;
    msgpack_unpack_return r = msgpack_unpack_next(u, (const char *)body, len, &off);
    if (r == MSGPACK_UNPACK_NOMEM_ERROR) {
        ps_set_error(err, errlen, "out of memory decoding a %zu-byte frame", len);
        return PS_PROTO_INVALID;
    }
    if (r != MSGPACK_UNPACK_SUCCESS || off != len) {
        ps_set_error(err, errlen, "malformed msgpack (msgpack-c: %d)", (int)r);
        return PS_PROTO_INVALID;
    }
    const msgpack_object *m = &u->data;
    if (m->type != MSGPACK_OBJECT_MAP) {
        ps_set_error(err, errlen, "the message is %s, expected a map", type_name(m));
        return PS_PROTO_INVALID;
    }
    const msgpack_object *type = NULL;
    for (uint32_t i = 0; i < m->via.map.size; i++)
        if (str_is(&m->via.map.ptr[i].key, "type")) {
            type = &m->via.map.ptr[i].val;
            break;
        }
    if (!type) {
        ps_set_error(err, errlen, "the message has no 'type'");
        return PS_PROTO_INVALID;
    }
    if (type->type != MSGPACK_OBJECT_STR) {
        ps_set_error(err, errlen, "the message's 'type' is %s, expected a string", type_name(type));
        return PS_PROTO_INVALID;
    }
    *is_error = str_is(type, "error");
    if (!*is_error && !str_is(type, want)) {
        char tn[80];
        printable(tn, sizeof tn, type->via.str.ptr, type->via.str.size);
        ps_set_error(err, errlen, "got a message of type '%s', expected '%s'", tn, want);
        return PS_PROTO_INVALID;
    }
    return PS_PROTO_OK;
}

// An {"type":"error","message":...} from the peer.
static int peer_error(const msgpack_object *m, char *err, size_t errlen)
{
    field f[] = {{"type", true, NULL}, {"message", true, NULL}};
    if (match_fields(m, f, 2, "the 'error' message", err, errlen)) return PS_PROTO_INVALID;
    if (f[1].val->type != MSGPACK_OBJECT_STR) {
        ps_set_error(err, errlen, "the 'error' message's 'message' is %s, expected a string", type_name(f[1].val));
        return PS_PROTO_INVALID;
    }
    char text[1024];
    printable(text, sizeof text, f[1].val->via.str.ptr, f[1].val->via.str.size);
    ps_set_error(err, errlen, "the policy reported an error: %s", text);
    return PS_PROTO_PEER_ERROR;
}

// A hello reply whose version must be in [lo, hi].
static int decode_hello(const uint8_t *body, size_t len, int lo, int hi, int *version, char *name, size_t namelen,
                        char *err, size_t errlen)
{
    if (name && namelen) name[0] = '\0';
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    bool is_error = false;
    int rc = open_message(&u, body, len, "hello", &is_error, err, errlen);
    if (rc == PS_PROTO_OK && is_error) rc = peer_error(&u.data, err, errlen);
    else if (rc == PS_PROTO_OK) {
        field f[] = {{"type", true, NULL}, {"version", true, NULL}, {"name", false, NULL}};
        rc = match_fields(&u.data, f, 3, "the 'hello' message", err, errlen);
        const msgpack_object *v = f[1].val, *n = f[2].val;
        if (rc == PS_PROTO_OK && v->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
            ps_set_error(err, errlen, "the 'hello' message's 'version' is %s, expected a non-negative integer",
                         type_name(v));
            rc = PS_PROTO_INVALID;
        } else if (rc == PS_PROTO_OK && (v->via.u64 < (uint64_t)lo || v->via.u64 > (uint64_t)hi)) {
            if (lo == hi)
                ps_set_error(err, errlen, "the policy speaks protocol version %llu, pilotsim speaks version %d",
                             (unsigned long long)v->via.u64, lo);
            else
                ps_set_error(err, errlen, "the policy speaks protocol version %llu, pilotsim speaks versions %d to %d",
                             (unsigned long long)v->via.u64, lo, hi);
            rc = PS_PROTO_INVALID;
        } else if (rc == PS_PROTO_OK && n && n->type != MSGPACK_OBJECT_STR) {
            ps_set_error(err, errlen, "the 'hello' message's 'name' is %s, expected a string", type_name(n));
            rc = PS_PROTO_INVALID;
        } else if (rc == PS_PROTO_OK && n && name && namelen) {
            printable(name, namelen, n->via.str.ptr, n->via.str.size);
        }
        if (rc == PS_PROTO_OK && version) *version = (int)v->via.u64;
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

int ps_proto_decode_hello(const uint8_t *body, size_t len, char *name, size_t namelen, char *err, size_t errlen)
{
    return decode_hello(body, len, 1, 1, NULL, name, namelen, err, errlen);
}

int ps_proto_decode_hello_v(const uint8_t *body, size_t len, int *version, char *name, size_t namelen, char *err,
                            size_t errlen)
{
    return decode_hello(body, len, PS_PROTO_MIN_VERSION, PS_PROTO_VERSION, version, name, namelen, err, errlen);
}

int ps_proto_decode_ok(const uint8_t *body, size_t len, char *err, size_t errlen)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    bool is_error = false;
    int rc = open_message(&u, body, len, "ok", &is_error, err, errlen);
    if (rc == PS_PROTO_OK && is_error) rc = peer_error(&u.data, err, errlen);
    else if (rc == PS_PROTO_OK) {
        field f[] = {{"type", true, NULL}};
        rc = match_fields(&u.data, f, 1, "the 'ok' message", err, errlen);
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

// Appends to out[*k..n) like snprintf, never past the end.
static void append(char *out, size_t n, size_t *k, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char *out, size_t n, size_t *k, const char *fmt, ...)
{
    if (*k >= n) return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(out + *k, n - *k, fmt, ap);
    va_end(ap);
    if (w > 0) *k = (size_t)w >= n - *k ? n : *k + (size_t)w;
}

// "[a, b]" from the spec's shape.
static void shape_text(char *out, size_t n, const int *shape, int ndim)
{
    size_t k = 0;
    out[0] = '\0';
    append(out, n, &k, "[");
    for (int d = 0; d < ndim; d++) append(out, n, &k, d ? ", %d" : "%d", shape[d]);
    append(out, n, &k, "]");
}

// "[a, b]" from a peer's shape array (at most 8 items shown).
static void obj_shape_text(char *out, size_t n, const msgpack_object *s)
{
    size_t k = 0;
    out[0] = '\0';
    append(out, n, &k, "[");
    for (uint32_t d = 0; d < s->via.array.size; d++) {
        const char *sep = d ? ", " : "";
        const msgpack_object *x = &s->via.array.ptr[d];
        if (d == 8) {
            append(out, n, &k, ", ... (%lu items)", (unsigned long)s->via.array.size);
            break;
        }
        if (x->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            append(out, n, &k, "%s%llu", sep, (unsigned long long)x->via.u64);
        else if (x->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
            append(out, n, &k, "%s%lld", sep, (long long)x->via.i64);
        else append(out, n, &k, "%s(%s)", sep, type_name(x));
    }
    append(out, n, &k, "]");
}

// Finds the action entry named like key `k` (entries sorted by name).
static long find_entry(const ps_space_entry *a, size_t n, const msgpack_object *k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t ml = strlen(a[mid].name), kl = k->via.str.size;
        int c = memcmp(a[mid].name, k->via.str.ptr, ml < kl ? ml : kl);
        if (c == 0) c = ml < kl ? -1 : ml > kl ? 1 : 0;
        if (c == 0) return (long)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

static void names_list(char *out, size_t n, const ps_space_entry *a, size_t na)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < na; i++) append(out, n, &k, "%s%s", i ? ", " : "", a[i].name);
    if (na == 0) append(out, n, &k, "(none)");
}

// One array {"dtype","shape","data"} against its action entry.
// With `h` (version 2), a leading dimension H (a chunk) is accepted too:
// *h = H, or 0 for the spec's exact shape.
static int check_array(const msgpack_object *v, const ps_space_entry *a, const msgpack_object **data, size_t *h,
                       char *err, size_t errlen)
{
    if (v->type != MSGPACK_OBJECT_MAP) {
        ps_set_error(err, errlen, "action '%s' is %s, expected a map with dtype, shape and data", a->name,
                     type_name(v));
        return -1;
    }
    char ctx[160];
    snprintf(ctx, sizeof ctx, "action '%.100s'", a->name);
    field f[] = {{"dtype", true, NULL}, {"shape", true, NULL}, {"data", true, NULL}};
    if (match_fields(v, f, 3, ctx, err, errlen)) return -1;
    const msgpack_object *dt = f[0].val, *sh = f[1].val, *d = f[2].val;
    if (dt->type != MSGPACK_OBJECT_STR) {
        ps_set_error(err, errlen, "action '%s': 'dtype' is %s, expected the string \"float32\"", a->name,
                     type_name(dt));
        return -1;
    }
    if (!str_is(dt, "float32")) {
        char dn[80];
        printable(dn, sizeof dn, dt->via.str.ptr, dt->via.str.size);
        ps_set_error(err, errlen, "action '%s' has dtype '%s', expected 'float32' (actions are float32)", a->name,
                     dn);
        return -1;
    }
    if (sh->type != MSGPACK_OBJECT_ARRAY) {
        ps_set_error(err, errlen, "action '%s': 'shape' is %s, expected an array of integers", a->name,
                     type_name(sh));
        return -1;
    }
    // A chunk: one more leading dimension, 1..PS_PROTO_MAX_CHUNK.
    uint32_t lead = 0;
    uint64_t horizon = 1;
    if (h && sh->via.array.size == (uint32_t)a->ndim + 1) {
        const msgpack_object *x = &sh->via.array.ptr[0];
        if (x->type == MSGPACK_OBJECT_POSITIVE_INTEGER && x->via.u64 >= 1 && x->via.u64 <= PS_PROTO_MAX_CHUNK) {
            lead = 1;
            horizon = x->via.u64;
        }
    }
    bool same = sh->via.array.size == (uint32_t)a->ndim + lead;
    for (uint32_t i = lead; same && i < sh->via.array.size; i++) {
        const msgpack_object *x = &sh->via.array.ptr[i];
        same = x->type == MSGPACK_OBJECT_POSITIVE_INTEGER && x->via.u64 == (uint64_t)a->shape[i - lead];
    }
    if (!same) {
        char got[160], want[80];
        obj_shape_text(got, sizeof got, sh);
        shape_text(want, sizeof want, a->shape, a->ndim);
        if (h)
            ps_set_error(err, errlen, "action '%s' has shape %s, expected %s or a chunk [H, %s (H 1 to %d)",
                         a->name, got, want, want + 1, PS_PROTO_MAX_CHUNK);
        else ps_set_error(err, errlen, "action '%s' has shape %s, expected %s", a->name, got, want);
        return -1;
    }
    if (h) *h = lead ? (size_t)horizon : 0;
    if (d->type != MSGPACK_OBJECT_BIN) {
        ps_set_error(err, errlen, "action '%s': 'data' is %s, expected bin (little-endian float32 bytes)", a->name,
                     type_name(d));
        return -1;
    }
    if ((uint64_t)d->via.bin.size != horizon * a->count * 4) {
        ps_set_error(err, errlen, "action '%s': 'data' has %lu bytes, expected %llu (%llu float32)", a->name,
                     (unsigned long)d->via.bin.size, (unsigned long long)(horizon * a->count * 4),
                     (unsigned long long)(horizon * a->count));
        return -1;
    }
    *data = d;
    return 0;
}

static void load_floats(float *dst, const uint8_t *src, size_t n)
{
    if (little_endian()) {
        if (n) memcpy(dst, src, n * 4);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t w = (uint32_t)src[4 * i] | (uint32_t)src[4 * i + 1] << 8 | (uint32_t)src[4 * i + 2] << 16 |
                     (uint32_t)src[4 * i + 3] << 24;
        memcpy(&dst[i], &w, 4);
    }
}

// Version 1 (chunk NULL): exactly one action, written into act[].data.
// Version 2: one action or a chunk, written into *chunk.
static int decode_action(const uint8_t *body, size_t len, ps_space_entry *act, size_t nact, ps_proto_chunk *chunk,
                         char *err, size_t errlen)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    bool is_error = false;
    const msgpack_object **data = NULL;
    size_t *hs = NULL;
    int rc = open_message(&u, body, len, "action", &is_error, err, errlen);
    if (rc == PS_PROTO_OK && is_error) {
        rc = peer_error(&u.data, err, errlen);
        goto done;
    }
    if (rc != PS_PROTO_OK) goto done;
    field f[] = {{"type", true, NULL}, {"arrays", true, NULL}};
    rc = match_fields(&u.data, f, 2, "the 'action' message", err, errlen);
    if (rc != PS_PROTO_OK) goto done;
    const msgpack_object *arrays = f[1].val;
    rc = PS_PROTO_INVALID;
    if (arrays->type != MSGPACK_OBJECT_MAP) {
        ps_set_error(err, errlen, "the 'action' message's 'arrays' is %s, expected a map", type_name(arrays));
        goto done;
    }
    data = calloc(nact ? nact : 1, sizeof *data);
    hs = calloc(nact ? nact : 1, sizeof *hs);
    if (!data || !hs) {
        ps_set_error(err, errlen, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < arrays->via.map.size; i++) {
        const msgpack_object *k = &arrays->via.map.ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR) {
            ps_set_error(err, errlen, "'arrays' has a key that is %s, keys must be action names", type_name(k));
            goto done;
        }
        long j = find_entry(act, nact, k);
        if (j < 0) {
            char kn[80], names[512];
            printable(kn, sizeof kn, k->via.str.ptr, k->via.str.size);
            names_list(names, sizeof names, act, nact);
            ps_set_error(err, errlen, "unknown action '%s' (the actions are: %s)", kn, names);
            goto done;
        }
        if (data[j]) {
            ps_set_error(err, errlen, "action '%s' appears twice", act[j].name);
            goto done;
        }
        if (check_array(&arrays->via.map.ptr[i].val, &act[j], &data[j], chunk ? &hs[j] : NULL, err, errlen))
            goto done;
    }
    for (size_t j = 0; j < nact; j++)
        if (!data[j]) {
            ps_set_error(err, errlen, "action '%s' is missing", act[j].name);
            goto done;
        }
    if (!chunk) { // valid as a whole: now write the values
        for (size_t j = 0; j < nact; j++) load_floats(act[j].data, (const uint8_t *)data[j]->via.bin.ptr, act[j].count);
        rc = PS_PROTO_OK;
        goto done;
    }
    // Every array a single action (H 0), or all chunks of one H.
    for (size_t j = 1; j < nact; j++)
        if (hs[j] != hs[0]) {
            ps_set_error(err, errlen, "action '%s' has %zu steps, action '%s' %zu: a chunk gives every action the same H",
                         act[0].name, hs[0] ? hs[0] : 1, act[j].name, hs[j] ? hs[j] : 1);
            goto done;
        }
    size_t horizon = nact && hs[0] ? hs[0] : 1, stride = 0;
    for (size_t j = 0; j < nact; j++) stride += act[j].count;
    if (horizon * stride > chunk->cap) {
        float *v = realloc(chunk->v, (horizon * stride > 0 ? horizon * stride : 1) * sizeof *v);
        if (!v) {
            ps_set_error(err, errlen, "out of memory for a chunk of %zu actions", horizon);
            goto done;
        }
        chunk->v = v;
        chunk->cap = horizon * stride;
    }
    for (size_t t = 0, off = 0; t < horizon; t++)
        for (size_t j = 0; j < nact; j++) {
            load_floats(chunk->v + off, (const uint8_t *)data[j]->via.bin.ptr + 4 * t * act[j].count, act[j].count);
            off += act[j].count;
        }
    chunk->stride = stride;
    chunk->horizon = horizon;
    rc = PS_PROTO_OK;
done:
    free(data);
    free(hs);
    msgpack_unpacked_destroy(&u);
    return rc;
}

int ps_proto_decode_action(const uint8_t *body, size_t len, ps_space_entry *act, size_t nact, char *err,
                           size_t errlen)
{
    return decode_action(body, len, act, nact, NULL, err, errlen);
}

int ps_proto_decode_action_chunk(const uint8_t *body, size_t len, const ps_space_entry *act, size_t nact,
                                 ps_proto_chunk *chunk, char *err, size_t errlen)
{
    return decode_action(body, len, (ps_space_entry *)(uintptr_t)act, nact, chunk, err, errlen);
}
