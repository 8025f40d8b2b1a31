// Mesh file readers for collision geometry: STL (binary and ASCII) and
// Wavefront OBJ. The whole file is read into memory (it is capped at
// PS_MESH_MAX_FILE_BYTES) and parsed with explicit bounds; nothing here
// trusts a count or an index from the file before checking it.
#include "pilotsim/mesh.h"

#include "log_internal.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(float) == 4 && FLT_MANT_DIG == 24 && FLT_RADIX == 2,
               "binary STL needs IEEE-754 single precision floats");

// Both counts stay below this so that 3 * count fits in an int (ODE takes
// index counts as int).
#define PS_MESH_MAX_COUNT ((size_t)(INT_MAX / 3))

// ---------------------------------------------------------------------------
// Growable arrays and the mesh builder (with optional vertex welding).

// Ensures room for `need` elements of `elem` bytes; false on overflow or OOM.
static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t nc = *cap ? *cap : 64;
    while (nc < need) {
        if (nc > SIZE_MAX / 2) return false;
        nc *= 2;
    }
    if (nc > SIZE_MAX / elem) return false;
    void *q = realloc(*p, nc * elem);
    if (!q) return false;
    *p = q;
    *cap = nc;
    return true;
}

typedef struct builder {
    double *v;      // nv x,y,z triples
    size_t nv, vcap; // vcap counted in vertices
    int *t;         // nt index triples
    size_t nt, tcap; // tcap counted in triangles
    int32_t *slots; // welding hash table: vertex index or -1; NULL until used
    size_t nslots;  // power of two
} builder;

static void builder_free(builder *b)
{
    free(b->v);
    free(b->t);
    free(b->slots);
    memset(b, 0, sizeof *b);
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9u;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebu;
    h ^= h >> 31;
    return h;
}

static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static uint64_t hash3(const double *p)
{
    uint64_t h = mix64(dbits(p[0]) + 0x9e3779b97f4a7c15u);
    h = mix64(h ^ dbits(p[1]));
    return mix64(h ^ dbits(p[2]));
}

// Inserts vertex index `vi` (not present yet) into the table.
static void slots_insert(int32_t *slots, size_t nslots, const double *v, int32_t vi)
{
    size_t mask = nslots - 1;
    size_t i = (size_t)hash3(v + 3 * (size_t)vi) & mask;
    while (slots[i] >= 0) i = (i + 1) & mask;
    slots[i] = vi;
}

// Keeps the table at most half full (plus the vertex about to be added).
static bool slots_reserve(builder *b)
{
    if (b->slots && (b->nv + 1) * 2 <= b->nslots) return true;
    size_t n = b->nslots ? b->nslots : 1024;
    while ((b->nv + 1) * 2 > n) {
        if (n > SIZE_MAX / 2) return false;
        n *= 2;
    }
    if (n > SIZE_MAX / sizeof(int32_t)) return false;
    int32_t *s = malloc(n * sizeof *s);
    if (!s) return false;
    for (size_t i = 0; i < n; i++) s[i] = -1;
    for (size_t vi = 0; vi < b->nv; vi++) slots_insert(s, n, b->v, (int32_t)vi);
    free(b->slots);
    b->slots = s;
    b->nslots = n;
    return true;
}

typedef enum add_result { ADD_OK, ADD_NOMEM, ADD_TOO_MANY } add_result;

static add_result add_vertex(builder *b, const double p[3], int *out)
{
    if (b->nv >= PS_MESH_MAX_COUNT) return ADD_TOO_MANY;
    if (!grow((void **)&b->v, &b->vcap, b->nv + 1, 3 * sizeof(double))) return ADD_NOMEM;
    memcpy(b->v + 3 * b->nv, p, 3 * sizeof(double));
    *out = (int)b->nv++;
    return ADD_OK;
}

// Finds the vertex bit-identical to `p` (after folding -0 into +0) or adds it.
static add_result weld_vertex(builder *b, const double p_in[3], int *out)
{
    double p[3];
    for (int k = 0; k < 3; k++) p[k] = p_in[k] == 0 ? 0.0 : p_in[k];
    if (b->slots) {
        size_t mask = b->nslots - 1;
        for (size_t i = (size_t)hash3(p) & mask; b->slots[i] >= 0; i = (i + 1) & mask) {
            const double *q = b->v + 3 * (size_t)b->slots[i];
            if (q[0] == p[0] && q[1] == p[1] && q[2] == p[2]) {
                *out = b->slots[i];
                return ADD_OK;
            }
        }
    }
    if (b->nv >= PS_MESH_MAX_COUNT) return ADD_TOO_MANY;
    if (!slots_reserve(b)) return ADD_NOMEM;
    add_result r = add_vertex(b, p, out);
    if (r == ADD_OK) slots_insert(b->slots, b->nslots, b->v, *out);
    return r;
}

static add_result add_tri(builder *b, int i0, int i1, int i2)
{
    if (b->nt >= PS_MESH_MAX_COUNT) return ADD_TOO_MANY;
    if (!grow((void **)&b->t, &b->tcap, b->nt + 1, 3 * sizeof(int))) return ADD_NOMEM;
    int *t = b->t + 3 * b->nt++;
    t[0] = i0;
    t[1] = i1;
    t[2] = i2;
    return ADD_OK;
}

static bool add_failed(add_result r, const char *path, char *err, size_t errlen)
{
    if (r == ADD_OK) return false;
    if (r == ADD_NOMEM)
        ps_set_error(err, errlen, "%s: out of memory", path);
    else
        ps_set_error(err, errlen, "%s: too many vertices or triangles (limit %zu)", path,
                     PS_MESH_MAX_COUNT);
    return true;
}

// Welds the three corners of a triangle (9 doubles) and appends it.
static bool add_welded_tri(builder *b, const double c[9], const char *path, char *err,
                           size_t errlen)
{
    int idx[3];
    for (int k = 0; k < 3; k++)
        if (add_failed(weld_vertex(b, c + 3 * k, &idx[k]), path, err, errlen)) return false;
    return !add_failed(add_tri(b, idx[0], idx[1], idx[2]), path, err, errlen);
}

// Scales the vertices and hands the arrays over to a new ps_mesh.
static ps_mesh *builder_finish(builder *b, ps_vec3 scale, const char *path, char *err,
                               size_t errlen)
{
    if (b->nt == 0 || b->nv == 0) {
        ps_set_error(err, errlen, "%s: empty mesh: no triangles", path);
        return NULL;
    }
    const double s[3] = {scale.x, scale.y, scale.z};
    for (size_t i = 0; i < b->nv; i++) {
        double *p = b->v + 3 * i;
        for (int k = 0; k < 3; k++) {
            p[k] *= s[k];
            if (!isfinite(p[k])) {
                ps_set_error(err, errlen,
                             "%s: vertex %zu is not finite once scaled by (%g, %g, %g)", path,
                             i + 1, s[0], s[1], s[2]);
                return NULL;
            }
        }
    }
    if ((s[0] < 0) != ((s[1] < 0) != (s[2] < 0))) { // odd number of mirrors
        for (size_t i = 0; i < b->nt; i++) {
            int tmp = b->t[3 * i + 1];
            b->t[3 * i + 1] = b->t[3 * i + 2];
            b->t[3 * i + 2] = tmp;
        }
    }
    ps_mesh *m = malloc(sizeof *m);
    if (!m) {
        ps_set_error(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    // Give back the slack of the doubling growth (keep the larger block if
    // shrinking fails: it is still valid).
    double *v = realloc(b->v, b->nv * 3 * sizeof(double));
    if (v) b->v = v;
    int *t = realloc(b->t, b->nt * 3 * sizeof(int));
    if (t) b->t = t;
    m->vertices = b->v;
    m->indices = b->t;
    m->vertex_count = (int)b->nv;
    m->tri_count = (int)b->nt;
    b->v = NULL;
    b->t = NULL;
    builder_free(b);
    return m;
}

// ---------------------------------------------------------------------------
// Text helpers shared by ASCII STL and OBJ.

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

// Case-insensitive comparison of a token with a lower-case keyword.
static bool tok_is(const char *tok, size_t len, const char *kw)
{
    size_t n = strlen(kw);
    if (len != n) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(tok[i]) != kw[i]) return false;
    return true;
}

// A printable, bounded copy of a token for error messages.
static const char *tok_repr(char *buf, size_t cap, const char *tok, size_t len)
{
    const size_t keep = 24;
    size_t n = len < keep ? len : keep;
    if (n > cap - 4) n = cap - 4;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)tok[i];
        buf[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (n < len) {
        buf[o++] = '.';
        buf[o++] = '.';
        buf[o++] = '.';
    }
    buf[o] = '\0';
    return buf;
}

// Parses a whole token as a C-locale decimal number (strtod's syntax, so
// "nan" and "inf" parse too; callers check finiteness). strtod follows
// LC_NUMERIC, so '.' is swapped for the locale's decimal point and a token
// that already contains that character is refused.
static bool parse_double(const char *tok, size_t len, double *out)
{
    char buf[128];
    if (len == 0 || len >= sizeof buf) return false;
    const char *dp = localeconv()->decimal_point;
    char point = (dp && dp[0] && !dp[1]) ? dp[0] : '.';
    for (size_t i = 0; i < len; i++) {
        char c = tok[i];
        if (c == '\0' || (point != '.' && c == point)) return false;
        buf[i] = (c == '.') ? point : c;
    }
    buf[len] = '\0';
    char *end = NULL;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + len) return false;
    *out = v;
    return true;
}

// A cursor over text; tokens are runs of non-blank characters.
typedef struct cursor {
    const char *p, *end;
    long line; // line of `p`, 1-based
} cursor;

// Next token, crossing newlines (ASCII STL). Returns its length, 0 at the end.
static size_t next_tok(cursor *c, const char **tok, long *line)
{
    while (c->p < c->end && (is_blank(*c->p) || *c->p == '\n')) {
        if (*c->p == '\n') c->line++;
        c->p++;
    }
    *tok = c->p;
    *line = c->line;
    while (c->p < c->end && !is_blank(*c->p) && *c->p != '\n') c->p++;
    return (size_t)(c->p - *tok);
}

static void skip_line(cursor *c)
{
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    if (nl) {
        c->p = nl + 1;
        c->line++;
    } else {
        c->p = c->end;
    }
}

// ---------------------------------------------------------------------------
// STL.

typedef struct stl_ctx {
    const char *path;
    char *err;
    size_t errlen;
    cursor c;
} stl_ctx;

static bool stl_expect(stl_ctx *x, const char *kw)
{
    const char *tok;
    long line;
    size_t len = next_tok(&x->c, &tok, &line);
    if (tok_is(tok, len, kw)) return true;
    char rb[32];
    if (len == 0)
        ps_set_error(x->err, x->errlen, "%s:%ld: expected '%s', found the end of the file",
                     x->path, line, kw);
    else
        ps_set_error(x->err, x->errlen, "%s:%ld: expected '%s', found '%s'", x->path, line, kw,
                     tok_repr(rb, sizeof rb, tok, len));
    return false;
}

static bool stl_number(stl_ctx *x, double *out, bool need_finite, const char *what)
{
    const char *tok;
    long line;
    size_t len = next_tok(&x->c, &tok, &line);
    char rb[32];
    if (len == 0) {
        ps_set_error(x->err, x->errlen, "%s:%ld: expected a %s number, found the end of the file",
                     x->path, line, what);
        return false;
    }
    if (!parse_double(tok, len, out)) {
        ps_set_error(x->err, x->errlen, "%s:%ld: non-numeric token '%s' (expected a %s number)",
                     x->path, line, tok_repr(rb, sizeof rb, tok, len), what);
        return false;
    }
    if (need_finite && !isfinite(*out)) {
        ps_set_error(x->err, x->errlen, "%s:%ld: non-finite %s coordinate '%s'", x->path, line,
                     what, tok_repr(rb, sizeof rb, tok, len));
        return false;
    }
    return true;
}

// solid <name> (facet normal n n n  outer loop  vertex x y z x3  endloop
// endfacet)* endsolid <name>, possibly several solids in one file. Keywords
// are case-insensitive and may be split over lines any way.
static bool stl_ascii(builder *b, const char *buf, size_t len, const char *path, char *err,
                      size_t errlen)
{
    stl_ctx x = {path, err, errlen, {buf, buf + len, 1}};
    char rb[32];
    for (;;) {
        const char *tok;
        long line;
        size_t n = next_tok(&x.c, &tok, &line);
        if (n == 0) break; // end of file between solids
        if (!tok_is(tok, n, "solid")) {
            ps_set_error(err, errlen, "%s:%ld: expected 'solid', found '%s'", path, line,
                         tok_repr(rb, sizeof rb, tok, n));
            return false;
        }
        skip_line(&x.c); // the solid's name
        for (;;) {
            n = next_tok(&x.c, &tok, &line);
            if (n == 0) {
                ps_set_error(err, errlen,
                             "%s:%ld: unexpected end of file: missing 'endsolid' (truncated file?)",
                             path, line);
                return false;
            }
            if (tok_is(tok, n, "endsolid")) {
                skip_line(&x.c);
                break;
            }
            if (!tok_is(tok, n, "facet")) {
                ps_set_error(err, errlen, "%s:%ld: expected 'facet' or 'endsolid', found '%s'",
                             path, line, tok_repr(rb, sizeof rb, tok, n));
                return false;
            }
            double normal, c[9];
            if (!stl_expect(&x, "normal")) return false;
            for (int k = 0; k < 3; k++) // normals are ignored; exporters write NaN ones
                if (!stl_number(&x, &normal, false, "normal")) return false;
            if (!stl_expect(&x, "outer") || !stl_expect(&x, "loop")) return false;
            for (int v = 0; v < 3; v++) {
                if (!stl_expect(&x, "vertex")) return false;
                for (int k = 0; k < 3; k++)
                    if (!stl_number(&x, &c[3 * v + k], true, "vertex")) return false;
            }
            if (!stl_expect(&x, "endloop") || !stl_expect(&x, "endfacet")) return false;
            if (!add_welded_tri(b, c, path, err, errlen)) return false;
        }
    }
    return true;
}

static uint32_t rd_u32le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static double rd_f32le(const unsigned char *p)
{
    uint32_t u = rd_u32le(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return (double)f;
}

// 80-byte header, uint32 count, then per triangle: normal, 3 vertices (12
// little-endian floats) and a 2-byte attribute. The caller checked the size.
static bool stl_binary(builder *b, const unsigned char *buf, uint32_t n, const char *path,
                       char *err, size_t errlen)
{
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *p = buf + 84 + 50 * (size_t)i + 12;
        double c[9];
        for (int k = 0; k < 9; k++) {
            c[k] = rd_f32le(p + 4 * k);
            if (!isfinite(c[k])) {
                ps_set_error(err, errlen, "%s: triangle %lu of %lu has a non-finite coordinate",
                             path, (unsigned long)i + 1, (unsigned long)n);
                return false;
            }
        }
        if (!add_welded_tri(b, c, path, err, errlen)) return false;
    }
    return true;
}

// "solid" (any case) after optional blanks/newlines, followed by a blank,
// newline or the end of the file.
static bool starts_with_solid(const unsigned char *buf, size_t len)
{
    size_t i = 0;
    if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf) i = 3; // UTF-8 BOM
    while (i < len && (is_blank((char)buf[i]) || buf[i] == '\n')) i++;
    if (len - i < 5 || !tok_is((const char *)buf + i, 5, "solid")) return false;
    i += 5;
    return i == len || is_blank((char)buf[i]) || buf[i] == '\n';
}

static ps_mesh *load_stl(const unsigned char *buf, size_t len, ps_vec3 scale, const char *path,
                         char *err, size_t errlen)
{
    builder b = {0};
    bool have_count = len >= 84;
    uint32_t n = have_count ? rd_u32le(buf + 80) : 0;
    uint64_t want = 84 + 50 * (uint64_t)n; // cannot overflow: n < 2^32
    bool ok;
    if (have_count && want == len) {
        // Sized like a binary STL: it is one, even if the header says "solid"
        // (many exporters write that). An ASCII file under the size limit
        // cannot match: its count bytes would be text (each >= 0x09), so it
        // would have to be gigabytes long.
        if (n == 0) {
            ps_set_error(err, errlen, "%s: empty mesh: binary STL with 0 triangles", path);
            return NULL;
        }
        ok = stl_binary(&b, buf, n, path, err, errlen);
    } else if (starts_with_solid(buf, len) && memchr(buf, '\0', len) == NULL) {
        // Text without NUL bytes starting with "solid": ASCII. A binary file
        // with a "solid" header and a wrong size nearly always holds a zero
        // byte somewhere (a float's low bits, the attribute count).
        ok = stl_ascii(&b, (const char *)buf, len, path, err, errlen);
    } else if (!have_count) {
        ps_set_error(err, errlen,
                     "%s: not an STL file: %zu bytes is too small for a binary STL (84 byte "
                     "minimum) and it does not start with 'solid'",
                     path, len);
        return NULL;
    } else {
        if (want > len)
            ps_set_error(err, errlen,
                         "%s: truncated binary STL: the header declares %lu triangles "
                         "(%llu bytes) but the file has %zu bytes",
                         path, (unsigned long)n, (unsigned long long)want, len);
        else
            ps_set_error(err, errlen,
                         "%s: binary STL triangle count %lu does not match the file size: "
                         "expected %llu bytes, found %zu",
                         path, (unsigned long)n, (unsigned long long)want, len);
        return NULL;
    }
    if (!ok) {
        builder_free(&b);
        return NULL;
    }
    ps_mesh *m = builder_finish(&b, scale, path, err, errlen);
    builder_free(&b);
    return m;
}

// ---------------------------------------------------------------------------
// OBJ.

typedef enum obj_kw { OBJ_BLANK, OBJ_V, OBJ_F, OBJ_OTHER } obj_kw;

// One line's content without its comment; `tok` cursor starts after the keyword.
static obj_kw obj_line_keyword(cursor *lc)
{
    const char *tok;
    long line;
    size_t n = next_tok(lc, &tok, &line);
    if (n == 0) return OBJ_BLANK;
    if (n == 1 && tok[0] == 'v') return OBJ_V;
    if (n == 1 && tok[0] == 'f') return OBJ_F;
    return OBJ_OTHER; // vt, vn, vp, usemtl, mtllib, o, g, s, l, p, ...: ignored
}

// Splits off the next line of [*p, end): the content before '#' goes into a
// line cursor; *p moves past the newline.
static cursor obj_next_line(const char **p, const char *end, long line)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *eol = nl ? nl : end;
    const char *hash = memchr(*p, '#', (size_t)(eol - *p));
    cursor lc = {*p, hash ? hash : eol, line};
    *p = nl ? nl + 1 : end;
    return lc;
}

// Parses [+-]digits; false when it is not an integer. Magnitudes beyond
// 10^12 are clamped (the caller reports them out of range).
static bool parse_index(const char *s, size_t len, long long *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == len) return false;
    long long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        if (v < 1000000000000LL) v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

typedef struct obj_ctx {
    const char *path;
    char *err;
    size_t errlen;
    builder *b;
    size_t nv_total; // vertex lines in the whole file
    int *poly;       // the current face's vertex indices
    size_t npoly, polycap;
} obj_ctx;

static bool obj_vertex(obj_ctx *x, cursor *lc)
{
    double p[3] = {0, 0, 0};
    int count = 0;
    const char *tok;
    long line;
    size_t n;
    char rb[32];
    while ((n = next_tok(lc, &tok, &line)) > 0) {
        double v;
        if (!parse_double(tok, n, &v)) {
            ps_set_error(x->err, x->errlen,
                         "%s:%ld: non-numeric token '%s' in a vertex (expected a number)",
                         x->path, line, tok_repr(rb, sizeof rb, tok, n));
            return false;
        }
        if (count < 3) {
            if (!isfinite(v)) {
                ps_set_error(x->err, x->errlen, "%s:%ld: non-finite vertex coordinate '%s'",
                             x->path, line, tok_repr(rb, sizeof rb, tok, n));
                return false;
            }
            p[count] = v;
        }
        count++; // a 4th value is a weight, 4th-6th(7th) may be a colour: ignored
    }
    if (count < 3 || count > 7) {
        ps_set_error(x->err, x->errlen, "%s:%ld: vertex has %d values, expected 3 (x y z) to 7",
                     x->path, lc->line, count);
        return false;
    }
    int vi;
    return !add_failed(add_vertex(x->b, p, &vi), x->path, x->err, x->errlen);
}

// f v1 v2 v3 ..., each vertex as i, i/t, i//n or i/t/n; indices are 1-based
// (any vertex in the file) or negative (relative to the vertices so far).
static bool obj_face(obj_ctx *x, cursor *lc)
{
    const char *tok;
    long line;
    size_t n;
    char rb[32];
    x->npoly = 0;
    while ((n = next_tok(lc, &tok, &line)) > 0) {
        // Split at '/' into at most three parts; only the first is used, the
        // others must be empty or integers.
        size_t parts = 0, start = 0, ilen = 0;
        long long idx = 0;
        for (size_t i = 0; i <= n; i++) {
            if (i < n && tok[i] != '/') continue;
            long long v = 0;
            size_t plen = i - start;
            bool empty_ok = parts > 0 && plen == 0; // i//n
            bool good = parts < 3 && (empty_ok || parse_index(tok + start, plen, &v));
            if (!good) {
                ps_set_error(x->err, x->errlen,
                             "%s:%ld: non-numeric token '%s' in a face (expected a vertex "
                             "index, i/t, i//n or i/t/n)",
                             x->path, line, tok_repr(rb, sizeof rb, tok, n));
                return false;
            }
            if (parts == 0) {
                idx = v;
                ilen = plen < 32 ? plen : 32; // for messages
            }
            parts++;
            start = i + 1;
        }
        size_t sofar = x->b->nv;
        if (idx == 0) {
            ps_set_error(x->err, x->errlen,
                         "%s:%ld: face index 0 is invalid (OBJ indices start at 1)", x->path, line);
            return false;
        }
        size_t resolved;
        if (idx > 0) {
            if ((unsigned long long)idx > x->nv_total) {
                if (x->nv_total == 0)
                    ps_set_error(x->err, x->errlen,
                                 "%s:%ld: face index %.*s out of range: the file has no vertices",
                                 x->path, line, (int)ilen, tok);
                else
                    ps_set_error(x->err, x->errlen, "%s:%ld: face index %.*s out of range 1..%zu",
                                 x->path, line, (int)ilen, tok, x->nv_total);
                return false;
            }
            resolved = (size_t)(idx - 1);
        } else {
            if ((unsigned long long)(-idx) > sofar) {
                if (sofar == 0)
                    ps_set_error(x->err, x->errlen,
                                 "%s:%ld: face index %.*s out of range: no vertex defined before "
                                 "this line",
                                 x->path, line, (int)ilen, tok);
                else
                    ps_set_error(x->err, x->errlen,
                                 "%s:%ld: face index %.*s out of range -%zu..-1 (relative to the "
                                 "%zu vertices defined so far)",
                                 x->path, line, (int)ilen, tok, sofar, sofar);
                return false;
            }
            resolved = sofar - (size_t)(-idx);
        }
        if (!grow((void **)&x->poly, &x->polycap, x->npoly + 1, sizeof(int))) {
            ps_set_error(x->err, x->errlen, "%s: out of memory", x->path);
            return false;
        }
        x->poly[x->npoly++] = (int)resolved; // < nv_total <= PS_MESH_MAX_COUNT
    }
    if (x->npoly < 3) {
        ps_set_error(x->err, x->errlen, "%s:%ld: face has %zu vertices, need at least 3", x->path,
                     lc->line, x->npoly);
        return false;
    }
    for (size_t k = 1; k + 1 < x->npoly; k++) // fan around the first vertex
        if (add_failed(add_tri(x->b, x->poly[0], x->poly[k], x->poly[k + 1]), x->path, x->err,
                       x->errlen))
            return false;
    return true;
}

static ps_mesh *load_obj(const unsigned char *ubuf, size_t len, ps_vec3 scale, const char *path,
                         char *err, size_t errlen)
{
    const char *buf = (const char *)ubuf, *end = buf + len;
    builder b = {0};
    obj_ctx x = {path, err, errlen, &b, 0, NULL, 0, 0};

    // First pass: count the vertices so positive indices can be checked (and
    // may refer to vertices listed after the face) and the array sized once.
    long line = 0;
    for (const char *p = buf; p < end;) {
        cursor lc = obj_next_line(&p, end, ++line);
        if (obj_line_keyword(&lc) == OBJ_V) x.nv_total++;
    }
    if (x.nv_total > PS_MESH_MAX_COUNT) {
        ps_set_error(err, errlen, "%s: too many vertices (%zu, limit %zu)", path, x.nv_total,
                     PS_MESH_MAX_COUNT);
        return NULL;
    }
    bool ok = grow((void **)&b.v, &b.vcap, x.nv_total ? x.nv_total : 1, 3 * sizeof(double));
    if (!ok) ps_set_error(err, errlen, "%s: out of memory", path);

    line = 0;
    for (const char *p = buf; ok && p < end;) {
        cursor lc = obj_next_line(&p, end, ++line);
        switch (obj_line_keyword(&lc)) {
        case OBJ_V: ok = obj_vertex(&x, &lc); break;
        case OBJ_F: ok = obj_face(&x, &lc); break;
        default: break;
        }
    }
    free(x.poly);
    if (!ok) {
        builder_free(&b);
        return NULL;
    }
    if (b.nt == 0) {
        ps_set_error(err, errlen, "%s: empty mesh: no faces ('f' lines) among %ld lines", path,
                     line);
        builder_free(&b);
        return NULL;
    }
    ps_mesh *m = builder_finish(&b, scale, path, err, errlen);
    builder_free(&b);
    return m;
}

// ---------------------------------------------------------------------------
// Files and formats.

// Reads the whole file (NUL-terminated copy, `*len` bytes without the NUL).
static unsigned char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ps_set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    long size = -1; // unknown for pipes and other unseekable files
    if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    if (fseek(f, 0, SEEK_SET) != 0) {
        if (size >= 0) {
            ps_set_error(err, errlen, "%s: cannot seek back to the start", path);
            fclose(f);
            return NULL;
        }
        size = -1;
    }
    if (size >= 0 && (unsigned long)size > PS_MESH_MAX_FILE_BYTES) {
        // Directories can report odd sizes: see whether it reads at all first.
        errno = 0;
        if (getc(f) == EOF && ferror(f))
            ps_set_error(err, errlen, "%s: cannot read: %s", path,
                         errno ? strerror(errno) : "read error");
        else
            ps_set_error(err, errlen, "%s: file is %ld bytes, more than the %zu MiB mesh limit",
                         path, size, PS_MESH_MAX_FILE_BYTES >> 20);
        fclose(f);
        return NULL;
    }
    size_t cap = size >= 0 ? (size_t)size + 2 : 65536; // +1 for the NUL, +1 to see EOF
    unsigned char *buf = malloc(cap);
    if (!buf) {
        ps_set_error(err, errlen, "%s: out of memory reading the file", path);
        fclose(f);
        return NULL;
    }
    size_t n = 0;
    for (;;) {
        if (n + 1 >= cap) { // keep room for the NUL
            if (cap > PS_MESH_MAX_FILE_BYTES + 1) break; // too large, reported below
            size_t nc = cap * 2 > PS_MESH_MAX_FILE_BYTES + 2 ? PS_MESH_MAX_FILE_BYTES + 2 : cap * 2;
            unsigned char *q = realloc(buf, nc);
            if (!q) {
                ps_set_error(err, errlen, "%s: out of memory reading the file", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = q;
            cap = nc;
        }
        errno = 0;
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        ps_set_error(err, errlen, "%s: cannot read: %s", path,
                     errno ? strerror(errno) : "read error");
        free(buf);
        fclose(f);
        return NULL;
    }
    if (n > PS_MESH_MAX_FILE_BYTES) {
        ps_set_error(err, errlen, "%s: file is larger than the %zu MiB mesh limit", path,
                     PS_MESH_MAX_FILE_BYTES >> 20);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

// The extension after the last '.' of the last path component, or NULL.
static const char *extension(const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\') base = p + 1;
    const char *dot = strrchr(base, '.');
    return (dot && dot != base && dot[1]) ? dot + 1 : NULL;
}

static bool ext_is(const char *ext, const char *kw)
{
    return ext && tok_is(ext, strlen(ext), kw);
}

bool ps_mesh_is_collision_format(const char *path)
{
    if (!path) return false;
    const char *ext = extension(path);
    return ext_is(ext, "stl") || ext_is(ext, "obj");
}

ps_mesh *ps_mesh_load(const char *path, ps_vec3 scale, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!path || !path[0]) {
        ps_set_error(err, errlen, "mesh: no file name given");
        return NULL;
    }
    const double s[3] = {scale.x, scale.y, scale.z};
    for (int k = 0; k < 3; k++) {
        if (!isfinite(s[k]) || s[k] == 0) {
            ps_set_error(err, errlen, "%s: invalid mesh scale (%g, %g, %g): components must be "
                         "finite and non-zero", path, s[0], s[1], s[2]);
            return NULL;
        }
    }
    const char *ext = extension(path);
    bool stl = ext_is(ext, "stl"), obj = ext_is(ext, "obj");
    if (!stl && !obj) {
        static const char *const visual[] = {"dae", "gltf", "glb", "fbx", "3ds", "ply",
                                             "blend", "x3d", "wrl", "mesh", "dxf"};
        bool known = false;
        for (size_t i = 0; ext && i < sizeof visual / sizeof visual[0]; i++)
            known = known || ext_is(ext, visual[i]);
        if (!ext)
            ps_set_error(err, errlen,
                         "%s: unknown mesh format (no file extension); collision meshes must "
                         "be .stl or .obj",
                         path);
        else if (known)
            ps_set_error(err, errlen,
                         "%s: .%s meshes are only supported for visuals (the renderer keeps "
                         "them by reference); use an .stl or .obj mesh for collision",
                         path, ext);
        else
            ps_set_error(err, errlen,
                         "%s: unsupported mesh format '.%s'; collision meshes must be .stl "
                         "or .obj",
                         path, ext);
        return NULL;
    }
    size_t len = 0;
    unsigned char *buf = read_file(path, &len, err, errlen);
    if (!buf) return NULL;
    ps_mesh *m = NULL;
    if (len == 0)
        ps_set_error(err, errlen, "%s: empty file", path);
    else if (stl)
        m = load_stl(buf, len, scale, path, err, errlen);
    else
        m = load_obj(buf, len, scale, path, err, errlen);
    free(buf);
    return m;
}

void ps_mesh_free(ps_mesh *m)
{
    if (!m) return;
    free(m->vertices);
    free(m->indices);
    free(m);
}

ps_status ps_mesh_bounds(const ps_mesh *m, ps_vec3 *min, ps_vec3 *max)
{
    if (!m || m->tri_count <= 0 || !m->vertices || !m->indices) return PS_ERR_INVALID;
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    size_t n = 3 * (size_t)m->tri_count;
    for (size_t i = 0; i < n; i++) {
        int vi = m->indices[i];
        if (vi < 0 || vi >= m->vertex_count) return PS_ERR_INVALID; // edited into nonsense
        const double *p = m->vertices + 3 * (size_t)vi;
        for (int k = 0; k < 3; k++) {
            if (p[k] < lo[k]) lo[k] = p[k];
            if (p[k] > hi[k]) hi[k] = p[k];
        }
    }
    if (min) *min = (ps_vec3){lo[0], lo[1], lo[2]};
    if (max) *max = (ps_vec3){hi[0], hi[1], hi[2]};
    return PS_OK;
}

double ps_mesh_volume(const ps_mesh *m)
{
    if (!m || m->tri_count <= 0 || !m->vertices || !m->indices) return 0;
    size_t n = 3 * (size_t)m->tri_count;
    for (size_t i = 0; i < n; i++)
        if (m->indices[i] < 0 || m->indices[i] >= m->vertex_count) return 0;
    // Tetrahedra from a vertex of the mesh rather than the origin: same sum
    // for a closed mesh, less cancellation when the mesh is far from 0.
    const double *o = m->vertices + 3 * (size_t)m->indices[0];
    double sum = 0;
    for (size_t t = 0; t < (size_t)m->tri_count; t++) {
        const int *ix = m->indices + 3 * t;
        double a[3], b[3], c[3];
        for (int k = 0; k < 3; k++) {
            a[k] = m->vertices[3 * (size_t)ix[0] + k] - o[k];
            b[k] = m->vertices[3 * (size_t)ix[1] + k] - o[k];
            c[k] = m->vertices[3 * (size_t)ix[2] + k] - o[k];
        }
        sum += a[0] * (b[1] * c[2] - b[2] * c[1]) + a[1] * (b[2] * c[0] - b[0] * c[2]) +
               a[2] * (b[0] * c[1] - b[1] * c[0]);
    }
    return sum / 6.0;
}
