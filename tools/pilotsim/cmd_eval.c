// pilotsim eval: scenes × episodes with a policy, in worker processes; JSONL
// records, a report, JUnit, thresholds, shards and resume.
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "eval.h"
#include "pilotsim/policy.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void eval_usage(FILE *f)
{
    fputs("usage: pilotsim eval SCENE... --episodes N [options]\n"
          "Runs N episodes of each SCENE headless in worker processes, prints a report per\n"
          "scene and ends with `eval: N passed, M failed`.\n"
          "\n"
          "options:\n"
          "  --episodes N        episodes per scene (required)\n"
          "  --policy SPEC       policy for every scene (Lua file or module, lib:path.so[?config],\n"
          "                      exec:/tcp://); default: each scene's baseline (its `policy` field,\n"
          "                      resolved beside the scene), or none\n"
          "  --no-policy         run without any policy\n"
          "  --jobs J            worker processes (default: the number of online CPUs)\n"
          "  --seed S            base seed (default 0); episode e of a scene gets\n"
          "                      ps_seed_mix(ps_seed_mix(S, scene content hash), e)\n"
          "  --out FILE          append one JSON line per finished episode (flushed and synced);\n"
          "                      episodes FILE already holds are skipped (resume)\n"
          "  --junit FILE        write a JUnit XML report\n"
          "  --min-success X     per-scene threshold on the success rate (0..1, or N%)\n"
          "  --timeout SEC       wall-clock limit per episode, 0 = none (default 300): the worker is\n"
          "                      killed and the episode recorded as timeout_wall\n"
          "  --shard i/k         run only episodes j (over all scenes' episodes, in order) with\n"
          "                      j % k == i; default from SLURM_ARRAY_TASK_ID (minus\n"
          "                      SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_COUNT, or from\n"
          "                      JOB_COMPLETION_INDEX with --shard-count or PILOTSIM_SHARD_COUNT\n"
          "  --shard-count K     k for the environment's shard index\n"
          "  --param NAME=VALUE  override a param in every scene (repeatable)\n"
          "  --module-path DIR   also search DIR for require()d modules (repeatable)\n"
          "  --package-path DIR  also search DIR for robot descriptions and meshes (repeatable)\n"
          "  --trusted           lift the Lua sandbox (local experiments only)\n"
          "  --verbose           show the scenes' print() output and warnings from the workers\n"
          "  --quiet             no progress on stderr\n"
          "\n"
          "statuses: success, failure, timeout (the scene's limit), physics_diverged, script_error,\n"
          "crashed (the worker died), timeout_wall (--timeout). Only success counts as a success.\n"
          "tests: with --min-success, each scene passes when its success rate >= X; without it,\n"
          "each scene passes when no episode is script_error, crashed or timeout_wall.\n"
          "exit codes: 0 every test passed, 1 a test failed, 2 usage error,\n"
          "            3 runtime error (a scene or policy fails to load, interrupted)\n",
          f);
}

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

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

typedef struct ev_scene {
    const char *path;   // as given
    char *name;
    uint64_t hash;
    char *policy;       // recorded spec ("" none)
    char *policy_open;  // spec to open (NULL none)
    size_t planned;     // episodes of this shard
    // worker side, loaded on first use
    bool tried;
    ps_scene *scene;
    ps_policy *pol;
    char *load_err;
} ev_scene;

typedef struct ev_job {
    size_t scene;
    uint64_t episode, seed;
} ev_job;

typedef struct ev_ctx {
    ev_scene *scenes;
    size_t nscenes;
    ev_job *jobs; // this shard's jobs
    size_t njobs;
    uint64_t episodes;
    char **params; // sorted copies of the overrides
    size_t nparams;
    char run_id[64];
    cli_scene_opts so;
    bool verbose, quiet, tty;
    double timeout;
    // parent side
    eval_set results;
    size_t *group; // results[i] belongs to scenes[group[i]]
    FILE *out;
    const char *out_path;
    bool out_failed;
    size_t out_records;     // records this run wrote to --out
    size_t to_run, finished, errors;
    double t0, last_progress;
} ev_ctx;

// ---------------------------------------------------------------- worker side

static void worker_log(void *user, ps_log_level level, const char *msg)
{
    const bool *verbose = user;
    if (!*verbose) return;
    if (level == PS_LOG_INFO) fprintf(stderr, "%s\n", msg);
    else fprintf(stderr, "%s: %s\n", ps_log_level_name(level), msg);
}

// The record's fields that do not depend on how the episode went (borrowed).
static eval_record base_record(ev_ctx *c, size_t job)
{
    const ev_job *j = &c->jobs[job];
    ev_scene *s = &c->scenes[j->scene];
    eval_record r = {0};
    r.run_id = c->run_id;
    r.version = (char *)ps_version();
    r.scene = s->name;
    r.path = (char *)s->path;
    r.scene_hash = s->hash;
    r.policy = s->policy;
    r.params = c->params;
    r.param_count = c->nparams;
    r.episode = j->episode;
    r.episodes = c->episodes;
    r.scenes = c->nscenes;
    r.seed = j->seed;
    r.sim_time = r.wall_time = r.ret = NAN;
    r.hash = "";
    r.message = "";
    return r;
}

static void load_scene(ev_ctx *c, ev_scene *s)
{
    s->tried = true;
    ps_scene_options opt = cli_scene_options(&c->so);
    opt.log = (ps_logger){worker_log, &c->verbose};
    char err[4096];
    s->scene = ps_scene_load(s->path, &opt, err, sizeof err);
    if (!s->scene) {
        s->load_err = dupstr(err);
        return;
    }
    cli_cameras_install(s->scene);
    if (!s->policy_open) return;
    ps_policy_options po = ps_default_policy_options();
    po.module_paths = c->so.module_paths;
    po.module_path_count = c->so.module_path_count;
    po.trusted = c->so.trusted;
    po.log = opt.log;
    s->pol = ps_policy_open(s->policy_open, &po, err, sizeof err);
    if (!s->pol) s->load_err = dupstr(err);
}

static void work(void *vc, size_t job, FILE *out)
{
    ev_ctx *c = vc;
    ev_scene *s = &c->scenes[c->jobs[job].scene];
    eval_record r = base_record(c, job);
    if (!s->tried) load_scene(c, s);
    if (s->load_err || !s->scene) {
        r.status = "script_error";
        r.message = s->load_err ? s->load_err : "out of memory";
        eval_record_write(out, &r);
        return;
    }
    double t0 = cli_now();
    ps_episode *e = ps_episode_begin(s->scene, r.seed);
    if (!e) {
        r.status = "script_error";
        r.message = "out of memory";
        eval_record_write(out, &r);
        return;
    }
    ps_episode_status st = s->pol ? ps_episode_run_policy(e, s->pol, r.seed, 0) : ps_episode_run(e, 0);
    r.wall_time = cli_now() - t0;
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
    // Metrics named safety_* go to the safety object.
    eval_kv *kv = mc > 0 ? malloc((size_t)mc * sizeof *kv) : NULL;
    size_t nm = 0, ns = 0;
    if (kv) {
        for (int i = 0; i < mc; i++)
            if (strncmp(mn[i], "safety_", 7)) kv[nm++] = (eval_kv){(char *)mn[i], mv[i]};
        for (int i = 0; i < mc; i++)
            if (!strncmp(mn[i], "safety_", 7)) kv[nm + ns++] = (eval_kv){(char *)mn[i], mv[i]};
    }
    r.metrics = kv;
    r.metric_count = nm;
    r.safety = kv ? kv + nm : NULL;
    r.safety_count = ns;
    ps_world *w = ps_episode_world(e);
    char hash[20] = "";
    if (w) snprintf(hash, sizeof hash, "%016llx", (unsigned long long)ps_world_state_hash(w));
    r.hash = hash;
    r.status = (char *)ps_episode_status_name(st);
    r.steps = ps_episode_steps(e);
    r.sim_time = w ? ps_world_time(w) : NAN;
    r.ret = ps_episode_return(e);
    r.message = merr[0] ? merr : (char *)ps_episode_message(e);
    eval_record_write(out, &r);
    free(kv);
    ps_episode_end(e);
}

static void worker_exit(void *vc)
{
    ev_ctx *c = vc;
    for (size_t i = 0; i < c->nscenes; i++) {
        ev_scene *s = &c->scenes[i];
        ps_policy_close(s->pol);
        ps_scene_destroy(s->scene);
        free(s->load_err);
        s->pol = NULL;
        s->scene = NULL;
        s->load_err = NULL;
    }
}

// ---------------------------------------------------------------- parent side

static void progress(ev_ctx *c, size_t running, bool final)
{
    if (c->quiet) return;
    double now = cli_now();
    if (c->tty) {
        if (final) {
            fputs("\r\033[K", stderr);
        } else {
            if (now - c->last_progress < 0.1) return;
            fprintf(stderr, "\r\033[Keval: %zu/%zu episodes, %zu running, %zu errors, %.1f s", c->finished,
                    c->to_run, running, c->errors, now - c->t0);
        }
    } else if (!final && now - c->last_progress >= 10) {
        fprintf(stderr, "eval: %zu/%zu episodes, %zu running, %zu errors, %.1f s\n", c->finished, c->to_run, running,
                c->errors, now - c->t0);
    } else {
        return;
    }
    c->last_progress = now;
    fflush(stderr);
}

static void keep_record(ev_ctx *c, eval_record *r, size_t group)
{
    size_t *g = realloc(c->group, (c->results.n + 1) * sizeof *g);
    if (!g || !eval_set_push(&c->results, r)) {
        if (g) c->group = g;
        fprintf(stderr, "pilotsim: out of memory\n");
        eval_record_free(r);
        return;
    }
    c->group = g;
    c->group[c->results.n - 1] = group;
}

// Appends the record to --out as one write of the whole line, then fsync.
// When that fails (a full disk, EFBIG past a file size limit, EIO) the file
// is cut back to where the line began, so it keeps only whole records (a
// re-run with the same --out resumes from them), and no later record is
// written: the run ends with exit status 3.
static void write_out(ev_ctx *c, const eval_record *r)
{
    char *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    if (m) {
        eval_record_write(m, r);
        if (fclose(m) != 0) len = 0;
    }
    int fd = fileno(c->out);
    struct stat st;
    off_t start = fstat(fd, &st) == 0 ? st.st_size : -1;
    size_t done = 0;
    int e = line && len ? 0 : ENOMEM;
    while (!e && done < len) {
        ssize_t n = write(fd, line + done, len - done);
        if (n > 0) done += (size_t)n;
        else if (n < 0 && errno == EINTR) continue;
        else e = n < 0 ? errno : ENOSPC;
    }
    if (!e && fsync(fd) != 0 && errno != EINVAL) e = errno;
    free(line);
    if (!e) {
        c->out_records++;
        return;
    }
    bool cut = done > 0 && start >= 0 && ftruncate(fd, start) == 0;
    fprintf(stderr,
            "pilotsim: writing %s: %s; it keeps the %zu records written before (%s), later episodes are not "
            "recorded; free space and re-run the same command to resume\n",
            c->out_path, strerror(e), c->out_records,
            done == 0 ? "nothing of this one was written" : cut ? "the partial line was cut off" : "a partial last line "
            "remains, which a re-run drops");
    c->out_failed = true;
}

static void finish(ev_ctx *c, size_t job, eval_record *r)
{
    c->finished++;
    if (eval_status_error(r->status)) {
        c->errors++;
        if (!c->quiet) {
            size_t len = strcspn(r->message, "\n");
            if (c->tty) fputs("\r\033[K", stderr);
            fprintf(stderr, "eval: %s episode %llu (seed %llu): %s: %.*s\n", r->scene, (unsigned long long)r->episode,
                    (unsigned long long)r->seed, r->status, (int)(len > 400 ? 400 : len), r->message);
        }
    }
    if (c->out && !c->out_failed) write_out(c, r);
    keep_record(c, r, c->jobs[job].scene);
}

static void on_line(void *vc, size_t job, const char *line, double wall)
{
    ev_ctx *c = vc;
    eval_record r;
    char err[256];
    if (eval_record_parse(line, &r, err, sizeof err)) {
        finish(c, job, &r);
        return;
    }
    // Should not happen: report it as a crash of that episode.
    char msg[512];
    snprintf(msg, sizeof msg, "worker sent an unreadable record: %s", err);
    eval_record b = base_record(c, job);
    b.status = "crashed";
    b.message = msg;
    b.wall_time = wall;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m) {
        eval_record_write(m, &b);
        fclose(m);
        if (eval_record_parse(buf, &r, err, sizeof err)) finish(c, job, &r);
    }
    free(buf);
}

static void on_lost(void *vc, size_t job, const char *status, const char *msg, double wall)
{
    ev_ctx *c = vc;
    eval_record b = base_record(c, job);
    b.status = (char *)status;
    b.message = (char *)msg;
    b.wall_time = wall;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return;
    eval_record_write(m, &b);
    fclose(m);
    eval_record r;
    char err[256];
    if (eval_record_parse(buf, &r, err, sizeof err)) finish(c, job, &r);
    free(buf);
}

static void on_tick(void *vc, size_t running) { progress(vc, running, false); }

// Loads every scene once in the parent: errors surface before any work, and
// the name, content hash and baseline policy are known.
static bool prepare_scene(ev_ctx *c, ev_scene *s, const char *policy_spec, bool no_policy)
{
    cli_scene_opts so = c->so;
    so.quiet = !c->verbose;
    ps_scene_options opt = cli_scene_options(&so);
    char err[4096];
    ps_scene *sc = ps_scene_load(s->path, &opt, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "error: %s\n", err);
        return false;
    }
    s->name = dupstr(ps_scene_name(sc));
    s->hash = ps_scene_content_hash(sc);
    const char *declared = no_policy ? NULL : policy_spec ? policy_spec : ps_scene_policy(sc);
    s->policy = dupstr(declared ? declared : "");
    if (declared) {
        char pbuf[4096];
        s->policy_open = dupstr(policy_spec ? policy_spec : ps_scene_baseline_spec(sc, pbuf, sizeof pbuf));
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
    char err[4096];
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
    ps_policy_options po = ps_default_policy_options();
    po.module_paths = c->so.module_paths;
    po.module_path_count = c->so.module_path_count;
    po.trusted = c->so.trusted;
    po.log = opt.log;
    ps_policy *p = ps_policy_open(spec, &po, err, sizeof err);
    if (!p) {
        fprintf(stderr, "error: %s\n", err);
        return false;
    }
    ps_policy_close(p);
    return true;
}

static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool parse_shard(const char *v, uint64_t *i, uint64_t *k)
{
    const char *slash = strchr(v, '/');
    if (!slash) return false;
    char a[32];
    size_t n = (size_t)(slash - v);
    if (n == 0 || n >= sizeof a) return false;
    memcpy(a, v, n);
    a[n] = '\0';
    return cli_parse_u64(a, i) && cli_parse_u64(slash + 1, k) && *k > 0 && *i < *k;
}

// The shard from the environment when --shard is not given. Returns 0 none,
// 1 set, -1 error (message printed).
static int shard_from_env(uint64_t shard_count, uint64_t *i, uint64_t *k)
{
    const char *id = getenv("SLURM_ARRAY_TASK_ID");
    const char *what = "SLURM_ARRAY_TASK_ID";
    uint64_t min = 0;
    if (id && *id) {
        const char *m = getenv("SLURM_ARRAY_TASK_MIN");
        if (m && *m && !cli_parse_u64(m, &min)) min = 0;
        if (!shard_count) {
            const char *cnt = getenv("PILOTSIM_SHARD_COUNT");
            if (!cnt || !*cnt) cnt = getenv("SLURM_ARRAY_TASK_COUNT");
            if (cnt && *cnt && !cli_parse_u64(cnt, &shard_count)) shard_count = 0;
        }
    } else {
        id = getenv("JOB_COMPLETION_INDEX");
        what = "JOB_COMPLETION_INDEX";
        if (!id || !*id) return 0;
        if (!shard_count) {
            const char *cnt = getenv("PILOTSIM_SHARD_COUNT");
            if (cnt && *cnt && !cli_parse_u64(cnt, &shard_count)) shard_count = 0;
        }
    }
    uint64_t idx;
    if (!cli_parse_u64(id, &idx) || idx < min) {
        fprintf(stderr, "pilotsim eval: %s='%s' is not a shard index\n", what, id);
        return -1;
    }
    if (!shard_count) {
        fprintf(stderr, "pilotsim eval: %s is set but the shard count is not: pass --shard-count K or set "
                        "PILOTSIM_SHARD_COUNT\n", what);
        return -1;
    }
    *i = idx - min;
    *k = shard_count;
    if (*i >= *k) {
        fprintf(stderr, "pilotsim eval: shard index %llu (from %s) is not below the shard count %llu\n",
                (unsigned long long)*i, what, (unsigned long long)*k);
        return -1;
    }
    fprintf(stderr, "eval: shard %llu/%llu (from %s)\n", (unsigned long long)*i, (unsigned long long)*k, what);
    return 1;
}

// Takes the records of --out that belong to this run (same scene hash,
// policy, params, episode and seed) and marks their jobs done.
static bool resume(ev_ctx *c, bool *done)
{
    eval_set old = {0};
    size_t bad = 0;
    if (!eval_set_read(&old, c->out_path, true, &bad)) {
        if (errno == ENOENT) return true;
        fprintf(stderr, "error: %s: %s\n", c->out_path, strerror(errno));
        return false;
    }
    char *pk = eval_params_key(c->params, c->nparams);
    size_t reused = 0, other = 0;
    for (size_t i = 0; i < old.n; i++) {
        eval_record *r = &old.v[i];
        char *rk = eval_params_key(r->params, r->param_count);
        bool same_params = pk && rk && !strcmp(pk, rk);
        free(rk);
        size_t job = c->njobs;
        if (same_params && r->episode < c->episodes) {
            for (size_t s = 0; s < c->nscenes && job == c->njobs; s++) {
                if (c->scenes[s].hash != r->scene_hash || strcmp(c->scenes[s].policy, r->policy)) continue;
                // This shard's job for (s, episode), if any: jobs are sorted by (scene, episode).
                size_t lo = 0, hi = c->njobs;
                while (lo < hi) {
                    size_t mid = (lo + hi) / 2;
                    const ev_job *j = &c->jobs[mid];
                    if (j->scene < s || (j->scene == s && j->episode < r->episode)) lo = mid + 1;
                    else hi = mid;
                }
                if (lo < c->njobs && c->jobs[lo].scene == s && c->jobs[lo].episode == r->episode &&
                    c->jobs[lo].seed == r->seed)
                    job = lo;
            }
        }
        if (job == c->njobs || done[job]) {
            other++;
            continue;
        }
        done[job] = true;
        reused++;
        keep_record(c, r, c->jobs[job].scene);
    }
    free(pk);
    eval_set_free(&old);
    if (!c->quiet && (reused || other))
        fprintf(stderr, "eval: %s holds %zu episode%s of this run (not run again) and %zu other record%s (kept, not "
                        "reported)\n",
                c->out_path, reused, reused == 1 ? "" : "s", other, other == 1 ? "" : "s");
    return true;
}

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
    if (c->out) fclose(c->out);
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

int cmd_eval(int argc, char **argv)
{
    ev_ctx c = {0};
    char env_storage[4096];
    const char *policy_spec = NULL, *junit = NULL, *shard_arg = NULL;
    bool no_policy = false, have_episodes = false;
    uint64_t seed = 0, jobs = 0, shard_i = 0, shard_k = 1, shard_count = 0;
    double min_success = -1;
    const char **paths = calloc((size_t)argc, sizeof *paths);
    size_t npaths = 0;
    int rc = EXIT_USAGE;
    c.timeout = 300;
    if (!paths) return EXIT_RUNTIME;
    const char *v;
    int taken;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            eval_usage(stdout);
            free(paths);
            return EXIT_OK;
        } else if ((v = cli_opt_value(argc, argv, &i, "--episodes"))) {
            if (!cli_parse_u64(v, &c.episodes) || c.episodes == 0 || c.episodes > 100000000) {
                fprintf(stderr, "pilotsim eval: --episodes needs a positive integer, got '%s'\n", v);
                goto done;
            }
            have_episodes = true;
        } else if ((v = cli_opt_value(argc, argv, &i, "--jobs"))) {
            if (!cli_parse_u64(v, &jobs) || jobs == 0 || jobs > 4096) {
                fprintf(stderr, "pilotsim eval: --jobs needs a positive integer, got '%s'\n", v);
                goto done;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--seed"))) {
            if (!cli_parse_u64(v, &seed)) {
                fprintf(stderr, "pilotsim eval: --seed needs a non-negative integer, got '%s'\n", v);
                goto done;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--out"))) {
            if (!*v) {
                fprintf(stderr, "pilotsim eval: --out needs a file\n");
                goto done;
            }
            c.out_path = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--junit"))) {
            if (!*v) {
                fprintf(stderr, "pilotsim eval: --junit needs a file\n");
                goto done;
            }
            junit = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--min-success"))) {
            if (!eval_parse_fraction(v, &min_success)) {
                fprintf(stderr, "pilotsim eval: --min-success needs a rate in [0, 1] or a percentage, got '%s'\n", v);
                goto done;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--shard-count"))) {
            if (!cli_parse_u64(v, &shard_count) || shard_count == 0) {
                fprintf(stderr, "pilotsim eval: --shard-count needs a positive integer, got '%s'\n", v);
                goto done;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--shard"))) {
            if (!parse_shard(v, &shard_i, &shard_k)) {
                fprintf(stderr, "pilotsim eval: --shard needs i/k with 0 <= i < k, got '%s'\n", v);
                goto done;
            }
            shard_arg = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--timeout"))) {
            char *end;
            c.timeout = strtod(v, &end);
            if (end == v || *end || !(c.timeout >= 0) || c.timeout > 1e7) {
                fprintf(stderr, "pilotsim eval: --timeout needs seconds (0 = none), got '%s'\n", v);
                goto done;
            }
        } else if ((taken = cli_scene_option(argc, argv, &i, &c.so, "eval")) != 0) {
            if (taken < 0) goto done;
        } else if ((v = cli_opt_value(argc, argv, &i, "--policy"))) {
            if (!*v) {
                fprintf(stderr, "pilotsim eval: --policy needs a spec\n");
                goto done;
            }
            policy_spec = v;
        } else if (!strcmp(a, "--no-policy")) {
            no_policy = true;
        } else if (!strcmp(a, "--verbose")) {
            c.verbose = true;
        } else if (!strcmp(a, "--quiet")) {
            c.quiet = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "pilotsim eval: unknown option '%s'\n", a);
            eval_usage(stderr);
            goto done;
        } else {
            paths[npaths++] = a;
        }
    }
    if (!npaths) {
        fprintf(stderr, "pilotsim eval: missing SCENE\n");
        eval_usage(stderr);
        goto done;
    }
    if (!have_episodes) {
        fprintf(stderr, "pilotsim eval: missing --episodes N\n");
        goto done;
    }
    if (policy_spec && no_policy) {
        fprintf(stderr, "pilotsim eval: --policy and --no-policy exclude each other\n");
        goto done;
    }
    if (!shard_arg) {
        int r = shard_from_env(shard_count, &shard_i, &shard_k);
        if (r < 0) goto done;
    }
    if (!jobs) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (uint64_t)n : 1;
    }
    c.tty = isatty(STDERR_FILENO);

    rc = EXIT_RUNTIME;
    cli_default_module_paths(&c.so, env_storage, sizeof env_storage);
    c.nparams = c.so.param_count;
    c.params = c.nparams ? calloc(c.nparams, sizeof *c.params) : NULL;
    c.scenes = calloc(npaths, sizeof *c.scenes);
    if ((c.nparams && !c.params) || !c.scenes) goto done;
    for (size_t i = 0; i < c.nparams; i++)
        if (!(c.params[i] = dupstr(c.so.params[i]))) goto done;
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
    c.jobs = calloc((size_t)(total / shard_k + 1), sizeof *c.jobs);
    if (!c.jobs) goto done;
    for (uint64_t g = shard_i; g < total; g += shard_k) {
        ev_job *j = &c.jobs[c.njobs++];
        j->scene = (size_t)(g / c.episodes);
        j->episode = g % c.episodes;
        j->seed = ps_seed_mix(ps_seed_mix(seed, c.scenes[j->scene].hash), j->episode);
        c.scenes[j->scene].planned++;
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
    if (c.out_path) {
        if (!resume(&c, done_job)) {
            free(done_job);
            free(pending_jobs);
            goto done;
        }
        // Past a file size limit (ulimit -f) a write fails with EFBIG instead
        // of killing the process with SIGXFSZ: it is reported like a full disk.
        signal(SIGXFSZ, SIG_IGN);
        c.out = fopen(c.out_path, "a");
        if (!c.out) {
            fprintf(stderr, "error: cannot open %s: %s\n", c.out_path, strerror(errno));
            free(done_job);
            free(pending_jobs);
            goto done;
        }
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
                shard_k > 1 ? ", this shard's share" : "", (unsigned long long)jobs, jobs == 1 ? "" : "s");

    eval_pool pool = {
        .workers = (size_t)jobs,
        .timeout = c.timeout,
        .work = work,
        .worker_exit = worker_exit,
        .on_line = on_line,
        .on_lost = on_lost,
        .on_tick = on_tick,
        .ctx = &c,
    };
    c.t0 = cli_now();
    c.last_progress = -1e9;
    if (!c.tty) c.last_progress = c.t0;
    int pr = eval_pool_run(&pool, pending_jobs, n_pending);
    free(pending_jobs);
    progress(&c, 0, true);
    if (pr == 1 && !c.quiet) fprintf(stderr, "eval: interrupted; workers stopped, finished episodes kept\n");
    eval_report_opts ro = {min_success, pr == 1};
    long failed = report(&c, junit, &ro);
    if (pr != 0 || failed < 0 || c.out_failed) rc = EXIT_RUNTIME;
    else rc = failed ? EXIT_EPISODE_FAILED : EXIT_OK;
done:
    free(paths);
    free_ctx(&c);
    return rc;
}
