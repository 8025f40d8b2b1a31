// Loading and validating a scene file: metadata, world settings, params and
// callbacks, with errors that name the file and, where it can be found, the line.
#include "scene_internal.h"
#include "util.h"
#include "hash_internal.h"
#include "log_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const ps_callback_names[PS_CB_COUNT] = {"build", "step", "reward", "failure", "success", "metrics", "act"};

ps_scene_options ps_default_scene_options(void)
{
    return (ps_scene_options){0};
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ps_set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap) break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        ps_set_error(err, errlen, "%s: cannot read the file", path);
        return NULL;
    }
    *len = n;
    return buf;
}

// Line of the first "field =" in the source (a scene's top-level fields are
// written that way), or 0 when not found. Only for error messages.
int ps_scene_field_line(const char *src, size_t len, const char *field)
{
    size_t fl = strlen(field);
    int line = 1;
    for (size_t i = 0; i < len; i++) {
        size_t j = i;
        while (j < len && (src[j] == ' ' || src[j] == '\t')) j++;
        if (j + fl <= len && memcmp(src + j, field, fl) == 0) {
            size_t k = j + fl;
            while (k < len && (src[k] == ' ' || src[k] == '\t')) k++;
            if (k < len && src[k] == '=' && (k + 1 >= len || src[k + 1] != '=')) return line;
        }
        while (i < len && src[i] != '\n') i++;
        line++;
    }
    return 0;
}

static bool ident_char(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

int ps_scene_assign_line(const char *src, size_t len, const char *name)
{
    size_t nl = strlen(name);
    int line = 1;
    bool at_start = true; // only blanks so far on this line
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '\n') {
            line++;
            at_start = true;
            continue;
        }
        if ((at_start || (i > 0 && src[i - 1] == '.')) && i + nl <= len && memcmp(src + i, name, nl) == 0 &&
            (i + nl == len || !ident_char(src[i + nl])) && (i == 0 || !ident_char(src[i - 1]) || src[i - 1] == '.')) {
            size_t k = i + nl;
            while (k < len && (src[k] == ' ' || src[k] == '\t')) k++;
            if (k < len && src[k] == '=' && (k + 1 >= len || src[k + 1] != '=')) return line;
        }
        if (c != ' ' && c != '\t') at_start = false;
    }
    return 0;
}

typedef struct loader {
    ps_scene *s;
    const char *src;
    size_t len;
    char *err;
    size_t errlen;
} loader;

// Formats "path:line: field 'x': msg" (line omitted when unknown) and fails.
static bool field_error(loader *ld, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool field_error(loader *ld, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = ps_scene_field_line(ld->src, ld->len, field);
    if (line) ps_set_error(ld->err, ld->errlen, "%s:%d: field '%s': %s", ld->s->path, line, field, msg);
    else ps_set_error(ld->err, ld->errlen, "%s: field '%s': %s", ld->s->path, field, msg);
    return false;
}

static bool get_string(loader *ld, int t, const char *field, bool required, char **out)
{
    lua_State *L = ld->s->rt->L;
    ps_lua_rawfield(L, t, field);
    int ty = lua_type(L, -1);
    bool ok = true;
    if (ty == LUA_TNIL) {
        if (required) ok = field_error(ld, field, "is required (a string)");
        else *out = ps_strdup("");
    } else if (ty != LUA_TSTRING) {
        ok = field_error(ld, field, "must be a string, got %s", lua_typename(L, ty));
    } else {
        *out = ps_strdup(lua_tostring(L, -1));
    }
    lua_pop(L, 1);
    return ok;
}

// A scene's own `policy` field may name only a Lua policy: a module name
// ("policies.x") or a relative path to a .lua file, no ".." and no scheme.
// exec:, lib: and tcp:// would let a scene file run a program or load code;
// those come from the command line (--policy) or with options.trusted.
static bool get_policy(loader *ld, int t, bool trusted)
{
    if (!get_string(ld, t, "policy", false, &ld->s->policy)) return false;
    const char *p = ld->s->policy;
    if (trusted || !p || !*p) return true;
    bool ok = p[0] != '/' && strstr(p, "..") == NULL && strlen(p) < 512;
    for (const char *c = p; ok && *c; c++)
        ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
             *c == '-' || *c == '.' || *c == '/';
    if (ok) {
        // A .lua file beside the scene must not be a link leading out of it.
        char file[4096], real[4096];
        snprintf(file, sizeof file, "%s/%s", ld->s->rt->scene_dir, p);
        if (access(file, F_OK) == 0 && !ps_lua_path_allowed(ld->s->rt, file, real, sizeof real))
            return field_error(ld, "policy", "'%s' resolves to %s, outside the scene's folder and the module paths", p,
                               real);
        return true;
    }
    char shown[64];
    size_t n = strcspn(p, "\n");
    snprintf(shown, sizeof shown, "%.*s%s", (int)(n < 40 ? n : 40), p, n > 40 || p[n] ? "..." : "");
    return field_error(ld, "policy",
                       "'%s' is not a Lua policy; a scene file may name only a Lua policy module "
                       "(\"policies.x\" or \"x.lua\", no '..'): exec:, lib: and tcp:// policies come "
                       "from --policy on the command line, or with --trusted",
                       shown);
}

static bool get_positive(loader *ld, int t, const char *field, double *out)
{
    lua_State *L = ld->s->rt->L;
    ps_lua_rawfield(L, t, field);
    int ty = lua_type(L, -1);
    bool ok = true;
    if (ty == LUA_TNIL) ok = field_error(ld, field, "is required (a number > 0, seconds)");
    else if (ty != LUA_TNUMBER) ok = field_error(ld, field, "must be a number > 0 (seconds), got %s", lua_typename(L, ty));
    else {
        *out = lua_tonumber(L, -1);
        if (!(*out > 0) || !isfinite(*out)) ok = field_error(ld, field, "must be a number > 0 (seconds), got %g", *out);
    }
    lua_pop(L, 1);
    return ok;
}

// `policy_hz`: optional, a number in (0, 1/timestep] (Hz); 0 when absent.
static bool get_policy_hz(loader *ld, int t)
{
    lua_State *L = ld->s->rt->L;
    lua_getfield(L, t, "policy_hz");
    int ty = lua_type(L, -1);
    double hz = ty == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
    lua_pop(L, 1);
    ld->s->policy_hz = 0;
    if (ty == LUA_TNIL) return true;
    if (ty != LUA_TNUMBER) return field_error(ld, "policy_hz", "must be a number of calls per second, got %s", lua_typename(L, ty));
    if (!(hz > 0) || !isfinite(hz)) return field_error(ld, "policy_hz", "must be a number > 0 (Hz), got %g", hz);
    if (hz * ld->s->timestep > 1 + 1e-9)
        return field_error(ld, "policy_hz", "%g Hz is above the physics rate (1/timestep = %g Hz)", hz, 1 / ld->s->timestep);
    ld->s->policy_hz = hz;
    return true;
}

// `instruction`: optional, a string or a function(params, seed) returning one.
static bool get_instruction(loader *ld, int t)
{
    lua_State *L = ld->s->rt->L;
    lua_getfield(L, t, "instruction");
    int ty = lua_type(L, -1);
    if (ty == LUA_TFUNCTION) {
        ld->s->instruction_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        return true;
    }
    bool ok = true;
    if (ty == LUA_TSTRING) ld->s->instruction = ps_strdup(lua_tostring(L, -1));
    else if (ty != LUA_TNIL)
        ok = field_error(ld, "instruction", "must be a string or a function(params, seed) returning one, got %s",
                         lua_typename(L, ty));
    lua_pop(L, 1);
    return ok;
}

static bool get_callbacks(loader *ld, int t)
{
    lua_State *L = ld->s->rt->L;
    for (int i = 0; i < PS_CB_COUNT; i++) {
        ps_lua_rawfield(L, t, ps_callback_names[i]);
        int ty = lua_type(L, -1);
        if (ty == LUA_TNIL) {
            lua_pop(L, 1);
            if (i == PS_CB_BUILD) return field_error(ld, "build", "is required (function(world, ctx))");
            continue;
        }
        if (ty != LUA_TFUNCTION) {
            lua_pop(L, 1);
            return field_error(ld, ps_callback_names[i], "must be a function, got %s", lua_typename(L, ty));
        }
        ld->s->cb_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    return true;
}

static const char *const scene_fields[] = {"name", "domain", "description", "timestep", "time_limit", "world", "params",
                                           "build", "step", "reward", "failure", "success", "metrics", "robots",
                                           "policy", "observation", "action", "act", "safety", "view", "instruction",
                                           "policy_hz", NULL};

static int check_fields_pcall(lua_State *L)
{
    const char *const *allowed = lua_touserdata(L, 2);
    ps_lua_check_fields(L, 1, lua_tostring(L, 3), allowed);
    return 0;
}

// Runs ps_lua_check_fields protected; returns false with the message in `msg`.
static bool check_fields(lua_State *L, int t, const char *what, const char *const *allowed, char *msg, size_t n)
{
    t = lua_absindex(L, t);
    lua_pushcfunction(L, check_fields_pcall);
    lua_pushvalue(L, t);
    lua_pushlightuserdata(L, (void *)allowed);
    lua_pushstring(L, what);
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
        snprintf(msg, n, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return false;
    }
    return true;
}

// world.<field>, a string from `names` (NULL-terminated) or absent: *out is
// its index (unchanged when absent); false with the error set otherwise.
static bool world_choice(loader *ld, int wt, const char *field, const char *const *names, int *out, const char *allowed)
{
    lua_State *L = ld->s->rt->L;
    bool ok = true;
    ps_lua_rawfield(L, wt, field);
    if (!lua_isnil(L, -1)) {
        const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        int i = 0;
        while (names[i] && strcmp(v, names[i]) != 0) i++;
        if (names[i]) *out = i;
        else ok = field_error(ld, field, "world.%s must be %s", field, allowed);
    }
    lua_pop(L, 1);
    return ok;
}

static bool get_world(loader *ld, int t)
{
    lua_State *L = ld->s->rt->L;
    ps_world_def *d = &ld->s->world_def;
    *d = ps_default_world_def();
    // Contact forces on demand: measured once something reads them (world:contacts(), a
    // contact sensor, the viewer's overlay), from the first step with world.contact_forces.
    d->contact_forces = false;
    d->timestep = ld->s->timestep;
    d->log = ld->s->rt->log;
    ps_lua_rawfield(L, t, "world");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return true;
    }
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return field_error(ld, "world", "must be a table");
    }
    int wt = lua_gettop(L);
    static const char *const allowed[] = {"gravity", "iterations", "sor", "erp", "cfm", "surface_layer",
                                          "max_correcting_vel", "max_contacts", "space", "max_linear_speed",
                                          "max_angular_speed", "contact_forces", "max_bodies", "static_space", "solver", NULL};
    char msg[512];
    if (!check_fields(L, wt, "world", allowed, msg, sizeof msg)) {
        lua_pop(L, 1);
        return field_error(ld, "world", "%s", msg + (strncmp(msg, "world: ", 7) == 0 ? 7 : 0));
    }
    int max_bodies = (int)d->max_bodies;
    // Integers carry their range: a double outside int is undefined behaviour
    // to convert, and each QuickStep iteration is a pass over every constraint.
    struct { const char *name; double *dst; bool integer; int *idst; int max; } nums[] = {
        {"iterations", NULL, true, &d->iterations, PS_WORLD_MAX_ITERATIONS}, {"sor", &d->sor, false, NULL, 0},
        {"erp", &d->erp, false, NULL, 0}, {"cfm", &d->cfm, false, NULL, 0},
        {"surface_layer", &d->contact_surface_layer, false, NULL, 0},
        {"max_correcting_vel", &d->max_correcting_vel, false, NULL, 0},
        {"max_contacts", NULL, true, &d->max_contacts, 64},
        {"max_linear_speed", &d->max_linear_speed, false, NULL, 0},
        {"max_angular_speed", &d->max_angular_speed, false, NULL, 0},
        {"max_bodies", NULL, true, &max_bodies, PS_WORLD_MAX_BODIES},
    };
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof nums / sizeof nums[0]; i++) {
        ps_lua_rawfield(L, wt, nums[i].name);
        if (!lua_isnil(L, -1)) {
            if (lua_type(L, -1) != LUA_TNUMBER) ok = field_error(ld, nums[i].name, "world.%s must be a number, got %s", nums[i].name, luaL_typename(L, -1));
            else if (nums[i].integer) {
                double v = lua_tonumber(L, -1);
                if (!lua_isinteger(L, -1) && v != floor(v))
                    ok = field_error(ld, nums[i].name, "world.%s must be an integer", nums[i].name);
                else if (!(v >= 1 && v <= nums[i].max))
                    ok = field_error(ld, nums[i].name, "world.%s must be an integer in 1..%d, got %.17g", nums[i].name,
                                     nums[i].max, v);
                else {
                    *nums[i].idst = (int)v;
                    // The scene chose it: robots' solver needs warn instead of raising it.
                    if (nums[i].idst == &d->iterations) d->iterations_fixed = true;
                }
            } else *nums[i].dst = lua_tonumber(L, -1);
        }
        lua_pop(L, 1);
    }
    if (ok) {
        ps_lua_rawfield(L, wt, "gravity");
        if (!lua_isnil(L, -1)) {
            if (!lua_istable(L, -1) || lua_rawlen(L, -1) != 3) ok = field_error(ld, "gravity", "world.gravity must be {x, y, z}");
            else {
                double g[3];
                for (int i = 0; i < 3 && ok; i++) {
                    lua_rawgeti(L, -1, i + 1);
                    if (lua_type(L, -1) != LUA_TNUMBER) ok = field_error(ld, "gravity", "world.gravity[%d] must be a number", i + 1);
                    g[i] = lua_tonumber(L, -1);
                    lua_pop(L, 1);
                }
                d->gravity = (ps_vec3){g[0], g[1], g[2]};
            }
        }
        lua_pop(L, 1);
    }
    if (ok) {
        ps_lua_rawfield(L, wt, "contact_forces");
        if (lua_isboolean(L, -1)) d->contact_forces = lua_toboolean(L, -1);
        else if (!lua_isnil(L, -1)) ok = field_error(ld, "contact_forces", "world.contact_forces must be a boolean");
        lua_pop(L, 1);
    }
    if (ok) {
        ps_lua_rawfield(L, wt, "static_space");
        if (lua_isboolean(L, -1)) d->static_space = lua_toboolean(L, -1);
        else if (!lua_isnil(L, -1)) ok = field_error(ld, "static_space", "world.static_space must be a boolean");
        lua_pop(L, 1);
    }
    static const char *const solvers[] = {"quickstep", "direct", NULL};
    static const char *const spaces[] = {"hash", "sap", "simple", NULL};
    int solver = (int)d->solver, space = (int)d->space;
    if (ok) ok = world_choice(ld, wt, "solver", solvers, &solver, "\"quickstep\" or \"direct\"");
    if (ok) ok = world_choice(ld, wt, "space", spaces, &space, "\"hash\", \"sap\" or \"simple\"");
    d->solver = solver == 1 ? PS_SOLVER_DIRECT : PS_SOLVER_QUICKSTEP;
    d->space = space == 1 ? PS_SPACE_SAP : space == 2 ? PS_SPACE_SIMPLE : PS_SPACE_HASH;
    lua_pop(L, 1);
    d->max_bodies = (uint32_t)max_bodies;
    if (ok) {
        char werr[PS_ERR_LEN];
        ps_world *probe = NULL;
        // Validate the settings the way the world will (no ODE objects needed
        // beyond a throwaway world).
        probe = ps_world_create(d, werr, sizeof werr);
        if (!probe) return field_error(ld, "world", "%s", werr);
        ps_world_destroy(probe);
    }
    return ok;
}

// Reads {x, y, z} at the top of the stack into `out` (for view.eye, view.target).
static bool get_vec3_top(loader *ld, const char *what, ps_vec3 *out)
{
    lua_State *L = ld->s->rt->L;
    if (!lua_istable(L, -1) || lua_rawlen(L, -1) != 3) return field_error(ld, "view", "%s must be {x, y, z} (m)", what);
    double v[3];
    for (int i = 0; i < 3; i++) {
        lua_rawgeti(L, -1, i + 1);
        v[i] = lua_tonumber(L, -1);
        bool num = lua_type(L, -1) == LUA_TNUMBER;
        lua_pop(L, 1);
        if (!num || !isfinite(v[i])) return field_error(ld, "view", "%s[%d] must be a finite number (m)", what, i + 1);
    }
    *out = (ps_vec3){v[0], v[1], v[2]};
    return true;
}

// The optional camera view: view = {eye = {x, y, z}, target = {x, y, z}, fov = degrees,
// darkness = 0..1}.
static const double DEG = 3.14159265358979323846 / 180.0;
static bool get_view(loader *ld, int t)
{
    lua_State *L = ld->s->rt->L;
    ps_scene *s = ld->s;
    ps_lua_rawfield(L, t, "view");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return true;
    }
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return field_error(ld, "view", "must be a table {eye = {x, y, z}, target = {x, y, z}, fov = degrees}");
    }
    int vt = lua_gettop(L);
    static const char *const allowed[] = {"eye", "target", "fov", "darkness", NULL};
    char msg[512];
    bool ok = check_fields(L, vt, "view", allowed, msg, sizeof msg);
    if (!ok) ok = field_error(ld, "view", "%s", msg + (strncmp(msg, "view: ", 6) == 0 ? 6 : 0));
    s->view_fov_y = 45.0 * DEG;
    s->view_darkness = 0;
    if (ok) {
        ps_lua_rawfield(L, vt, "eye");
        ok = get_vec3_top(ld, "view.eye", &s->view_eye);
        lua_pop(L, 1);
    }
    if (ok) {
        ps_lua_rawfield(L, vt, "target");
        ok = get_vec3_top(ld, "view.target", &s->view_target);
        lua_pop(L, 1);
    }
    if (ok) {
        ps_lua_rawfield(L, vt, "fov");
        if (!lua_isnil(L, -1)) {
            double f = lua_tonumber(L, -1);
            if (lua_type(L, -1) != LUA_TNUMBER || !(f > 0 && f < 180))
                ok = field_error(ld, "view", "view.fov must be a number in (0, 180) degrees");
            else s->view_fov_y = f * DEG;
        }
        lua_pop(L, 1);
    }
    if (ok) {
        ps_lua_rawfield(L, vt, "darkness");
        if (!lua_isnil(L, -1)) {
            double k = lua_tonumber(L, -1);
            if (lua_type(L, -1) != LUA_TNUMBER || !(k >= 0 && k <= 1))
                ok = field_error(ld, "view", "view.darkness must be a number in [0, 1]");
            else s->view_darkness = k;
        }
        lua_pop(L, 1);
    }
    if (ok) {
        ps_vec3 d = {s->view_target.x - s->view_eye.x, s->view_target.y - s->view_eye.y,
                     s->view_target.z - s->view_eye.z};
        if (d.x * d.x + d.y * d.y + d.z * d.z < 1e-12) ok = field_error(ld, "view", "view.eye and view.target coincide");
    }
    lua_pop(L, 1);
    s->has_view = ok;
    return ok;
}

static int cmp_param(const void *a, const void *b)
{
    return strcmp(((const ps_param *)a)->name, ((const ps_param *)b)->name);
}

static void format_param(const ps_param *p, char *buf, size_t n)
{
    switch (p->type) {
    case PS_PARAM_NUMBER: snprintf(buf, n, "%.17g", p->num); break;
    case PS_PARAM_INTEGER: snprintf(buf, n, "%lld", (long long)p->num); break;
    case PS_PARAM_BOOLEAN: snprintf(buf, n, "%s", p->num != 0 ? "true" : "false"); break;
    case PS_PARAM_STRING: snprintf(buf, n, "%s", p->str); break;
    }
}

static bool get_one_param(loader *ld, int pt, ps_param *p)
{
    lua_State *L = ld->s->rt->L;
    char what[160];
    snprintf(what, sizeof what, "params.%s", p->name);
    if (!lua_istable(L, pt)) return field_error(ld, p->name, "%s must be a table {default = ..., min = ..., max = ...}", what);
    static const char *const allowed[] = {"default", "min", "max", "description", "randomize", "integer", "choices", NULL};
    char msg[512];
    if (!check_fields(L, pt, what, allowed, msg, sizeof msg)) return field_error(ld, p->name, "%s", msg);
    ps_lua_rawfield(L, pt, "default");
    int ty = lua_type(L, -1);
    p->min = -INFINITY;
    p->max = INFINITY;
    bool ok = true;
    switch (ty) {
    case LUA_TNUMBER:
        p->type = PS_PARAM_NUMBER; // integer only with `integer = true` (a 10 may mean 10.0)
        p->num = lua_tonumber(L, -1);
        break;
    case LUA_TBOOLEAN:
        p->type = PS_PARAM_BOOLEAN;
        p->num = lua_toboolean(L, -1);
        break;
    case LUA_TSTRING:
        p->type = PS_PARAM_STRING;
        p->str = ps_strdup(lua_tostring(L, -1));
        break;
    case LUA_TNIL: ok = field_error(ld, p->name, "%s needs a default (number, boolean or string)", what); break;
    default: ok = field_error(ld, p->name, "%s: default must be a number, boolean or string, got %s", what, lua_typename(L, ty));
    }
    lua_pop(L, 1);
    if (!ok) return false;
    ps_lua_rawfield(L, pt, "integer");
    if (lua_toboolean(L, -1)) {
        if (p->type != PS_PARAM_NUMBER || p->num != floor(p->num)) {
            lua_pop(L, 1);
            return field_error(ld, p->name, "%s: integer = true needs an integer default", what);
        }
        p->type = PS_PARAM_INTEGER;
    } else if (!lua_isnil(L, -1) && !lua_isboolean(L, -1)) {
        lua_pop(L, 1);
        return field_error(ld, p->name, "%s.integer must be a boolean", what);
    }
    lua_pop(L, 1);
    const char *bounds[2] = {"min", "max"};
    double *dst[2] = {&p->min, &p->max};
    for (int i = 0; i < 2 && ok; i++) {
        ps_lua_rawfield(L, pt, bounds[i]);
        if (!lua_isnil(L, -1)) {
            if (lua_type(L, -1) != LUA_TNUMBER || (p->type != PS_PARAM_NUMBER && p->type != PS_PARAM_INTEGER))
                ok = field_error(ld, p->name, "%s.%s must be a number (and only numeric params have ranges)", what, bounds[i]);
            else *dst[i] = lua_tonumber(L, -1);
        }
        lua_pop(L, 1);
    }
    if (!ok) return false;
    ps_lua_rawfield(L, pt, "description");
    if (lua_type(L, -1) == LUA_TSTRING) p->description = ps_strdup(lua_tostring(L, -1));
    else if (!lua_isnil(L, -1)) ok = field_error(ld, p->name, "%s.description must be a string", what);
    lua_pop(L, 1);
    if (!p->description) p->description = ps_strdup("");
    ps_lua_rawfield(L, pt, "randomize");
    if (lua_isboolean(L, -1)) p->randomize = lua_toboolean(L, -1);
    else if (!lua_isnil(L, -1)) ok = field_error(ld, p->name, "%s.randomize must be a boolean", what);
    lua_pop(L, 1);
    if (!ok) return false;
    if (p->randomize && (p->type > PS_PARAM_INTEGER || !isfinite(p->min) || !isfinite(p->max)))
        return field_error(ld, p->name, "%s: randomize needs a numeric param with finite min and max", what);
    if (p->min > p->max) return field_error(ld, p->name, "%s: min %g > max %g", what, p->min, p->max);
    if (p->type <= PS_PARAM_INTEGER && (p->num < p->min || p->num > p->max))
        return field_error(ld, p->name, "%s: default %g is outside [%g, %g]", what, p->num, p->min, p->max);
    ps_lua_rawfield(L, pt, "choices");
    if (!lua_isnil(L, -1)) {
        size_t n = lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
        if (p->type != PS_PARAM_STRING || n == 0) ok = field_error(ld, p->name, "%s.choices must be a non-empty list of strings for a string param", what);
        else {
            p->choices = calloc(n + 1, sizeof *p->choices);
            bool has_default = false;
            for (size_t i = 0; ok && p->choices && i < n; i++) {
                lua_rawgeti(L, -1, (lua_Integer)i + 1);
                if (lua_type(L, -1) != LUA_TSTRING) ok = field_error(ld, p->name, "%s.choices[%d] must be a string", what, (int)i + 1);
                else {
                    p->choices[i] = ps_strdup(lua_tostring(L, -1));
                    if (strcmp(p->choices[i], p->str) == 0) has_default = true;
                }
                lua_pop(L, 1);
            }
            if (ok && !has_default) ok = field_error(ld, p->name, "%s: default \"%s\" is not one of the choices", what, p->str);
        }
    }
    lua_pop(L, 1);
    return ok;
}

static bool get_params(loader *ld, int t)
{
    lua_State *L = ld->s->rt->L;
    ps_lua_rawfield(L, t, "params");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return true;
    }
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return field_error(ld, "params", "must be a table of {default = ..., min = ..., max = ...}");
    }
    int pt = lua_gettop(L);
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, pt)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            lua_pop(L, 2);
            return field_error(ld, "params", "keys must be parameter names (strings)");
        }
        n++;
    }
    ps_scene *s = ld->s;
    s->params = calloc(n ? n : 1, sizeof *s->params);
    if (!s->params) {
        lua_pop(L, 1);
        return field_error(ld, "params", "out of memory");
    }
    lua_pushnil(L);
    while (lua_next(L, pt)) {
        lua_pop(L, 1);
        s->params[s->param_count++].name = ps_strdup(lua_tostring(L, -1));
    }
    // Fixed (alphabetical) order: Lua's table order is randomised per state.
    qsort(s->params, s->param_count, sizeof *s->params, cmp_param);
    bool ok = true;
    for (size_t i = 0; ok && i < s->param_count; i++) {
        ps_lua_rawfield(L, pt, s->params[i].name);
        ok = get_one_param(ld, lua_gettop(L), &s->params[i]);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return ok;
}

static bool apply_override(ps_scene *s, const char *kv, char *err, size_t errlen)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) {
        ps_set_error(err, errlen, "%s: --param '%s' must be name=value", s->path, kv);
        return false;
    }
    size_t nl = (size_t)(eq - kv);
    const char *val = eq + 1;
    ps_param *p = NULL;
    for (size_t i = 0; i < s->param_count; i++)
        if (strlen(s->params[i].name) == nl && strncmp(s->params[i].name, kv, nl) == 0) p = &s->params[i];
    if (!p) {
        char known[512] = "";
        size_t off = 0;
        for (size_t i = 0; i < s->param_count && off < sizeof known; i++)
            off += (size_t)snprintf(known + off, sizeof known - off, "%s%s", i ? ", " : "", s->params[i].name);
        ps_set_error(err, errlen, "%s: unknown param '%.*s' (the scene declares: %s)", s->path, (int)nl, kv,
                     s->param_count ? known : "no params");
        return false;
    }
    char *end = NULL;
    switch (p->type) {
    case PS_PARAM_NUMBER:
    case PS_PARAM_INTEGER: {
        errno = 0;
        double v = strtod(val, &end);
        if (!*val || *end || errno || !isfinite(v)) {
            ps_set_error(err, errlen, "%s: param '%s': '%s' is not a number", s->path, p->name, val);
            return false;
        }
        if (p->type == PS_PARAM_INTEGER && v != floor(v)) {
            ps_set_error(err, errlen, "%s: param '%s': '%s' is not an integer", s->path, p->name, val);
            return false;
        }
        if (v < p->min || v > p->max) {
            ps_set_error(err, errlen, "%s: param '%s': %s is outside its range [%g, %g]", s->path, p->name, val, p->min, p->max);
            return false;
        }
        p->num = v;
        break;
    }
    case PS_PARAM_BOOLEAN:
        if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0) p->num = 1;
        else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0) p->num = 0;
        else {
            ps_set_error(err, errlen, "%s: param '%s': '%s' is not a boolean (true/false)", s->path, p->name, val);
            return false;
        }
        break;
    case PS_PARAM_STRING: {
        if (p->choices) {
            bool ok = false;
            for (char **c = p->choices; *c; c++) ok |= strcmp(*c, val) == 0;
            if (!ok) {
                ps_set_error(err, errlen, "%s: param '%s': '%s' is not one of its choices", s->path, p->name, val);
                return false;
            }
        }
        char *nv = ps_strdup(val);
        if (!nv) return false;
        free(p->str);
        p->str = nv;
        break;
    }
    }
    p->overridden = true;
    return true;
}

// The --param overrides, before the spaces are read (a shape may name a param).
static bool apply_overrides(ps_scene *s, const ps_scene_options *opt, char *err, size_t errlen)
{
    for (size_t i = 0; i < opt->param_count; i++)
        if (!apply_override(s, opt->params[i], err, errlen)) return false;
    return true;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return ps_strdup(".");
    if (slash == path) return ps_strdup("/");
    char *d = malloc((size_t)(slash - path) + 1);
    if (d) {
        memcpy(d, path, (size_t)(slash - path));
        d[slash - path] = '\0';
    }
    return d;
}

ps_scene *ps_scene_load(const char *path, const ps_scene_options *opt, char *err, size_t errlen)
{
    ps_scene_options defaults = ps_default_scene_options();
    if (!opt) opt = &defaults;
    if (!path) {
        ps_set_error(err, errlen, "scene path is NULL");
        return NULL;
    }
    size_t len = 0;
    char *src = read_file(path, &len, err, errlen);
    if (!src) return NULL;
    ps_scene *s = calloc(1, sizeof *s);
    char *dir = dir_of(path);
    if (!s || !dir) {
        free(src);
        free(s);
        free(dir);
        ps_set_error(err, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < PS_CB_COUNT; i++) s->cb_ref[i] = LUA_NOREF;
    s->instruction_ref = LUA_NOREF;
    s->path = ps_strdup(path);
    s->content_hash = ps_fnv1a(PS_FNV_OFFSET, src, len);
    s->rt = ps_lua_rt_create(opt, dir, err, errlen);
    free(dir);
    loader ld = {s, src, len, err, errlen};
    bool ok = s->rt && s->path;
    lua_State *L = ok ? s->rt->L : NULL;
    if (ok) {
        char chunk[4096];
        snprintf(chunk, sizeof chunk, "@%s", path);
        if (ps_lua_load_text(L, src, len, chunk) != LUA_OK) {
            ps_set_error(err, errlen, "%s", lua_tostring(L, -1));
            lua_pop(L, 1);
            ok = false;
        }
    }
    if (ok) ok = ps_lua_call(s->rt, 0, 1, "load", err, errlen);
    if (ok && !lua_istable(L, -1)) {
        ps_set_error(err, errlen, "%s: a scene file must return a table (the scenario), got %s", path, luaL_typename(L, -1));
        lua_pop(L, 1);
        ok = false;
    }
    if (ok && lua_getmetatable(L, -1)) {
        // Its fields are read raw (no __index may run outside a callback), so
        // a metatable would hide inherited fields silently: refuse it.
        lua_pop(L, 2);
        ps_set_error(err, errlen, "%s: the scene table must be a plain table, without a metatable", path);
        ok = false;
    }
    if (ok) {
        int t = lua_gettop(L);
        char msg[512];
        if (!check_fields(L, t, "scene", scene_fields, msg, sizeof msg)) {
            // name the line of the misspelled field: "scene: unknown field 'X' (known: ...)"
            const char *q = strstr(msg, "unknown field '");
            int line = 0;
            if (q) {
                char field[128];
                q += strlen("unknown field '");
                size_t n = strcspn(q, "'");
                snprintf(field, sizeof field, "%.*s", (int)(n < sizeof field ? n : sizeof field - 1), q);
                line = ps_scene_assign_line(src, len, field);
            }
            if (line) ps_set_error(err, errlen, "%s:%d: %s", path, line, msg);
            else ps_set_error(err, errlen, "%s: %s", path, msg);
            ok = false;
        }
        ok = ok && get_string(&ld, t, "name", true, &s->name) && get_string(&ld, t, "domain", false, &s->domain) &&
             get_policy(&ld, t, opt->trusted) &&
             get_string(&ld, t, "description", false, &s->description) && get_positive(&ld, t, "timestep", &s->timestep) &&
             get_positive(&ld, t, "time_limit", &s->time_limit) && get_world(&ld, t) && get_params(&ld, t) &&
             apply_overrides(s, opt, err, errlen) &&
             get_callbacks(&ld, t) && get_view(&ld, t) && get_policy_hz(&ld, t) && get_instruction(&ld, t) &&
             ps_space_load(s, t, src, len, err, errlen);
        if (ok && s->time_limit < s->timestep)
            ok = field_error(&ld, "time_limit", "must be at least one timestep (%g s), got %g", s->timestep, s->time_limit);
        if (ok) {
            static const char *const sp[2] = {"observation", "action"};
            for (int k = 0; k < 2; k++) {
                lua_getfield(L, t, sp[k]);
                s->space_ref[k] = luaL_ref(L, LUA_REGISTRYINDEX);
            }
            lua_pushvalue(L, t);
            s->table_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        }
        lua_pop(L, 1);
    }
    if (ok) s->world_def.memory_limit = opt->process_memory_limit;
    s->src = src;
    s->src_len = len;
    if (!ok) {
        ps_scene_destroy(s);
        return NULL;
    }
    return s;
}

void ps_scene_set_render_callback(ps_scene *s, ps_render_fn fn, void *user)
{
    if (!s) return;
    s->render_fn = fn;
    s->render_user = fn ? user : NULL;
}

void ps_scene_set_render_error_fn(ps_scene *s, ps_render_error_fn fn)
{
    if (s) s->render_error = fn;
}

void ps_scene_destroy(ps_scene *s)
{
    if (!s) return;
    ps_space_free_decls(s);
    ps_lua_rt_destroy(s->rt);
    for (size_t i = 0; i < s->param_count; i++) {
        ps_param *p = &s->params[i];
        free(p->name);
        free(p->description);
        free(p->str);
        if (p->choices)
            for (char **c = p->choices; *c; c++) free(*c);
        free(p->choices);
    }
    free(s->params);
    free(s->path);
    free(s->name);
    free(s->domain);
    free(s->description);
    free(s->policy);
    free(s->instruction);
    free(s->src);
    free(s);
}

// True when the value at index i is or holds (in nested tables, a few levels deep)
// a userdata: a handle.
static bool holds_handle(lua_State *L, int i, int depth)
{
    int ty = lua_type(L, i);
    if (ty == LUA_TUSERDATA || ty == LUA_TLIGHTUSERDATA) return true;
    if (ty != LUA_TTABLE || depth > 4 || !lua_checkstack(L, 3)) return false;
    i = lua_absindex(L, i);
    bool found = false;
    lua_pushnil(L);
    while (!found && lua_next(L, i)) {
        found = holds_handle(L, -1, depth + 1) || holds_handle(L, -2, depth + 1);
        lua_pop(L, 1);
    }
    if (found) lua_pop(L, 1); // the key lua_next left
    return found;
}

static void lint_warn(ps_scene *s, const char *name, const char *fmt, const char *what)
{
    char msg[1400], where[600];
    int line = ps_scene_assign_line(s->src, s->src_len, name);
    if (line) snprintf(where, sizeof where, "%s:%d", s->path, line);
    else snprintf(where, sizeof where, "%s", s->path);
    snprintf(msg, sizeof msg, fmt, where, what);
    ps_log_write(&s->rt->log, PS_LOG_WARN, msg);
}

void ps_scene_lint_build(ps_scene *s, int ctx_ref)
{
    lua_State *L = s->rt->L;
    if (!lua_checkstack(L, 8)) return;
    static const char *const sp[2] = {"observation", "action"};
    for (int k = 0; k < 2; k++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, s->table_ref);
        ps_lua_rawfield(L, -1, sp[k]); // raw reads: scene-controlled tables may carry metamethods
        lua_rawgeti(L, LUA_REGISTRYINDEX, s->space_ref[k]);
        if (!lua_rawequal(L, -1, -2))
            lint_warn(s, sp[k], "%s: the scenario's '%s' was set after the scene loaded (inside build?): spaces are read "
                      "once, when the scene loads, so this one is ignored; declare it in the returned table", sp[k]);
        lua_pop(L, 3);
    }
    // ctx.state: report the alphabetically first top-level key that holds a handle
    lua_rawgeti(L, LUA_REGISTRYINDEX, ctx_ref);
    ps_lua_rawfield(L, -1, "state");
    if (lua_istable(L, -1)) {
        char first[128] = "";
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_type(L, -2) == LUA_TSTRING && holds_handle(L, -1, 0)) {
                const char *k = lua_tostring(L, -2);
                if (!first[0] || strcmp(k, first) < 0) snprintf(first, sizeof first, "%s", k);
            }
            lua_pop(L, 1);
        }
        char key[160];
        snprintf(key, sizeof key, "state.%s", first);
        if (first[0])
            lint_warn(s, ps_scene_assign_line(s->src, s->src_len, key) ? key : first, "%s: ctx.state.%s holds a handle (Body, Joint, Robot, Sensor...): ctx.state is for plain "
                      "data (snapshots and rewind save it; a handle cannot be saved and goes stale in the next episode); "
                      "keep handles in locals of the scene file, set in build", first);
    }
    lua_pop(L, 2);
}

const char *ps_scene_policy(const ps_scene *s) { return s->policy && *s->policy ? s->policy : NULL; }
const char *ps_scene_dir(const ps_scene *s) { return s->rt->scene_dir; }
double ps_scene_policy_hz(const ps_scene *s) { return s->policy_hz; }

double ps_scene_view_darkness(const ps_scene *s) { return s && s->has_view ? s->view_darkness : 0; }

bool ps_scene_view(const ps_scene *s, ps_vec3 *eye, ps_vec3 *target, double *fov_y)
{
    if (!s || !s->has_view) return false;
    if (eye) *eye = s->view_eye;
    if (target) *target = s->view_target;
    if (fov_y) *fov_y = s->view_fov_y;
    return true;
}
size_t ps_scene_source_count(const ps_scene *s) { return 1 + s->rt->source_count; }
const char *ps_scene_source(const ps_scene *s, size_t i)
{
    if (i == 0) return s->path;
    return i <= s->rt->source_count ? s->rt->sources[i - 1] : NULL;
}
uint64_t ps_scene_source_hash(const ps_scene *s, size_t i)
{
    if (i == 0) return s->content_hash;
    return i <= s->rt->source_count ? s->rt->source_hashes[i - 1] : 0;
}

const char *ps_scene_name(const ps_scene *s) { return s->name ? s->name : ""; }
const char *ps_scene_domain(const ps_scene *s) { return s->domain ? s->domain : ""; }
const char *ps_scene_description(const ps_scene *s) { return s->description ? s->description : ""; }
const char *ps_scene_path(const ps_scene *s) { return s->path; }
double ps_scene_timestep(const ps_scene *s) { return s->timestep; }
double ps_scene_time_limit(const ps_scene *s) { return s->time_limit; }
uint64_t ps_scene_content_hash(const ps_scene *s) { return s->content_hash; }
size_t ps_scene_param_count(const ps_scene *s) { return s->param_count; }

ps_status ps_scene_param(const ps_scene *s, size_t i, ps_param_info *out)
{
    if (i >= s->param_count) return PS_ERR_INVALID;
    const ps_param *p = &s->params[i];
    static const char *const types[] = {"number", "integer", "boolean", "string"};
    out->name = p->name;
    out->type = types[p->type];
    out->description = p->description;
    out->min = p->min;
    out->max = p->max;
    out->randomize = p->randomize;
    out->overridden = p->overridden;
    format_param(p, out->value, sizeof out->value);
    return PS_OK;
}
