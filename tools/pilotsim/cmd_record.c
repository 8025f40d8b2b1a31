// pilotsim record: scenes × episodes with a policy, in worker processes, into
// one robomimic-layout HDF5 file. Each worker writes a finished demo as its
// own small file in OUT.parts/ (written under a temporary name, then renamed);
// the parent copies it into OUT, flushes and closes OUT, and only then deletes
// the part. A run killed at any point leaves OUT with every demo committed so
// far; a rerun skips those, commits parts left complete, and records the rest.
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "dataset.h"
#include "eval.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct rc_scene {
    const char *path;
    char *name;
    uint64_t hash;
    bool tried;
    ps_scene *scene;
    ps_policy *pol;
    char *policy;      // recorded spec
    char *load_err;
} rc_scene;

typedef struct rc_ctx {
    rc_scene *scenes;
    size_t nscenes;
    uint64_t episodes, seed, max_steps, state_every;
    const char *policy_arg; // --policy, or NULL
    bool no_policy, quiet;
    cli_scene_opts so;
    char **params;
    size_t nparams;
    const char *out;
    char parts[4200];
    ds_run run;
    ds_recorder *rec;       // worker side
    // parent side
    size_t done, failed, to_run;
    double t0, last;
} rc_ctx;

static void part_path(const rc_ctx *c, uint64_t j, bool tmp, char *buf, size_t n)
{
    snprintf(buf, n, "%s/demo_%" PRIu64 ".hdf5%s", c->parts, j, tmp ? ".tmp" : "");
}

static void worker_log(void *user, ps_log_level level, const char *msg)
{
    (void)user;
    (void)level;
    (void)msg;
}

static void load_scene(rc_ctx *c, rc_scene *s)
{
    s->tried = true;
    ps_scene_options opt = cli_scene_options(&c->so);
    opt.log = (ps_logger){worker_log, NULL};
    char err[PS_ERR_LEN];
    s->scene = ps_scene_load(s->path, &opt, err, sizeof err);
    if (!s->scene) {
        s->load_err = strdup(err);
        return;
    }
    cli_cameras_install(s->scene);
    char pbuf[4096];
    const char *spec = c->no_policy ? NULL : c->policy_arg ? c->policy_arg : ps_scene_baseline_spec(s->scene, pbuf, sizeof pbuf);
    if (!spec) return;
    ps_policy_options po = ps_default_policy_options();
    po.module_paths = c->so.module_paths;
    po.module_path_count = c->so.module_path_count;
    po.trusted = c->so.trusted;
    po.log = opt.log;
    s->pol = ps_policy_open(spec, &po, err, sizeof err);
    if (!s->pol) s->load_err = strdup(err);
}

// Worker: record demo `job`, write its part file, answer "ok STATUS" or "error MESSAGE".
static void work(void *vc, size_t job, FILE *out)
{
    rc_ctx *c = vc;
    rc_scene *s = &c->scenes[job / c->episodes];
    if (!s->tried) load_scene(c, s);
    if (s->load_err || !s->scene) {
        fprintf(out, "error %s: %s\n", s->path, s->load_err ? s->load_err : "out of memory");
        return;
    }
    if (!c->rec && !(c->rec = ds_recorder_create())) {
        fprintf(out, "error out of memory\n");
        return;
    }
    uint64_t ep = job % c->episodes;
    char path[4400], tmp[4400], err[4096], status[64];
    part_path(c, job, false, path, sizeof path);
    part_path(c, job, true, tmp, sizeof tmp);
    ds_episode_job ej = {.run = &c->run, .j = job, .scene = s->scene, .scene_path = s->path, .policy = s->pol,
                         .policy_spec = s->policy, .episode = ep, .seed = cli_episode_seed(c->seed, s->hash, ep),
                         .max_steps = c->max_steps};
    ps_episode *e = ps_episode_begin(s->scene, ej.seed);
    bool ok = e && ds_record_episode_file(c->rec, &ej, e, path, tmp, err, sizeof err, status, sizeof status);
    if (!e) snprintf(err, sizeof err, "out of memory");
    ps_episode_end(e);
    if (!ok) {
        for (char *p = err; *p; p++)
            if (*p == '\n') *p = ' ';
        fprintf(out, "error %s\n", err);
        return;
    }
    fprintf(out, "ok %s\n", status);
}

static void worker_exit(void *vc)
{
    rc_ctx *c = vc;
    for (size_t i = 0; i < c->nscenes; i++) {
        ps_policy_close(c->scenes[i].pol);
        ps_scene_destroy(c->scenes[i].scene);
        free(c->scenes[i].load_err);
        c->scenes[i] = (rc_scene){.path = c->scenes[i].path, .name = c->scenes[i].name, .hash = c->scenes[i].hash,
                                  .policy = c->scenes[i].policy};
    }
    ds_recorder_destroy(c->rec);
    c->rec = NULL;
}

// Parent: copy a finished part into OUT (open, copy, close), then delete it.
static bool commit(rc_ctx *c, uint64_t j)
{
    char path[4400], err[4096], name[64];
    part_path(c, j, false, path, sizeof path);
    snprintf(name, sizeof name, "demo_%" PRIu64, j);
    ds_file *part = ds_open_read(path, err, sizeof err);
    ds_file *out = part ? ds_open_write(c->out, &c->run, err, sizeof err) : NULL;
    bool ok = part && out && ds_copy_demo(out, part, name, err, sizeof err);
    ds_close(part);
    if (!ds_close(out) && ok) {
        snprintf(err, sizeof err, "%s: cannot close it after writing %s", c->out, name);
        ok = false;
    }
    if (!ok) {
        fprintf(stderr, "record: %s\n", err);
        return false;
    }
    unlink(path);
    return true;
}

static void progress(rc_ctx *c, bool final)
{
    if (c->quiet) return;
    double now = cli_now();
    if (!final && now - c->last < 1.0) return;
    c->last = now;
    fprintf(stderr, "record: %zu/%zu demos written, %zu failed, %.1f s\n", c->done, c->to_run, c->failed,
            now - c->t0);
}

static void on_line(void *vc, size_t job, const char *line, double wall)
{
    (void)wall;
    rc_ctx *c = vc;
    if (!strncmp(line, "ok ", 3) && commit(c, job)) {
        c->done++;
    } else {
        c->failed++;
        fprintf(stderr, "record: demo_%zu: %s\n", job, !strncmp(line, "error ", 6) ? line + 6 : line);
    }
    progress(c, false);
}

static void on_lost(void *vc, size_t job, const char *status, const char *msg, double wall)
{
    (void)wall;
    rc_ctx *c = vc;
    c->failed++;
    fprintf(stderr, "record: demo_%zu: %s: %s\n", job, status, msg);
}


static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int cmd_record(int argc, char **argv)
{
    rc_ctx c = {.state_every = DS_STATE_EVERY_DEFAULT};
    char env_storage[4096];
    uint64_t jobs = 0, shard_count = 0;
    cli_shard shard = {0, 1, false};
    double timeout = 600;
    int rc = EXIT_USAGE;
    cli_group scene_group = cli_scene_group(&c.so, CLI_SCENE_NO_QUIET),
              shard_group = cli_shard_group(&shard, &shard_count);
    const cli_opt opts[] = {
        {.name = "--episodes", .kind = CLI_U64, .metavar = "N", .target = &c.episodes, .lo = 1,
         .need = "a positive integer", .help = "episodes per scene (required)"},
        {.name = "--out", .kind = CLI_STRING, .metavar = "FILE", .target = &c.out, .need = "a file",
         .help = "the dataset (required); finished demos land in it one by one"},
        {.name = "--policy", .kind = CLI_STRING, .metavar = "SPEC", .target = &c.policy_arg, .need = "a spec",
         .help = "policy for every scene (as eval); default: each scene's baseline"},
        {.name = "--no-policy", .kind = CLI_FLAG, .target = &c.no_policy,
         .help = "record without a policy (actions stay zero)"},
        {.name = "--jobs", .kind = CLI_U64, .metavar = "J", .target = &jobs, .lo = 1, .need = "a positive integer",
         .help = "worker processes (default: the number of online CPUs)"},
        {.name = "--seed", .kind = CLI_U64, .metavar = "S", .target = &c.seed, .need = "a non-negative integer",
         .help = "base seed (default 0); seeds as eval's:\nps_seed_mix(ps_seed_mix(S, scene content hash), episode) mod 2^53"},
        {.name = "--steps", .kind = CLI_U64, .metavar = "N", .target = &c.max_steps, .lo = 1,
         .need = "a positive integer",
         .help = "end each episode after N steps (status timeout) instead of the scene's time limit"},
        {.name = "--state-every", .kind = CLI_U64, .metavar = "K", .target = &c.state_every, .lo = 1,
         .need = "a positive integer",
         .help = "keep the full simulator state every K steps (default 100; 1: every step, about 2-3x the run's "
                 "time); the other rows of `states` stay empty: any step restores exactly from the stored one "
                 "before it and the recorded actions (pilotsim.dataset Demo.restore); state hashes stay per step"},
        {.name = "--timeout", .kind = CLI_DOUBLE, .metavar = "SEC", .target = &timeout, .lo = 0, .hi = 1e300,
         .need = "seconds >= 0", .help = "wall-clock limit per episode, 0 = none (default 600)"},
        {.name = "--quiet", .kind = CLI_FLAG, .target = &c.quiet, .help = "no progress on stderr"},
        {.kind = CLI_INCLUDE, .target = shard_group.opt, .help = "shard options"},
        {.kind = CLI_INCLUDE, .target = scene_group.opt, .help = "scene options"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "record",
        .synopsis = "SCENE... --episodes N --out FILE.hdf5 [options]",
        .about = "Runs N episodes of each SCENE with a policy in worker processes and records every step "
                 "(observations, actions, rewards, dones, full simulator states and state hashes) into FILE in "
                 "robomimic's HDF5 layout (docs/datasets.md). Demo j is episode j % N of scene j / N. A rerun of "
                 "the same command resumes: demos FILE holds are kept.",
        .opts = opts,
        .exits = "0 every demo recorded (whatever the episodes' outcome), 2 usage error,\n"
                 "            3 a scene fails to load, a worker crashed, a write failed, interrupted\n",
        .pos_name = "SCENE",
        .min_pos = 1,
    };
    const char **scene_paths = calloc((size_t)argc, sizeof *scene_paths);
    if (!scene_paths) return EXIT_RUNTIME;
    rc = cli_parse(&cmd, argc, argv, scene_paths, &c.nscenes);
    if (rc != CLI_CONTINUE) {
        free(scene_paths);
        return rc;
    }
    rc = EXIT_USAGE;
    if (!c.episodes || !c.out) {
        cli_usage_error(&cmd, "needs %s", !c.episodes ? "--episodes N" : "--out FILE");
        goto done;
    }
    if (c.no_policy && c.policy_arg) {
        fprintf(stderr, "pilotsim record: --policy and --no-policy exclude each other\n");
        goto done;
    }
    if (!shard.given && cli_shard_from_env("record", shard_count, &shard.i, &shard.k) < 0) goto done;
    rc = EXIT_RUNTIME;
    ds_hdf5_quiet();
    cli_default_module_paths(&c.so, env_storage, sizeof env_storage);
    c.params = calloc(c.so.param_count + 1, sizeof *c.params);
    c.scenes = calloc(c.nscenes, sizeof *c.scenes);
    if (!c.params || !c.scenes) goto done;
    for (size_t i = 0; i < c.so.param_count; i++) c.params[i] = (char *)c.so.params[i];
    c.nparams = c.so.param_count;
    qsort(c.params, c.nparams, sizeof *c.params, str_cmp);

    // Load each scene once in the parent for its name and hash (the workers load their own).
    for (size_t i = 0; i < c.nscenes; i++) {
        rc_scene *s = &c.scenes[i];
        s->path = scene_paths[i];
        ps_scene_options opt = cli_scene_options(&c.so);
        char err[PS_ERR_LEN];
        ps_scene *sc = ps_scene_load(s->path, &opt, err, sizeof err);
        if (!sc) {
            fprintf(stderr, "error: %s\n", err);
            goto done;
        }
        s->name = strdup(ps_scene_name(sc));
        s->hash = ps_scene_content_hash(sc);
        const char *spec = c.no_policy ? "" : c.policy_arg ? c.policy_arg : ps_scene_policy(sc) ? ps_scene_policy(sc) : "";
        s->policy = strdup(spec);
        ps_scene_destroy(sc);
        if (!s->name || !s->policy) goto done;
    }
    c.run = (ds_run){.scenes = scene_paths, .scene_count = c.nscenes, .episodes = c.episodes, .seed = c.seed,
                     .max_steps = c.max_steps, .state_every = c.state_every, .policy = c.no_policy ? "none" : c.policy_arg ? c.policy_arg : "",
                     .params = (const char *const *)c.params, .param_count = c.nparams, .env_name = c.scenes[0].name};

    // Open (or create) OUT: it must hold this same run. Then the parts folder.
    char err[PS_ERR_LEN];
    ds_file *out = ds_open_write(c.out, &c.run, err, sizeof err);
    if (!out) {
        fprintf(stderr, "error: %s\n", err);
        goto done;
    }
    uint64_t total = c.episodes * c.nscenes;
    bool *have = calloc(total, sizeof *have);
    size_t *todo = calloc(total, sizeof *todo);
    if (!have || !todo) {
        ds_close(out);
        free(have);
        free(todo);
        goto done;
    }
    size_t kept = 0;
    for (size_t i = 0; i < ds_demo_count(out); i++) {
        uint64_t j = ds_demo_index(out, i), seed = 0;
        char hash[32];
        if (j >= total) continue;
        rc_scene *s = &c.scenes[j / c.episodes];
        char want[32];
        snprintf(want, sizeof want, "%016" PRIx64, s->hash);
        if (!ds_demo_attr_u64(out, ds_demo_name(out, i), "seed", &seed) ||
            !ds_demo_attr_str(out, ds_demo_name(out, i), "scene_hash", hash, sizeof hash) || strcmp(hash, want) ||
            seed != cli_episode_seed(c.seed, s->hash, j % c.episodes)) {
            fprintf(stderr, "error: %s: %s is not this run's (scene hash or seed differ)\n", c.out, ds_demo_name(out, i));
            ds_close(out);
            free(have);
            free(todo);
            goto done;
        }
        have[j] = true;
        kept++;
    }
    ds_close(out);
    snprintf(c.parts, sizeof c.parts, "%s.parts", c.out);
    if (mkdir(c.parts, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "error: %s: %s\n", c.parts, strerror(errno));
        free(have);
        free(todo);
        goto done;
    }
    // Parts a killed run left: complete ones are committed, temporary ones dropped.
    size_t recovered = 0;
    for (uint64_t j = 0; j < total; j++) {
        char p[4400];
        part_path(&c, j, true, p, sizeof p);
        unlink(p);
        part_path(&c, j, false, p, sizeof p);
        if (access(p, F_OK) != 0) continue;
        if (!have[j] && j % shard.k == shard.i && commit(&c, j)) {
            have[j] = true;
            recovered++;
        } else {
            unlink(p);
        }
    }
    size_t ntodo = 0, in_shard = 0;
    for (uint64_t j = 0; j < total; j++) {
        if (j % shard.k != shard.i) continue;
        in_shard++;
        if (!have[j]) todo[ntodo++] = (size_t)j;
    }
    if (!c.quiet && (kept || recovered))
        fprintf(stderr, "record: resuming %s: %zu demos kept, %zu recovered from %s, %zu to record\n", c.out, kept,
                recovered, c.parts, ntodo);
    if (!jobs) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (uint64_t)n : 1;
    }
    if (jobs > ntodo) jobs = ntodo ? ntodo : 1;
    c.to_run = ntodo;
    c.t0 = c.last = cli_now();
    eval_pool pool = {.workers = (size_t)jobs, .timeout = timeout, .work = work, .worker_exit = worker_exit,
                      .on_line = on_line, .on_lost = on_lost, .ctx = &c};
    int pr = ntodo ? eval_pool_run(&pool, todo, ntodo) : 0;
    progress(&c, true);
    free(have);
    free(todo);
    rmdir(c.parts); // only when empty
    if (pr != 0) {
        fprintf(stderr, "record: %s; rerun the same command to resume\n", pr > 0 ? "interrupted" : "cannot start workers");
        goto done;
    }
    if (!c.quiet)
        fprintf(stderr, "record: %s holds this %s's %zu demo%s (%zu recorded now, %zu failed)\n", c.out,
                shard.k > 1 ? "shard" : "run", in_shard - c.failed, in_shard - c.failed == 1 ? "" : "s", c.done, c.failed);
    rc = c.failed ? EXIT_RUNTIME : EXIT_OK;
done:
    for (size_t i = 0; c.scenes && i < c.nscenes; i++) {
        free(c.scenes[i].name);
        free(c.scenes[i].policy);
    }
    free(c.scenes);
    free(c.params);
    free(scene_paths);
    return rc;
}
