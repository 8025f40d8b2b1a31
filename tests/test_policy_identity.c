// Cross-interface identity on a multi-entry pilot scene (fruit picking: three
// action entries, several observations): the Lua baseline's actions are
// recorded step by step, then replayed through exec:, tcp:// and lib: peers
// (tests/policies/conformance_peer.py --replay, conformance_policy.so
// ?replay=); every interface must reach the baseline's final state hash bit
// for bit, and so must `ps_episode_run_policy` with the baseline itself.
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "pilotsim/pilotsim.h"
#include "pilotsim/policy.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif
#ifndef PS_TEST_CONFORMANCE_LIB
#define PS_TEST_CONFORMANCE_LIB "libconformance_policy.so"
#endif

#define PY "/usr/bin/python3"
#define PEER PILOTSIM_SOURCE_DIR "/tests/policies/conformance_peer.py"
#define SCENE PILOTSIM_SOURCE_DIR "/scenes/pilot/agriculture_fruit_picking.lua"
#define STEPS 400

// A check with a formatted message on failure.
#define CHECK_MSG(cond, ...)                                                                                       \
    do {                                                                                                           \
        char msg_[1024];                                                                                            \
        snprintf(msg_, sizeof msg_, __VA_ARGS__);                                                                  \
        ps_t_check((cond) ? true : false, msg_, __FILE__, __LINE__);                                               \
    } while (0)
#define SEED 7

static char err[PS_ERR_LEN];
static const char *module_paths[] = {PILOTSIM_SOURCE_DIR "/scripts"};

static ps_scene *load(void)
{
    ps_scene_options o = ps_default_scene_options();
    o.module_paths = module_paths;
    o.module_path_count = 1;
    ps_scene *s = ps_scene_load(SCENE, &o, err, sizeof err);
    if (!s) fprintf(stderr, "%s\n", err);
    return s;
}

static ps_policy *open_policy(const char *spec)
{
    ps_policy_options o = ps_default_policy_options();
    o.module_paths = module_paths;
    o.module_path_count = 1;
    ps_policy *p = ps_policy_open(spec, &o, err, sizeof err);
    if (!p) fprintf(stderr, "%s: %s\n", spec, err);
    return p;
}

// Runs STEPS steps with `p` (reset, then act + step); appends every step's
// actions to `rec` when given. Returns the final state hash (0 on failure).
static uint64_t run(ps_scene *s, ps_policy *p, FILE *rec)
{
    ps_episode *e = ps_episode_begin(s, SEED);
    uint64_t h = 0;
    bool ok = ps_policy_reset(p, e, SEED, err, sizeof err) == PS_OK;
    for (int i = 0; ok && i < STEPS && ps_episode_get_status(e) == PS_EP_RUNNING; i++) {
        ok = ps_policy_act(p, e, err, sizeof err) == PS_OK;
        for (size_t k = 0; ok && rec && k < ps_episode_action_count(e); k++) {
            const ps_space_entry *a = ps_episode_action(e, k);
            ok = fwrite(a->data, sizeof(float), a->count, rec) == a->count;
        }
        if (ok) ps_episode_step(e, STEPS);
    }
    if (!ok) fprintf(stderr, "policy '%s': %s\n", ps_policy_spec(p), err);
    CHECK_MSG(ps_episode_steps(e) == STEPS, "%s: %llu steps (%s: %s)", ps_policy_spec(p),
              (unsigned long long)ps_episode_steps(e), ps_episode_status_name(ps_episode_get_status(e)),
              ps_episode_message(e));
    if (ok) h = ps_world_state_hash(ps_episode_world(e));
    ps_episode_end(e);
    return h;
}

static void test_identity(void)
{
    ps_scene *s = load();
    if (!CHECK(s)) return;
    char rec_path[] = "/tmp/ps_identity_XXXXXX";
    int fd = mkstemp(rec_path);
    if (!CHECK(fd >= 0)) return;
    FILE *rec = fdopen(fd, "wb");
    char pbuf[4096];
    ps_policy *base = open_policy(ps_scene_baseline_spec(s, pbuf, sizeof pbuf));
    if (!CHECK(base)) return;
    uint64_t h0 = run(s, base, rec);
    fclose(rec);
    CHECK(h0 != 0);
    // The baseline as `pilotsim run` drives it.
    ps_episode *e = ps_episode_begin(s, SEED);
    ps_episode_run_policy(e, base, SEED, STEPS);
    CHECK_MSG(ps_world_state_hash(ps_episode_world(e)) == h0, "run_policy hash %016llx, recorded %016llx",
              (unsigned long long)ps_world_state_hash(ps_episode_world(e)), (unsigned long long)h0);
    ps_episode_end(e);
    ps_policy_close(base);

    // A tcp peer on a free port (it writes the port to a file).
    char portfile[64];
    snprintf(portfile, sizeof portfile, "%s.port", rec_path);
    pid_t srv = fork();
    if (srv == 0) {
        execl(PY, PY, PEER, "--tcp", portfile, "--replay", rec_path, (char *)NULL);
        _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 500 && !port; i++) {
        FILE *f = fopen(portfile, "r");
        if (f) {
            if (fscanf(f, "%d", &port) != 1) port = 0;
            fclose(f);
        }
        if (!port) nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    CHECK(port > 0);

    char specs[3][4600];
    snprintf(specs[0], sizeof specs[0], "exec:exec %s %s --stdio --replay %s", PY, PEER, rec_path);
    snprintf(specs[1], sizeof specs[1], "tcp://127.0.0.1:%d", port);
    snprintf(specs[2], sizeof specs[2], "lib:%s?replay=%s", PS_TEST_CONFORMANCE_LIB, rec_path);
    for (int i = 0; i < 3; i++) {
        ps_policy *p = open_policy(specs[i]);
        if (!CHECK(p)) continue;
        uint64_t h = run(s, p, NULL);
        CHECK_MSG(h == h0, "%.300s: final hash %016llx, the Lua baseline's %016llx", specs[i], (unsigned long long)h,
                  (unsigned long long)h0);
        ps_policy_close(p);
    }
    kill(srv, SIGTERM);
    waitpid(srv, NULL, 0);
    unlink(portfile);
    unlink(rec_path);
    ps_scene_destroy(s);
}

int main(void)
{
    RUN(test_identity);
    return TEST_DONE();
}
