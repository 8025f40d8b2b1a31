// pilotsim bench --policies: the per-step cost of each policy interface on
// scenes/bench/cart.lua (2 observation floats, 1 action float), against the
// same episode with no policy. The same PD law runs behind every interface:
// Lua (scenes/bench/cart_pd.lua), a C library (tests/policies/pd_policy.c),
// an exec: peer and a tcp:// server (tools/python/policy_server.py), and the
// Python binding's env.step loop (tools/python/pilotsim/bench.py).
#define _DEFAULT_SOURCE
#include "cli.h"
#include "bench.h"
#include "pilotsim/policy.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


enum { V_NONE, V_LUA, V_LIB, V_EXEC, V_TCP, V_PYTHON, NV };
static const char *const LABEL[NV] = {"no policy", "Lua", "C library (lib:)", "exec: (Python peer)",
                                      "tcp:// (Python server)", "Python binding env.step"};
static const char *const KEY[NV] = {"none", "lua", "lib", "exec", "tcp", "python"};

typedef struct variant {
    bool ran;
    double rate;        // median steps/s
    uint64_t hash;      // final state hash (episode variants)
    char note[1100];     // why it was skipped
} variant;

// The build tree of this executable: <build>/tools/pilotsim/pilotsim.
static bool build_dir(char *out, size_t n)
{
    char exe[PATH_MAX];
    if (!cli_self_exe(exe, sizeof exe)) return false;
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash) return false;
        *slash = 0;
    }
    return snprintf(out, n, "%s", exe) < (int)n;
}

// Runs `repeat` episodes of `steps` steps with policy `p` (NULL: none) and
// returns the median steps/s, or -1 with a message in v->note.
static double time_episodes(ps_scene *s, ps_policy *p, uint64_t steps, int repeat, variant *v)
{
    double rates[64];
    if (repeat > 64) repeat = 64;
    for (int k = 0; k < repeat; k++) {
        ps_episode *e = ps_episode_begin(s, 1);
        if (!e) {
            snprintf(v->note, sizeof v->note, "out of memory");
            return -1;
        }
        double t0 = cli_now();
        ps_episode_status st = p ? ps_episode_run_policy(e, p, 1, steps) : ps_episode_run(e, steps);
        double dt = cli_now() - t0;
        uint64_t done = ps_episode_steps(e);
        if (done != steps) {
            snprintf(v->note, sizeof v->note, "episode ended after %llu of %llu steps: %s %s",
                     (unsigned long long)done, (unsigned long long)steps, ps_episode_status_name(st),
                     ps_episode_message(e));
            ps_episode_end(e);
            return -1;
        }
        v->hash = ps_world_state_hash(ps_episode_world(e));
        ps_episode_end(e);
        rates[k] = (double)steps / dt;
    }
    return bench_median(rates, repeat);
}

static void run_spec(ps_scene *s, const char *spec, uint64_t steps, int repeat, variant *v)
{
    char err[1024];
    ps_policy_options po = ps_default_policy_options();
    ps_policy *p = ps_policy_open(spec, &po, err, sizeof err);
    if (!p) {
        snprintf(v->note, sizeof v->note, "%.1000s", err);
        return;
    }
    double r = time_episodes(s, p, steps, repeat, v);
    ps_policy_close(p);
    if (r > 0) {
        v->rate = r;
        v->ran = true;
    }
}

// tcp://: starts the Python server on a free port and reads the port it prints.
static void run_tcp(ps_scene *s, const char *python, uint64_t steps, int repeat, variant *v)
{
    char cmd[PATH_MAX + 256], data[PATH_MAX];
    if (!cli_data_dir(data, sizeof data)) {
        snprintf(v->note, sizeof v->note, "pilotsim's data folder not found (set PILOTSIM_DATA)");
        return;
    }
    snprintf(cmd, sizeof cmd, "exec %s %s/python/policy_server.py --tcp 0 --once", python, data);
    FILE *srv = popen(cmd, "r");
    if (!srv) {
        snprintf(v->note, sizeof v->note, "cannot start %.900s", cmd);
        return;
    }
    char line[256];
    int port = 0;
    if (!fgets(line, sizeof line, srv) || sscanf(line, "listening on %d", &port) != 1) {
        snprintf(v->note, sizeof v->note, "the tcp server did not report its port");
        pclose(srv);
        return;
    }
    char spec[64];
    snprintf(spec, sizeof spec, "tcp://127.0.0.1:%d", port);
    run_spec(s, spec, steps, repeat, v);
    pclose(srv); // --once: it exits when the policy closes its connection
}

// The Python binding: env.step(dict) steps/s as printed by pilotsim.bench.
static void run_python(const char *scene, const char *python, const char *build, uint64_t steps, int repeat,
                       variant *v)
{
    char cmd[4 * PATH_MAX], data[PATH_MAX];
    if (!cli_data_dir(data, sizeof data)) {
        snprintf(v->note, sizeof v->note, "pilotsim's data folder not found (set PILOTSIM_DATA)");
        return;
    }
    snprintf(cmd, sizeof cmd,
             "PYTHONPATH=%s/python PILOTSIM_LIB=%s/sim/libpilotsim.so exec %s -m pilotsim.bench %s "
             "--steps %llu --reps %d 2>&1",
             data, build, python, scene, (unsigned long long)steps, repeat);
    FILE *f = popen(cmd, "r");
    if (!f) {
        snprintf(v->note, sizeof v->note, "cannot start %s", python);
        return;
    }
    char line[512], last[512] = "";
    double rate = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "python env.step(dict)", 21)) sscanf(line + 21, "%lf", &rate);
        snprintf(last, sizeof last, "%s", line);
    }
    int rc = pclose(f);
    if (rc != 0 || rate <= 0) {
        last[strcspn(last, "\n")] = 0;
        snprintf(v->note, sizeof v->note, "python bench failed: %.900s", last);
        return;
    }
    v->rate = rate;
    v->ran = true;
}

int bench_policies(const char *dir, int repeat, uint64_t steps, bool json, const char *lib, const char *python)
{
    char scene[PATH_MAX], lua[PATH_MAX + 64], libspec[PATH_MAX + 64], exec[2 * PATH_MAX], build[PATH_MAX];
    char err[4096], env_storage[4096], data[PATH_MAX];
    snprintf(scene, sizeof scene, "%s/cart.lua", dir);
    snprintf(lua, sizeof lua, "%s/cart_pd.lua", dir);
    bool have_build = build_dir(build, sizeof build);
    if (!lib && have_build) {
        snprintf(libspec, sizeof libspec, "lib:%s/tests/libpd_policy.so", build);
    } else {
        snprintf(libspec, sizeof libspec, "lib:%s", lib ? lib : "libpd_policy.so");
    }
    if (!cli_data_dir(data, sizeof data)) snprintf(data, sizeof data, ".");
    snprintf(exec, sizeof exec, "exec:exec %s %s/python/policy_server.py --stdio", python, data);
    if (!steps) steps = 20000;

    cli_scene_opts so = {0};
    cli_default_module_paths(&so, env_storage, sizeof env_storage);
    so.quiet = true;
    ps_scene_options opt = cli_scene_options(&so);
    ps_scene *s = ps_scene_load(scene, &opt, err, sizeof err);
    if (!s) {
        fprintf(stderr, "error: %s\n", err);
        return EXIT_RUNTIME;
    }
    if ((double)steps * ps_scene_timestep(s) > ps_scene_time_limit(s)) {
        fprintf(stderr, "pilotsim bench: --policies runs at most %.0f steps of %s\n",
                ps_scene_time_limit(s) / ps_scene_timestep(s), scene);
        ps_scene_destroy(s);
        return EXIT_USAGE;
    }
    variant v[NV] = {{0}};
    double r = time_episodes(s, NULL, steps, repeat, &v[V_NONE]);
    if (r < 0) {
        fprintf(stderr, "error: %s: %s\n", scene, v[V_NONE].note);
        ps_scene_destroy(s);
        return EXIT_RUNTIME;
    }
    v[V_NONE].rate = r;
    v[V_NONE].ran = true;
    run_spec(s, lua, steps, repeat, &v[V_LUA]);
    run_spec(s, libspec, steps, repeat, &v[V_LIB]);
    run_spec(s, exec, steps, repeat, &v[V_EXEC]);
    run_tcp(s, python, steps, repeat, &v[V_TCP]);
    if (have_build) run_python(scene, python, build, steps, repeat, &v[V_PYTHON]);
    else snprintf(v[V_PYTHON].note, sizeof v[V_PYTHON].note, "cannot locate the build tree");
    ps_scene_destroy(s);

    // The four policy variants compute the same float32 force from the same
    // observation, so their trajectories must agree bit for bit.
    uint64_t ref = 0;
    bool same = true, any = false;
    for (int i = V_LUA; i <= V_TCP; i++) {
        if (!v[i].ran) continue;
        if (any && v[i].hash != ref) same = false;
        ref = v[i].hash;
        any = true;
    }
    double base_us = 1e6 / v[V_NONE].rate;
    if (json) {
        printf("{\"scene\":\"cart\",\"steps\":%llu,\"repeat\":%d,\"variants\":[", (unsigned long long)steps, repeat);
        for (int i = 0; i < NV; i++) {
            printf("%s{\"interface\":\"%s\",\"ran\":%s", i ? "," : "", KEY[i], v[i].ran ? "true" : "false");
            if (v[i].ran)
                printf(",\"steps_per_s\":%.1f,\"us_per_step\":%.3f,\"overhead_us_per_step\":%.3f", v[i].rate,
                       1e6 / v[i].rate, 1e6 / v[i].rate - base_us);
            else {
                printf(",\"skipped\":");
                cli_json_string(stdout, v[i].note);
            }
            printf("}");
        }
        printf("],\"policies_identical\":%s}\n", same ? "true" : "false");
    } else {
        printf("policy interfaces on %s: %llu steps, median of %d\n", scene, (unsigned long long)steps, repeat);
        for (int i = 0; i < NV; i++) {
            if (!v[i].ran) {
                printf("  %-26s skipped: %s\n", LABEL[i], v[i].note);
                continue;
            }
            printf("  %-26s %10.0f steps/s  %8.2f us/step", LABEL[i], v[i].rate, 1e6 / v[i].rate);
            if (i != V_NONE) printf("  overhead %8.2f us/step", 1e6 / v[i].rate - base_us);
            printf("\n");
        }
        printf("  trajectories %s\n", same ? "identical across the policy interfaces"
                                           : "DIFFER between the policy interfaces");
    }
    fflush(stdout);
    return same ? EXIT_OK : EXIT_EPISODE_FAILED;
}
