// URDF reader: expat SAX callbacks fill growable arrays; the tree (names,
// parents, cycles, roots, mimics, materials) is checked once the document is
// complete. Every string lives in one arena owned by the model.
#define _XOPEN_SOURCE 700 // realpath, fileno, strdup

#include "pilotsim/urdf.h"

#include <errno.h>
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

// ---------------------------------------------------------------------------
// Options

ps_urdf_options ps_urdf_default_options(void)
{
    return (ps_urdf_options){ .package_paths = NULL, .package_path_count = 0,
                              .search_ancestors = true, .strict_inertia = false };
}

static ps_status add_dir_n(ps_urdf_options *opt, const char *dir, size_t n)
{
    while (n > 1 && dir[n - 1] == '/') n--;
    if (n == 0) return PS_OK;
    char **p = realloc(opt->package_paths, (opt->package_path_count + 1) * sizeof *p);
    if (!p) return PS_ERR_NOMEM;
    opt->package_paths = p;
    char *s = malloc(n + 1);
    if (!s) return PS_ERR_NOMEM;
    memcpy(s, dir, n);
    s[n] = '\0';
    p[opt->package_path_count++] = s;
    return PS_OK;
}

ps_status ps_urdf_options_add_package_path(ps_urdf_options *opt, const char *dir)
{
    if (!opt || !dir) return PS_ERR_INVALID;
    return add_dir_n(opt, dir, strlen(dir));
}

ps_status ps_urdf_options_add_path_list(ps_urdf_options *opt, const char *list)
{
    if (!opt) return PS_ERR_INVALID;
    if (!list) return PS_OK;
    const char *s = list;
    for (;;) {
        const char *e = strchr(s, ':');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        ps_status st = add_dir_n(opt, s, n);
        if (st != PS_OK) return st;
        if (!e) break;
        s = e + 1;
    }
    return PS_OK;
}

ps_status ps_urdf_options_add_env(ps_urdf_options *opt)
{
    if (!opt) return PS_ERR_INVALID;
    return ps_urdf_options_add_path_list(opt, getenv(PS_URDF_PACKAGE_PATH_ENV));
}

void ps_urdf_options_clear(ps_urdf_options *opt)
{
    if (!opt) return;
    for (size_t i = 0; i < opt->package_path_count; i++) free(opt->package_paths[i]);
    free(opt->package_paths);
    opt->package_paths = NULL;
    opt->package_path_count = 0;
}

// ---------------------------------------------------------------------------
// Small helpers: pose, names

ps_pose ps_urdf_origin_pose(ps_urdf_origin o)
{
    double cr = cos(o.rpy.x * 0.5), sr = sin(o.rpy.x * 0.5);
    double cp = cos(o.rpy.y * 0.5), sp = sin(o.rpy.y * 0.5);
    double cy = cos(o.rpy.z * 0.5), sy = sin(o.rpy.z * 0.5);
    // q = qz(yaw) * qy(pitch) * qx(roll)
    ps_pose p;
    p.p = o.xyz;
    p.q.w = cr * cp * cy + sr * sp * sy;
    p.q.x = sr * cp * cy - cr * sp * sy;
    p.q.y = cr * sp * cy + sr * cp * sy;
    p.q.z = cr * cp * sy - sr * sp * cy;
    return p;
}

static const char *const joint_type_names[] = {
    "revolute", "continuous", "prismatic", "fixed", "floating", "planar",
};
#define JOINT_TYPE_COUNT (sizeof joint_type_names / sizeof joint_type_names[0])

const char *ps_urdf_joint_type_name(ps_urdf_joint_type t)
{
    return (unsigned)t < JOINT_TYPE_COUNT ? joint_type_names[t] : "?";
}

static bool type_uses_axis(ps_urdf_joint_type t)
{
    return t == PS_URDF_REVOLUTE || t == PS_URDF_CONTINUOUS || t == PS_URDF_PRISMATIC ||
           t == PS_URDF_PLANAR;
}

// ---------------------------------------------------------------------------
// String arena

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char data[];
} arena_block;

typedef struct arena { arena_block *head; } arena;

static char *arena_strndup(arena *a, const char *s, size_t n)
{
    arena_block *b = a->head;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > 16384 ? n + 1 : 16384;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    char *d = b->data + b->used;
    memcpy(d, s, n);
    d[n] = '\0';
    b->used += n + 1;
    return d;
}

static char *arena_strdup(arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

static void arena_free(arena *a)
{
    while (a->head) {
        arena_block *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}

// ---------------------------------------------------------------------------
// Name -> index map (open addressing, FNV-1a), so that large documents stay
// linear-time.

typedef struct nm_slot { const char *key; int index; } nm_slot;
typedef struct name_map { nm_slot *slots; size_t cap; } name_map;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static bool nm_init(name_map *m, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 2) cap *= 2;
    m->slots = calloc(cap, sizeof *m->slots);
    m->cap = m->slots ? cap : 0;
    return m->slots != NULL;
}

static int nm_get(const name_map *m, const char *key)
{
    if (!m->cap) return -1;
    for (size_t i = fnv1a(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slots[i].key) return -1;
        if (strcmp(m->slots[i].key, key) == 0) return m->slots[i].index;
    }
}

// Inserts key -> index unless present; returns the existing index or -1.
// The map must have been sized for every insertion.
static int nm_put(name_map *m, const char *key, int index)
{
    for (size_t i = fnv1a(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slots[i].key) {
            m->slots[i] = (nm_slot){ key, index };
            return -1;
        }
        if (strcmp(m->slots[i].key, key) == 0) return m->slots[i].index;
    }
}

// ---------------------------------------------------------------------------
// The model with its private parts

typedef struct link_aux { size_t vis_first, col_first; } link_aux;
typedef struct joint_aux { int parent_line, child_line, mimic_line, axis_line; } joint_aux;

typedef struct urdf_model {
    ps_urdf_model pub; // first: the public pointer is this struct's address
    arena strings;
    ps_urdf_link *links;
    ps_urdf_joint *joints;
    ps_urdf_material *materials;
    ps_urdf_shape *visuals, *collisions;
    int *topo;
    const char **warnings;
    name_map link_names, joint_names;
} urdf_model;

void ps_urdf_free(ps_urdf_model *pm)
{
    if (!pm) return;
    urdf_model *m = (urdf_model *)pm;
    free(m->links);
    free(m->joints);
    free(m->materials);
    free(m->visuals);
    free(m->collisions);
    free(m->topo);
    free(m->warnings);
    free(m->link_names.slots);
    free(m->joint_names.slots);
    arena_free(&m->strings);
    free(m);
}

double ps_urdf_total_mass(const ps_urdf_model *m)
{
    double s = 0;
    if (!m) return 0;
    for (size_t i = 0; i < m->link_count; i++)
        if (m->links[i].has_inertial) s += m->links[i].inertial.mass;
    return s;
}

int ps_urdf_link_find(const ps_urdf_model *m, const char *name)
{
    if (!m || !name) return -1;
    return nm_get(&((const urdf_model *)m)->link_names, name);
}

int ps_urdf_joint_find(const ps_urdf_model *m, const char *name)
{
    if (!m || !name) return -1;
    return nm_get(&((const urdf_model *)m)->joint_names, name);
}

// ---------------------------------------------------------------------------
// Parser state

typedef enum kind {
    K_ROBOT,
    K_LINK,
    K_INERTIAL,
    K_VISUAL,
    K_COLLISION,
    K_GEOMETRY,
    K_MATERIAL,   // robot-level <material>
    K_VMATERIAL,  // <material> inside a <visual>
    K_JOINT,
    K_LEAF,       // a known element without known children
    K_SKIP,       // an ignored element and everything inside it
} kind;

// Bits of frame.seen: which children an element had.
enum {
    S_ORIGIN = 1u << 0, S_MASS = 1u << 1, S_INERTIA = 1u << 2, S_GEOMETRY = 1u << 3,
    S_MATERIAL = 1u << 4, S_PARENT = 1u << 5, S_CHILD = 1u << 6, S_AXIS = 1u << 7,
    S_LIMIT = 1u << 8, S_DYNAMICS = 1u << 9, S_MIMIC = 1u << 10, S_COLOR = 1u << 11,
    S_TEXTURE = 1u << 12, S_SHAPE = 1u << 13, S_INERTIAL = 1u << 14,
};

typedef struct frame {
    kind k;
    unsigned seen;
    int line;
    char name[32]; // element name (truncated), for messages
} frame;

#define MAX_IGNORED_KINDS 64

typedef struct ignored_kind {
    char key[112];
    int line;
    long count;
} ignored_kind;

typedef struct pstate {
    XML_Parser xp;
    const char *path;
    const ps_urdf_options *opt;
    char *urdf_dir;         // absolute folder of the file (malloc)
    char **dirs;            // package search directories (malloc'd copies)
    size_t ndirs;
    urdf_model *m;
    frame stack[PS_URDF_MAX_DEPTH];
    int depth;
    long elements;
    bool failed;
    char err[PS_ERR_LEN];
    int robot_line;
    // current objects (indices)
    int cur_link, cur_joint, cur_material;
    size_t cur_shape;
    bool cur_visual;
    // growable arrays and their capacities
    size_t link_cap, joint_cap, mat_cap, vis_cap, col_cap, warn_cap;
    size_t vis_count, col_count;
    link_aux *laux;
    joint_aux *jaux;
    int *vis_mat_line;      // per visual: line of its <material> (0: none)
    int *inertia_line;      // per link: line of its <inertia>
    ignored_kind ign[MAX_IGNORED_KINDS];
    int nign;
    long ign_more;          // ignored elements of kinds beyond MAX_IGNORED_KINDS
    int ign_more_line;
} pstate;

static void failv(pstate *st, int line, const char *fmt, va_list ap)
{
    if (st->failed) return;
    st->failed = true;
    int n = line > 0 ? snprintf(st->err, sizeof st->err, "%s:%d: ", st->path, line)
                     : snprintf(st->err, sizeof st->err, "%s: ", st->path);
    if (n < 0 || (size_t)n >= sizeof st->err) return;
    vsnprintf(st->err + n, sizeof st->err - (size_t)n, fmt, ap);
}

#if defined(__GNUC__)
#define PS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PS_PRINTF(a, b)
#endif

// Records the first error and stops the parser. Returns false, so that
// `return fail(...)` works in bool functions.
static bool fail(pstate *st, int line, const char *fmt, ...) PS_PRINTF(3, 4);
static bool fail(pstate *st, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    failv(st, line, fmt, ap);
    va_end(ap);
    if (st->xp) XML_StopParser(st->xp, XML_FALSE);
    return false;
}

static bool nomem(pstate *st, int line) { return fail(st, line, "out of memory"); }

static void warn(pstate *st, int line, const char *fmt, ...) PS_PRINTF(3, 4);
static void warn(pstate *st, int line, const char *fmt, ...)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s:%d: ", st->path, line);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof buf) vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    va_end(ap);
    urdf_model *m = st->m;
    if (m->pub.warning_count == st->warn_cap) {
        size_t cap = st->warn_cap ? 2 * st->warn_cap : 8;
        const char **w = realloc(m->warnings, cap * sizeof *w);
        if (!w) {
            nomem(st, line);
            return;
        }
        m->warnings = w;
        st->warn_cap = cap;
    }
    char *s = arena_strdup(&m->strings, buf);
    if (!s) {
        nomem(st, line);
        return;
    }
    m->warnings[m->pub.warning_count++] = s;
}

// Makes room for one more element of size `elem` in *arr (capacity *cap, count n).
static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap) return true;
    size_t c = *cap ? 2 * *cap : 8;
    void *p = realloc(*arr, c * elem);
    if (!p) return false;
    *arr = p;
    *cap = c;
    return true;
}

static const char *attr(const XML_Char **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0) return atts[i + 1];
    return NULL;
}

static const char *req_attr(pstate *st, int line, const char *elem, const XML_Char **atts,
                            const char *name)
{
    const char *v = attr(atts, name);
    if (!v) fail(st, line, "<%s> is missing the required attribute '%s'", elem, name);
    return v;
}

// Same, also rejecting "".
static const char *req_name(pstate *st, int line, const char *elem, const XML_Char **atts,
                            const char *name)
{
    const char *v = req_attr(st, line, elem, atts, name);
    if (v && !*v) {
        fail(st, line, "<%s> has an empty '%s' attribute", elem, name);
        return NULL;
    }
    return v;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Parses one decimal number [+-]digits[.digits][(e|E)[+-]digits] from
// s[0..n): strtod alone would also take "inf", "nan" and hex floats.
static bool parse_token(const char *s, size_t n, double *out, bool *finite)
{
    char buf[128];
    size_t i = 0, digits = 0;
    if (n == 0 || n >= sizeof buf) return false;
    if (s[i] == '+' || s[i] == '-') i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
    }
    if (!digits) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++, ed++;
        if (!ed) return false;
    }
    if (i != n) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + n) return false; // e.g. a locale whose decimal point is not '.'
    *finite = isfinite(v) != 0;
    *out = v;
    return true;
}

// Parses exactly `count` whitespace-separated numbers from attribute `name`
// of <elem>. Reports an error naming the element, attribute and value.
static bool parse_nums(pstate *st, int line, const char *elem, const char *name,
                       const char *value, double *out, size_t count)
{
    size_t k = 0;
    const char *s = value;
    for (;;) {
        while (*s && is_space(*s)) s++;
        if (!*s) break;
        const char *e = s;
        while (*e && !is_space(*e)) e++;
        if (k < count) {
            bool finite = false;
            if (!parse_token(s, (size_t)(e - s), &out[k], &finite)) {
                fail(st, line, "<%s %s=\"%.64s\">: '%.*s' is not a number", elem, name, value,
                     (int)(e - s > 64 ? 64 : e - s), s);
                return false;
            }
            if (!finite) {
                fail(st, line, "<%s %s=\"%.64s\">: '%.*s' is not a finite number", elem, name,
                     value, (int)(e - s > 64 ? 64 : e - s), s);
                return false;
            }
        }
        k++;
        s = e;
    }
    if (k != count) {
        fail(st, line, "<%s %s=\"%.64s\">: expected %zu number%s, got %zu", elem, name, value,
             count, count == 1 ? "" : "s", k);
        return false;
    }
    return true;
}

// Optional numeric attribute: keeps *out when absent.
static bool opt_num(pstate *st, int line, const char *elem, const XML_Char **atts,
                    const char *name, double *out)
{
    const char *v = attr(atts, name);
    return !v || parse_nums(st, line, elem, name, v, out, 1);
}

static bool req_num(pstate *st, int line, const char *elem, const XML_Char **atts,
                    const char *name, double *out)
{
    const char *v = req_attr(st, line, elem, atts, name);
    return v && parse_nums(st, line, elem, name, v, out, 1);
}

static bool non_negative(pstate *st, int line, const char *elem, const char *name, double v)
{
    if (v < 0) fail(st, line, "<%s> attribute '%s' must be >= 0, got %g", elem, name, v);
    return v >= 0;
}

static bool opt_vec3(pstate *st, int line, const char *elem, const XML_Char **atts,
                     const char *name, ps_vec3 *out)
{
    const char *v = attr(atts, name);
    if (!v) return true;
    double d[3];
    if (!parse_nums(st, line, elem, name, v, d, 3)) return false;
    *out = (ps_vec3){ d[0], d[1], d[2] };
    return true;
}

static char *dup_or_fail(pstate *st, int line, const char *s)
{
    char *d = arena_strdup(&st->m->strings, s);
    if (!d) nomem(st, line);
    return d;
}

// A child appearing twice where the URDF spec allows one.
static bool once(pstate *st, frame *parent, unsigned bit, int line, const char *name)
{
    if (parent->seen & bit) {
        fail(st, line, "duplicate <%s> in <%s> (line %d)", name, parent->name, parent->line);
        return false;
    }
    parent->seen |= bit;
    return true;
}

// Records an ignored element; one warning per kind is emitted at the end.
static void ignore_kind(pstate *st, const frame *parent, const char *name, int line)
{
    char key[112];
    if (parent->k == K_ROBOT)
        snprintf(key, sizeof key, "<%.60s>", name);
    else
        snprintf(key, sizeof key, "<%.60s> in <%s>", name, parent->name);
    for (int i = 0; i < st->nign; i++)
        if (strcmp(st->ign[i].key, key) == 0) {
            st->ign[i].count++;
            return;
        }
    if (st->nign < MAX_IGNORED_KINDS) {
        ignored_kind *k = &st->ign[st->nign++];
        memcpy(k->key, key, sizeof key);
        k->line = line;
        k->count = 1;
    } else if (st->ign_more++ == 0) {
        st->ign_more_line = line;
    }
}

// ---------------------------------------------------------------------------
// Mesh filename resolution

static bool existing_file(const char *path, char **abs_out)
{
    char *r = realpath(path, NULL);
    if (!r) return false;
    struct stat sb;
    if (stat(r, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        free(r);
        return false;
    }
    *abs_out = r;
    return true;
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
    char *s = malloc(la + lb + lc + 3);
    if (!s) return NULL;
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb);
    if (c) {
        s[la + 1 + lb] = '/';
        memcpy(s + la + 2 + lb, c, lc + 1);
    } else {
        s[la + 1 + lb] = '\0';
    }
    return s;
}

static const char *base_name(const char *dir)
{
    const char *b = strrchr(dir, '/');
    return b ? b + 1 : dir;
}

// A mesh that cannot be resolved: an error for collisions; for a visual (not
// needed to simulate) a warning, and the visual keeps no mesh (not drawn).
#define mesh_fail(st, line, ...) \
    (void)((st)->cur_visual ? warn_then((st), (line), "the visual is left out (only collisions need meshes to simulate)", \
                                        __VA_ARGS__)                                                                  \
                            : fail((st), (line), __VA_ARGS__))
// A texture that cannot be resolved: a warning, the visual keeps its colour.
#define uri_fail(st, line, elem, ...)                                                                          \
    (strcmp((elem), "texture") == 0 ? (void)warn_then((st), (line), "the visual is drawn in its colour", __VA_ARGS__) \
                                    : mesh_fail((st), (line), __VA_ARGS__))

// A warning: the formatted message, then "; " and what happens instead (`then`).
static bool warn_then(pstate *st, int line, const char *then, const char *fmt, ...) PS_PRINTF(4, 5);
static bool warn_then(pstate *st, int line, const char *then, const char *fmt, ...)
{
    char msg[3072];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    warn(st, line, "%s; %s", msg, then);
    return false;
}

// The absolute path of the file a `<mesh>` or `<texture>` (`elem`) names
// (malloc), or NULL after uri_fail().
static char *resolve_uri(pstate *st, int line, const char *uri, const char *elem)
{
    static const char pkg_scheme[] = "package://", file_scheme[] = "file://";
    char *abs = NULL;
    if (strncmp(uri, pkg_scheme, sizeof pkg_scheme - 1) == 0) {
        const char *pkg = uri + sizeof pkg_scheme - 1;
        if (*pkg == '/') {
            // package:///pkg/path (three slashes, seen in published URDFs): an
            // empty URI authority; read as package://pkg/path.
            while (*pkg == '/') pkg++;
            warn(st, line, "<%s filename=\"%.300s\">: package:/// with three slashes, read as package://%.300s", elem,
                 uri, pkg);
        }
        const char *slash = strchr(pkg, '/');
        if (!slash || slash == pkg || !slash[1]) {
            uri_fail(st, line, elem, "<%s filename=\"%.200s\">: expected package://PACKAGE/PATH", elem, uri);
            return NULL;
        }
        size_t plen = (size_t)(slash - pkg);
        char pkgname[256];
        if (plen >= sizeof pkgname) {
            uri_fail(st, line, elem, "<%s filename=\"%.200s\">: package name too long", elem, uri);
            return NULL;
        }
        memcpy(pkgname, pkg, plen);
        pkgname[plen] = '\0';
        const char *rest = slash + 1;
        for (size_t i = 0; i < st->ndirs; i++) {
            char *c = join3(st->dirs[i], pkgname, rest);
            if (!c) return nomem(st, line), NULL;
            bool ok = existing_file(c, &abs);
            free(c);
            if (ok) return abs;
            if (strcmp(base_name(st->dirs[i]), pkgname) == 0) {
                c = join3(st->dirs[i], rest, NULL);
                if (!c) return nomem(st, line), NULL;
                ok = existing_file(c, &abs);
                free(c);
                if (ok) return abs;
            }
        }
        // Name every directory tried, so the user sees what to add.
        char tried[2048];
        size_t n = 0;
        tried[0] = '\0';
        for (size_t i = 0; i < st->ndirs && n < sizeof tried; i++) {
            int w = snprintf(tried + n, sizeof tried - n, "%s%s", i ? ", " : "", st->dirs[i]);
            if (w < 0) break;
            n += (size_t)w;
        }
        uri_fail(st, line, elem,
             "cannot resolve %s '%.300s': no %s/%.300s in the package directories "
             "(tried: %s); add the folder containing '%s' to %s or --package-path",
             elem, uri, pkgname, rest, st->ndirs ? tried : "none", pkgname,
             PS_URDF_PACKAGE_PATH_ENV);
        return NULL;
    }
    const char *p = uri;
    if (strncmp(p, file_scheme, sizeof file_scheme - 1) == 0) {
        p += sizeof file_scheme - 1;
    } else if (strstr(p, "://")) {
        uri_fail(st, line, elem, "<%s filename=\"%.300s\">: unsupported URI scheme (expected "
                       "package://, file:// or a path)", elem, uri);
        return NULL;
    }
    if (!*p) {
        uri_fail(st, line, elem, "<%s> has an empty filename", elem);
        return NULL;
    }
    char *c = p[0] == '/' ? join3("", p + 1, NULL) : join3(st->urdf_dir, p, NULL);
    if (!c) return nomem(st, line), NULL;
    bool ok = existing_file(c, &abs);
    if (!ok) uri_fail(st, line, elem, "%s file '%.300s' not found (looked for %.1000s)", elem, uri, c);
    free(c);
    return ok ? abs : NULL;
}

// ---------------------------------------------------------------------------
// Element handlers

static ps_urdf_shape *cur_shape(pstate *st)
{
    return st->cur_visual ? &st->m->visuals[st->cur_shape] : &st->m->collisions[st->cur_shape];
}

static bool parse_origin(pstate *st, int line, const XML_Char **atts, ps_urdf_origin *o)
{
    return opt_vec3(st, line, "origin", atts, "xyz", &o->xyz) &&
           opt_vec3(st, line, "origin", atts, "rpy", &o->rpy);
}

static bool parse_rgba(pstate *st, int line, const XML_Char **atts, double rgba[4])
{
    const char *v = req_attr(st, line, "color", atts, "rgba");
    return v && parse_nums(st, line, "color", "rgba", v, rgba, 4);
}

static kind start_robot_child(pstate *st, frame *parent, const char *name,
                              const XML_Char **atts, int line)
{
    urdf_model *m = st->m;
    if (strcmp(name, "link") == 0) {
        const char *n = req_name(st, line, "link", atts, "name");
        if (!n) return K_SKIP;
        size_t i = m->pub.link_count;
        size_t lcap = st->link_cap;
        if (!grow((void **)&m->links, &st->link_cap, i, sizeof *m->links)) goto oom;
        if (st->link_cap != lcap) {
            // keep the per-link side arrays the same capacity
            link_aux *la = realloc(st->laux, st->link_cap * sizeof *la);
            if (la) st->laux = la;
            int *il = realloc(st->inertia_line, st->link_cap * sizeof *il);
            if (il) st->inertia_line = il;
            if (!la || !il) goto oom;
        }
        ps_urdf_link *l = &m->links[i];
        memset(l, 0, sizeof *l);
        if (!(l->name = dup_or_fail(st, line, n))) return K_SKIP;
        l->parent_joint = -1;
        l->line = line;
        st->laux[i] = (link_aux){ st->vis_count, st->col_count };
        st->inertia_line[i] = 0;
        m->pub.link_count++;
        st->cur_link = (int)i;
        return K_LINK;
    }
    if (strcmp(name, "joint") == 0) {
        const char *n = req_name(st, line, "joint", atts, "name");
        const char *t = n ? req_attr(st, line, "joint", atts, "type") : NULL;
        if (!t) return K_SKIP;
        size_t ti = 0;
        while (ti < JOINT_TYPE_COUNT && strcmp(t, joint_type_names[ti]) != 0) ti++;
        if (ti == JOINT_TYPE_COUNT) {
            fail(st, line, "joint '%.200s': unknown type '%.64s' (expected revolute, "
                           "continuous, prismatic, fixed, floating or planar)", n, t);
            return K_SKIP;
        }
        size_t i = m->pub.joint_count;
        size_t jcap = st->joint_cap;
        if (!grow((void **)&m->joints, &st->joint_cap, i, sizeof *m->joints)) goto oom;
        if (st->joint_cap != jcap) {
            joint_aux *ja = realloc(st->jaux, st->joint_cap * sizeof *ja);
            if (!ja) goto oom;
            st->jaux = ja;
        }
        ps_urdf_joint *j = &m->joints[i];
        memset(j, 0, sizeof *j);
        if (!(j->name = dup_or_fail(st, line, n))) return K_SKIP;
        j->type = (ps_urdf_joint_type)ti;
        j->parent_link = j->child_link = -1;
        j->axis = (ps_vec3){ 1, 0, 0 };
        j->mimic_index = -1;
        j->mimic_multiplier = 1;
        j->line = line;
        st->jaux[i] = (joint_aux){ 0, 0, 0, 0 };
        m->pub.joint_count++;
        st->cur_joint = (int)i;
        return K_JOINT;
    }
    if (strcmp(name, "material") == 0) {
        const char *n = req_name(st, line, "material", atts, "name");
        if (!n) return K_SKIP;
        size_t i = m->pub.material_count;
        if (!grow((void **)&m->materials, &st->mat_cap, i, sizeof *m->materials)) goto oom;
        ps_urdf_material *mt = &m->materials[i];
        memset(mt, 0, sizeof *mt);
        if (!(mt->name = dup_or_fail(st, line, n))) return K_SKIP;
        mt->line = line;
        m->pub.material_count++;
        st->cur_material = (int)i;
        return K_MATERIAL;
    }
    ignore_kind(st, parent, name, line);
    return K_SKIP;
oom:
    nomem(st, line);
    return K_SKIP;
}

static kind start_link_child(pstate *st, frame *parent, const char *name,
                             const XML_Char **atts, int line)
{
    urdf_model *m = st->m;
    ps_urdf_link *l = &m->links[st->cur_link];
    if (strcmp(name, "inertial") == 0) {
        if (!once(st, parent, S_INERTIAL, line, name)) return K_SKIP;
        l->has_inertial = true;
        return K_INERTIAL;
    }
    bool vis = strcmp(name, "visual") == 0;
    if (vis || strcmp(name, "collision") == 0) {
        ps_urdf_shape **arr = vis ? &m->visuals : &m->collisions;
        size_t *count = vis ? &st->vis_count : &st->col_count;
        size_t *cap = vis ? &st->vis_cap : &st->col_cap;
        size_t old = *cap;
        if (!grow((void **)arr, cap, *count, sizeof **arr)) goto oom;
        if (vis && *cap != old) {
            int *ml = realloc(st->vis_mat_line, *cap * sizeof *ml);
            if (!ml) goto oom;
            st->vis_mat_line = ml;
        }
        ps_urdf_shape *s = &(*arr)[*count];
        memset(s, 0, sizeof *s);
        s->line = line;
        s->geometry.mesh_scale = (ps_vec3){ 1, 1, 1 };
        const char *n = attr(atts, "name");
        if (n && !(s->name = dup_or_fail(st, line, n))) return K_SKIP;
        if (vis) {
            st->vis_mat_line[*count] = 0;
            l->visual_count++;
        } else {
            l->collision_count++;
        }
        st->cur_shape = (*count)++;
        st->cur_visual = vis;
        return vis ? K_VISUAL : K_COLLISION;
    }
    ignore_kind(st, parent, name, line);
    return K_SKIP;
oom:
    nomem(st, line);
    return K_SKIP;
}

static kind start_inertial_child(pstate *st, frame *parent, const char *name,
                                 const XML_Char **atts, int line)
{
    ps_urdf_inertial *in = &st->m->links[st->cur_link].inertial;
    if (strcmp(name, "origin") == 0) {
        if (once(st, parent, S_ORIGIN, line, name)) parse_origin(st, line, atts, &in->origin);
        return K_LEAF;
    }
    if (strcmp(name, "mass") == 0) {
        if (once(st, parent, S_MASS, line, name) &&
            req_num(st, line, "mass", atts, "value", &in->mass) && in->mass < 0)
            fail(st, line, "link '%.200s': negative mass %g kg",
                 st->m->links[st->cur_link].name, in->mass);
        return K_LEAF;
    }
    if (strcmp(name, "inertia") == 0) {
        if (!once(st, parent, S_INERTIA, line, name)) return K_SKIP;
        static const char *const names[6] = { "ixx", "ixy", "ixz", "iyy", "iyz", "izz" };
        double *dst[6] = { &in->ixx, &in->ixy, &in->ixz, &in->iyy, &in->iyz, &in->izz };
        for (int i = 0; i < 6; i++)
            if (!req_num(st, line, "inertia", atts, names[i], dst[i])) return K_SKIP;
        st->inertia_line[st->cur_link] = line;
        return K_LEAF;
    }
    ignore_kind(st, parent, name, line);
    return K_SKIP;
}

static kind start_shape_child(pstate *st, frame *parent, const char *name,
                              const XML_Char **atts, int line)
{
    ps_urdf_shape *s = cur_shape(st);
    if (strcmp(name, "origin") == 0) {
        if (once(st, parent, S_ORIGIN, line, name)) parse_origin(st, line, atts, &s->origin);
        return K_LEAF;
    }
    if (strcmp(name, "geometry") == 0) {
        once(st, parent, S_GEOMETRY, line, name);
        return K_GEOMETRY;
    }
    if (parent->k == K_VISUAL && strcmp(name, "material") == 0) {
        if (!once(st, parent, S_MATERIAL, line, name)) return K_SKIP;
        const char *n = attr(atts, "name");
        if (!(s->material = dup_or_fail(st, line, n ? n : ""))) return K_SKIP;
        st->vis_mat_line[st->cur_shape] = line;
        return K_VMATERIAL;
    }
    ignore_kind(st, parent, name, line);
    return K_SKIP;
}

static kind start_geometry_child(pstate *st, frame *parent, const char *name,
                                 const XML_Char **atts, int line)
{
    ps_urdf_geometry *g = &cur_shape(st)->geometry;
    bool box = strcmp(name, "box") == 0, cyl = strcmp(name, "cylinder") == 0;
    bool sph = strcmp(name, "sphere") == 0, mesh = strcmp(name, "mesh") == 0;
    if (!box && !cyl && !sph && !mesh) {
        fail(st, line, "unknown geometry <%.64s> (expected box, cylinder, sphere or mesh)",
             name);
        return K_SKIP;
    }
    if (parent->seen & S_SHAPE) {
        fail(st, line, "<geometry> (line %d) has more than one shape", parent->line);
        return K_SKIP;
    }
    parent->seen |= S_SHAPE;
    if (box) {
        g->type = PS_URDF_GEOM_BOX;
        const char *v = req_attr(st, line, "box", atts, "size");
        double d[3];
        if (!v || !parse_nums(st, line, "box", "size", v, d, 3)) return K_SKIP;
        for (int i = 0; i < 3; i++)
            if (!non_negative(st, line, "box", "size", d[i])) return K_SKIP;
        g->size = (ps_vec3){ d[0], d[1], d[2] };
    } else if (cyl) {
        g->type = PS_URDF_GEOM_CYLINDER;
        if (!req_num(st, line, "cylinder", atts, "radius", &g->radius) ||
            !req_num(st, line, "cylinder", atts, "length", &g->length) ||
            !non_negative(st, line, "cylinder", "radius", g->radius) ||
            !non_negative(st, line, "cylinder", "length", g->length))
            return K_SKIP;
    } else if (sph) {
        g->type = PS_URDF_GEOM_SPHERE;
        if (!req_num(st, line, "sphere", atts, "radius", &g->radius) ||
            !non_negative(st, line, "sphere", "radius", g->radius))
            return K_SKIP;
    } else {
        g->type = PS_URDF_GEOM_MESH;
        const char *fn = req_name(st, line, "mesh", atts, "filename");
        if (!fn || !opt_vec3(st, line, "mesh", atts, "scale", &g->mesh_scale)) return K_SKIP;
        if (!(g->mesh_uri = dup_or_fail(st, line, fn))) return K_SKIP;
        char *abs = resolve_uri(st, line, fn, "mesh");
        if (!abs) return st->failed ? K_SKIP : K_LEAF; // a visual's missing mesh: warned, no path
        g->mesh_path = dup_or_fail(st, line, abs);
        free(abs);
    }
    return K_LEAF;
}

static kind start_material_child(pstate *st, frame *parent, const char *name,
                                 const XML_Char **atts, int line)
{
    bool *has_rgba;
    double *rgba;
    const char **texture;
    if (parent->k == K_MATERIAL) {
        ps_urdf_material *mt = &st->m->materials[st->cur_material];
        has_rgba = &mt->has_rgba, rgba = mt->rgba, texture = &mt->texture;
    } else {
        ps_urdf_shape *s = cur_shape(st);
        has_rgba = &s->has_rgba, rgba = s->rgba, texture = &s->texture;
    }
    if (strcmp(name, "color") == 0) {
        if (once(st, parent, S_COLOR, line, name) && parse_rgba(st, line, atts, rgba))
            *has_rgba = true;
        return K_LEAF;
    }
    if (strcmp(name, "texture") == 0) {
        if (!once(st, parent, S_TEXTURE, line, name)) return K_SKIP;
        const char *fn = attr(atts, "filename");
        if (fn) *texture = dup_or_fail(st, line, fn);
        return K_LEAF;
    }
    ignore_kind(st, parent, name, line);
    return K_SKIP;
}

static kind start_joint_child(pstate *st, frame *parent, const char *name,
                              const XML_Char **atts, int line)
{
    ps_urdf_joint *j = &st->m->joints[st->cur_joint];
    joint_aux *ja = &st->jaux[st->cur_joint];
    if (strcmp(name, "origin") == 0) {
        if (once(st, parent, S_ORIGIN, line, name)) parse_origin(st, line, atts, &j->origin);
        return K_LEAF;
    }
    bool is_parent = strcmp(name, "parent") == 0;
    if (is_parent || strcmp(name, "child") == 0) {
        if (!once(st, parent, is_parent ? S_PARENT : S_CHILD, line, name)) return K_SKIP;
        const char *l = req_name(st, line, name, atts, "link");
        if (!l) return K_SKIP;
        const char *d = dup_or_fail(st, line, l);
        if (is_parent)
            j->parent = d, ja->parent_line = line;
        else
            j->child = d, ja->child_line = line;
        return K_LEAF;
    }
    if (strcmp(name, "axis") == 0) {
        if (!once(st, parent, S_AXIS, line, name)) return K_SKIP;
        ps_vec3 a = j->axis;
        if (!opt_vec3(st, line, "axis", atts, "xyz", &a)) return K_SKIP;
        double n = sqrt(a.x * a.x + a.y * a.y + a.z * a.z);
        if (n > 0 && isfinite(n)) {
            j->axis = (ps_vec3){ a.x / n, a.y / n, a.z / n };
        } else if (type_uses_axis(j->type)) {
            fail(st, line, "joint '%.200s' (%s): axis must not be zero", j->name,
                 ps_urdf_joint_type_name(j->type));
            return K_SKIP;
        } // fixed and floating joints ignore their axis: keep the default
        ja->axis_line = line;
        return K_LEAF;
    }
    if (strcmp(name, "limit") == 0) {
        if (!once(st, parent, S_LIMIT, line, name)) return K_SKIP;
        j->has_limit = true;
        if (!opt_num(st, line, "limit", atts, "lower", &j->lower) ||
            !opt_num(st, line, "limit", atts, "upper", &j->upper) ||
            !req_num(st, line, "limit", atts, "effort", &j->effort) ||
            !req_num(st, line, "limit", atts, "velocity", &j->velocity) ||
            !non_negative(st, line, "limit", "effort", j->effort) ||
            !non_negative(st, line, "limit", "velocity", j->velocity))
            return K_SKIP;
        if ((j->type == PS_URDF_REVOLUTE || j->type == PS_URDF_PRISMATIC) && j->lower > j->upper)
            fail(st, line, "joint '%.200s': lower limit %g > upper limit %g", j->name, j->lower,
                 j->upper);
        return K_LEAF;
    }
    if (strcmp(name, "dynamics") == 0) {
        if (!once(st, parent, S_DYNAMICS, line, name)) return K_SKIP;
        j->has_dynamics = true;
        if (opt_num(st, line, "dynamics", atts, "damping", &j->damping))
            opt_num(st, line, "dynamics", atts, "friction", &j->friction);
        return K_LEAF;
    }
    if (strcmp(name, "mimic") == 0) {
        if (!once(st, parent, S_MIMIC, line, name)) return K_SKIP;
        const char *mj = req_name(st, line, "mimic", atts, "joint");
        if (!mj || !opt_num(st, line, "mimic", atts, "multiplier", &j->mimic_multiplier) ||
            !opt_num(st, line, "mimic", atts, "offset", &j->mimic_offset))
            return K_SKIP;
        j->has_mimic = true;
        j->mimic_joint = dup_or_fail(st, line, mj);
        ja->mimic_line = line;
        return K_LEAF;
    }
    if (strcmp(name, "safety_controller") == 0 || strcmp(name, "calibration") == 0)
        return K_SKIP; // meaningful to controllers only
    ignore_kind(st, parent, name, line);
    return K_SKIP;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    pstate *st = ud;
    if (st->failed) return;
    int line = (int)XML_GetCurrentLineNumber(st->xp);
    if (++st->elements > PS_URDF_MAX_ELEMENTS) {
        fail(st, line, "too many XML elements (limit %d)", PS_URDF_MAX_ELEMENTS);
        return;
    }
    if (st->depth >= PS_URDF_MAX_DEPTH) {
        fail(st, line, "elements nested deeper than %d levels", PS_URDF_MAX_DEPTH);
        return;
    }
    frame *parent = st->depth ? &st->stack[st->depth - 1] : NULL;
    kind k;
    if (!parent) {
        if (strcmp(name, "robot") != 0) {
            fail(st, line, "the root element is <%.64s>, expected <robot>", name);
            return;
        }
        const char *n = req_attr(st, line, "robot", atts, "name");
        if (!n || !(st->m->pub.name = dup_or_fail(st, line, n))) return;
        st->robot_line = line;
        k = K_ROBOT;
    } else {
        switch (parent->k) {
        case K_ROBOT: k = start_robot_child(st, parent, name, atts, line); break;
        case K_LINK: k = start_link_child(st, parent, name, atts, line); break;
        case K_INERTIAL: k = start_inertial_child(st, parent, name, atts, line); break;
        case K_VISUAL:
        case K_COLLISION: k = start_shape_child(st, parent, name, atts, line); break;
        case K_GEOMETRY: k = start_geometry_child(st, parent, name, atts, line); break;
        case K_MATERIAL:
        case K_VMATERIAL: k = start_material_child(st, parent, name, atts, line); break;
        case K_JOINT: k = start_joint_child(st, parent, name, atts, line); break;
        case K_LEAF: ignore_kind(st, parent, name, line); k = K_SKIP; break;
        case K_SKIP:
        default: k = K_SKIP; break;
        }
    }
    if (st->failed) return;
    frame *f = &st->stack[st->depth++];
    f->k = k;
    f->seen = 0;
    f->line = line;
    snprintf(f->name, sizeof f->name, "%s", name);
}

static bool inertia_positive_definite(const ps_urdf_inertial *in)
{
    double a = in->ixx, b = in->ixy, c = in->ixz, d = in->iyy, e = in->iyz, f = in->izz;
    double m2 = a * d - b * b;
    double det = a * (d * f - e * e) - b * (b * f - e * c) + c * (b * e - d * c);
    return a > 0 && m2 > 0 && det > 0;
}

// Principal moments of a symmetric 3x3 tensor (closed form, ascending).
static void principal_moments(const ps_urdf_inertial *in, double ev[3])
{
    double a = in->ixx, b = in->iyy, c = in->izz, d = in->ixy, e = in->ixz, f = in->iyz;
    double p1 = d * d + e * e + f * f, q = (a + b + c) / 3;
    if (p1 == 0) {
        ev[0] = a; ev[1] = b; ev[2] = c;
    } else {
        double p2 = (a - q) * (a - q) + (b - q) * (b - q) + (c - q) * (c - q) + 2 * p1, p = sqrt(p2 / 6);
        double B[6] = {(a - q) / p, (b - q) / p, (c - q) / p, d / p, e / p, f / p};
        double det = B[0] * (B[1] * B[2] - B[5] * B[5]) - B[3] * (B[3] * B[2] - B[5] * B[4]) +
                     B[4] * (B[3] * B[5] - B[1] * B[4]);
        double r = fmax(-1, fmin(1, det / 2)), phi = acos(r) / 3;
        ev[2] = q + 2 * p * cos(phi);
        ev[0] = q + 2 * p * cos(phi + 2.0943951023931953); // + 2 pi / 3
        ev[1] = 3 * q - ev[0] - ev[2];
    }
    for (int i = 0; i < 2; i++) // sort ascending
        for (int j = 0; j < 2 - i; j++)
            if (ev[j] > ev[j + 1]) {
                double t = ev[j]; ev[j] = ev[j + 1]; ev[j + 1] = t;
            }
}

static void end_inertial(pstate *st, const frame *f)
{
    ps_urdf_link *l = &st->m->links[st->cur_link];
    if (!(f->seen & S_MASS)) {
        fail(st, f->line, "link '%.200s': <inertial> has no <mass>", l->name);
        return;
    }
    if (!(f->seen & S_INERTIA)) {
        fail(st, f->line, "link '%.200s': <inertial> has no <inertia>", l->name);
        return;
    }
    const ps_urdf_inertial *in = &l->inertial;
    // A massless frame written as mass 0 with a zero tensor is common and fine.
    bool all_zero = in->mass == 0 && in->ixx == 0 && in->ixy == 0 && in->ixz == 0 &&
                    in->iyy == 0 && in->iyz == 0 && in->izz == 0;
    int line = st->inertia_line[st->cur_link];
    if (all_zero) return;
    if (inertia_positive_definite(in)) {
        // No rigid body has principal moments with I1 + I2 < I3; simulators
        // (MuJoCo included) reject or misbehave on such tensors.
        double ev[3];
        principal_moments(in, ev);
        if (ev[0] + ev[1] < ev[2] * (1 - 1e-9))
            warn(st, line, "link '%.200s': inertia violates the triangle inequality (principal moments %g, %g, %g: "
                           "%g + %g < %g), which no rigid body has", l->name, ev[0], ev[1], ev[2], ev[0], ev[1], ev[2]);
        return;
    }
    const char *fmt = "link '%.200s': inertia is not positive definite (ixx=%g ixy=%g "
                      "ixz=%g iyy=%g iyz=%g izz=%g)";
    if (st->opt->strict_inertia)
        fail(st, line, fmt, l->name, in->ixx, in->ixy, in->ixz, in->iyy, in->iyz, in->izz);
    else
        warn(st, line, fmt, l->name, in->ixx, in->ixy, in->ixz, in->iyy, in->iyz, in->izz);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    pstate *st = ud;
    (void)name;
    if (st->failed || st->depth == 0) return;
    frame *f = &st->stack[--st->depth];
    urdf_model *m = st->m;
    switch (f->k) {
    case K_INERTIAL: end_inertial(st, f); break;
    case K_VISUAL:
    case K_COLLISION:
        if (!(f->seen & S_GEOMETRY))
            fail(st, f->line, "<%s> of link '%.200s' has no <geometry>", f->name,
                 m->links[st->cur_link].name);
        break;
    case K_GEOMETRY:
        if (!(f->seen & S_SHAPE))
            fail(st, f->line, "empty <geometry> (expected box, cylinder, sphere or mesh)");
        break;
    case K_MATERIAL:
        if (!(f->seen & (S_COLOR | S_TEXTURE)))
            fail(st, f->line, "material '%.200s' has neither <color> nor <texture>",
                 m->materials[st->cur_material].name);
        break;
    case K_JOINT: {
        const ps_urdf_joint *j = &m->joints[st->cur_joint];
        if (!(f->seen & S_PARENT))
            fail(st, f->line, "joint '%.200s' has no <parent>", j->name);
        else if (!(f->seen & S_CHILD))
            fail(st, f->line, "joint '%.200s' has no <child>", j->name);
        else if ((j->type == PS_URDF_REVOLUTE || j->type == PS_URDF_PRISMATIC) && !j->has_limit)
            fail(st, f->line, "joint '%.200s' (%s) has no <limit> (required for revolute and "
                              "prismatic joints)", j->name, ps_urdf_joint_type_name(j->type));
        break;
    }
    default: break;
    }
}

// External entities are never loaded: referencing one is an error.
static int XMLCALL on_external_entity(XML_Parser p, const XML_Char *context,
                                      const XML_Char *base, const XML_Char *system_id,
                                      const XML_Char *public_id)
{
    (void)p, (void)context, (void)base, (void)system_id, (void)public_id;
    return XML_STATUS_ERROR;
}

// ---------------------------------------------------------------------------
// Whole-model checks

static bool check_tree(pstate *st)
{
    urdf_model *m = st->m;
    size_t nl = m->pub.link_count, nj = m->pub.joint_count;
    if (nl == 0) {
        return fail(st, st->robot_line, "robot '%.200s' has no <link>", m->pub.name);
    }
    if (!nm_init(&m->link_names, nl) || !nm_init(&m->joint_names, nj))
        return nomem(st, st->robot_line);
    for (size_t i = 0; i < nl; i++) {
        int prev = nm_put(&m->link_names, m->links[i].name, (int)i);
        if (prev >= 0)
            return fail(st, m->links[i].line, "duplicate link name '%.200s' (first at line %d)",
                        m->links[i].name, m->links[prev].line);
    }
    for (size_t i = 0; i < nj; i++) {
        int prev = nm_put(&m->joint_names, m->joints[i].name, (int)i);
        if (prev >= 0)
            return fail(st, m->joints[i].line,
                        "duplicate joint name '%.200s' (first at line %d)", m->joints[i].name,
                        m->joints[prev].line);
    }
    for (size_t i = 0; i < nj; i++) {
        ps_urdf_joint *j = &m->joints[i];
        const joint_aux *ja = &st->jaux[i];
        j->parent_link = nm_get(&m->link_names, j->parent);
        if (j->parent_link < 0)
            return fail(st, ja->parent_line, "joint '%.200s': parent link '%.200s' is not defined",
                        j->name, j->parent);
        j->child_link = nm_get(&m->link_names, j->child);
        if (j->child_link < 0)
            return fail(st, ja->child_line, "joint '%.200s': child link '%.200s' is not defined",
                        j->name, j->child);
        if (j->child_link == j->parent_link)
            return fail(st, ja->child_line, "joint '%.200s': link '%.200s' is its own parent",
                        j->name, j->child);
        ps_urdf_link *c = &m->links[j->child_link];
        if (c->parent_joint >= 0)
            return fail(st, ja->child_line,
                        "link '%.200s' has two parents: joint '%.200s' (line %d) and joint "
                        "'%.200s'", c->name, m->joints[c->parent_joint].name,
                        m->joints[c->parent_joint].line, j->name);
        c->parent_joint = (int)i;
    }
    for (size_t i = 0; i < nj; i++) {
        ps_urdf_joint *j = &m->joints[i];
        if (!j->has_mimic) continue;
        j->mimic_index = nm_get(&m->joint_names, j->mimic_joint);
        if (j->mimic_index < 0)
            return fail(st, st->jaux[i].mimic_line,
                        "joint '%.200s' mimics joint '%.200s', which is not defined", j->name,
                        j->mimic_joint);
        if (j->mimic_index == (int)i)
            return fail(st, st->jaux[i].mimic_line, "joint '%.200s' mimics itself", j->name);
    }
    // A chain of mimics that comes back to where it started has no joint
    // that moves by itself.
    for (size_t i = 0; i < nj; i++) {
        int k = (int)i;
        for (size_t steps = 0; steps <= nj && m->joints[k].has_mimic; steps++) {
            k = m->joints[k].mimic_index;
            if (k == (int)i)
                return fail(st, st->jaux[i].mimic_line,
                            "joint '%.200s' mimics joint '%.200s', which leads back to it (a cycle of mimics)",
                            m->joints[i].name, m->joints[i].mimic_joint);
        }
    }
    int root = -1;
    for (size_t i = 0; i < nl; i++) {
        if (m->links[i].parent_joint >= 0) continue;
        if (root >= 0)
            return fail(st, m->links[i].line,
                        "more than one root link: '%.200s' (line %d) and '%.200s' have no "
                        "parent joint", m->links[root].name, m->links[root].line,
                        m->links[i].name);
        root = (int)i;
    }
    // Children lists (CSR, joint document order), then a depth-first walk.
    int *first = calloc(nl + 1, sizeof *first), *kids = malloc((nj ? nj : 1) * sizeof *kids);
    int *stack = malloc(nl * sizeof *stack), *topo = malloc(nl * sizeof *topo);
    char *seen = calloc(nl, 1);
    if (!first || !kids || !stack || !topo || !seen) {
        nomem(st, st->robot_line);
        goto done;
    }
    for (size_t i = 0; i < nj; i++) first[m->joints[i].parent_link + 1]++;
    for (size_t i = 0; i < nl; i++) first[i + 1] += first[i];
    {
        int *fill = stack; // reuse as fill cursors
        for (size_t i = 0; i < nl; i++) fill[i] = first[i];
        for (size_t i = 0; i < nj; i++) kids[fill[m->joints[i].parent_link]++] = m->joints[i].child_link;
    }
    size_t nt = 0;
    if (root >= 0) {
        size_t sp = 0;
        stack[sp++] = root;
        while (sp) {
            int l = stack[--sp];
            seen[l] = 1;
            topo[nt++] = l;
            for (int k = first[l + 1] - 1; k >= first[l]; k--) stack[sp++] = kids[k];
        }
    }
    if (nt < nl) {
        // Every unreached link has a parent, so walking up from one ends in a cycle.
        size_t u = 0;
        while (seen[u]) u++;
        int l = (int)u;
        for (size_t steps = 0; steps < nl; steps++) l = m->joints[m->links[l].parent_joint].parent_link;
        const ps_urdf_joint *j = &m->joints[m->links[l].parent_joint];
        fail(st, j->line, "joint '%.200s' closes a kinematic cycle (link '%.200s' is its own "
                          "ancestor)%s", j->name, m->links[l].name,
             root < 0 ? "; the robot has no root link" : "");
        goto done;
    }
    m->pub.root_link = root;
    m->topo = topo;
    topo = NULL;
done:
    free(first);
    free(kids);
    free(stack);
    free(topo);
    free(seen);
    return !st->failed;
}

// Visual materials given by name only take the colour of the named material:
// robot-level ones first, else the first visual defining it inline (as urdfdom).
static void resolve_materials(pstate *st)
{
    urdf_model *m = st->m;
    name_map mats;
    if (!nm_init(&mats, m->pub.material_count + st->vis_count)) {
        nomem(st, st->robot_line);
        return;
    }
    for (size_t i = 0; i < m->pub.material_count; i++) {
        int prev = nm_put(&mats, m->materials[i].name, (int)i);
        if (prev >= 0) {
            fail(st, m->materials[i].line, "duplicate material name '%.200s' (first at line %d)",
                 m->materials[i].name, m->materials[prev].line);
            goto done;
        }
    }
    for (size_t v = 0; v < st->vis_count; v++) {
        ps_urdf_shape *s = &m->visuals[v];
        if (!s->material || !*s->material) continue;
        int line = st->vis_mat_line[v];
        if (s->has_rgba || s->texture) {
            if (nm_get(&mats, s->material) >= 0) continue;
            if (!grow((void **)&m->materials, &st->mat_cap, m->pub.material_count,
                      sizeof *m->materials)) {
                nomem(st, line);
                goto done;
            }
            size_t i = m->pub.material_count++;
            m->materials[i] = (ps_urdf_material){ s->material, s->has_rgba,
                                                  { s->rgba[0], s->rgba[1], s->rgba[2], s->rgba[3] },
                                                  s->texture, line };
            nm_put(&mats, s->material, (int)i);
            continue;
        }
        int k = nm_get(&mats, s->material);
        if (k < 0) {
            warn(st, line, "material '%.200s' is not defined; the visual keeps the default colour", s->material);
            continue;
        }
        const ps_urdf_material *mt = &m->materials[k];
        s->has_rgba = mt->has_rgba;
        memcpy(s->rgba, mt->rgba, sizeof s->rgba);
        s->texture = mt->texture;
    }
done:
    free(mats.slots);
}

// Each visual's texture file (inline or its named material's): its absolute
// path, or a warning and none (the visual keeps its colour).
static void resolve_textures(pstate *st)
{
    for (size_t v = 0; v < st->vis_count && !st->failed; v++) {
        ps_urdf_shape *s = &st->m->visuals[v];
        if (!s->texture) continue;
        char *abs = resolve_uri(st, s->line, s->texture, "texture");
        if (abs) s->texture_path = dup_or_fail(st, s->line, abs);
        free(abs);
    }
}

static void emit_ignored(pstate *st)
{
    for (int i = 0; i < st->nign && !st->failed; i++)
        warn(st, st->ign[i].line, "%s ignored (%ld element%s)", st->ign[i].key,
             st->ign[i].count, st->ign[i].count == 1 ? "" : "s");
    if (st->ign_more && !st->failed)
        warn(st, st->ign_more_line, "%ld more unknown elements of other kinds ignored",
             st->ign_more);
}

// ---------------------------------------------------------------------------
// Loading

static bool build_search_dirs(pstate *st)
{
    size_t n = st->opt->package_path_count;
    size_t anc = 0;
    if (st->opt->search_ancestors) {
        anc = 1;
        for (const char *p = st->urdf_dir; *p; p++) anc += *p == '/';
    }
    st->dirs = calloc(n + anc + 1, sizeof *st->dirs);
    if (!st->dirs) return false;
    for (size_t i = 0; i < n; i++) {
        if (!(st->dirs[st->ndirs] = strdup(st->opt->package_paths[i]))) return false;
        st->ndirs++;
    }
    if (!st->opt->search_ancestors) return true;
    char *d = strdup(st->urdf_dir);
    if (!d) return false;
    for (;;) {
        char *c = strdup(*d ? d : "/");
        if (!c) {
            free(d);
            return false;
        }
        st->dirs[st->ndirs++] = c;
        char *s = strrchr(d, '/');
        if (!s || !*d) break;
        *s = '\0'; // "/a/b" -> "/a" -> "" (printed as "/")
    }
    free(d);
    return true;
}

static void copy_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen) snprintf(err, errlen, "%s", msg);
}

ps_urdf_model *ps_urdf_load(const char *path, const ps_urdf_options *opt, char *err,
                            size_t errlen)
{
    ps_urdf_options defaults = ps_urdf_default_options();
    pstate *st = calloc(1, sizeof *st);
    urdf_model *m = calloc(1, sizeof *m);
    FILE *f = NULL;
    if (!st || !m || !path) {
        copy_err(err, errlen, path ? "out of memory" : "ps_urdf_load: path is NULL");
        free(st);
        free(m);
        return NULL;
    }
    st->path = path;
    st->opt = opt ? opt : &defaults;
    st->m = m;
    m->pub.root_link = -1;
    if (!(m->pub.path = arena_strdup(&m->strings, path))) goto oom;

    f = fopen(path, "rb");
    if (!f) {
        fail(st, 0, "cannot open: %s", strerror(errno));
        goto out;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
        (uintmax_t)sb.st_size > PS_URDF_MAX_FILE_BYTES) {
        fail(st, 0, "file is larger than %u MB (%jd bytes)", PS_URDF_MAX_FILE_BYTES >> 20,
             (intmax_t)sb.st_size);
        goto out;
    }
    {
        char *abs = realpath(path, NULL);
        if (!abs) {
            fail(st, 0, "cannot resolve path: %s", strerror(errno));
            goto out;
        }
        char *slash = strrchr(abs, '/');
        if (slash) *slash = '\0'; // abs is absolute, so "" means "/"
        st->urdf_dir = abs;
    }
    if (!build_search_dirs(st)) goto oom;

    st->xp = XML_ParserCreate(NULL);
    if (!st->xp) goto oom;
    XML_SetUserData(st->xp, st);
    XML_SetElementHandler(st->xp, on_start, on_end);
    XML_SetExternalEntityRefHandler(st->xp, on_external_entity);
    XML_SetParamEntityParsing(st->xp, XML_PARAM_ENTITY_PARSING_NEVER);
    // The whole file in one buffer and one XML_Parse call: fed in chunks,
    // expat rescans a token that spans them from its start at every chunk,
    // so one 63 MB comment cost 30 s in 64 KiB chunks (quadratic).
    {
        size_t cap = 1 << 16, len = 0;
        char *doc = malloc(cap);
        if (!doc) goto oom;
        for (;;) {
            if (len == cap) {
                if (cap > PS_URDF_MAX_FILE_BYTES) {
                    free(doc);
                    fail(st, 0, "file is larger than %u MB", PS_URDF_MAX_FILE_BYTES >> 20);
                    goto out;
                }
                char *nd = realloc(doc, cap * 2);
                if (!nd) {
                    free(doc);
                    goto oom;
                }
                doc = nd;
                cap *= 2;
            }
            size_t n = fread(doc + len, 1, cap - len, f);
            len += n;
            if (n == 0) break;
        }
        if (ferror(f)) {
            free(doc);
            fail(st, 0, "read error: %s", strerror(errno));
            goto out;
        }
        if (len > PS_URDF_MAX_FILE_BYTES) {
            free(doc);
            fail(st, 0, "file is larger than %u MB", PS_URDF_MAX_FILE_BYTES >> 20);
            goto out;
        }
        enum XML_Status xs = XML_Parse(st->xp, doc, (int)len, 1);
        free(doc);
        if (xs != XML_STATUS_OK) {
            if (!st->failed)
                fail(st, (int)XML_GetCurrentLineNumber(st->xp), "XML error: %s (column %lu)",
                     XML_ErrorString(XML_GetErrorCode(st->xp)),
                     (unsigned long)XML_GetCurrentColumnNumber(st->xp) + 1);
            goto out;
        }
    }
    XML_ParserFree(st->xp);
    st->xp = NULL;
    if (!st->failed) check_tree(st);
    if (!st->failed) resolve_materials(st);
    if (!st->failed) resolve_textures(st);
    if (!st->failed) emit_ignored(st);
    if (st->failed) goto out;

    for (size_t i = 0; i < m->pub.link_count; i++) {
        ps_urdf_link *l = &m->links[i];
        l->visuals = l->visual_count ? m->visuals + st->laux[i].vis_first : NULL;
        l->collisions = l->collision_count ? m->collisions + st->laux[i].col_first : NULL;
    }
    m->pub.links = m->links;
    m->pub.joints = m->joints;
    m->pub.materials = m->materials;
    m->pub.topo_order = m->topo;
    m->pub.warnings = m->warnings;
    goto out;
oom:
    fail(st, 0, "out of memory");
out:
    if (f) fclose(f);
    if (st->xp) XML_ParserFree(st->xp);
    for (size_t i = 0; i < st->ndirs; i++) free(st->dirs[i]);
    free(st->dirs);
    free(st->urdf_dir);
    free(st->laux);
    free(st->jaux);
    free(st->vis_mat_line);
    free(st->inertia_line);
    ps_urdf_model *result = NULL;
    if (st->failed) {
        copy_err(err, errlen, st->err);
        ps_urdf_free(&m->pub);
    } else {
        copy_err(err, errlen, "");
        result = &m->pub;
    }
    free(st);
    return result;
}
