// pilotsim run: one headless episode.
#include "cli.h"
#include "pilotsim/policy.h"
#include "run_record.h"

#include <stdlib.h>
#include <string.h>

static void run_usage(FILE *f)
{
    fputs("usage: pilotsim run SCENE [options]\n"
          "Runs one episode of SCENE headless and prints: status (success, failure, timeout,\n"
          "physics_diverged, script_error), steps, sim_time, wall_time, reward, metrics and\n"
          "the final state hash.\n"
          "\n"
          "options:\n"
          "  --seed N            episode seed (default 0)\n"
          "  --param NAME=VALUE  override a scene param (repeatable)\n"
          "  --steps N           stop after N steps (status timeout) instead of the time limit\n"
          "  --policy SPEC       drive the scene's action space with a policy (default: the scene's\n"
          "                      baseline, its `policy` field). The kinds of SPEC:\n"
          "                        FILE.lua | policies.x   a Lua policy file or module\n"
          "                        lib:PATH.so[?CONFIG]    a C shared library (policy_abi.h)\n"
          "                        exec:COMMAND            a process speaking docs/protocol.md on\n"
          "                                                stdin/stdout (e.g. a Python model server)\n"
          "                        tcp://HOST:PORT         a server speaking docs/protocol.md\n"
          "  --no-policy         run without any policy (actions stay zero)\n"
          "  --json              print one JSON object instead of the summary line\n"
          "  --module-path DIR   also search DIR for require()d modules (repeatable)\n"
          "  --package-path DIR  also search DIR for robot descriptions and package:// meshes\n"
          "                      (repeatable; then $PILOTSIM_PACKAGE_PATH and assets/)\n"
          "  --trusted           lift the Lua sandbox (local experiments only)\n"
          "  --memory-limit MIB  resident memory the process may hold while building a world\n"
          "                      (bodies, geoms, joints); default $PILOTSIM_MEMORY_LIMIT or 4096, 0 = none\n"
          "  --quiet             hide the scene's print() output\n",
          f);
    cli_policy_usage(f);
    run_record_usage(f);
    fputs("exit codes: 0 success or timeout, 1 failure or physics_diverged,\n"
          "            2 usage error, 3 scene load, script or recording error\n",
          f);
}

int cmd_run(int argc, char **argv)
{
    cli_scene_opts so = {0};
    cli_policy_opts pol = {0};
    char env_storage[4096];
    const char *scene = NULL;
    uint64_t seed = 0, max_steps = 0;
    bool json = false, no_policy = false;
    const char *policy_spec = NULL;
    run_record_opts rec = {0};
    const char *v;
    int k;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            run_usage(stdout);
            return EXIT_OK;
        } else if ((k = cli_scene_option(argc, argv, &i, &so, "run")) != 0) {
            if (k < 0) return EXIT_USAGE;
        } else if ((k = cli_policy_option(argc, argv, &i, &pol, "run")) != 0) {
            if (k < 0) return EXIT_USAGE;
        } else if ((k = run_record_option(argc, argv, &i, &rec)) != 0) {
            if (k < 0) return EXIT_USAGE;
        } else if ((v = cli_opt_value(argc, argv, &i, "--seed"))) {
            if (!cli_parse_u64(v, &seed)) {
                fprintf(stderr, "pilotsim run: --seed needs a non-negative integer, got '%s'\n", v);
                return EXIT_USAGE;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--steps"))) {
            if (!cli_parse_u64(v, &max_steps) || max_steps == 0) {
                fprintf(stderr, "pilotsim run: --steps needs a positive integer, got '%s'\n", v);
                return EXIT_USAGE;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--policy"))) {
            if (!*v) {
                fprintf(stderr, "pilotsim run: --policy needs a spec\n");
                return EXIT_USAGE;
            }
            policy_spec = v;
        } else if (!strcmp(a, "--no-policy")) {
            no_policy = true;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--quiet")) {
            so.quiet = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "pilotsim run: unknown option '%s'\n", a);
            run_usage(stderr);
            return EXIT_USAGE;
        } else if (!scene) {
            scene = a;
        } else {
            fprintf(stderr, "pilotsim run: one scene at a time (got '%s' and '%s')\n", scene, a);
            return EXIT_USAGE;
        }
    }
    if (!scene) {
        fprintf(stderr, "pilotsim run: missing SCENE\n");
        run_usage(stderr);
        return EXIT_USAGE;
    }
    cli_default_module_paths(&so, env_storage, sizeof env_storage);
    ps_scene_options opt = cli_scene_options(&so);
    char err[4096];
    ps_scene *s = ps_scene_load(scene, &opt, err, sizeof err);
    if (!s) {
        fprintf(stderr, "error: %s\n", err);
        return cli_scene_load_rc(scene, &so);
    }
    cli_cameras_install(s);
    ps_policy *policy = NULL;
    if (!no_policy && (policy_spec || ps_scene_policy(s))) {
        char pbuf[4096];
        const char *spec = policy_spec ? policy_spec : ps_scene_baseline_spec(s, pbuf, sizeof pbuf);
        ps_policy_options po = cli_policy_options(&so, &pol, opt.log);
        policy = ps_policy_open(spec, &po, err, sizeof err);
        if (!policy) {
            fprintf(stderr, "error: %s\n", err);
            ps_scene_destroy(s);
            return EXIT_RUNTIME;
        }
    }
    run_recorder *recorder = NULL;
    if (run_record_requested(&rec) && !(recorder = run_recorder_open(&rec, s, err, sizeof err))) {
        fprintf(stderr, "error: %s\n", err);
        ps_policy_close(policy);
        ps_scene_destroy(s);
        return EXIT_RUNTIME;
    }
    double t0 = cli_now();
    ps_episode *e = ps_episode_begin(s, seed);
    if (!e) {
        fprintf(stderr, "error: out of memory\n");
        run_recorder_destroy(recorder);
        ps_policy_close(policy);
        ps_scene_destroy(s);
        return EXIT_RUNTIME;
    }
    ps_episode_status st = recorder ? run_recorder_run(recorder, e, policy, seed, max_steps)
                         : policy   ? ps_episode_run_policy(e, policy, seed, max_steps)
                                    : ps_episode_run(e, max_steps);
    bool recorded = !recorder || run_recorder_finish(recorder, e, err, sizeof err);
    double wall = cli_now() - t0;
    const char *const *mn = NULL;
    const double *mv = NULL;
    char merr[2048] = "";
    int mc = 0;
    if (st != PS_EP_SCRIPT_ERROR) {
        mc = ps_episode_metrics(e, &mn, &mv, merr, sizeof merr);
        if (mc < 0) {
            st = PS_EP_SCRIPT_ERROR;
            mc = 0;
        }
    }
    ps_world *w = ps_episode_world(e);
    uint64_t hash = w ? ps_world_state_hash(w) : 0;
    uint64_t steps = ps_episode_steps(e);
    double sim_time = w ? ps_world_time(w) : 0;
    const char *msg = merr[0] ? merr : ps_episode_message(e);

    if (json) {
        printf("{\"scene\":");
        cli_json_string(stdout, ps_scene_name(s));
        printf(",\"path\":");
        cli_json_string(stdout, scene);
        printf(",\"policy\":");
        cli_json_string(stdout, policy ? ps_policy_spec(policy) : "");
        printf(",\"scene_hash\":\"%016llx\",\"seed\":%llu,\"status\":\"%s\",\"steps\":%llu,\"sim_time\":",
               (unsigned long long)ps_scene_content_hash(s), (unsigned long long)seed, ps_episode_status_name(st),
               (unsigned long long)steps);
        cli_json_number(stdout, sim_time);
        printf(",\"wall_time\":");
        cli_json_number(stdout, wall);
        printf(",\"reward\":");
        cli_json_number(stdout, ps_episode_return(e));
        printf(",\"metrics\":{");
        for (int i = 0; i < mc; i++) {
            if (i) putchar(',');
            cli_json_string(stdout, mn[i]);
            putchar(':');
            cli_json_number(stdout, mv[i]);
        }
        // Solver health over the episode (ps_world_solver_health): worst joint
        // gap (m), hinge axis error (rad), deepest contact (m).
        ps_solver_health sh = {0};
        if (w) ps_world_solver_health(w, &sh);
        printf("},\"solver\":{\"joint_error_max\":");
        cli_json_number(stdout, sh.joint_error_max);
        printf(",\"angle_error_max\":");
        cli_json_number(stdout, sh.angle_error_max);
        printf(",\"penetration_max\":");
        cli_json_number(stdout, sh.penetration_max);
        printf(",\"warned_steps\":%llu", (unsigned long long)sh.warned_steps);
        printf("},\"hash\":\"%016llx\",\"message\":", (unsigned long long)hash);
        cli_json_string(stdout, msg);
        printf(",\"instruction\":");
        cli_json_string(stdout, ps_episode_instruction(e));
        printf("}\n");
    } else {
        printf("%s: %s steps=%llu sim_time=%.3fs wall_time=%.3fs reward=%.4g hash=%016llx", ps_scene_name(s),
               ps_episode_status_name(st), (unsigned long long)steps, sim_time, wall, ps_episode_return(e),
               (unsigned long long)hash);
        for (int i = 0; i < mc; i++) printf(" %s=%.6g", mn[i], mv[i]);
        printf("\n");
        if (msg[0] && st != PS_EP_TIMEOUT) fprintf(stderr, "%s: %s\n", ps_episode_status_name(st), msg);
        if (ps_episode_instruction(e)[0]) printf("instruction: %s\n", ps_episode_instruction(e));
    }
    fflush(stdout);
    if (recorder) {
        run_recorder_report(recorder, stderr);
        if (!recorded) fprintf(stderr, "error: %s\n", err);
        run_recorder_destroy(recorder);
    }
    ps_episode_end(e);
    ps_policy_close(policy);
    ps_scene_destroy(s);
    if (!recorded) return EXIT_RUNTIME;
    switch (st) {
    case PS_EP_SUCCESS:
    case PS_EP_TIMEOUT: return EXIT_OK;
    case PS_EP_FAILURE:
    case PS_EP_DIVERGED: return EXIT_EPISODE_FAILED;
    default: return EXIT_RUNTIME;
    }
}
