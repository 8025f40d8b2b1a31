// pilotsim eval: scenes × episodes with a policy, in worker processes; JSONL
// records, a report, JUnit, thresholds, shards and resume.
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "eval.h"
#include "report_media.h"
#include "dataset.h"
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
    char lib_path[4096]; // a lib: policy's shared library ("" none) and its content hash
    uint64_t lib_hash;
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
    cli_policy_opts pol;   // --policy-hz, --replan-every, --policy-timeout
    bool verbose, quiet, tty;
    double timeout;
    uint64_t retries; // reruns of a policy_error episode
    const char *record_dir; // --record: datasets (dataset_episode.c)
    ds_run record_run;
    // parent side
    eval_set results;
    size_t *group; // results[i] belongs to scenes[group[i]]
    int out_fd;    // --out, locked; -1 none
    const char *out_path;
    bool out_failed;
    size_t out_records;     // records this run wrote to --out
    size_t to_run, finished, errors, successes;
    double t0, last_progress;
    double progress_step; // non-terminal progress: a line per this fraction of the episodes
    size_t progress_lines; // lines printed so far
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

static bool remote_spec(const char *spec)
{
    return spec && (!strncmp(spec, "exec:", 5) || !strncmp(spec, "tcp://", 6));
}

static ps_scene_options worker_scene_options(ev_ctx *c)
{
    ps_scene_options opt = cli_scene_options(&c->so);
    opt.log = (ps_logger){worker_log, &c->verbose};
    return opt;
}

// Opens the scene's policy. A remote one that cannot be reached is a
// policy_error of the episode (retried), any other failure a load error.
// FNV-1a 64 of a file's bytes (as the scene layer hashes sources); 0 when
// it cannot be read.
static uint64_t file_hash(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    uint64_t h = 0xcbf29ce484222325ULL;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < n; i++) h = (h ^ buf[i]) * 0x100000001b3ULL;
    bool bad = ferror(f);
    fclose(f);
    return bad ? 0 : h;
}

static bool open_policy(ev_ctx *c, ev_scene *s, char *err, size_t errlen)
{
    ps_policy_options po = cli_policy_options(&c->so, &c->pol, worker_scene_options(c).log);
    s->pol = ps_policy_open(s->policy_open, &po, err, errlen);
    if (!s->pol && !remote_spec(s->policy_open)) s->load_err = dupstr(err);
    if (s->pol && !strncmp(s->policy_open, "lib:", 4)) { // the library is a loaded file too
        snprintf(s->lib_path, sizeof s->lib_path, "%.*s", (int)strcspn(s->policy_open + 4, "?"), s->policy_open + 4);
        s->lib_hash = file_hash(s->lib_path);
    }
    return s->pol != NULL;
}

static void load_scene(ev_ctx *c, ev_scene *s)
{
    s->tried = true;
    ps_scene_options opt = worker_scene_options(c);
    char err[4096];
    s->scene = ps_scene_load(s->path, &opt, err, sizeof err);
    if (!s->scene) {
        s->load_err = dupstr(err);
        return;
    }
    cli_cameras_install(s->scene);
}

static int kv_name_cmp(const void *a, const void *b)
{
    return strcmp(((const eval_kv *)a)->name, ((const eval_kv *)b)->name);
}

// The episode's metrics as record entries: names cut to EVAL_NAME_MAX bytes,
// duplicates (names that differed only after a NUL byte or past the cut)
// dropped, at most EVAL_METRICS_MAX kept, safety_* ones after the others.
// Names are owned by the array. Returns the number dropped.
static size_t collect_metrics(int mc, const char *const *mn, const double *mv, eval_kv **out, size_t *nm, size_t *ns)
{
    *out = NULL;
    *nm = *ns = 0;
    if (mc <= 0) return 0;
    eval_kv *kv = malloc((size_t)mc * sizeof *kv);
    if (!kv) return (size_t)mc;
    size_t n = 0;
    for (int i = 0; i < mc; i++) {
        size_t len = strnlen(mn[i], EVAL_NAME_MAX);
        char *name = malloc(len + 1);
        if (!name) continue;
        memcpy(name, mn[i], len);
        name[len] = '\0';
        kv[n++] = (eval_kv){name, mv[i]};
    }
    qsort(kv, n, sizeof *kv, kv_name_cmp);
    size_t kept = 0, dropped = (size_t)mc - n;
    for (size_t i = 0; i < n; i++) {
        if ((kept && !strcmp(kv[kept - 1].name, kv[i].name)) || kept == EVAL_METRICS_MAX) {
            free(kv[i].name);
            dropped++;
            continue;
        }
        kv[kept++] = kv[i];
    }
    // Stable partition: the others first, then safety_*.
    eval_kv *sorted = malloc((kept ? kept : 1) * sizeof *sorted);
    if (!sorted) {
        for (size_t i = 0; i < kept; i++) free(kv[i].name);
        free(kv);
        return (size_t)mc;
    }
    for (size_t i = 0; i < kept; i++)
        if (strncmp(kv[i].name, "safety_", 7)) sorted[(*nm)++] = kv[i];
    for (size_t i = 0; i < kept; i++)
        if (!strncmp(kv[i].name, "safety_", 7)) sorted[*nm + (*ns)++] = kv[i];
    free(kv);
    *out = sorted;
    return dropped;
}

// Every param's value in episode `e` as JSON literals (names borrowed from
// the scene, literals owned).
static eval_pv *collect_params(const ps_episode *e, const ps_scene *sc, size_t *n)
{
    size_t np = ps_scene_param_count(sc);
    *n = 0;
    eval_pv *pv = np ? calloc(np, sizeof *pv) : NULL;
    if (!pv) return NULL;
    for (size_t i = 0; i < np; i++) {
        ps_param_info info;
        if (ps_episode_param(e, i, &info) != PS_OK) continue;
        char *lit = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&lit, &len);
        if (!m) continue;
        if (!strcmp(info.type, "string")) {
            cli_json_string(m, info.value);
        } else if (!strcmp(info.type, "boolean")) {
            fputs(info.value, m);
        } else {
            char *end;
            double v = strtod(info.value, &end);
            if (end == info.value || *end) fputs("null", m);
            else if (!strcmp(info.type, "integer") && isfinite(v)) fputs(info.value, m);
            else if (isfinite(v)) {
                // The shortest form that reads back as the same double (0.6, not 0.59999999999999998).
                char b[40];
                for (int prec = 1; prec <= 17; prec++) {
                    snprintf(b, sizeof b, "%.*g", prec, v);
                    if (strtod(b, NULL) == v) break;
                }
                fputs(b, m);
            } else cli_json_number(m, v);
        }
        if (fclose(m) != 0) {
            free(lit);
            continue;
        }
        pv[(*n)++] = (eval_pv){(char *)info.name, lit};
    }
    return pv;
}

// The files the episode loaded: the scene's sources, then the Lua policy's
// or the policy library.
static eval_src *collect_sources(const ev_scene *s, size_t *n)
{
    const ps_scene *sc = s->scene;
    const ps_policy *pol = s->pol;
    size_t ns = ps_scene_source_count(sc), np = 0;
    while (pol && ps_policy_source(pol, np, NULL)) np++;
    *n = 0;
    eval_src *v = calloc(ns + np + 2, sizeof *v);
    if (!v) return NULL;
    if (s->lib_path[0]) v[(*n)++] = (eval_src){(char *)s->lib_path, s->lib_hash};
    for (size_t i = 0; i < ns + np; i++) {
        uint64_t h = 0;
        const char *path = i < ns ? ps_scene_source(sc, i) : ps_policy_source(pol, i - ns, &h);
        if (i < ns) h = ps_scene_source_hash(sc, i);
        if (!path) continue;
        bool seen = false;
        for (size_t k = 0; k < *n && !seen; k++) seen = !strcmp(v[k].path, path);
        if (!seen) v[(*n)++] = (eval_src){(char *)path, h};
    }
    return v;
}

// Writes the record as one line of at most EVAL_RECORD_MAX bytes: a longer
// one loses its metrics, then its param values, and says so in its message.
static void write_bounded(FILE *out, eval_record *r)
{
    char note[5600]; // the message is below 4800 bytes (work's note)
    for (int round = 0; round < 3; round++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m) break;
        eval_record_write(m, r);
        if (fclose(m) == 0 && len <= EVAL_RECORD_MAX) {
            fwrite(buf, 1, len, out);
            free(buf);
            return;
        }
        free(buf);
        snprintf(note, sizeof note, "%.4800s%s(pilotsim: the record was %zu bytes, over the %zu-byte cap: %s dropped)",
                 r->message, r->message[0] ? "\n" : "", len, EVAL_RECORD_MAX,
                 round == 0 ? "its metrics" : round == 1 ? "its metrics and param values" : "its metrics, param values and sources");
        r->message = note;
        r->metric_count = r->safety_count = 0;
        if (round >= 1) r->value_count = 0;
        if (round >= 2) r->source_count = 0, r->instruction = NULL;
    }
    eval_record_write(out, r);
}

static void work(void *vc, size_t job, FILE *out)
{
    ev_ctx *c = vc;
    ev_scene *s = &c->scenes[c->jobs[job].scene];
    eval_record r = base_record(c, job);
    if (!s->tried) load_scene(c, s);
    char perr[4096] = "";
    if (s->load_err || !s->scene) {
        r.status = "script_error";
        r.message = s->load_err ? s->load_err : "out of memory";
        eval_record_write(out, &r);
        return;
    }
    // Run; a policy_error (the transport failed) is run again up to --retries times.
    ps_episode *e = NULL;
    ps_episode_status st = PS_EP_POLICY_ERROR;
    double t0 = cli_now();
    for (uint64_t attempt = 1;; attempt++) {
        r.attempts = attempt;
        if (e) ps_episode_end(e);
        e = NULL;
        t0 = cli_now();
        if (s->policy_open && !s->pol && !open_policy(c, s, perr, sizeof perr)) {
            if (s->load_err) { // not a remote policy: it does not load
                r.status = "script_error";
                r.message = s->load_err;
                eval_record_write(out, &r);
                return;
            }
            st = PS_EP_POLICY_ERROR;
        } else {
            e = ps_episode_begin(s->scene, r.seed);
            if (!e) {
                r.status = "script_error";
                r.message = "out of memory";
                eval_record_write(out, &r);
                return;
            }
            const ev_job *jb = &c->jobs[job];
            st = c->record_dir ? ds_eval_record(c->record_dir, &c->record_run, jb->scene * c->episodes + jb->episode, e,
                                                s->scene, s->path, s->pol, s->policy, jb->episode, r.seed)
               : s->pol    ? ps_episode_run_policy(e, s->pol, r.seed, 0)
                           : ps_episode_run(e, 0);
        }
        if (st != PS_EP_POLICY_ERROR || attempt > c->retries) break;
        double delay = 0.25 * (double)(1u << (attempt - 1 < 5 ? attempt - 1 : 5));
        if (delay > 5) delay = 5;
        if (!c->quiet) {
            const char *why = e ? ps_episode_message(e) : perr;
            fprintf(stderr, "eval: %s episode %llu: policy_error (%.*s); retry %llu of %llu in %g s\n", s->name,
                    (unsigned long long)r.episode, (int)strcspn(why, "\n"), why, (unsigned long long)attempt,
                    (unsigned long long)c->retries, delay);
        }
        struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
    }
    r.wall_time = cli_now() - t0;
    if (!e) { // the remote policy could not be reached
        r.status = "policy_error";
        r.message = perr;
        eval_record_write(out, &r);
        return;
    }
    const char *const *mn = NULL;
    const double *mv = NULL;
    char merr[2048] = "";
    int mc = 0;
    if (st != PS_EP_SCRIPT_ERROR && st != PS_EP_POLICY_ERROR) {
        mc = ps_episode_metrics(e, &mn, &mv, merr, sizeof merr);
        if (mc < 0) {
            st = PS_EP_SCRIPT_ERROR;
            mc = 0;
        }
    }
    eval_kv *kv;
    size_t nm, ns;
    size_t dropped = collect_metrics(mc, mn, mv, &kv, &nm, &ns);
    r.metrics = kv;
    r.metric_count = nm;
    r.safety = kv ? kv + nm : NULL;
    r.safety_count = ns;
    r.values = collect_params(e, s->scene, &r.value_count);
    r.sources = collect_sources(s, &r.source_count);
    ps_world *w = ps_episode_world(e);
    char hash[20] = "";
    if (w) snprintf(hash, sizeof hash, "%016llx", (unsigned long long)ps_world_state_hash(w));
    r.hash = hash;
    r.status = (char *)ps_episode_status_name(st);
    r.steps = ps_episode_steps(e);
    r.sim_time = w ? ps_world_time(w) : NAN;
    r.ret = ps_episode_return(e);
    const char *msg = merr[0] ? merr : ps_episode_message(e);
    char note[4800]; // the episode's message is below 4096 bytes
    if (dropped) {
        snprintf(note, sizeof note, "%s%s(pilotsim: %zu metric%s dropped: names are cut to %d bytes and at a NUL "
                 "byte, duplicates and those past %u are dropped)", msg, msg[0] ? "\n" : "", dropped,
                 dropped == 1 ? "" : "s", EVAL_NAME_MAX, EVAL_METRICS_MAX);
        msg = note;
    }
    r.message = (char *)msg;
    r.instruction = (char *)ps_episode_instruction(e);
    size_t nv = r.value_count;
    write_bounded(out, &r);
    for (size_t i = 0; i < nm + ns; i++) free(kv[i].name);
    free(kv);
    for (size_t i = 0; i < nv; i++) free(r.values[i].json);
    free(r.values);
    free(r.sources);
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

static void format_eta(char *buf, size_t n, double s)
{
    if (!isfinite(s) || s < 0) snprintf(buf, n, "-");
    else if (s < 60) snprintf(buf, n, "%.0f s", s);
    else if (s < 3600) snprintf(buf, n, "%d:%02d", (int)s / 60, (int)s % 60);
    else snprintf(buf, n, "%d:%02d:%02d", (int)s / 3600, (int)s / 60 % 60, (int)s % 60);
}

// Progress on stderr: on a terminal a live bar (done/total, successes so far,
// episodes/s, ETA), redrawn at most every 0.1 s; otherwise one line each
// time another --progress-every share of the episodes has finished.
static void progress(ev_ctx *c, size_t running, bool final)
{
    if (c->quiet || !c->to_run) return;
    double now = cli_now(), elapsed = now - c->t0;
    double rate = elapsed > 0 ? (double)c->finished / elapsed : 0;
    char eta[32];
    format_eta(eta, sizeof eta, rate > 0 ? (double)(c->to_run - c->finished) / rate : NAN);
    double ok = c->finished ? 100.0 * (double)c->successes / (double)c->finished : 0;
    if (c->tty) {
        if (final) {
            fputs("\r\033[K", stderr);
        } else {
            if (now - c->last_progress < 0.1) return;
            char bar[25];
            size_t fill = c->finished * 24 / c->to_run;
            for (size_t i = 0; i < 24; i++) bar[i] = i < fill ? '#' : '.';
            bar[24] = '\0';
            fprintf(stderr, "\r\033[Keval [%s] %zu/%zu, %zu ok (%.0f%%), %.1f episodes/s, ETA %s, %zu running, %zu errors",
                    bar, c->finished, c->to_run, c->successes, ok, rate, eta, running, c->errors);
        }
    } else {
        // The share reached, in whole steps; the last line is at 100%.
        size_t steps = (size_t)ceil(1 / c->progress_step - 1e-9);
        size_t step = c->finished == c->to_run ? steps
                      : (size_t)floor((double)c->finished / (double)c->to_run / c->progress_step + 1e-9);
        if (final || step <= c->progress_lines) return;
        c->progress_lines = step;
        fprintf(stderr, "eval: %3.0f%% %zu/%zu episodes, %zu successes (%.0f%%), %.1f episodes/s, ETA %s, %zu errors\n",
                100.0 * (double)c->finished / (double)c->to_run, c->finished, c->to_run, c->successes, ok, rate, eta,
                c->errors);
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
    int fd = c->out_fd;
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
    c->successes += eval_status_success(r->status);
    if (eval_status_error(r->status)) {
        c->errors++;
        if (!c->quiet) {
            size_t len = strcspn(r->message, "\n");
            if (c->tty) fputs("\r\033[K", stderr);
            fprintf(stderr, "eval: %s episode %llu (seed %llu): %s: %.*s\n", r->scene, (unsigned long long)r->episode,
                    (unsigned long long)r->seed, r->status, (int)(len > 400 ? 400 : len), r->message);
        }
    }
    if (c->out_fd >= 0 && !c->out_failed) write_out(c, r);
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

// The FNV-1a 64 hash of a file's bytes now (0 when unreadable), cached.
typedef struct hash_cache {
    char **paths;
    uint64_t *hashes;
    size_t n;
} hash_cache;

static uint64_t current_hash(hash_cache *hc, const char *path)
{
    for (size_t i = 0; i < hc->n; i++)
        if (!strcmp(hc->paths[i], path)) return hc->hashes[i];
    uint64_t h = file_hash(path);
    char **p = realloc(hc->paths, (hc->n + 1) * sizeof *p);
    if (p) hc->paths = p;
    uint64_t *hv = realloc(hc->hashes, (hc->n + 1) * sizeof *hv);
    if (hv) hc->hashes = hv;
    char *d = p && hv ? dupstr(path) : NULL;
    if (d) {
        hc->paths[hc->n] = d;
        hc->hashes[hc->n++] = h;
    }
    return h;
}

// Whether every file the record's episode loaded is unchanged. A record
// without the list (written by an older pilotsim) cannot say: not reused.
static bool sources_unchanged(hash_cache *hc, const eval_record *r)
{
    if (!r->source_count) return false;
    for (size_t i = 0; i < r->source_count; i++) {
        uint64_t h = current_hash(hc, r->sources[i].path);
        if (!h || h != r->sources[i].hash) return false;
    }
    return true;
}

// Takes the records of --out that belong to this run (same scene hash,
// policy, params, episode and seed, every loaded file unchanged, not
// policy_error) and marks their jobs done.
static bool resume(ev_ctx *c, bool *done)
{
    eval_set old = {0};
    size_t bad = 0;
    char err[4200];
    if (!eval_set_read_fd(&old, c->out_fd, c->out_path, true, &bad, err, sizeof err)) {
        fprintf(stderr, "error: %s\n", err);
        return false;
    }
    char *pk = eval_params_key(c->params, c->nparams);
    size_t reused = 0, other = 0, changed = 0, retry = 0;
    hash_cache hc = {0};
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
        if (eval_status_retry(r->status)) {
            retry++;
            continue;
        }
        if (!sources_unchanged(&hc, r)) {
            changed++;
            continue;
        }
        done[job] = true;
        reused++;
        keep_record(c, r, c->jobs[job].scene);
    }
    for (size_t i = 0; i < hc.n; i++) free(hc.paths[i]);
    free(hc.paths);
    free(hc.hashes);
    free(pk);
    eval_set_free(&old);
    if (!c->quiet && (reused || other || changed || retry))
        fprintf(stderr, "eval: %s holds %zu episode%s of this run (not run again), %zu whose scene, modules or "
                        "policy changed since and %zu policy_error (run again), and %zu other record%s (kept, not "
                        "reported)\n",
                c->out_path, reused, reused == 1 ? "" : "s", changed, retry, other, other == 1 ? "" : "s");
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
    uint64_t seed = 0, jobs = 0, shard_count = 0, videos = 0;
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
                 "ps_seed_mix(ps_seed_mix(S, scene content hash), e)"},
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
    if (!shard.given && cli_shard_from_env("eval", shard_count, &shard.i, &shard.k) < 0) goto done;
    if (!jobs) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (uint64_t)n : 1;
    }
    c.tty = isatty(STDERR_FILENO);
    char herr[4400];
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
        char oerr[4400];
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
    c.jobs = calloc((size_t)(total / shard.k + 1), sizeof *c.jobs);
    if (!c.jobs) goto done;
    for (uint64_t g = shard.i; g < total; g += shard.k) {
        ev_job *j = &c.jobs[c.njobs++];
        j->scene = (size_t)(g / c.episodes);
        j->episode = g % c.episodes;
        // Below 2^53 so that every JSON reader keeps it exact.
        j->seed = ps_seed_mix(ps_seed_mix(seed, c.scenes[j->scene].hash), j->episode) & (EVAL_SEED_LIMIT - 1);
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
        if (!resume(&c, done_job)) {
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
