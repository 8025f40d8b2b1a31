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
#include <signal.h>
#include <sys/wait.h>
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
    char err[PS_ERR_LEN];
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

/* ------------------------------------------- per-call cost on policy_io */

// Times `calls` policy calls on one observation (no physics step between them:
// the call itself, its encoding, transport and decoding). Returns us per call,
// or -1 with a message in `note`.
static double time_calls(ps_scene *s, const char *spec, int calls, size_t *bytes, char *note, size_t nlen)
{
    char err[PS_ERR_LEN];
    ps_policy_options po = ps_default_policy_options();
    ps_policy *p = ps_policy_open(spec, &po, err, sizeof err);
    if (!p) {
        snprintf(note, nlen, "%.900s", err);
        return -1;
    }
    ps_episode *e = ps_episode_begin(s, 1);
    double us = -1;
    if (!e || ps_episode_get_status(e) != PS_EP_RUNNING) {
        snprintf(note, nlen, "%.900s", e ? ps_episode_message(e) : "out of memory");
    } else if (ps_policy_reset(p, e, 1, err, sizeof err) != PS_OK) {
        snprintf(note, nlen, "reset: %.900s", err);
    } else {
        *bytes = 0;
        for (size_t i = 0; i < ps_episode_observation_count(e); i++) *bytes += ps_episode_observation(e, i)->nbytes;
        for (size_t i = 0; i < ps_episode_action_count(e); i++) *bytes += ps_episode_action(e, i)->nbytes;
        bool ok = true;
        for (int k = 0; ok && k < calls / 10 + 1; k++) ok = ps_policy_act(p, e, err, sizeof err) == PS_OK; // warm up
        double t0 = cli_now();
        for (int k = 0; ok && k < calls; k++) ok = ps_policy_act(p, e, err, sizeof err) == PS_OK;
        double dt = cli_now() - t0;
        if (ok) us = dt * 1e6 / calls;
        else snprintf(note, nlen, "act: %.900s", err);
    }
    ps_episode_end(e);
    ps_policy_close(p);
    return us;
}

// Per-call cost of each interface on scenes/bench/policy_io.lua (two
// observation entries, one action) and policy_io_camera.lua (plus a 224x224
// RGB camera, uint8): Lua, lib: (conformance_policy.so?bench), exec: and tcp://
// (tests/policies/conformance_peer.py: it decodes every array with numpy and
// answers every action).
static void bench_calls(const char *dir, const char *build, const char *python, bool json)
{
    static const char *const scenes[2] = {"policy_io", "policy_io_camera"};
    static const char *const kinds[4] = {"lua", "lib", "exec", "tcp"};
    char peer[PATH_MAX + 64];
    // the peer is a test file: found from the bench scenes of a source tree (scenes/bench/../../tests)
    snprintf(peer, sizeof peer, "%s/../../tests/policies/conformance_peer.py", dir);
    char portfile[] = "/tmp/ps_bench_port_XXXXXX";
    int pfd = mkstemp(portfile);
    if (pfd >= 0) close(pfd);
    unlink(portfile);
    pid_t srv = fork();
    if (srv == 0) {
        execl(python, python, peer, "--tcp", portfile, (char *)NULL);
        _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 400 && !port && srv > 0; i++) {
        FILE *f = fopen(portfile, "r");
        if (f) {
            if (fscanf(f, "%d", &port) != 1) port = 0;
            fclose(f);
        }
        if (!port) usleep(10000);
    }
    if (json) printf(",\"policy_calls\":[");
    else printf("policy calls on scenes/bench/policy_io*.lua (one observation, no stepping; mean per call):\n");
    bool first = true;
    for (int si = 0; si < 2; si++) {
        char path[PATH_MAX + 64], err[4096], env_storage[4096];
        snprintf(path, sizeof path, "%s/%s.lua", dir, scenes[si]);
        cli_scene_opts so = {0};
        cli_default_module_paths(&so, env_storage, sizeof env_storage);
        so.quiet = true;
        ps_scene_options opt = cli_scene_options(&so);
        ps_scene *s = ps_scene_load(path, &opt, err, sizeof err);
        if (s && si == 1) cli_cameras_install(s);
        for (int ki = 0; ki < 4; ki++) {
            char spec[2 * PATH_MAX + 128], note[1024] = "";
            const char *k = kinds[ki];
            if (!strcmp(k, "lua")) snprintf(spec, sizeof spec, "%s/zero_policy.lua", dir);
            else if (!strcmp(k, "lib")) snprintf(spec, sizeof spec, "lib:%s/tests/libconformance_policy.so?bench", build);
            else if (!strcmp(k, "exec")) snprintf(spec, sizeof spec, "exec:exec %s %s --stdio", python, peer);
            else snprintf(spec, sizeof spec, "tcp://127.0.0.1:%d", port);
            int calls = !strcmp(k, "lua") || !strcmp(k, "lib") ? (si ? 2000 : 200000) : (si ? 300 : 3000);
            size_t bytes = 0;
            double us = s ? time_calls(s, spec, calls, &bytes, note, sizeof note) : -1;
            if (!s) snprintf(note, sizeof note, "%.1000s", err);
            double mbs = us > 0 ? (double)bytes / us : 0; // bytes per us = MB/s
            if (json) {
                printf("%s{\"scene\":\"%s\",\"interface\":\"%s\",", first ? "" : ",", scenes[si], k);
                if (us > 0) printf("\"us_per_call\":%.3f,\"bytes_per_call\":%zu,\"mb_per_s\":%.1f}", us, bytes, mbs);
                else {
                    printf("\"skipped\":");
                    cli_json_string(stdout, note);
                    printf("}");
                }
            } else if (us > 0 && (!strcmp(k, "lua") || !strcmp(k, "lib"))) {
                printf("  %-17s %-5s %10.3f us/call  %8zu bytes/call  (in place, no copy)\n", scenes[si], k, us, bytes);
            } else if (us > 0) {
                printf("  %-17s %-5s %10.3f us/call  %8zu bytes/call  %9.1f MB/s\n", scenes[si], k, us, bytes, mbs);
            } else {
                printf("  %-17s %-5s skipped: %s\n", scenes[si], k, note);
            }
            first = false;
        }
        ps_scene_destroy(s);
    }
    if (json) printf("]");
    if (srv > 0) {
        kill(srv, SIGTERM);
        waitpid(srv, NULL, 0);
    }
    unlink(portfile);
}

int bench_policies(const char *dir, int repeat, uint64_t steps, bool json, const char *lib, const char *python)
{
    char scene[PATH_MAX], lua[PATH_MAX + 64], libspec[PATH_MAX + 64], exec[2 * PATH_MAX], build[PATH_MAX];
    char err[PS_ERR_LEN], env_storage[4096], data[PATH_MAX];
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
        printf("],\"policies_identical\":%s", same ? "true" : "false");
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
    if (have_build) bench_calls(dir, build, python, json);
    if (json) printf("}\n");
    fflush(stdout);
    return same ? EXIT_OK : EXIT_EPISODE_FAILED;
}
