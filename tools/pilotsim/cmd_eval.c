// pilotsim eval: the options, the scenes and the shard's jobs, the worker pool, the report
// (eval_episode.c runs an episode in a worker, eval_parent.c collects the records,
// eval_resume.c reuses those of --out).
#define _POSIX_C_SOURCE 200809L
#include "eval_run.h"
#include "report_media.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool eval_parse_fraction(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno) return false;
    if (*end == '%' && end[1] == '\0') v /= 100;
    else if (*end) return false;
    if (!(v >= 0 && v <= 1)) return false;
    *out = v;
    return true;
}

static bool parse_fraction(const char *v, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    return eval_parse_fraction(v, target);
}

cli_opt eval_min_success_opt(double *target, const char *help)
{
    return (cli_opt){.name = "--min-success", .kind = CLI_CUSTOM, .metavar = "X", .target = target,
                     .parse = parse_fraction, .need = "a rate in [0, 1] or a percentage", .help = help};
}

cli_opt eval_alpha_opt(double *target, const char *help)
{
    return (cli_opt){.name = "--alpha", .kind = CLI_DOUBLE, .metavar = "A", .target = target, .lo = 0, .hi = 1,
                     .open_lo = true, .open_hi = true, .need = "a level between 0 and 1", .help = help};
}

// Loads every scene once in the parent: errors surface before any work, and
// the name, content hash and baseline policy are known.
static bool prepare_scene(ev_ctx *c, ev_scene *s, const char *policy_spec, bool no_policy)
{
    cli_scene_opts so = c->so;
    so.quiet = !c->verbose;
    ps_scene_options opt = cli_scene_options(&so);
    char err[PS_ERR_LEN];
    ps_scene *sc = ps_scene_load(s->path, &opt, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "error: %s\n", err);
        return false;
    }
    s->name = strdup(ps_scene_name(sc));
    s->hash = ps_scene_content_hash(sc);
    const char *declared = no_policy ? NULL : policy_spec ? policy_spec : ps_scene_policy(sc);
    s->policy = strdup(declared ? declared : "");
    if (declared) {
        char pbuf[4096];
        s->policy_open = strdup(policy_spec ? policy_spec : ps_scene_baseline_spec(sc, pbuf, sizeof pbuf));
    }
    ps_scene_destroy(sc);
    if (!s->name || !s->policy || (declared && !s->policy_open)) {
        fprintf(stderr, "error: out of memory\n");
        return false;
    }
    return true;
}

// Checks a policy before the workers start: Lua ones are opened (and closed),
// a library must exist; remote ones are left to the workers.
static bool check_policy(ev_ctx *c, const char *spec)
{
    char err[PS_ERR_LEN];
    if (!strncmp(spec, "exec:", 5) || !strncmp(spec, "tcp://", 6)) return true;
    if (!strncmp(spec, "lib:", 4)) {
        char path[4096];
        snprintf(path, sizeof path, "%.*s", (int)strcspn(spec + 4, "?"), spec + 4);
        if (access(path, R_OK) != 0) {
            fprintf(stderr, "error: policy '%s': %s: %s\n", spec, path, strerror(errno));
            return false;
        }
        return true;
    }
    cli_scene_opts so = c->so;
    so.quiet = !c->verbose;
    ps_scene_options opt = cli_scene_options(&so);
    ps_policy_options po = cli_policy_options(&c->so, &c->pol, opt.log);
    ps_policy *p = ps_policy_open(spec, &po, err, sizeof err);
    if (!p) {
        fprintf(stderr, "error: %s\n", err);
        return false;
    }
    ps_policy_close(p);
    return true;
}

static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void free_ctx(ev_ctx *c)
{
    for (size_t i = 0; i < c->nscenes; i++) {
        free(c->scenes[i].name);
        free(c->scenes[i].policy);
        free(c->scenes[i].policy_open);
    }
    free(c->scenes);
    free(c->jobs);
    for (size_t i = 0; i < c->nparams; i++) free(c->params[i]);
    free(c->params);
    eval_set_free(&c->results);
    free(c->group);
    if (c->out_fd >= 0) close(c->out_fd);
}

// Prints the report (and JUnit); returns the number of failed tests, or -1
// when the JUnit file cannot be written.
static long report(ev_ctx *c, const char *junit, const eval_report_opts *ro)
{
    eval_summary *sum = calloc(c->nscenes ? c->nscenes : 1, sizeof *sum);
    size_t *map = calloc(c->nscenes ? c->nscenes : 1, sizeof *map);
    size_t *grp = calloc(c->results.n ? c->results.n : 1, sizeof *grp);
    if (!sum || !map || !grp) {
        free(sum);
        free(map);
        free(grp);
        return -1;
    }
    // Scenes with no episode in this shard are left out.
    size_t n = 0;
    for (size_t s = 0; s < c->nscenes; s++) {
        map[s] = SIZE_MAX;
        if (!c->scenes[s].planned) continue;
        map[s] = n;
        sum[n].scene = c->scenes[s].name;
        sum[n].path = c->scenes[s].path;
        sum[n].policy = c->scenes[s].policy;
        sum[n].scene_hash = c->scenes[s].hash;
        sum[n].planned = c->scenes[s].planned;
        n++;
    }
    for (size_t i = 0; i < c->results.n; i++) {
        grp[i] = map[c->group[i]];
        eval_summary_add(&sum[grp[i]], &c->results.v[i]);
    }
    long failed = (long)eval_report(stdout, sum, n, ro);
    if (junit && !eval_junit(junit, sum, n, c->results.v, grp, c->results.n, ro)) {
        fprintf(stderr, "error: cannot write %s: %s\n", junit, strerror(errno));
        failed = -1;
    }
    free(sum);
    free(map);
    free(grp);
    return failed;
}

static bool parse_percent(const char *v, void *target, char *why, size_t n)
{
    (void)why;
    (void)n;
    char *end;
    double pct = strtod(v, &end);
    if (end == v || (*end && strcmp(end, "%")) || !(pct >= 1 && pct <= 100)) return false;
    *(double *)target = pct / 100;
    return true;
}

int cmd_eval(int argc, char **argv)
{
    ev_ctx c = {0};
    char env_storage[4096];
    const char *policy_spec = NULL, *junit = NULL, *html = NULL;
    bool no_policy = false, have_episodes = false;
    uint64_t seed = 0, jobs = 0, shard_count = 0, videos = 0, state_every = 0;
    cli_shard shard = {0, 1, false};
    double min_success = -1;
    int rc = EXIT_USAGE;
    c.timeout = 300;
    c.out_fd = -1;
    c.progress_step = 0.1;
    char retries_need[64];
    snprintf(retries_need, sizeof retries_need, "an integer from 0 to %u", EVAL_ATTEMPTS_MAX - 1);
    cli_group scene_group = cli_scene_group(&c.so, CLI_SCENE_NO_QUIET), policy_group = cli_policy_group(&c.pol),
              shard_group = cli_shard_group(&shard, &shard_count);
    const cli_opt opts[] = {
        {.name = "--episodes", .kind = CLI_U64, .metavar = "N", .target = &c.episodes, .lo = 1, .hi = 100000000,
         .given = &have_episodes, .need = "a positive integer", .help = "episodes per scene (required)"},
        {.name = "--policy", .kind = CLI_STRING, .metavar = "SPEC", .target = &policy_spec, .need = "a spec",
         .help = "policy for every scene (Lua file or module, lib:path.so[?config], exec:/tcp://; see run "
                 "--help); default: each scene's baseline (its `policy` field, resolved beside the scene), or none"},
        {.name = "--no-policy", .kind = CLI_FLAG, .target = &no_policy, .help = "run without any policy"},
        {.name = "--jobs", .kind = CLI_U64, .metavar = "J", .target = &jobs, .lo = 1, .hi = 4096,
         .need = "a positive integer", .help = "worker processes (default: the number of online CPUs)"},
        {.name = "--seed", .kind = CLI_U64, .metavar = "S", .target = &seed, .need = "a non-negative integer",
         .help = "base seed (default 0); episode e of a scene gets\n"
                 "ps_seed_mix(ps_seed_mix(S, scene content hash), e) mod 2^53"},
        {.name = "--out", .kind = CLI_STRING, .metavar = "FILE", .target = &c.out_path, .need = "a file",
         .help = "append one JSON line per finished episode (flushed and synced); episodes FILE already holds are "
                 "skipped (resume) unless a file they loaded changed or they ended policy_error. FILE must be a "
                 "regular file that is empty or a results file; it is locked"},
        {.name = "--retries", .kind = CLI_U64, .metavar = "N", .target = &c.retries, .lo = 0,
         .hi = EVAL_ATTEMPTS_MAX - 1, .need = retries_need,
         .help = "run an episode up to N more times when it ends policy_error (the policy's transport failed), "
                 "after 0.25, 0.5, 1, ... s (default 0)"},
        {.name = "--junit", .kind = CLI_STRING, .metavar = "FILE", .target = &junit, .need = "a file",
         .help = "write a JUnit XML report"},
        {.name = "--record", .kind = CLI_STRING, .metavar = "DIR", .target = &c.record_dir, .need = "a directory",
         .help = "also record each episode into DIR/demo_<j>.hdf5 (robomimic layout, docs/datasets.md); "
                 "`pilotsim merge DIR/*.hdf5 --out ALL` joins them"},
        {.name = "--state-every", .kind = CLI_U64, .metavar = "K", .target = &state_every, .lo = 1,
         .need = "a positive integer",
         .help = "with --record: keep the full simulator state every K steps (default 100; 1: every step), as "
                 "`pilotsim record`"},
        eval_min_success_opt(&min_success, "per-scene threshold on the success rate (0..1, or N%)"),
        {.name = "--timeout", .kind = CLI_DOUBLE, .metavar = "SEC", .target = &c.timeout, .lo = 0, .hi = 1e7,
         .need = "seconds (0 = none)",
         .help = "wall-clock limit per episode, 0 = none (default 300): the worker is killed and the episode "
                 "recorded as timeout_wall"},
        {.name = "--verbose", .kind = CLI_FLAG, .target = &c.verbose,
         .help = "show the scenes' print() output and warnings from the workers"},
        {.name = "--quiet", .kind = CLI_FLAG, .target = &c.quiet, .help = "no progress on stderr"},
        {.name = "--progress-every", .kind = CLI_CUSTOM, .metavar = "P", .target = &c.progress_step,
         .parse = parse_percent, .need = "a percentage from 1 to 100",
         .help = "without a terminal, a progress line per P% of the episodes (default 10)"},
        {.name = "--html", .kind = CLI_STRING, .metavar = "FILE", .target = &html, .need = "a file",
         .help = "also write the HTML report (as `pilotsim report`)"},
        {.name = "--videos", .kind = CLI_U64, .metavar = "N", .target = &videos, .lo = 0, .hi = 1000,
         .need = "a count of episodes per scene in 0..1000",
         .help = "with --html: embed videos of up to N failed episodes per scene (as `pilotsim report "
                 "--videos`, at most 4 MB in all)"},
        {.kind = CLI_INCLUDE, .target = shard_group.opt, .help = "shard options"},
        {.kind = CLI_INCLUDE, .target = scene_group.opt, .help = "scene options"},
        {.kind = CLI_INCLUDE, .target = policy_group.opt, .help = "policy options"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "eval",
        .synopsis = "SCENE... --episodes N [options]",
        .about = "Runs N episodes of each SCENE headless in worker processes, prints a report per scene and ends "
                 "with `eval: N passed, M failed`.",
        .opts = opts,
        .notes = "statuses: success, failure, timeout (the scene's limit), physics_diverged, script_error,\n"
                 "policy_error (an exec:/tcp:// peer unreachable, dead, timed out or not speaking the\n"
                 "protocol: infrastructure, left out of the success rate), crashed (the worker died),\n"
                 "timeout_wall (--timeout). Only success counts as a success.\n"
                 "tests: with --min-success, each scene passes when its success rate >= X; without it,\n"
                 "each scene passes when no episode is script_error, policy_error, crashed or timeout_wall.\n",
        .exits = "0 every test passed, 1 a test failed, 2 usage error (also an --out that is\n"
                 "            not a results file, or in use by another eval), 3 runtime error (a scene or\n"
                 "            policy fails to load, interrupted, or any episode script_error, policy_error,\n"
                 "            crashed or timeout_wall, whatever --min-success says)\n",
        .pos_name = "SCENE",
        .min_pos = 1,
    };
    const char **paths = calloc((size_t)argc, sizeof *paths);
    if (!paths) return EXIT_RUNTIME;
    size_t npaths;
    int prc = cli_parse(&cmd, argc, argv, paths, &npaths);
    if (prc != CLI_CONTINUE) {
        free(paths);
        return prc;
    }
    if (!have_episodes) {
        cli_usage_error(&cmd, "missing --episodes N");
        goto done;
    }
    if (policy_spec && no_policy) {
        fprintf(stderr, "pilotsim eval: --policy and --no-policy exclude each other\n");
        goto done;
    }
    if (state_every && !c.record_dir) {
        fprintf(stderr, "pilotsim eval: --state-every is an option of --record DIR\n");
        goto done;
    }
    if (!shard.given && cli_shard_from_env("eval", shard_count, &shard.i, &shard.k) < 0) goto done;
    if (!jobs) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (uint64_t)n : 1;
    }
    c.tty = isatty(STDERR_FILENO);
    char herr[PS_ERR_LEN];
    if (videos && !html) {
        fprintf(stderr, "pilotsim eval: --videos needs --html FILE (the videos go into the report)\n");
        goto done;
    }
    if (videos && !report_media_available(herr, sizeof herr)) {
        fprintf(stderr, "pilotsim eval: --videos: %s\n", herr);
        goto done;
    }
    if (html && !eval_html_target_ok(html, herr, sizeof herr)) {
        fprintf(stderr, "pilotsim eval: --html %s\n", herr);
        goto done;
    }
    if (c.out_path) {
        // Checked and locked before any work: a file that is not a results
        // file, a FIFO or device, or one another eval writes is a usage error.
        char oerr[PS_ERR_LEN];
        c.out_fd = eval_results_open(c.out_path, oerr, sizeof oerr);
        if (c.out_fd < 0) {
            fprintf(stderr, "pilotsim eval: --out %s\n", oerr);
            goto done;
        }
    }

    rc = EXIT_RUNTIME;
    cli_default_module_paths(&c.so, env_storage, sizeof env_storage);
    c.nparams = c.so.param_count;
    c.params = c.nparams ? calloc(c.nparams, sizeof *c.params) : NULL;
    c.scenes = calloc(npaths, sizeof *c.scenes);
    if ((c.nparams && !c.params) || !c.scenes) goto done;
    for (size_t i = 0; i < c.nparams; i++)
        if (!(c.params[i] = strdup(c.so.params[i]))) goto done;
    if (c.nparams > 1) qsort(c.params, c.nparams, sizeof *c.params, str_cmp);

    // Scenes, in command-line order; the same file twice (same content and policy) runs once.
    for (size_t i = 0; i < npaths; i++) {
        ev_scene *s = &c.scenes[c.nscenes];
        s->path = paths[i];
        if (!prepare_scene(&c, s, policy_spec, no_policy)) {
            if (!s->name) rc = cli_scene_load_rc(s->path, &c.so); // a bad --param is a usage error
            goto done;
        }
        bool dup = false;
        for (size_t k = 0; k < c.nscenes && !dup; k++)
            dup = c.scenes[k].hash == s->hash && !strcmp(c.scenes[k].policy, s->policy);
        if (dup) {
            fprintf(stderr, "eval: %s is the same scene as one given before; run once\n", s->path);
            free(s->name);
            free(s->policy);
            free(s->policy_open);
            *s = (ev_scene){0};
            continue;
        }
        c.nscenes++;
    }
    for (size_t i = 0; i < c.nscenes; i++) {
        const char *spec = c.scenes[i].policy_open;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = c.scenes[k].policy_open && spec && !strcmp(c.scenes[k].policy_open, spec);
        if (spec && !seen && !check_policy(&c, spec)) goto done;
    }

    // The global episode list is (scene, episode) in order; this shard takes every k-th.
    uint64_t total = (uint64_t)c.nscenes * c.episodes;
    c.jobs = calloc((size_t)(total / shard.k + 1), sizeof *c.jobs);
    if (!c.jobs) goto done;
    for (uint64_t g = shard.i; g < total; g += shard.k) {
        ev_job *j = &c.jobs[c.njobs++];
        j->scene = (size_t)(g / c.episodes);
        j->episode = g % c.episodes;
        // Below 2^53 so that every JSON reader keeps it exact.
        j->seed = cli_episode_seed(seed, c.scenes[j->scene].hash, j->episode);
        c.scenes[j->scene].planned++;
    }

    const char **rec_paths = c.record_dir ? calloc(c.nscenes + 1, sizeof *rec_paths) : NULL;
    if (c.record_dir) {
        if (!rec_paths || (mkdir(c.record_dir, 0777) != 0 && errno != EEXIST)) {
            fprintf(stderr, "error: --record %s: %s\n", c.record_dir, rec_paths ? strerror(errno) : "out of memory");
            free(rec_paths);
            goto done;
        }
        for (size_t i = 0; i < c.nscenes; i++) rec_paths[i] = c.scenes[i].path;
        c.record_run = (ds_run){.scenes = rec_paths, .scene_count = c.nscenes, .episodes = c.episodes, .seed = seed,
                                .state_every = state_every ? state_every : DS_STATE_EVERY_DEFAULT,
                                .policy = no_policy ? "none" : policy_spec ? policy_spec : "",
                                .params = (const char *const *)c.params, .param_count = c.nparams,
                                .env_name = c.nscenes ? c.scenes[0].name : ""};
    }

    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(c.run_id, sizeof c.run_id, "%s-%ld", stamp, (long)getpid());

    bool *done_job = calloc(c.njobs ? c.njobs : 1, sizeof *done_job);
    size_t *pending_jobs = calloc(c.njobs ? c.njobs : 1, sizeof *pending_jobs);
    if (!done_job || !pending_jobs) {
        free(done_job);
        free(pending_jobs);
        goto done;
    }
    if (c.out_fd >= 0) {
        if (!eval_resume(&c, done_job)) {
            free(done_job);
            free(pending_jobs);
            goto done;
        }
        // Past a file size limit (ulimit -f) a write fails with EFBIG instead
        // of killing the process with SIGXFSZ: it is reported like a full disk.
        signal(SIGXFSZ, SIG_IGN);
    }
    size_t n_pending = 0;
    for (size_t j = 0; j < c.njobs; j++)
        if (!done_job[j]) pending_jobs[n_pending++] = j;
    free(done_job);
    c.to_run = n_pending;
    if (jobs > n_pending) jobs = n_pending ? n_pending : 1;
    if (!c.quiet)
        fprintf(stderr, "eval: %zu episode%s to run (%zu scene%s x %llu%s), %llu worker%s\n", n_pending,
                n_pending == 1 ? "" : "s", c.nscenes, c.nscenes == 1 ? "" : "s", (unsigned long long)c.episodes,
                shard.k > 1 ? ", this shard's share" : "", (unsigned long long)jobs, jobs == 1 ? "" : "s");

    eval_pool pool = {
        .workers = (size_t)jobs,
        .timeout = c.timeout,
        .work = eval_work,
        .worker_exit = eval_worker_exit,
        .on_line = eval_on_line,
        .on_lost = eval_on_lost,
        .on_tick = eval_on_tick,
        .ctx = &c,
    };
    c.t0 = cli_now();
    c.last_progress = -1e9;
    if (!c.tty) c.last_progress = c.t0;
    int pr = eval_pool_run(&pool, pending_jobs, n_pending);
    free(pending_jobs);
    eval_progress(&c, 0, true);
    if (pr == 1 && !c.quiet) fprintf(stderr, "eval: interrupted; workers stopped, finished episodes kept\n");
    eval_report_opts ro = {min_success, pr == 1};
    long failed = report(&c, junit, &ro);
    if (html) {
        eval_html_run run = {c.out_path ? c.out_path : "eval", c.out_path, junit, &c.results, (size_t)jobs,
                             cli_now() - c.t0, NULL};
        report_media media = {0};
        bool media_ok = !videos || report_media_render(&media, &c.results, (size_t)videos, 4000000,
                                                       c.quiet ? NULL : stderr, herr, sizeof herr);
        if (videos && media_ok) run.media = &media;
        if (media_ok && eval_html(html, &run, 1, min_success, 0.05, herr, sizeof herr)) {
            if (!c.quiet) fprintf(stderr, "eval: report written to %s\n", html);
        } else {
            fprintf(stderr, "error: %s\n", herr);
            failed = -1;
        }
        report_media_free(&media);
    }
    bool errors = false; // any episode that could not be evaluated: exit 3 whatever the tests say
    for (size_t i = 0; i < c.results.n && !errors; i++) errors = eval_status_error(c.results.v[i].status);
    if (pr != 0 || failed < 0 || c.out_failed || errors) rc = EXIT_RUNTIME;
    else rc = failed ? EXIT_EPISODE_FAILED : EXIT_OK;
done:
    free((void *)c.record_run.scenes);
    free(paths);
    free_ctx(&c);
    return rc;
}

