// pilotsim run: one headless episode.
#include "cli.h"
#include "pilotsim/policy.h"
#include "run_record.h"

#include <stdlib.h>
#include <string.h>

int cmd_run(int argc, char **argv)
{
    cli_scene_opts so = {0};
    cli_policy_opts pol = {0};
    run_record_opts rec = {0};
    char env_storage[4096];
    uint64_t seed = 0, max_steps = 0;
    bool json = false, no_policy = false;
    const char *policy_spec = NULL;
    cli_group scene_group = cli_scene_group(&so, 0), policy_group = cli_policy_group(&pol),
              record_group = run_record_group(&rec);
    const cli_opt opts[] = {
        {.name = "--seed", .kind = CLI_U64, .metavar = "N", .target = &seed, .need = "a non-negative integer",
         .help = "episode seed (default 0)"},
        {.name = "--steps", .kind = CLI_U64, .metavar = "N", .target = &max_steps, .lo = 1,
         .need = "a positive integer", .help = "stop after N steps (status timeout) instead of the time limit"},
        {.name = "--policy", .kind = CLI_STRING, .metavar = "SPEC", .target = &policy_spec, .need = "a spec",
         .help = "drive the scene's action space with a policy (default: the scene's baseline, its `policy` "
                 "field). The kinds of SPEC:\n"
                 "  FILE.lua | policies.x  a Lua policy file or module\n"
                 "  lib:PATH.so[?CONFIG]   a C library (policy_abi.h)\n"
                 "  exec:COMMAND           a process speaking the protocol\n"
                 "  tcp://HOST:PORT        a server speaking the protocol\n"
                 "(docs/protocol.md; on stdin/stdout for exec:, e.g. a Python model server)"},
        {.name = "--no-policy", .kind = CLI_FLAG, .target = &no_policy,
         .help = "run without any policy (actions stay zero)"},
        {.name = "--json", .kind = CLI_FLAG, .target = &json, .help = "print one JSON object instead of the summary line"},
        {.kind = CLI_INCLUDE, .target = scene_group.opt, .help = "scene options"},
        {.kind = CLI_INCLUDE, .target = policy_group.opt, .help = "policy options"},
        {.kind = CLI_INCLUDE, .target = record_group.opt, .help = "recording options"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "run",
        .synopsis = "SCENE [options]",
        .about = "Runs one episode of SCENE headless and prints: status (success, failure, timeout, "
                 "physics_diverged, script_error), steps, sim_time, wall_time, reward, metrics and the final "
                 "state hash.",
        .opts = opts,
        .exits = "0 success or timeout, 1 failure or physics_diverged,\n"
                 "            2 usage error, 3 scene load, script or recording error\n",
        .pos_name = "SCENE",
        .min_pos = 1,
        .max_pos = 1,
    };
    const char *scene = NULL;
    size_t npos;
    int rc = cli_parse(&cmd, argc, argv, &scene, &npos);
    if (rc != CLI_CONTINUE) return rc;
    cli_default_module_paths(&so, env_storage, sizeof env_storage);
    ps_scene_options opt = cli_scene_options(&so);
    char err[PS_ERR_LEN];
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
    char merr[PS_ERR_LEN] = "";
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
        if (w) putchar(',');
        cli_json_solver_settings(stdout, w);
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
