// pilotsim bench: whole-run speed of pilotsim (Lua scene, step callback,
// contacts, divergence checks) against bare ODE on the
// identical world, built in the same program; with --sensors, the cost of
// lidar sensors (scenes/bench/lidar_room.lua without and with lidars).
#include "cli.h"
#include "bench.h"
#include "cli_plugin.h"

#include <stdlib.h>
#include <string.h>


static const char *const WORLDS[] = {"humanoid", "box_pile", "diffdrive_obstacles"};
#define NWORLDS 3

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct result {
    const char *name;
    uint64_t steps;
    double ps_rate, bare_rate;   // median steps/s
    bool identical;              // final state hashes equal
    uint64_t ps_hash, bare_hash;
} result;

// One timed pilotsim episode; returns steps per CPU second or -1 on error.
static double run_pilotsim(ps_scene *s, uint64_t steps, uint64_t *hash)
{
    ps_episode *e = ps_episode_begin(s, 1);
    if (!e || ps_episode_get_status(e) != PS_EP_RUNNING) {
        fprintf(stderr, "bench: %s: %s\n", ps_scene_name(s), e ? ps_episode_message(e) : "out of memory");
        ps_episode_end(e);
        return -1;
    }
    double t0 = cli_cpu_now();
    for (uint64_t i = 0; i < steps; i++) {
        ps_episode_status st = ps_episode_step(e, steps);
        if (st != PS_EP_RUNNING && !(st == PS_EP_TIMEOUT && i + 1 == steps)) {
            fprintf(stderr, "bench: %s ended early: %s %s\n", ps_scene_name(s), ps_episode_status_name(st),
                    ps_episode_message(e));
            ps_episode_end(e);
            return -1;
        }
    }
    double dt = cli_cpu_now() - t0;
    *hash = ps_world_state_hash(ps_episode_world(e));
    ps_episode_end(e);
    return (double)steps / dt;
}

// One timed bare-ODE run of the same world (steps per CPU second).
static double run_bare(ps_scene *s, const char *name, uint64_t steps, uint64_t *hash)
{
    ps_episode *e = ps_episode_begin(s, 1); // the reference world (seed, drawn sizes)
    bare_world *b = e ? bare_create(name, ps_episode_world(e)) : NULL;
    ps_episode_end(e);
    if (!b) return -1;
    double t0 = cli_cpu_now();
    for (uint64_t i = 0; i < steps; i++) bare_step(b);
    double dt = cli_cpu_now() - t0;
    *hash = bare_hash(b);
    bare_destroy(b);
    return (double)steps / dt;
}

/* ------------------------------------------------- sensors, contact queries */

#define NVARIANTS 3

// Variants of one bench scene that differ in a single param: DIR/FILE loaded with
// PARAM=values[v] for each of NVARIANTS values, run alternating `repeat` times.
// Fills the median steps/s and the final state hash of each; *steps is the run
// length (the time limit unless steps_override). Returns EXIT_OK or EXIT_RUNTIME.
static int run_variants(const char *dir, const char *file, const char *param, const char *const *values,
                        int repeat, uint64_t steps_override, double *med, uint64_t *hash, uint64_t *steps,
                        double *timestep)
{
    char path[4096], err[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    ps_scene *sc[NVARIANTS] = {NULL};
    char env_storage[NVARIANTS][4096];
    cli_scene_opts so[NVARIANTS];
    char kv[NVARIANTS][64];
    int rc = EXIT_OK;
    for (int v = 0; v < NVARIANTS && rc == EXIT_OK; v++) {
        memset(&so[v], 0, sizeof so[v]);
        cli_default_module_paths(&so[v], env_storage[v], sizeof env_storage[v]);
        so[v].quiet = true;
        snprintf(kv[v], sizeof kv[v], "%s=%s", param, values[v]);
        so[v].params[0] = kv[v];
        so[v].param_count = 1;
        ps_scene_options opt = cli_scene_options(&so[v]);
        sc[v] = ps_scene_load(path, &opt, err, sizeof err);
        if (!sc[v]) {
            fprintf(stderr, "error: %s\n", err);
            rc = EXIT_RUNTIME;
        }
    }
    *steps = steps_override;
    if (rc == EXIT_OK) {
        *timestep = ps_scene_timestep(sc[0]);
        if (!*steps) *steps = (uint64_t)(ps_scene_time_limit(sc[0]) / *timestep + 0.5);
    }
    double *rates = calloc((size_t)repeat * NVARIANTS, sizeof *rates);
    if (!rates && rc == EXIT_OK) rc = EXIT_RUNTIME;
    for (int k = 0; k < repeat && rc == EXIT_OK; k++)
        for (int v = 0; v < NVARIANTS && rc == EXIT_OK; v++) {
            rates[v * repeat + k] = run_pilotsim(sc[v], *steps, &hash[v]);
            if (rates[v * repeat + k] < 0) rc = EXIT_RUNTIME;
        }
    for (int v = 0; v < NVARIANTS && rc == EXIT_OK; v++) med[v] = bench_median(rates + v * repeat, repeat);
    free(rates);
    for (int v = 0; v < NVARIANTS; v++) ps_scene_destroy(sc[v]);
    return rc;
}

// The lidar variants of scenes/bench/lidar_room.lua (its `lidar` param).
static const char *const SENSOR_VARIANTS[] = {"none", "2d", "3d"};
static const char *const SENSOR_LABELS[] = {"no lidar", "2D lidar 360 @ 10 Hz", "3D lidar 16x360 @ 10 Hz"};

// Runs lidar_room without a lidar, with a 2D and with a 3D lidar, alternating
// the variants within each repeat, and reports the median steps/s of each and
// the time overhead relative to the run without a lidar.
static int bench_sensors(const char *dir, int repeat, uint64_t steps_override, bool json)
{
    double med[NVARIANTS], dt = 0;
    uint64_t hash[NVARIANTS] = {0}, steps = 0;
    int rc = run_variants(dir, "lidar_room.lua", "lidar", SENSOR_VARIANTS, repeat, steps_override, med, hash, &steps,
                          &dt);
    if (rc != EXIT_OK) return rc;
    double over[NVARIANTS], scan_us[NVARIANTS];
    // Scans in the run: 10 Hz, sampled every round(0.1 s / timestep) steps.
    uint64_t period = (uint64_t)(0.1 / dt + 0.5);
    uint64_t scans = period ? steps / period : 0;
    for (int v = 0; v < NVARIANTS; v++) {
        over[v] = 100.0 * (med[0] / med[v] - 1.0); // extra wall time per step, %
        scan_us[v] = scans ? 1e6 * ((double)steps / med[v] - (double)steps / med[0]) / (double)scans : 0;
    }
    bool same = hash[1] == hash[0] && hash[2] == hash[0];
    if (json) {
        printf("{\"world\":\"lidar_room\",\"steps\":%llu,\"repeat\":%d,\"scans\":%llu,\"variants\":[",
               (unsigned long long)steps, repeat, (unsigned long long)scans);
        for (int v = 0; v < NVARIANTS; v++)
            printf("%s{\"lidar\":\"%s\",\"steps_per_s\":%.1f,\"overhead_percent\":%.2f,\"us_per_scan\":%.1f}",
                   v ? "," : "", SENSOR_VARIANTS[v], med[v], over[v], scan_us[v]);
        printf("],\"identical\":%s}\n", same ? "true" : "false");
    } else {
        printf("lidar_room: %llu steps (%llu scans at 10 Hz), median of %d\n", (unsigned long long)steps,
               (unsigned long long)scans, repeat);
        for (int v = 0; v < NVARIANTS; v++) {
            printf("  %-24s %10.0f steps/s", SENSOR_LABELS[v], med[v]);
            if (v) printf("  overhead %6.2f %%  (%.0f us per scan)%s", over[v], scan_us[v],
                          v == 1 ? (over[v] <= 10.0 ? "  target <= 10 %: met" : "  target <= 10 %: MISSED") : "");
            printf("\n");
        }
        printf("  trajectories %s\n", same ? "identical with and without lidars" : "DIFFER between the variants");
    }
    fflush(stdout);
    return EXIT_OK;
}

// The robot-robot contact queries of scenes/bench/fleet_contacts.lua (its `query` param).
static const char *const QUERY_VARIANTS[] = {"none", "contacts", "pairs"};
static const char *const QUERY_LABELS[] = {"no query", "world:contacts() scan", "world:contact_pairs"};

// Runs fleet_contacts (12 robots bumping into each other) with no query, with a
// scan of world:contacts() and with world:contact_pairs every step, and reports
// the steps/s of each and the query's cost per step (us, over no query).
static int bench_contacts(const char *dir, int repeat, uint64_t steps_override, bool json)
{
    double med[NVARIANTS], dt = 0, us[NVARIANTS];
    uint64_t hash[NVARIANTS] = {0}, steps = 0;
    int rc = run_variants(dir, "fleet_contacts.lua", "query", QUERY_VARIANTS, repeat, steps_override, med, hash,
                          &steps, &dt);
    if (rc != EXIT_OK) return rc;
    for (int v = 0; v < NVARIANTS; v++) us[v] = 1e6 * (1.0 / med[v] - 1.0 / med[0]);
    bool same = hash[1] == hash[0] && hash[2] == hash[0];
    double ratio = us[2] > 0 ? us[1] / us[2] : 0;
    if (json) {
        printf("{\"world\":\"fleet_contacts\",\"robots\":12,\"steps\":%llu,\"repeat\":%d,\"variants\":[",
               (unsigned long long)steps, repeat);
        for (int v = 0; v < NVARIANTS; v++)
            printf("%s{\"query\":\"%s\",\"steps_per_s\":%.1f,\"us_per_step\":%.2f}", v ? "," : "", QUERY_VARIANTS[v],
                   med[v], us[v]);
        printf("],\"scan_over_pairs\":%.2f,\"identical\":%s}\n", ratio, same ? "true" : "false");
    } else {
        printf("fleet_contacts: 12 robots, %llu steps, median of %d\n", (unsigned long long)steps, repeat);
        for (int v = 0; v < NVARIANTS; v++) {
            printf("  %-24s %10.0f steps/s", QUERY_LABELS[v], med[v]);
            if (v) printf("  query %8.2f us per step (%5.1f %% of the step)", us[v], 100.0 * us[v] * med[v] / 1e6);
            printf("\n");
        }
        if (ratio > 0) printf("  the scan costs %.1fx contact_pairs\n", ratio);
        printf("  trajectories %s\n", same ? "identical with every query" : "DIFFER between the variants");
    }
    fflush(stdout);
    return EXIT_OK;
}

// Steps per second over whole runs repeated until at least 0.3 s passed.
static double sample_rate(ps_scene *s, const char *name, uint64_t steps, bool bare, uint64_t *hash)
{
    double total_steps = 0, total_time = 0;
    while (total_time < 0.3) {
        double rate = bare ? run_bare(s, name, steps, hash) : run_pilotsim(s, steps, hash);
        if (rate < 0) return -1;
        total_steps += (double)steps;
        total_time += (double)steps / rate;
    }
    return total_steps / total_time;
}

static bool robots_ok(const char *v)
{
    uint64_t n;
    return cli_parse_u64(v, &n) && n >= 1 && n <= 361;
}

int cmd_bench(int argc, char **argv)
{
    uint64_t steps_override = 0;
    bool json = false, scale = false, lidar = false, sensors = false, policies = false, eval = false, camera = false, record = false;
    bool contacts = false;
    const char *scene_list[16];
    int scene_n = 0;
    char data[3800], eval_default[3900], dir_default[3900];
    if (!cli_data_dir(data, sizeof data)) snprintf(data, sizeof data, ".");
    snprintf(eval_default, sizeof eval_default, "%s/scenes/examples/pendulum.lua", data);
    snprintf(dir_default, sizeof dir_default, "%s/scenes/bench", data);
    const char *eval_scene = eval_default;
    const char *lib = NULL, *python = "/usr/bin/python3";
    const char *only = NULL, *dir = dir_default;
    int scale_ns[16];
    uint64_t repeat_u = 0, episodes_u = 0; // 0: the mode's default (16 for --eval, 2 for --record)
    size_t scene_nz = 0;
    const char *ns[16];
    size_t scale_nn = 0;
    const cli_opt opts[] = {
        {.name = "--repeat", .kind = CLI_U64, .metavar = "N", .target = &repeat_u, .lo = 1, .hi = 999,
         .need = "a number of samples in 1..999", .help = "samples per variant (default 5; 3 for --eval and --scale)"},
        {.name = "--steps", .kind = CLI_U64, .metavar = "N", .target = &steps_override, .lo = 1,
         .need = "a positive integer", .help = "steps per run (default: the scene's time limit)"},
        {.name = "--world", .kind = CLI_STRING, .metavar = "NAME", .target = &only, .need = "a world name",
         .help = "only this benchmark world"},
        {.name = "--scenes", .kind = CLI_STRING, .metavar = "DIR", .target = &dir, .need = "a directory",
         .help = "the benchmark scenes (default: the data folder's scenes/bench)"},
        {.name = "--json", .kind = CLI_FLAG, .target = &json, .help = "print JSON instead of a table"},
        {.name = "--sensors", .kind = CLI_FLAG, .target = &sensors, .help = "measure the cost of lidars (below)"},
        {.name = "--contacts", .kind = CLI_FLAG, .target = &contacts,
         .help = "measure robot-robot contact queries (below)"},
        {.name = "--camera", .kind = CLI_FLAG, .target = &camera,
         .help = "measure offscreen RGB-D camera frames per second (below)"},
        {.name = "--policies", .kind = CLI_FLAG, .target = &policies,
         .help = "measure each policy interface's cost per step (below)"},
        {.name = "--lib", .kind = CLI_STRING, .metavar = "PATH.so", .target = &lib, .need = "a shared library",
         .help = "with --policies: the C policy (default: the build tree's tests/libpd_policy.so)"},
        {.name = "--python", .kind = CLI_STRING, .metavar = "EXE", .target = &python, .need = "a Python interpreter",
         .help = "with --policies: the Python of the exec:/tcp:// server (default /usr/bin/python3)"},
        {.name = "--eval", .kind = CLI_FLAG, .target = &eval, .help = "time whole `pilotsim eval` runs (below)"},
        {.name = "--scene", .kind = CLI_LIST, .metavar = "FILE", .target = scene_list, .count = &scene_nz, .cap = 16,
         .need = "a scene", .help = "with --eval: the scene (default scenes/examples/pendulum.lua); with --record: "
                                    "a scene (repeatable; default three pilot scenes)"},
        {.name = "--episodes", .kind = CLI_U64, .metavar = "N", .target = &episodes_u, .lo = 1, .hi = 99999,
         .need = "a number of episodes in 1..99999", .help = "with --eval or --record: episodes per run (default 16; 2 for --record)"},
        {.name = "--record", .kind = CLI_FLAG, .target = &record, .help = "time recording datasets (below)"},
        {.name = "--lidar", .kind = CLI_FLAG, .target = &lidar,
         .help = "measure lidar ray casting in the fleet world (below; --n sets the robots, default 130)"},
        {.name = "--scale", .kind = CLI_FLAG, .target = &scale, .help = "measure the fleet scene (below)"},
        {.name = "--n", .kind = CLI_LIST, .metavar = "N", .target = ns, .count = &scale_nn, .cap = 16,
         .check = robots_ok, .need = "a number of robots in 1..361",
         .help = "with --scale: a fleet size (repeatable; default 1, 10, 30, 130)"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "bench",
        .synopsis = "[--repeat N] [--steps N] [--world NAME] [--scenes DIR] [--json]\n"
                    "--sensors [--repeat N] [--steps N] [--scenes DIR] [--json]\n"
                    "--contacts [--repeat N] [--steps N] [--scenes DIR] [--json]\n"
                    "--policies [--repeat N] [--steps N] [--lib PATH.so] [--python EXE] [--json]\n"
                    "--eval [--repeat N] [--scene FILE] [--episodes N] [--json]\n"
                    "--camera [--repeat N] [--json]\n"
                    "--record [--scene FILE]... [--episodes N] [--repeat N] [--json]\n"
                    "--scale [--n N]... [--repeat N] [--steps N] [--scenes DIR] [--json]\n"
                    "--lidar [--n N] [--repeat N] [--scenes DIR] [--json]",
        .about = "Runs the benchmark worlds (scenes/bench: humanoid, box_pile, diffdrive_obstacles) as pilotsim scenes"
                 " with their Lua step callback and as bare ODE code building the identical world, alternating, N "
                 "samples each (default 5; a sample repeats the run until it lasts 0.3 s, after one warm-up run), and "
                 "prints the median steps/s of both and the ratio pilotsim/bare (target >= 0.95). Steps/s are per second of the "
                 "process's CPU time (the runs are single-threaded), so the time other programs take on a shared machine "
                 "does not count. Each run covers the "
                 "scene's whole time limit unless --steps is given. `identical` says whether the two final state "
                 "hashes agree bit for bit.",
        .opts = opts,
        .notes = "--camera measures offscreen RGB-D camera frames per second at 320 x 240\n"
                 "(bench_camera.c: an RGB and a depth camera over a floor with 30 shapes; a frame =\n"
                 "one physics step, a scene capture, both renders and their read-backs), with the\n"
                 "offscreen GL backend PILOTSIM_GL picks (EGL first), N samples of 100 frames.\n"
                 "\n"
                 "--scale runs scenes/bench/fleet.lua (N diff-drive robots, each with a 360-beam\n"
                 "10 Hz lidar, on an 80 x 80 m floor with 400 obstacles, dt 2 ms) with N = 1, 10, 30\n"
                 "and 130 (or each --n given), each N in its own process: 50 warm-up steps, then\n"
                 "--repeat samples (default 3) of --steps steps (default 500). Prints the median\n"
                 "wall and CPU us per step and per robot-step, the real-time factors (simulated\n"
                 "time / wall or CPU time), the process's max RSS and the final state hash.\n"
                 "\n"
                 "--lidar measures lidar ray casting in the same world (--n robots, default 130):\n"
                 "M rays/s of CPU time casting every lidar through its scan table and the moving tree (median of\n"
                 "--repeat samples, default 5, 100 steps apart), the exhaustive reference's rate on\n"
                 "4 lidars, and whether their readings agree bit for bit (exit 1 if not).\n"
                 "\n"
                 "--sensors measures sensor cost instead: scenes/bench/lidar_room.lua (a diff-drive\n"
                 "robot in a 10 x 10 m room with 50 obstacles) with no lidar, with a 2D lidar (360\n"
                 "beams, 10 Hz) and with a 3D lidar (16 x 360 beams, -15..+15 deg, 10 Hz), the\n"
                 "variants alternating, N times each. Prints the median steps/s of each, the\n"
                 "overhead in % of wall time relative to no lidar (target for the 2D lidar: <= 10 %)\n"
                 "and the cost per scan, and whether the three final state hashes agree (they\n"
                 "should: sensors never act on the physics).\n"
                 "\n"
                 "--contacts measures robot-robot contact queries: scenes/bench/fleet_contacts.lua (12\n"
                 "diff-drive robots bumping into each other) with no query, a Lua scan of\n"
                 "world:contacts() and world:contact_pairs every step, alternating, N times each.\n"
                 "Prints the median steps/s of each, the query's cost in us per step and the ratio\n"
                 "scan / contact_pairs, and whether the final state hashes agree.\n"
                 "\n"
                 "--policies measures each policy interface's cost per step on scenes/bench/cart.lua\n"
                 "(2 observation floats, 1 action float; default 20000 steps): no policy, Lua\n"
                 "(cart_pd.lua), a C library (--lib, default the build tree's tests/libpd_policy.so),\n"
                 "exec: and tcp:// (tools/python/policy_server.py under --python, default\n"
                 "/usr/bin/python3) and the Python binding's env.step loop. The same PD law runs\n"
                 "behind each policy interface, so their trajectories must agree bit for bit (exit 1\n"
                 "if not). Interfaces that cannot run here are listed as skipped, with the reason.\n"
                 "Then the cost of one policy call (us per call, MB/s on the wire) for Lua, lib:, exec:\n"
                 "and tcp:// on scenes/bench/policy_io.lua (two observation entries) and\n"
                 "policy_io_camera.lua (plus a 224x224 RGB camera, uint8; needs the renderer).\n"
                 "\n"
                 "--eval times whole `pilotsim eval FILE --episodes N` runs (default\n"
                 "scenes/examples/pendulum.lua, 16 episodes, best of --repeat) with --jobs 1, 2 and\n"
                 "every CPU, prints episodes/s and the speed-up over one worker (target for 2:\n"
                 ">= 1.8x), and checks the results are identical, wall times aside (exit 1 if not).\n"
                 "\n"
                 "--record times whole runs of `pilotsim eval FILE --episodes N --jobs 1` (default: the\n"
                 "pilot scenes logistics_parcel_sorting, restaurant_tray_delivery and\n"
                 "underground_tunnel_inspection, 2 episodes, 3 runs), the same with --record DIR\n"
                 "and `pilotsim record FILE ... --state-every 1` on the same episodes, modes alternating,\n"
                 "and prints the best and the median wall and CPU time, the median instructions (a\n"
                 "hardware counter over every process of the run; n/a where the kernel has none) and\n"
                 "page faults, the overheads over eval (target for eval --record: <= 10 %) and MB of\n"
                 "dataset per 1000 steps.\n",
        .exits = "0 measured, 1 a check failed (results not identical), 2 usage error,\n"
                 "            3 a scene or interface could not run\n",
    };
    size_t npos;
    int prc = cli_parse(&cmd, argc, argv, NULL, &npos);
    if (prc != CLI_CONTINUE) return prc;
    int repeat = (int)repeat_u; // 0: each mode's default
    int eval_episodes = (int)episodes_u;
    scene_n = (int)scene_nz;
    if (scene_n) eval_scene = scene_list[scene_n - 1];
    for (size_t i = 0; i < scale_nn; i++) scale_ns[i] = atoi(ns[i]);
    if (lidar) {
        if (scale || scale_nn > 1 || only || sensors || policies || eval || camera) {
            fprintf(stderr, "pilotsim bench: --lidar takes one --n and no --scale, --world, --sensors, --policies, "
                            "--eval or --camera\n");
            return EXIT_USAGE;
        }
        return bench_lidar(dir, scale_nn ? scale_ns[0] : 130, repeat ? repeat : 5, json);
    }
    if (scale || scale_nn) {
        if (!scale || only || sensors || policies || eval || camera) {
            fprintf(stderr, "pilotsim bench: --n needs --scale; --scale takes no --world, --sensors, --policies, "
                            "--eval or --camera\n");
            return EXIT_USAGE;
        }
        return bench_scale(dir, scale_ns, (int)scale_nn, repeat ? repeat : 3, steps_override ? steps_override : 500, json);
    }
    if (camera) return cli_bench_camera(repeat ? repeat : 5, json);
    if (record) {
        if (only || sensors || policies || eval) {
            fprintf(stderr, "pilotsim bench: --record takes no --world, --sensors, --policies or --eval\n");
            return EXIT_USAGE;
        }
#ifdef PILOTSIM_HAVE_HDF5
        static const char *const pilot[] = {"logistics_parcel_sorting", "restaurant_tray_delivery",
                                            "underground_tunnel_inspection"};
        char paths[3][4000];
        if (!scene_n)
            for (int k = 0; k < 3; k++) {
                snprintf(paths[k], sizeof paths[k], "%s/scenes/pilot/%s.lua", data, pilot[k]);
                scene_list[scene_n++] = paths[k];
            }
        return bench_record(scene_list, scene_n, eval_episodes ? eval_episodes : 2, repeat ? repeat : 3, json);
#else
        fprintf(stderr, "pilotsim bench: --record needs the datasets (this build has no libhdf5)\n");
        return EXIT_RUNTIME;
#endif
    }
    if (eval) {
        if (only || sensors || policies) {
            fprintf(stderr, "pilotsim bench: --eval takes no --world, --sensors or --policies\n");
            return EXIT_USAGE;
        }
        return bench_eval(eval_scene, eval_episodes ? eval_episodes : 16, repeat ? repeat : 3, json);
    }
    if (!repeat) repeat = 5;
    if (policies) {
        if (only || sensors) {
            fprintf(stderr, "pilotsim bench: --policies runs cart.lua only; it takes no --world or --sensors\n");
            return EXIT_USAGE;
        }
        return bench_policies(dir, repeat, steps_override, json, lib, python);
    }
    if (contacts) {
        if (only || sensors) {
            fprintf(stderr, "pilotsim bench: --contacts runs fleet_contacts only; it takes no --world or --sensors\n");
            return EXIT_USAGE;
        }
        return bench_contacts(dir, repeat, steps_override, json);
    }
    if (sensors) {
        if (only) {
            fprintf(stderr, "pilotsim bench: --sensors runs lidar_room only; it takes no --world\n");
            return EXIT_USAGE;
        }
        return bench_sensors(dir, repeat, steps_override, json);
    }
    if (only) {
        bool known = false;
        for (int w = 0; w < NWORLDS; w++) known |= !strcmp(only, WORLDS[w]);
        if (!known) {
            fprintf(stderr, "pilotsim bench: unknown world '%s' (humanoid, box_pile, diffdrive_obstacles)\n", only);
            return EXIT_USAGE;
        }
    }
    cli_scene_opts so = {0};
    char env_storage[4096];
    cli_default_module_paths(&so, env_storage, sizeof env_storage);
    so.quiet = true;
    ps_scene_options opt = cli_scene_options(&so);
    result res[NWORLDS];
    int nres = 0;
    for (int w = 0; w < NWORLDS; w++) {
        if (only && strcmp(only, WORLDS[w])) continue;
        char path[4096], err[4096];
        snprintf(path, sizeof path, "%s/%s.lua", dir, WORLDS[w]);
        ps_scene *s = ps_scene_load(path, &opt, err, sizeof err);
        if (!s) {
            fprintf(stderr, "error: %s\n", err);
            return EXIT_RUNTIME;
        }
        uint64_t steps = steps_override;
        if (!steps) {
            double n = ps_scene_time_limit(s) / ps_scene_timestep(s);
            steps = (uint64_t)(n + 0.5);
        }
        double *pr = calloc((size_t)repeat, sizeof *pr), *br = calloc((size_t)repeat, sizeof *br);
        result *r = &res[nres++];
        *r = (result){.name = WORLDS[w], .steps = steps};
        // One warm-up run of each, then `repeat` samples; a sample repeats the
        // whole run until it lasts 0.3 s, so short worlds are not timer noise.
        if (run_pilotsim(s, steps, &r->ps_hash) < 0 || run_bare(s, WORLDS[w], steps, &r->bare_hash) < 0) {
            free(pr);
            free(br);
            ps_scene_destroy(s);
            return EXIT_RUNTIME;
        }
        for (int k = 0; k < repeat; k++) {
            pr[k] = sample_rate(s, WORLDS[w], steps, false, &r->ps_hash);
            br[k] = sample_rate(s, WORLDS[w], steps, true, &r->bare_hash);
            if (pr[k] < 0 || br[k] < 0) {
                free(pr);
                free(br);
                ps_scene_destroy(s);
                return EXIT_RUNTIME;
            }
        }
        r->ps_rate = bench_median(pr, repeat);
        r->bare_rate = bench_median(br, repeat);
        r->identical = r->ps_hash == r->bare_hash;
        free(pr);
        free(br);
        ps_scene_destroy(s);
        if (!json)
            printf("%-20s %6llu steps  pilotsim %10.0f steps/s  bare ODE %10.0f steps/s  ratio %.3f  %s\n", r->name,
                   (unsigned long long)steps, r->ps_rate, r->bare_rate, r->ps_rate / r->bare_rate,
                   r->identical ? "identical" : "trajectories differ");
        fflush(stdout);
    }
    if (json) {
        printf("[");
        for (int i = 0; i < nres; i++)
            printf("%s{\"world\":\"%s\",\"steps\":%llu,\"repeat\":%d,\"pilotsim_steps_per_s\":%.1f,"
                   "\"bare_steps_per_s\":%.1f,\"ratio\":%.4f,\"identical\":%s}",
                   i ? "," : "", res[i].name, (unsigned long long)res[i].steps, repeat, res[i].ps_rate,
                   res[i].bare_rate, res[i].ps_rate / res[i].bare_rate, res[i].identical ? "true" : "false");
        printf("]\n");
    }
    return EXIT_OK;
}
