// The Lua sandbox against escape attempts, runaway code and resource bombs,
// in scene callbacks and in Lua policies (docs/robustness.md). Each attempt
// must end the episode (or the policy call) with a clear message naming the
// file:line or the callback, and leave the process and the scene usable: the
// same scene runs a clean episode right after, and so does a fresh scene.
// --trusted (options.trusted) lifts the library restrictions.
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "pilotsim/pilotsim.h"
#include "pilotsim/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char err[PS_ERR_LEN];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// Small limits keep the battery fast: 2 million instructions, a 32 MiB heap,
// 2 s of wall-clock time per callback.
static ps_scene_options limits(bool trusted)
{
    ps_scene_options o = ps_default_scene_options();
    o.instruction_budget = 2000000;
    o.memory_limit = (size_t)32 << 20;
    o.wall_limit = 2.0;
    o.trusted = trusted;
    return o;
}

// A scene whose step() runs `attack` (from line 4 of the file) in the episode
// of seed 1 only; other seeds run clean. `prelude` (one line) runs at load.
static ps_scene *attack_scene(const char *file, const char *prelude, const char *attack, bool trusted)
{
    char text[8192];
    snprintf(text, sizeof text,
             "%s\n"
             "return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,\n"
             "  step = function(ctx) if ctx.seed == 1 then\n"
             "%s\n"
             "  end end }\n",
             prelude ? prelude : "", attack);
    write_file(file, text);
    ps_scene_options o = limits(trusted);
    err[0] = '\0';
    return ps_scene_load(file, &o, err, sizeof err);
}

// Seed 2 in the same scene: a clean episode to the time limit (2 steps).
static bool scene_still_works(ps_scene *s)
{
    ps_episode *e = ps_episode_begin(s, 2);
    ps_episode_status st = ps_episode_run(e, 0);
    bool ok = st == PS_EP_TIMEOUT && ps_episode_steps(e) == 2;
    if (!ok) NOTE("clean episode after the attack: %s: %s", ps_episode_status_name(st), ps_episode_message(e));
    ps_episode_end(e);
    return ok;
}

// A fresh scene with a body runs too.
static bool process_healthy(void)
{
    write_file("healthy.lua", "return { name = 'h', timestep = 0.01, time_limit = 0.05,\n"
                              "  build = function(world, ctx) world:body{pos = {0, 0, 1}, mass = 1,\n"
                              "    geoms = {{type = 'sphere', radius = 0.1}}} end,\n"
                              "  success = function(ctx) return ctx.t >= 0.03 and ('ab'):upper() == 'AB' end }\n");
    ps_scene_options o = limits(false);
    ps_scene *s = ps_scene_load("healthy.lua", &o, err, sizeof err);
    if (!s) {
        NOTE("healthy scene: %s", err);
        return false;
    }
    ps_episode *e = ps_episode_begin(s, 7);
    ps_episode_status st = ps_episode_run(e, 0);
    if (st != PS_EP_SUCCESS) NOTE("healthy scene: %s: %s", ps_episode_status_name(st), ps_episode_message(e));
    ps_episode_end(e);
    ps_scene_destroy(s);
    return st == PS_EP_SUCCESS;
}

typedef struct attempt {
    const char *what;
    const char *code;   // step() body, at line 4
    const char *expect; // substring of the message; "a|b": either
    bool at_line;       // the message starts with "file:4:"
} attempt;

// True when `msg` holds one of the '|'-separated alternatives of `expect`.
static bool has_one_of(const char *msg, const char *expect)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", expect);
    for (char *alt = strtok(buf, "|"); alt; alt = strtok(NULL, "|"))
        if (strstr(msg, alt)) return true;
    return !*expect;
}

static const attempt scene_attempts[] = {
    // Libraries that are not there.
    {"os.execute", "os.execute('touch pwned')", "global 'os'", true},
    {"io.open", "io.open('/etc/passwd')", "global 'io'", true},
    {"package.loadlib", "package.loadlib('libc.so.6', 'system')", "global 'package'", true},
    {"debug.getregistry", "debug.getregistry()", "global 'debug'", true},
    {"dofile", "dofile('/etc/passwd')", "global 'dofile'", true},
    {"loadfile", "loadfile('/etc/passwd')", "global 'loadfile'", true},
    {"require 'os'", "local os = require 'os'", "module 'os' not found", true},
    {"require 'debug'", "local d = require 'debug'", "module 'debug' not found", true},
    {"require of a path", "require '../../../etc/passwd'", "module names may hold", true},
    // Binary chunks: no string.dump, load takes text only.
    {"string.dump", "local b = string.dump(function() end)", "field 'dump'", true},
    {"load mode 'b'", "local f = load('\\27LuaT', 'x', 'b')", "only text chunks", true},
    {"load mode 'bt'", "local f = load('return 1', 'x', 'bt')", "only text chunks", true},
    {"load of binary bytes", "local f, e = load('\\27LuaT\\0\\25\\147\\r\\n\\26\\n') error(e, 0)",
     "attempt to load a binary chunk (mode is 't')", false},
    {"load with a reader of binary bytes",
     "local sent local f, e = load(function() if sent then return nil end sent = true return '\\27Lua' end) error(e, 0)",
     "attempt to load a binary chunk", false},
    // Environment and metatable tricks reach nothing new.
    {"_G __index to resurrect os",
     "setmetatable(_G, {__index = function(t, k) return rawget(t, '_' .. k) end}) os.execute('true')",
     "global 'os'", true},
    {"_ENV swap", "local _ENV = setmetatable({}, {__index = _G}) io.write('x')", "global 'io'", true},
    {"rawget of removed globals",
     "local r = {rawget(_G, 'os'), rawget(_G, 'io'), rawget(_G, 'debug'), rawget(_G, 'package'), rawget(_G, 'dofile')}\n"
     " error('found ' .. #r, 0)",
     "found 0", false},
    {"string metatable __index to a function",
     "getmetatable('').__index = _G local x = ('a').os.execute", "field 'os'", true},
    {"collectgarbage('stop') then allocate",
     "collectgarbage('stop') collectgarbage('generational') local t = {} for i = 1, 1e9 do t[i] = string.rep('y', 4096) .. i end",
     "Lua heap cap (32 MiB)|wall-clock limit exceeded", false},
    // Runaway code: the budget holds even when the error is caught.
    {"runaway loop", "while true do end", "instruction budget exceeded (2000000 Lua instructions) in callback 'step'",
     true},
    {"runaway loop inside pcall, in a loop", "while true do pcall(function() while true do end end) end",
     "instruction budget exceeded", true},
    {"runaway loop, error caught by xpcall with a looping handler",
     "xpcall(function() while true do end end, function(e) while true do end end) while true do end",
     "instruction budget exceeded", false},
    {"runaway coroutines resumed in a loop",
     "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
     "instruction budget exceeded", false},
    {"runaway coroutine.wrap generator",
     "local co = coroutine.wrap(function() while true do coroutine.yield(1) end end) while true do pcall(co) end",
     "instruction budget exceeded", false},
    {"pcall(error) loop", "while true do pcall(error, 'x') end", "instruction budget exceeded|wall-clock limit exceeded", true},
    // Memory bombs: the allocator cap.
    {"string.rep bomb", "local s = string.rep('x', 1 << 30)", "Lua heap cap (32 MiB)", false},
    {"string.rep overflow", "local s = string.rep('x', 1 << 62)", "resulting string too large", true},
    {"doubling string", "local s = 'x' while true do s = s .. s end", "Lua heap cap", false},
    {"table growth", "local t = {} local i = 0 while true do i = i + 1 t[i] = string.rep('t', 256) .. i end",
     "Lua heap cap|wall-clock limit exceeded", false},
    {"memory bomb under pcall", "local t = {} while true do pcall(function() t[#t + 1] = string.rep('z', 1 << 20) end) end",
     "Lua heap cap|instruction budget exceeded|wall-clock limit exceeded", false},
    {"table.concat bomb", "local t = {} for i = 1, 100 do t[i] = string.rep('q', 1 << 20) end local s = table.concat(t)",
     "Lua heap cap|wall-clock limit exceeded", false},
    // Deep recursion, in Lua and through C.
    // (Lua's stack of a million slots needs more than the 32 MiB cap: either stops it.)
    {"Lua recursion", "local function f(n) return f(n + 1) + 1 end f(1)", "stack overflow|Lua heap cap", false},
    {"gsub callback recursion", "local function g(s) return (s:gsub('.', g)) end g('xy')", "stack overflow", false},
    {"__index recursion", "local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end local v = t.x",
     "stack overflow", false},
    {"__tostring recursion", "local t t = setmetatable({}, {__tostring = function(x) return tostring(x) end}) tostring(t)",
     "stack overflow", false},
    {"nested coroutines", "local function n() return coroutine.wrap(n)() end n()", "stack overflow", false},
    {"backtracking pattern", "local s = string.rep('a', 100) local i = s:find(string.rep('a*', 8) .. 'b')",
     "string.find: a pattern with 8 repetition items on a 100-byte subject (tried at every start) could backtrack", true},
    {"backtracking gsub", "local s = string.rep('a', 3000) s = s:gsub('a-a-a-b', 'x')",
     "string.gsub: a pattern with 3 repetition items on a 3000-byte subject", true},
    {"one-item pattern, quadratic unanchored", "local s = ('a'):rep(2e6) local i = s:find('a.-b')",
     "string.find: a pattern with 1 repetition items on a 2000000-byte subject (tried at every start) could backtrack", true},
    {"gmatch ignores '^'", "for x in ('a'):rep(30000):gmatch('^a-b') do end",
     "string.gmatch: a pattern with 1 repetition items on a 30000-byte subject (tried at every start)", true},
    {"table.move over 2^62 indices", "table.move({}, 1, 1 << 62, 2)",
     "table.move: indices 1..4611686018427387904 are more than the sandbox's limit of 16777216", true},
    {"table.move over the whole integer range", "table.move({}, math.mininteger, math.maxinteger, 1)",
     "table.move: indices -9223372036854775808..9223372036854775807 are more than", true},
    {"string.rep of patterns", "string.find(string.rep('a', 100), string.rep('(a)', 40))", "too many captures", true},
    // Error objects that are not strings.
    {"error table whose __tostring errors", "error(setmetatable({}, {__tostring = function() error('again') end}))",
     "(error object is a table value and converting it to a string failed)", false},
    {"error table whose __tostring loops", "error(setmetatable({}, {__tostring = function() while true do end end}))",
     "error object is a table value|instruction budget exceeded", false},
    {"error(nil)", "error(nil)", "(error object is a nil value)", false},
    // The episode RNG cannot be reseeded.
    {"math.randomseed", "math.randomseed(42)", "math.randomseed is not available", true},
};

// Ordinary patterns pass the backtracking guard.
static void test_patterns_ok(void)
{
    const char *code =
        "local s = string.rep('word ', 2000)\n"
        " assert(select(2, s:gsub('%w+', '')) == 2000)\n"
        " assert(('  trim me  '):match('^%s*(.-)%s*$') == 'trim me')\n"
        " assert(s:find('d w', 1, true) == 4)\n"
        " local n = 0 for k, v in ('a=1, b=2, c=3'):gmatch('(%w+)=(%w+)') do n = n + 1 end assert(n == 3)\n"
        " assert(string.rep('ab', 5000):find('[a-b]+$') == 1)\n"
        " assert(#table.move({1, 2, 3}, 1, 3, 2) == 4)\n"
        " error('patterns ok', 0)";
    ps_scene *s = attack_scene("patterns.lua", NULL, code, false);
    if (!CHECK(s != NULL)) return;
    ps_episode *e = ps_episode_begin(s, 1);
    CHECK_EQ(ps_episode_run(e, 0), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(ps_episode_message(e), "patterns ok");
    ps_episode_end(e);
    ps_scene_destroy(s);
}

static void test_scene_battery(void)
{
    char file[64];
    for (size_t i = 0; i < sizeof scene_attempts / sizeof scene_attempts[0]; i++) {
        const attempt *a = &scene_attempts[i];
        snprintf(file, sizeof file, "attack%02zu.lua", i);
        ps_scene *s = attack_scene(file, NULL, a->code, false);
        if (!CHECK(s != NULL)) {
            NOTE("%s: load: %s", a->what, err);
            continue;
        }
        double t0 = now();
        ps_episode *e = ps_episode_begin(s, 1);
        ps_episode_status st = ps_episode_run(e, 0);
        const char *msg = ps_episode_message(e);
        bool ok = CHECK_EQ(st, PS_EP_SCRIPT_ERROR);
        ok = CHECK(has_one_of(msg, a->expect)) && ok;
        ok = CHECK_HAS(msg, "step()") && ok;
        if (a->at_line) {
            char where[80];
            snprintf(where, sizeof where, "%s:4:", file);
            ok = CHECK_HAS(msg, where) && ok;
        }
        double took = now() - t0;
        ok = CHECK(took < 5) && ok;
        if (getenv("PS_TEST_VERBOSE")) fprintf(stderr, "%-50s %6.3f s  %.120s\n", a->what, took, msg);
        if (!ok) NOTE("attempt '%s' -> %s: %.600s", a->what, ps_episode_status_name(st), msg);
        ps_episode_end(e);
        if (!CHECK(scene_still_works(s))) NOTE("after '%s'", a->what);
        ps_scene_destroy(s);
    }
    CHECK(process_healthy());
}

// The budget message names the file:line the loop was at, as the hook found it.
static void test_budget_names_line(void)
{
    ps_scene *s = attack_scene("lineloop.lua", NULL, "local x = 0\nwhile true do x = x + 1 end", false);
    if (!CHECK(s != NULL)) return;
    ps_episode *e = ps_episode_begin(s, 1);
    CHECK_EQ(ps_episode_run(e, 0), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(ps_episode_message(e), "lineloop.lua:5: instruction budget exceeded");
    ps_episode_end(e);
    ps_scene_destroy(s);
}

// Slow C calls in a loop that catches errors: the wall-clock guard holds.
static void test_wall_clock(void)
{
    write_file("slowc.lua", "return { name = 's', timestep = 0.01, time_limit = 0.02, build = function() end,\n"
                            "  step = function(ctx) while true do pcall(string.rep, 'x', 200000) end end }\n");
    ps_scene_options o = limits(false);
    o.instruction_budget = 0; // the default 200 million: the clock must stop it first
    o.wall_limit = 0.3;
    ps_scene *s = ps_scene_load("slowc.lua", &o, err, sizeof err);
    if (!CHECK(s != NULL)) return;
    double t0 = now();
    ps_episode *e = ps_episode_begin(s, 1);
    CHECK_EQ(ps_episode_run(e, 0), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(ps_episode_message(e), "slowc.lua:2: wall-clock limit exceeded (0.3 s) in callback 'step'");
    CHECK(now() - t0 < 3);
    ps_episode_end(e);
    ps_scene_destroy(s);
}

// A limit hit while loading the scene file itself ("load") and in build().
static void test_load_and_build_limits(void)
{
    write_file("loadloop.lua", "local t = {}\nwhile true do t[1] = 1 end\nreturn {}\n");
    ps_scene_options o = limits(false);
    CHECK(ps_scene_load("loadloop.lua", &o, err, sizeof err) == NULL);
    CHECK_HAS(err, "loadloop.lua:2: instruction budget exceeded");
    CHECK_HAS(err, "callback 'load'");
    write_file("buildbomb.lua", "return { name = 'b', timestep = 0.01, time_limit = 0.02,\n"
                                "  build = function(world, ctx) local s = string.rep('x', 1 << 28) end }\n");
    ps_scene *s = ps_scene_load("buildbomb.lua", &o, err, sizeof err);
    if (CHECK(s != NULL)) {
        ps_episode *e = ps_episode_begin(s, 1);
        CHECK_EQ(ps_episode_get_status(e), PS_EP_SCRIPT_ERROR);
        CHECK_HAS(ps_episode_message(e), "Lua heap cap (32 MiB) was reached in callback 'build'");
        ps_episode_end(e);
        ps_scene_destroy(s);
    }
    CHECK(process_healthy());
}

// Changing the string metatable (shared by every string of a Lua state) stays
// inside that scene: other scenes and policies have their own state.
static void test_no_leak_across_states(void)
{
    write_file("poison.lua", "getmetatable('').__index.upper = function() return 'pwned' end\n"
                             "string.lower = nil\n"
                             "return { name = 'p', timestep = 0.01, time_limit = 0.02, build = function() end,\n"
                             "  success = function(ctx) return ('x'):upper() == 'pwned' end }\n");
    ps_scene_options o = limits(false);
    ps_scene *p = ps_scene_load("poison.lua", &o, err, sizeof err);
    if (!CHECK(p != NULL)) {
        NOTE("%s", err);
        return;
    }
    ps_episode *e = ps_episode_begin(p, 1);
    CHECK_EQ(ps_episode_run(e, 0), PS_EP_SUCCESS); // poisoned in its own state
    ps_episode_end(e);
    // Another scene loaded while the poisoned one lives, and a Lua policy.
    CHECK(process_healthy());
    write_file("upper_policy.lua", "return { act = function(obs, action)\n"
                                   "  assert(('ab'):upper() == 'AB' and string.lower('X') == 'x', 'string library poisoned')\n"
                                   "  action.force[1] = 0 end }\n");
    write_file("cart0.lua", "local cart\nreturn { name = 'c', timestep = 0.01, time_limit = 0.03,\n"
                            "  action = { force = {shape = {1}, low = -1, high = 1} },\n"
                            "  build = function(world, ctx) cart = world:body{mass = 1, gravity = false} end,\n"
                            "  act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end }\n");
    ps_scene *c = ps_scene_load("cart0.lua", &o, err, sizeof err);
    ps_policy_options po = ps_default_policy_options();
    ps_policy *pol = ps_policy_open("upper_policy.lua", &po, err, sizeof err);
    if (CHECK(c && pol)) {
        e = ps_episode_begin(c, 1);
        if (!CHECK_EQ(ps_episode_run_policy(e, pol, 1, 0), PS_EP_TIMEOUT)) NOTE("%s", ps_episode_message(e));
        ps_episode_end(e);
    }
    ps_policy_close(pol);
    ps_scene_destroy(c);
    ps_scene_destroy(p);
}

// Lua policies run in the same sandbox, with their own limits.
static const attempt policy_attempts[] = {
    {"os.execute", "os.execute('touch pwned')", "global 'os'", true},
    {"io.open", "io.open('/etc/passwd')", "global 'io'", true},
    {"package.loadlib", "package.loadlib('libc.so.6', 'system')", "global 'package'", true},
    {"string.dump + load", "load(string.dump(function() end), 'x', 'b')", "field 'dump'", true},
    {"load mode 'b'", "load('\\27Lua', 'x', 'b')", "only text chunks", true},
    {"debug", "debug.sethook()", "global 'debug'", true},
    {"runaway loop inside pcall", "while true do pcall(function() while true do end end) end", "instruction budget exceeded",
     true},
    {"coroutine runaway", "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
     "instruction budget exceeded", false},
    {"memory bomb", "local s = 'x' while true do s = s .. s end", "Lua heap cap (32 MiB) was reached in callback 'act'",
     false},
    {"deep recursion", "local function f() return 1 + f() end f()", "stack overflow|Lua heap cap", false},
};

static void test_policy_battery(void)
{
    write_file("cart1.lua", "local cart\nreturn { name = 'c', timestep = 0.01, time_limit = 0.03,\n"
                            "  observation = { x = {shape = {1}, fn = function(ctx, out) out[1] = cart:pos() end} },\n"
                            "  action = { force = {shape = {1}, low = -1, high = 1} },\n"
                            "  build = function(world, ctx) cart = world:body{mass = 1, gravity = false} end,\n"
                            "  act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end }\n");
    ps_scene_options o = limits(false);
    ps_scene *s = ps_scene_load("cart1.lua", &o, err, sizeof err);
    if (!CHECK(s != NULL)) {
        NOTE("%s", err);
        return;
    }
    char file[64], text[4096];
    for (size_t i = 0; i < sizeof policy_attempts / sizeof policy_attempts[0]; i++) {
        const attempt *a = &policy_attempts[i];
        snprintf(file, sizeof file, "polattack%02zu.lua", i);
        // The attack runs on the first act() of the episode of seed 1 (line 4).
        snprintf(text, sizeof text,
                 "local seed\n"
                 "return { reset = function(spec, s) seed = s end,\n"
                 "  act = function(obs, action) if seed == 1 then\n"
                 "%s\n"
                 "  end action.force[1] = 0 end }\n",
                 a->code);
        write_file(file, text);
        ps_policy_options po = ps_default_policy_options();
        po.instruction_budget = 2000000;
        po.memory_limit = (size_t)32 << 20;
        po.wall_limit = 2;
        ps_policy *p = ps_policy_open(file, &po, err, sizeof err);
        if (!CHECK(p != NULL)) {
            NOTE("%s: open: %s", a->what, err);
            continue;
        }
        ps_episode *e = ps_episode_begin(s, 1);
        ps_episode_status st = ps_episode_run_policy(e, p, 1, 0);
        const char *msg = ps_episode_message(e);
        bool ok = CHECK_EQ(st, PS_EP_SCRIPT_ERROR);
        ok = CHECK(has_one_of(msg, a->expect)) && ok;
        if (a->at_line) {
            char where[80];
            snprintf(where, sizeof where, "%s:4:", file);
            ok = CHECK_HAS(msg, where) && ok;
        }
        if (!ok) NOTE("policy attempt '%s' -> %s: %.600s", a->what, ps_episode_status_name(st), msg);
        ps_episode_end(e);
        // The same policy serves the next episode.
        e = ps_episode_begin(s, 2);
        st = ps_episode_run_policy(e, p, 2, 0);
        if (!CHECK_EQ(st, PS_EP_TIMEOUT)) NOTE("policy after '%s': %s", a->what, ps_episode_message(e));
        ps_episode_end(e);
        ps_policy_close(p);
    }
    ps_scene_destroy(s);
    CHECK(process_healthy());
}

// trusted lifts the library restrictions (not the limits).
static void test_trusted(void)
{
    const char *code = "assert(os.time() > 0 and io.open and debug.getinfo(1) and package.loadlib and string.dump)\n"
                       " assert(load(string.dump(function() return 7 end), 'd', 'b')() == 7)";
    ps_scene *s = attack_scene("trusted.lua", NULL, code, true);
    if (CHECK(s != NULL)) {
        ps_episode *e = ps_episode_begin(s, 1);
        if (!CHECK_EQ(ps_episode_run(e, 0), PS_EP_TIMEOUT)) NOTE("%s", ps_episode_message(e));
        ps_episode_end(e);
        ps_scene_destroy(s);
    }
    s = attack_scene("untrusted.lua", NULL, code, false);
    if (CHECK(s != NULL)) {
        ps_episode *e = ps_episode_begin(s, 1);
        CHECK_EQ(ps_episode_run(e, 0), PS_EP_SCRIPT_ERROR);
        ps_episode_end(e);
        ps_scene_destroy(s);
    }
    s = attack_scene("trusted_loop.lua", NULL, "while true do end", true);
    if (CHECK(s != NULL)) {
        ps_episode *e = ps_episode_begin(s, 1);
        CHECK_EQ(ps_episode_run(e, 0), PS_EP_SCRIPT_ERROR);
        CHECK_HAS(ps_episode_message(e), "instruction budget exceeded");
        ps_episode_end(e);
        ps_scene_destroy(s);
    }
    write_file("trusted_policy.lua", "return { act = function(obs, action) assert(os.getenv and io.write) action.force[1] = 0 end }\n");
    write_file("cart2.lua", "local cart\nreturn { name = 'c', timestep = 0.01, time_limit = 0.02,\n"
                            "  action = { force = {shape = {1}} },\n"
                            "  build = function(world, ctx) cart = world:body{mass = 1, gravity = false} end }\n");
    ps_scene_options o = limits(false);
    ps_scene *c = ps_scene_load("cart2.lua", &o, err, sizeof err);
    if (!CHECK(c != NULL)) return;
    for (int trusted = 0; trusted < 2; trusted++) {
        ps_policy_options po = ps_default_policy_options();
        po.trusted = trusted;
        ps_policy *p = ps_policy_open("trusted_policy.lua", &po, err, sizeof err);
        if (!CHECK(p != NULL)) continue;
        ps_episode *e = ps_episode_begin(c, 1);
        CHECK_EQ(ps_episode_run_policy(e, p, 1, 0), trusted ? PS_EP_TIMEOUT : PS_EP_SCRIPT_ERROR);
        ps_episode_end(e);
        ps_policy_close(p);
    }
    ps_scene_destroy(c);
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    RUN(test_scene_battery);
    RUN(test_patterns_ok);
    RUN(test_budget_names_line);
    RUN(test_wall_clock);
    RUN(test_load_and_build_limits);
    RUN(test_no_leak_across_states);
    RUN(test_policy_battery);
    RUN(test_trusted);
    return TEST_DONE();
}
