// Scene loading, validation errors, params, sandbox and require.
#define _POSIX_C_SOURCE 200809L // mkdtemp, chdir
#include "harness.h"
#include "pilotsim/pilotsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[PS_ERR_LEN];

// Writes `text` to `path` (in the test's working directory: a mktemp folder, see main).
static const char *write_scene(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

static ps_scene *load(const char *path, const char *const *params, size_t np)
{
    ps_scene_options o = ps_default_scene_options();
    o.params = params;
    o.param_count = np;
    err[0] = '\0';
    return ps_scene_load(path, &o, err, sizeof err);
}

#define MINIMAL "name = 'm', timestep = 0.01, time_limit = 0.1, build = function(world, ctx) end"

static void test_load_metadata(void)
{
    write_scene("meta.lua", "return {\n"
                            "  name = 'meta', domain = 'examples', description = 'a test scene',\n"
                            "  timestep = 0.005, time_limit = 2,\n"
                            "  params = { zeta = {default = 1.5, min = 0, max = 3, description = 'z'},\n"
                            "             alpha = {default = 2, min = 1, max = 4, integer = true},\n"
                            "             flag = {default = true}, mode = {default = 'a', choices = {'a', 'b'}} },\n"
                            "  build = function(world, ctx) end,\n"
                            "}\n");
    ps_scene *s = load("meta.lua", NULL, 0);
    if (!CHECK(s != NULL)) {
        NOTE("%s", err);
        return;
    }
    CHECK(strcmp(ps_scene_name(s), "meta") == 0);
    CHECK(strcmp(ps_scene_domain(s), "examples") == 0);
    CHECK(strcmp(ps_scene_description(s), "a test scene") == 0);
    CHECK_NEAR(ps_scene_timestep(s), 0.005, 0);
    CHECK_NEAR(ps_scene_time_limit(s), 2, 0);
    CHECK_EQ(ps_scene_param_count(s), 4);
    ps_param_info p;
    const char *order[] = {"alpha", "flag", "mode", "zeta"};
    const char *types[] = {"integer", "boolean", "string", "number"};
    for (size_t i = 0; i < 4; i++) {
        CHECK_EQ(ps_scene_param(s, i, &p), PS_OK);
        CHECK(strcmp(p.name, order[i]) == 0);
        CHECK(strcmp(p.type, types[i]) == 0);
    }
    ps_scene_param(s, 3, &p);
    CHECK(strcmp(p.value, "1.5") == 0);
    CHECK_NEAR(p.max, 3, 0);
    CHECK_EQ(ps_scene_param(s, 4, &p), PS_ERR_INVALID);
    uint64_t h = ps_scene_content_hash(s);
    ps_scene_destroy(s);
    s = load("meta.lua", NULL, 0);
    CHECK(s && ps_scene_content_hash(s) == h);
    ps_scene_destroy(s);
}

static void test_load_errors(void)
{
    // Syntax error: file and line from Lua's parser.
    write_scene("syntax.lua", "return {\n  name = 'x',\n  timestep = = 0.01,\n}\n");
    CHECK(load("syntax.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "syntax.lua:3:");
    // Missing file.
    CHECK(load("does_not_exist.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "does_not_exist.lua: cannot open");
    // Not a table.
    write_scene("notable.lua", "return 42\n");
    CHECK(load("notable.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "must return a table");
    // Missing required field, named.
    write_scene("noname.lua", "return { timestep = 0.01, time_limit = 1, build = function() end }\n");
    CHECK(load("noname.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "field 'name'");
    // Mistyped field with its line.
    write_scene("badts.lua", "return {\n  name = 'b',\n  timestep = '0.01',\n  time_limit = 1,\n"
                             "  build = function() end,\n}\n");
    CHECK(load("badts.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "badts.lua:3: field 'timestep'");
    CHECK_HAS(err, "got string");
    // Negative time limit.
    write_scene("badtl.lua", "return { name = 'b', timestep = 0.01,\n time_limit = -1, build = function() end }\n");
    CHECK(load("badtl.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "badtl.lua:2: field 'time_limit'");
    // build missing, step not a function.
    write_scene("nobuild.lua", "return { name = 'b', timestep = 0.01, time_limit = 1 }\n");
    CHECK(load("nobuild.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "field 'build'");
    write_scene("badstep.lua", "return { " MINIMAL ",\n step = 3 }\n");
    CHECK(load("badstep.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "badstep.lua:2: field 'step': must be a function");
    // Unknown top-level field (a typo) is named.
    write_scene("typo.lua", "return { " MINIMAL ", sucess = function() end }\n");
    CHECK(load("typo.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "unknown field 'sucess'");
    // Runtime error while loading, with traceback.
    write_scene("rterr.lua", "local x = nil\nlocal y = x.field\nreturn {}\n");
    CHECK(load("rterr.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "rterr.lua:2:");
    CHECK_HAS(err, "stack traceback");
    // Bad world settings.
    write_scene("badworld.lua", "return { " MINIMAL ",\n world = { iterations = 0 } }\n");
    CHECK(load("badworld.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "iterations");
    write_scene("badworld2.lua", "return { " MINIMAL ",\n world = { gravty = {0,0,-1} } }\n");
    CHECK(load("badworld2.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "unknown field 'gravty'");
    // Bad params.
    write_scene("badparam.lua", "return { " MINIMAL ",\n params = { a = {default = 5, min = 0, max = 1} } }\n");
    CHECK(load("badparam.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "outside");
    write_scene("badparam2.lua", "return { " MINIMAL ",\n params = { a = {min = 0, max = 1} } }\n");
    CHECK(load("badparam2.lua", NULL, 0) == NULL);
    CHECK_HAS(err, "needs a default");
}

static void test_param_overrides(void)
{
    write_scene("params.lua", "return { " MINIMAL ",\n"
                              " params = { speed = {default = 1, min = 0, max = 2}, n = {default = 3, min = 1, max = 9, integer = true},\n"
                              "            on = {default = false}, mode = {default = 'a', choices = {'a', 'b'}} } }\n");
    const char *ok[] = {"speed=1.5", "n=7", "on=true", "mode=b"};
    ps_scene *s = load("params.lua", ok, 4);
    if (!CHECK(s != NULL)) {
        NOTE("%s", err);
        return;
    }
    ps_param_info p;
    ps_scene_param(s, 0, &p); // mode
    CHECK(strcmp(p.value, "b") == 0 && p.overridden);
    ps_scene_param(s, 1, &p); // n
    CHECK(strcmp(p.value, "7") == 0);
    ps_scene_param(s, 2, &p); // on
    CHECK(strcmp(p.value, "true") == 0);
    ps_scene_param(s, 3, &p); // speed
    CHECK(strcmp(p.value, "1.5") == 0);
    ps_scene_destroy(s);

    const char *unknown[] = {"sped=1"};
    CHECK(load("params.lua", unknown, 1) == NULL);
    CHECK_HAS(err, "unknown param 'sped'");
    CHECK_HAS(err, "mode, n, on, speed");
    const char *range[] = {"speed=3"};
    CHECK(load("params.lua", range, 1) == NULL);
    CHECK_HAS(err, "outside its range");
    const char *type[] = {"n=abc"};
    CHECK(load("params.lua", type, 1) == NULL);
    CHECK_HAS(err, "'abc' is not a number");
    const char *integer[] = {"n=2.5"};
    CHECK(load("params.lua", integer, 1) == NULL);
    CHECK_HAS(err, "not an integer");
    const char *boolean[] = {"on=maybe"};
    CHECK(load("params.lua", boolean, 1) == NULL);
    CHECK_HAS(err, "not a boolean");
    const char *choice[] = {"mode=c"};
    CHECK(load("params.lua", choice, 1) == NULL);
    CHECK_HAS(err, "not one of its choices");
    const char *noeq[] = {"speed"};
    CHECK(load("params.lua", noeq, 1) == NULL);
    CHECK_HAS(err, "name=value");
}

// Runs `body` (Lua statements) inside build() and returns the episode's status
// and message.
static ps_episode_status run_build(const char *body, char *msg, size_t n)
{
    char text[4096];
    snprintf(text, sizeof text, "return { " MINIMAL ",\n step = function(ctx)\n%s\nend }\n", body);
    // The body runs in step() so the world exists; one step is enough.
    write_scene("sandbox.lua", text);
    ps_scene *s = load("sandbox.lua", NULL, 0);
    if (!s) {
        snprintf(msg, n, "%s", err);
        return PS_EP_RUNNING;
    }
    ps_episode *e = ps_episode_begin(s, 1);
    ps_episode_status st = ps_episode_step(e, 1);
    snprintf(msg, n, "%s", ps_episode_message(e));
    ps_episode_end(e);
    ps_scene_destroy(s);
    return st;
}

static void test_sandbox(void)
{
    char msg[4096];
    const char *refused[] = {
        "os.execute('true')", "io.open('/etc/passwd')", "debug.getinfo(1)", "package.loadlib('x', 'y')",
        "dofile('/etc/passwd')", "loadfile('/etc/passwd')", "string.dump(print)",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        ps_episode_status st = run_build(refused[i], msg, sizeof msg);
        if (!CHECK_EQ(st, PS_EP_SCRIPT_ERROR)) NOTE("%s -> %s", refused[i], msg);
        CHECK_HAS(msg, "sandbox.lua:3:");
    }
    // Binary chunks are refused by load.
    CHECK_EQ(run_build("local f = load('\\27Lua', 'x', 'b')", msg, sizeof msg), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "only text chunks");
    // Text chunks work.
    CHECK_EQ(run_build("assert(load('return 1 + 1')() == 2)", msg, sizeof msg), PS_EP_TIMEOUT);
    // Runaway loop: the instruction budget stops it and names the callback.
    CHECK_EQ(run_build("while true do end", msg, sizeof msg), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "instruction budget exceeded");
    CHECK_HAS(msg, "'step'");
    // Slow C calls in a loop: the wall-clock guard stops the callback.
    write_scene("slow.lua", "return { " MINIMAL ",\n step = function(ctx)\n"
                            " while true do local s = string.rep('x', 100000) end\nend }\n");
    ps_scene_options wo = ps_default_scene_options();
    wo.wall_limit = 0.2;
    ps_scene *ws = ps_scene_load("slow.lua", &wo, err, sizeof err);
    if (CHECK(ws != NULL)) {
        ps_episode *we = ps_episode_begin(ws, 1);
        CHECK_EQ(ps_episode_step(we, 1), PS_EP_SCRIPT_ERROR);
        CHECK_HAS(ps_episode_message(we), "wall-clock limit exceeded");
        CHECK_HAS(ps_episode_message(we), "slow.lua:3:");
        ps_episode_end(we);
        ps_scene_destroy(ws);
    }
    // Memory bomb: the allocator cap stops it.
    CHECK_EQ(run_build("local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1024) .. i end", msg, sizeof msg),
             PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "memory");
    // math.randomseed is not available; math.random works.
    CHECK_EQ(run_build("math.randomseed(3)", msg, sizeof msg), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "randomseed");
    CHECK_EQ(run_build("local r = math.random(1, 6) assert(r >= 1 and r <= 6)", msg, sizeof msg), PS_EP_TIMEOUT);
}

static void test_require(void)
{
    int rc = system("mkdir -p modtest/lib && mkdir -p modpath/robots");
    CHECK_EQ(rc, 0);
    write_scene("modtest/helper.lua", "return { value = 41 }\n");
    write_scene("modpath/robots/thing.lua", "local M = {} function M.add(a) return a + 1 end return M\n");
    write_scene("modtest/uses.lua", "local h = require 'helper'\nlocal t = require 'robots.thing'\n"
                                    "assert(require('helper') == h)\n"
                                    "return { name = 'uses', timestep = 0.01, time_limit = 0.02,\n"
                                    "  build = function() end, metrics = function() return {v = t.add(h.value)} end }\n");
    ps_scene_options o = ps_default_scene_options();
    const char *paths[] = {"modpath"};
    o.module_paths = paths;
    o.module_path_count = 1;
    ps_scene *s = ps_scene_load("modtest/uses.lua", &o, err, sizeof err);
    if (!CHECK(s != NULL)) {
        NOTE("%s", err);
        return;
    }
    // The sources the scene loaded: the scene, then each module once, as found.
    CHECK_EQ(ps_scene_source_count(s), 3);
    CHECK(strcmp(ps_scene_source(s, 0), "modtest/uses.lua") == 0);
    CHECK(strcmp(ps_scene_source(s, 1), "modtest/helper.lua") == 0);
    CHECK(strcmp(ps_scene_source(s, 2), "modpath/robots/thing.lua") == 0);
    CHECK(ps_scene_source(s, 3) == NULL);
    ps_episode *e = ps_episode_begin(s, 0);
    ps_episode_run(e, 0);
    const char *const *names;
    const double *values;
    CHECK_EQ(ps_episode_metrics(e, &names, &values, err, sizeof err), 1);
    CHECK(strcmp(names[0], "v") == 0 && values[0] == 42);
    ps_episode_end(e);
    ps_scene_destroy(s);
    // Missing module: the searched paths are listed; escaping names are refused.
    write_scene("modtest/missing.lua", "require 'nope'\nreturn {}\n");
    CHECK(ps_scene_load("modtest/missing.lua", &o, err, sizeof err) == NULL);
    CHECK_HAS(err, "module 'nope' not found");
    CHECK_HAS(err, "modpath/nope.lua");
    write_scene("modtest/escape.lua", "require '..secret'\nreturn {}\n");
    CHECK(ps_scene_load("modtest/escape.lua", &o, err, sizeof err) == NULL);
    CHECK_HAS(err, "bad module name");
    write_scene("modtest/escape2.lua", "require '/etc/passwd'\nreturn {}\n");
    CHECK(ps_scene_load("modtest/escape2.lua", &o, err, sizeof err) == NULL);
    CHECK_HAS(err, "module names may hold");
}

// The optional `view` field: eye, target (m), fov (degrees -> rad); errors name it.
static void test_view(void)
{
    ps_scene *s = load(write_scene("noview.lua", "return {" MINIMAL "}"), NULL, 0);
    CHECK(s != NULL);
    ps_vec3 eye = {9, 9, 9}, target;
    double fov = 0;
    CHECK(!ps_scene_view(s, &eye, &target, &fov));
    CHECK_EQ(eye.x, 9);
    ps_scene_destroy(s);

    s = load(write_scene("view.lua", "return {" MINIMAL ",\n view = {eye = {3, -2, 1.5}, target = {0, 0, 0.25}, fov = 60}}"),
             NULL, 0);
    CHECK(s != NULL);
    CHECK(ps_scene_view(s, &eye, &target, &fov));
    CHECK(eye.x == 3 && eye.y == -2 && eye.z == 1.5);
    CHECK(target.x == 0 && target.y == 0 && target.z == 0.25);
    CHECK_NEAR(fov, 60 * 3.14159265358979323846 / 180, 1e-12);
    CHECK(ps_scene_view(s, NULL, NULL, NULL));
    ps_scene_destroy(s);

    s = load(write_scene("view2.lua", "return {" MINIMAL ", view = {eye = {1, 1, 1}, target = {0, 0, 0}}}"), NULL, 0);
    CHECK(s != NULL && ps_scene_view(s, NULL, NULL, &fov));
    CHECK_NEAR(fov, 45 * 3.14159265358979323846 / 180, 1e-12);
    CHECK(ps_scene_view_darkness(s) == 0);
    ps_scene_destroy(s);
    s = load(write_scene("view3.lua", "return {" MINIMAL ", view = {eye = {1, 1, 1}, target = {0, 0, 0}, darkness = 0.75}}"),
             NULL, 0);
    CHECK(s != NULL && ps_scene_view_darkness(s) == 0.75);
    ps_scene_destroy(s);

    const char *bad[][2] = {
        {"return {" MINIMAL ",\n view = 3}", "view.lua:2: field 'view': must be a table"},
        {"return {" MINIMAL ",\n view = {eye = {1, 2}, target = {0, 0, 0}}}", "view.eye must be {x, y, z}"},
        {"return {" MINIMAL ",\n view = {eye = {1, 2, 3}}}", "view.target must be {x, y, z}"},
        {"return {" MINIMAL ",\n view = {eye = {1, 2, 'a'}, target = {0, 0, 0}}}", "view.eye[3] must be a finite number"},
        {"return {" MINIMAL ",\n view = {eye = {1, 2, 3}, target = {0, 0, 0}, fov = 200}}", "view.fov must be a number in (0, 180)"},
        {"return {" MINIMAL ",\n view = {eye = {1, 2, 3}, target = {1, 2, 3}}}", "coincide"},
        {"return {" MINIMAL ",\n view = {eye = {1, 2, 3}, target = {0, 0, 0}, darkness = 2}}", "view.darkness must be a number in [0, 1]"},
        {"return {" MINIMAL ",\n view = {eye = {1, 2, 3}, target = {0, 0, 0}, up = {0, 0, 1}}}", "up"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = load(write_scene("view.lua", bad[i][0]), NULL, 0);
        CHECK(s == NULL);
        CHECK_HAS(err, bad[i][1]);
        ps_scene_destroy(s);
    }
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the scene files these tests write go there
    RUN(test_load_metadata);
    RUN(test_view);
    RUN(test_load_errors);
    RUN(test_param_overrides);
    RUN(test_sandbox);
    RUN(test_require);
    return TEST_DONE();
}
