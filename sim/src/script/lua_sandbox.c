#define _XOPEN_SOURCE 700
// The sandboxed Lua state: safe libraries only, capped allocator, instruction
// budget, seeded math.random, print to the log, and a restricted require.
#include "lua_rt.h"
#include "util.h"
#include "log_internal.h"
#include "hash_internal.h"

#include <lualib.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define HOOK_COUNT 1000
#define MEM_SLACK ((size_t)8 << 20)

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    ps_lua_rt *rt = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        rt->mem_used -= old;
        return NULL;
    }
    // Between callbacks only pilotsim's own C code allocates (ctx fields,
    // refs, messages), outside any protected call where a refusal would be
    // a Lua panic: it gets a small slack over the cap.
    size_t limit = rt->callback ? rt->mem_limit : rt->mem_limit + MEM_SLACK;
    if (nsize > old && rt->mem_used - old + nsize > limit) {
        // Each refusal costs Lua an emergency collection of the whole heap,
        // so a loop of refused allocations is slow per instruction: have the
        // hook look at the clock at the next instruction (lua_sethook may be
        // called at any point). The hook goes back to its period by itself.
        if (rt->L && lua_gethook(rt->L)) lua_sethook(rt->L, lua_gethook(rt->L), LUA_MASKCOUNT, 1);
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p) rt->mem_used = rt->mem_used - old + nsize;
    return p;
}

// A Lua error outside every protected call: Lua aborts after this returns.
// Say what happened instead of dying silently (exit 134, no message).
static int panic_handler(lua_State *L)
{
    const char *m = lua_tostring(L, -1);
    fprintf(stderr, "pilotsim: internal error: Lua error outside a protected call: %s\n", m ? m : "(not a string)");
    fflush(stderr);
    return 0;
}

// The limits' clock: the coarse monotonic clock (the kernel's last tick, a few
// ms of resolution, far below any wall limit) costs about 4 ns through the
// vDSO where the precise one costs about 30 (kvm-clock): every top-level
// callback, several per step, reads it.
#ifdef CLOCK_MONOTONIC_COARSE
#define LIMIT_CLOCK CLOCK_MONOTONIC_COARSE
#else
#define LIMIT_CLOCK CLOCK_MONOTONIC
#endif

static double now(void)
{
    struct timespec ts;
    clock_gettime(LIMIT_CLOCK, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// Raises the stop error: the limit's message with the file:line running now.
static void raise_stop(lua_State *L, ps_lua_rt *rt)
{
    // Every instruction from now on, in this coroutine too, comes back here.
    if (lua_gethookcount(L) != 1) lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);
    luaL_where(L, 0); // in a count hook, level 0 is the interrupted Lua function
    lua_pushstring(L, rt->stop_msg);
    lua_concat(L, 2);
    lua_error(L);
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    ps_lua_rt *rt = ps_lua_rt_of(L);
    if (rt->stopped) raise_stop(L, rt);
    int count = lua_gethookcount(L);
    if (count != HOOK_COUNT) {
        // A coroutine left at every-instruction hooks by an earlier stop.
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_COUNT);
        count = 1;
    }
    rt->used += (uint64_t)count;
    // The clock is read at every hook (a vDSO call, tens of ns per thousand
    // instructions): a loop of slow calls into C (string.rep, emergency
    // collections near the heap cap), which the count alone would let run
    // for long, is caught within one hook period of the limit.
    const char *cb = rt->callback ? rt->callback : "?";
    if (now() - rt->started > rt->wall_limit) {
        snprintf(rt->stop_msg, sizeof rt->stop_msg, "wall-clock limit exceeded (%g s) in callback '%s'",
                 rt->wall_limit, cb);
        rt->stopped = true;
    } else if (rt->used > rt->budget) {
        snprintf(rt->stop_msg, sizeof rt->stop_msg,
                 "instruction budget exceeded (%llu Lua instructions) in callback '%s'",
                 (unsigned long long)rt->budget, cb);
        rt->stopped = true;
    }
    if (rt->stopped) raise_stop(L, rt);
}

// xpcall whose message handler is skipped for a limit's error. Lua raises
// the hook's error while still inside the hook, where hooks are off: a Lua
// message handler would then run unmetered (an endless handler was a way
// out of the budget). Unlike the stock xpcall, no yield across it.
static int xpcall_handler(lua_State *L)
{
    if (ps_lua_rt_of(L)->stopped) return 1; // the limit's error goes on as is
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int l_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, xpcall_handler, 1);
    lua_replace(L, 2);     // f, handler, args...
    lua_pushvalue(L, 1);
    lua_insert(L, 3);      // f, handler, f, args...
    int rc = lua_pcall(L, n - 2, LUA_MULTRET, 2);
    lua_pushboolean(L, rc == LUA_OK);
    lua_replace(L, 1);     // ok, handler, results or error
    lua_remove(L, 2);
    return lua_gettop(L);
}

static int tostring_protected(lua_State *L)
{
    luaL_tolstring(L, 1, NULL);
    return 1;
}

static int traceback_handler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg && ps_lua_rt_of(L)->stopped) {
        // Inside the hook's error hooks are off: no __tostring may run.
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    } else if (!msg && lua_isnoneornil(L, 1)) {
        msg = "(error object is a nil value)";
    } else if (!msg) {
        // A table or userdata thrown as the error: its __tostring may itself
        // fail (or loop into a limit), so it runs protected.
        lua_pushcfunction(L, tostring_protected);
        lua_pushvalue(L, 1);
        if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING) msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value and converting it to a string failed)",
                                  luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

bool ps_lua_call(ps_lua_rt *rt, int nargs, int nresults, const char *callback, char *err, size_t errlen)
{
    lua_State *L = rt->L;
    bool top = rt->callback == NULL;
    const char *saved = rt->callback;
    if (top) {
        rt->used = 0;
        rt->started = now();
        rt->callback = callback;
        if (rt->stopped) {
            rt->stopped = false;
            lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_COUNT);
        }
    }
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    int rc = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    rt->callback = top ? NULL : saved;
    if (rc != LUA_OK) {
        const char *m = lua_tostring(L, -1);
        char buf[640];
        if (rc == LUA_ERRMEM) {
            snprintf(buf, sizeof buf, "out of memory: the Lua heap cap (%zu MiB) was reached in callback '%s'",
                     rt->mem_limit >> 20, callback ? callback : "?");
            m = buf;
        } else if (rt->stopped && (!m || !strstr(m, rt->stop_msg))) {
            // The limit's error was replaced on its way out (a message
            // handler or __close that failed): report the limit.
            snprintf(buf, sizeof buf, "%s", rt->stop_msg);
            m = buf;
        }
        if (err && errlen) snprintf(err, errlen, "%s", m ? m : "unknown Lua error");
        lua_pop(L, 1);
        return false;
    }
    return true;
}

static int l_print(lua_State *L)
{
    ps_lua_rt *rt = ps_lua_rt_of(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, i, &len);
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_addvalue(&b);
        (void)s;
        (void)len;
    }
    luaL_pushresult(&b);
    ps_log_write(&rt->log, PS_LOG_INFO, lua_tostring(L, -1));
    return 0;
}

static int l_random(lua_State *L)
{
    ps_lua_rt *rt = ps_lua_rt_of(L);
    lua_Integer lo, hi;
    switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, ps_rng_uniform(&rt->rng)); return 1;
    case 1: lo = 1; hi = luaL_checkinteger(L, 1); break;
    case 2: lo = luaL_checkinteger(L, 1); hi = luaL_checkinteger(L, 2); break;
    default: return luaL_error(L, "math.random: wrong number of arguments");
    }
    luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
    lua_pushinteger(L, (lua_Integer)ps_rng_range(&rt->rng, lo, hi));
    return 1;
}

static int l_normal(lua_State *L)
{
    ps_lua_rt *rt = ps_lua_rt_of(L);
    double mean = luaL_optnumber(L, 1, 0.0), sd = luaL_optnumber(L, 2, 1.0);
    lua_pushnumber(L, mean + sd * ps_rng_normal(&rt->rng));
    return 1;
}

static int l_randomseed(lua_State *L)
{
    return luaL_error(L, "math.randomseed is not available: math.random draws from the episode's seeded RNG");
}

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

// FNV-1a 64 of a file's bytes; 0 when it cannot be read.
static uint64_t file_hash(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    uint64_t h = PS_FNV_OFFSET;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) h = ps_fnv1a(h, buf, n);
    bool bad = ferror(f);
    fclose(f);
    return bad ? 0 : h;
}

void ps_lua_rt_add_source(ps_lua_rt *rt, const char *path)
{
    for (size_t i = 0; i < rt->source_count; i++)
        if (!strcmp(rt->sources[i], path)) return;
    if (rt->source_count == rt->source_cap) {
        size_t cap = rt->source_cap ? rt->source_cap * 2 : 8;
        char **n = realloc(rt->sources, cap * sizeof *n);
        if (!n) return;
        rt->sources = n;
        uint64_t *h = realloc(rt->source_hashes, cap * sizeof *h);
        if (!h) return;
        rt->source_hashes = h;
        rt->source_cap = cap;
    }
    size_t len = strlen(path) + 1;
    char *d = malloc(len);
    if (!d) return;
    memcpy(d, path, len);
    rt->source_hashes[rt->source_count] = file_hash(path);
    rt->sources[rt->source_count++] = d;
}

// Whether `real` (a resolved path) lies inside directory `dir` (resolved here).
static bool path_inside(const char *real, const char *dir)
{
    char rdir[PATH_MAX];
    if (!realpath(dir, rdir)) return false;
    size_t n = strlen(rdir);
    if (n == 1 && rdir[0] == '/') return true;
    return strncmp(real, rdir, n) == 0 && real[n] == '/';
}

// A module file must resolve (through symlinks) inside the scene's folder or
// a module path: a shipped link to a secrets file would otherwise be loaded
// and its text could come back in an error message.
bool ps_lua_path_allowed(const ps_lua_rt *rt, const char *path, char *real, size_t n)
{
    char r[PATH_MAX];
    snprintf(real, n, "%s", "(unresolvable)");
    if (!realpath(path, r)) return false;
    snprintf(real, n, "%s", r);
    if (path_inside(r, rt->scene_dir)) return true;
    for (size_t i = 0; i < rt->module_path_count; i++)
        if (path_inside(r, rt->module_paths[i])) return true;
    return false;
}

static int l_require(lua_State *L)
{
    ps_lua_rt *rt = ps_lua_rt_of(L);
    const char *name = luaL_checkstring(L, 1);
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              *c == '.' || *c == '-'))
            return luaL_error(L, "require '%s': module names may hold letters, digits, '_', '-' and '.'", name);
    if (!*name || name[0] == '.' || strstr(name, ".."))
        return luaL_error(L, "require '%s': bad module name", name);
    lua_getfield(L, LUA_REGISTRYINDEX, "ps.loaded");
    lua_getfield(L, -1, name);
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 1);

    char rel[512];
    snprintf(rel, sizeof rel, "%s.lua", name);
    for (char *c = rel; *c && strcmp(c, ".lua") != 0; c++)
        if (*c == '.') *c = '/';
    luaL_Buffer tried;
    luaL_buffinit(L, &tried);
    char path[4096];
    bool found = false;
    for (size_t i = 0; i <= rt->module_path_count && !found; i++) {
        const char *dir = i == 0 ? rt->scene_dir : rt->module_paths[i - 1];
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        if (file_exists(path)) found = true;
        else {
            luaL_addstring(&tried, "\n\tno file '");
            luaL_addstring(&tried, path);
            luaL_addstring(&tried, "'");
        }
    }
    if (!found) {
        luaL_pushresult(&tried);
        return luaL_error(L, "module '%s' not found:%s", name, lua_tostring(L, -1));
    }
    lua_pop(L, 1); // the unused buffer placeholder
    char real[PATH_MAX];
    if (!rt->trusted && !ps_lua_path_allowed(rt, path, real, sizeof real))
        return luaL_error(L, "require '%s': %s resolves to %s, outside the scene's folder and the module paths "
                             "(symbolic links may not lead out of them)", name, path, real);
    ps_lua_rt_add_source(rt, path);
    if (ps_lua_load_file(L, path) != LUA_OK) return lua_error(L);
    lua_pushstring(L, name);
    lua_pushstring(L, path);
    lua_call(L, 2, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, name); // ps.loaded[name] = result
    return 1;
}

// Lua patterns backtrack: k repetition items (*, +, -, ?) on an n-byte
// subject can take on the order of n^k / k! steps inside one C call, where
// neither the instruction budget nor the wall-clock guard can stop it
// ("a*a*a*a*a*b" on 100 "a"s runs for hours). An item counts only when more
// pattern follows it (the last item, before nothing but ')', takes what it
// gets and succeeds); an unanchored pattern is tried at each of the n start
// positions, which counts as one more item, so "a.-b" on 2 MB (4e12 steps) is
// refused while "%w+" over any subject is not. The pattern functions refuse a
// combination over the bound up front; ordinary patterns (one or two items,
// or short subjects) never come near it.
#define PATTERN_STEP_LIMIT 1e8

// Repetition items of pattern p that more pattern follows.
static int pattern_items(const char *p, size_t len)
{
    size_t end = len;
    while (end > 0 && p[end - 1] == ')') end--;
    int k = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '%') {
            i++;
        } else if (p[i] == '[') {
            i++;
            if (i < len && p[i] == '^') i++;
            if (i < len && p[i] == ']') i++; // a leading ']' is literal
            for (; i < len && p[i] != ']'; i++)
                if (p[i] == '%') i++;
        } else if ((p[i] == '*' || p[i] == '+' || p[i] == '-' || p[i] == '?') && i > 0 && i + 1 < end) {
            k++;
        }
    }
    return k;
}

static int l_pattern_guard(lua_State *L)
{
    size_t n, plen;
    luaL_checklstring(L, 1, &n);
    const char *p = luaL_checklstring(L, 2, &plen);
    bool find = lua_toboolean(L, lua_upvalueindex(2));
    bool plain = find && lua_toboolean(L, 4); // string.find's 'plain' argument
    int k = plain ? 0 : pattern_items(p, plen);
    // gmatch does not anchor at '^' (Lua 5.4)
    bool anchored = plen > 0 && p[0] == '^' && !lua_toboolean(L, lua_upvalueindex(4));
    if (k >= 1) {
        int kk = k + (anchored ? 0 : 1);
        double steps = 1;
        for (int i = 1; i <= kk && steps <= PATTERN_STEP_LIMIT; i++) steps = steps * (double)n / i;
        if (steps > PATTERN_STEP_LIMIT) {
            char msg[400];
            snprintf(msg, sizeof msg,
                     "%s: a pattern with %d repetition items on a %zu-byte subject%s could backtrack for more "
                     "than %.0e steps (the sandbox's limit); use fewer '*', '+', '-' or '?' items, anchor it "
                     "with '^', or a shorter subject",
                     lua_tostring(L, lua_upvalueindex(3)), k, n, anchored ? "" : " (tried at every start)",
                     PATTERN_STEP_LIMIT);
            return luaL_error(L, "%s", msg);
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

// table.move(a1, f, e, t [, a2]) copies element by element inside one C call:
// over 2^63 indices it never returns. Moves of more than this many elements
// are refused (16 M take a fraction of a second).
#define TABLE_MOVE_LIMIT (1 << 24)

static int l_table_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    if (e >= f && (lua_Unsigned)e - (lua_Unsigned)f >= (lua_Unsigned)TABLE_MOVE_LIMIT)
        return luaL_error(L, "table.move: indices %I..%I are more than the sandbox's limit of %d elements at once",
                          f, e, TABLE_MOVE_LIMIT);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static void guard_patterns(lua_State *L)
{
    static const char *const fns[] = {"find", "match", "gmatch", "gsub", NULL};
    lua_getglobal(L, "string");
    for (int i = 0; fns[i]; i++) {
        lua_getfield(L, -1, fns[i]);
        lua_pushboolean(L, i == 0); // find: its 4th argument may ask for a plain search
        lua_pushfstring(L, "string.%s", fns[i]);
        lua_pushboolean(L, i == 2); // gmatch
        lua_pushcclosure(L, l_pattern_guard, 4);
        lua_setfield(L, -2, fns[i]);
    }
    lua_pop(L, 1);
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "move");
    lua_pushcclosure(L, l_table_move, 1);
    lua_setfield(L, -2, "move");
    lua_pop(L, 1);
}

static void open_lib(lua_State *L, const char *name, lua_CFunction f)
{
    luaL_requiref(L, name, f, 1);
    lua_pop(L, 1);
}

static void install_common(lua_State *L)
{
    lua_getglobal(L, "math");
    lua_pushcfunction(L, l_random);
    lua_setfield(L, -2, "random");
    lua_pushcfunction(L, l_randomseed);
    lua_setfield(L, -2, "randomseed");
    lua_pushcfunction(L, l_normal);
    lua_setfield(L, -2, "normal");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_print);
    lua_setglobal(L, "print");
    lua_pushcfunction(L, l_require);
    lua_setglobal(L, "require");
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "ps.loaded");
}

static void install_sandbox(lua_State *L)
{
    open_lib(L, LUA_GNAME, luaopen_base);
    open_lib(L, LUA_TABLIBNAME, luaopen_table);
    open_lib(L, LUA_STRLIBNAME, luaopen_string);
    open_lib(L, LUA_MATHLIBNAME, luaopen_math);
    open_lib(L, LUA_UTF8LIBNAME, luaopen_utf8);
    open_lib(L, LUA_COLIBNAME, luaopen_coroutine);
    static const char *const removed[] = {"dofile", "loadfile", NULL};
    for (int i = 0; removed[i]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed[i]);
    }
    lua_getglobal(L, "string");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
}

// load(chunk [, chunkname [, mode [, env]]]) for text only, through the
// loader that refuses to-be-closed variables. A reader function's pieces
// are gathered first (in the Lua heap, under its cap).
static int l_load_sandboxed(lua_State *L)
{
    int n = lua_gettop(L);
    if (n >= 3 && !lua_isnil(L, 3) && strcmp(luaL_checkstring(L, 3), "t") != 0)
        return luaL_error(L, "load: only text chunks are allowed in scenes (mode 't')");
    int env = n >= 4 ? 4 : 0;
    const char *chunkname;
    if (lua_type(L, 1) == LUA_TSTRING) {
        chunkname = luaL_optstring(L, 2, lua_tostring(L, 1));
        lua_pushvalue(L, 1);
    } else {
        luaL_checktype(L, 1, LUA_TFUNCTION);
        chunkname = luaL_optstring(L, 2, "=(load)");
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (;;) {
            lua_pushvalue(L, 1);
            lua_call(L, 0, 1);
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                break;
            }
            if (lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "load: reader function must return a string");
            if (lua_rawlen(L, -1) == 0) {
                lua_pop(L, 1);
                break;
            }
            luaL_addvalue(&b);
        }
        luaL_pushresult(&b);
    }
    size_t len;
    const char *src = lua_tolstring(L, -1, &len);
    if (ps_lua_load_text(L, src, len, chunkname) != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (env) {
        lua_pushvalue(L, env);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
    return 1;
}

ps_lua_rt *ps_lua_rt_create(const ps_scene_options *opt, const char *scene_dir, char *err, size_t errlen)
{
    ps_lua_rt *rt = calloc(1, sizeof *rt);
    if (!rt) goto oom;
    rt->mem_limit = opt->memory_limit ? opt->memory_limit : (size_t)512 << 20;
    rt->budget = opt->instruction_budget ? opt->instruction_budget : 200000000ULL;
    rt->wall_limit = opt->wall_limit > 0 ? opt->wall_limit : 60.0;
    rt->log = opt->log;
    rt->trusted = opt->trusted;
    rt->scene_dir = ps_strdup(scene_dir);
    rt->module_paths = calloc(opt->module_path_count + 1, sizeof *rt->module_paths);
    if (!rt->scene_dir || !rt->module_paths) goto oom;
    for (size_t i = 0; i < opt->module_path_count; i++) {
        rt->module_paths[i] = ps_strdup(opt->module_paths[i]);
        if (!rt->module_paths[i]) goto oom;
        rt->module_path_count++;
    }
    rt->package_paths = calloc(opt->package_path_count + 1, sizeof *rt->package_paths);
    if (!rt->package_paths) goto oom;
    for (size_t i = 0; i < opt->package_path_count; i++) {
        rt->package_paths[i] = ps_strdup(opt->package_paths[i]);
        if (!rt->package_paths[i]) goto oom;
        rt->package_path_count++;
    }
    ps_rng_seed(&rt->rng, 0);
    rt->L = lua_newstate(capped_alloc, rt);
    if (!rt->L) goto oom;
    *(ps_lua_rt **)lua_getextraspace(rt->L) = rt;
    lua_atpanic(rt->L, panic_handler);
    if (rt->trusted) {
        luaL_openlibs(rt->L);
    } else {
        install_sandbox(rt->L);
        lua_pushcfunction(rt->L, l_load_sandboxed);
        lua_setglobal(rt->L, "load");
    }
    // Trusted code keeps the limits, so it gets the metered xpcall and the
    // pattern guard too.
    lua_pushcfunction(rt->L, l_xpcall);
    lua_setglobal(rt->L, "xpcall");
    ps_lua_guard_install(rt->L);
    guard_patterns(rt->L);
    install_common(rt->L);
    ps_lua_open_world(rt->L);
    ps_lua_open_robot(rt->L);
    ps_lua_open_sensor(rt->L);
    lua_sethook(rt->L, budget_hook, LUA_MASKCOUNT, HOOK_COUNT);
    return rt;
oom:
    snprintf(err, errlen, "out of memory creating the Lua runtime");
    ps_lua_rt_destroy(rt);
    return NULL;
}

void ps_lua_rt_destroy(ps_lua_rt *rt)
{
    if (!rt) return;
    if (rt->L) lua_close(rt->L);
    for (size_t i = 0; i < rt->module_path_count; i++) free(rt->module_paths[i]);
    free(rt->module_paths);
    for (size_t i = 0; i < rt->package_path_count; i++) free(rt->package_paths[i]);
    free(rt->package_paths);
    for (size_t i = 0; i < rt->source_count; i++) free(rt->sources[i]);
    free(rt->sources);
    free(rt->source_hashes);
    free(rt->scene_dir);
    free(rt);
}
