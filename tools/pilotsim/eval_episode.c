// pilotsim eval, worker side: one episode of a scene into one JSONL record.
#define _POSIX_C_SOURCE 200809L
#include "eval_run.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void worker_log(void *user, ps_log_level level, const char *msg)
{
    const bool *verbose = user;
    if (!*verbose) return;
    if (level == PS_LOG_INFO) fprintf(stderr, "%s\n", msg);
    else fprintf(stderr, "%s: %s\n", ps_log_level_name(level), msg);
}

// The record's fields that do not depend on how the episode went (borrowed).
eval_record eval_base_record(ev_ctx *c, size_t job)
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

uint64_t eval_file_hash(const char *path)
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

// Opens the scene's policy. A remote one that cannot be reached is a
// policy_error of the episode (retried), any other failure a load error.
static bool open_policy(ev_ctx *c, ev_scene *s, char *err, size_t errlen)
{
    ps_policy_options po = cli_policy_options(&c->so, &c->pol, worker_scene_options(c).log);
    s->pol = ps_policy_open(s->policy_open, &po, err, errlen);
    if (!s->pol && !remote_spec(s->policy_open)) s->load_err = strdup(err);
    if (s->pol && !strncmp(s->policy_open, "lib:", 4)) { // the library is a loaded file too
        snprintf(s->lib_path, sizeof s->lib_path, "%.*s", (int)strcspn(s->policy_open + 4, "?"), s->policy_open + 4);
        s->lib_hash = eval_file_hash(s->lib_path);
    }
    return s->pol != NULL;
}

static void load_scene(ev_ctx *c, ev_scene *s)
{
    s->tried = true;
    ps_scene_options opt = worker_scene_options(c);
    char err[PS_ERR_LEN];
    s->scene = ps_scene_load(s->path, &opt, err, sizeof err);
    if (!s->scene) {
        s->load_err = strdup(err);
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

void eval_work(void *vc, size_t job, FILE *out)
{
    ev_ctx *c = vc;
    ev_scene *s = &c->scenes[c->jobs[job].scene];
    eval_record r = eval_base_record(c, job);
    if (!s->tried) load_scene(c, s);
    char perr[PS_ERR_LEN] = "";
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
            st = c->record_dir ? ds_eval_record(c->record_dir, &c->record_run, &c->recorder,
                                                jb->scene * c->episodes + jb->episode, e, s->scene, s->path, s->pol,
                                                s->policy, jb->episode, r.seed)
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
    char merr[PS_ERR_LEN] = "";
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

void eval_worker_exit(void *vc)
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
    ds_recorder_destroy(c->recorder);
    c->recorder = NULL;
}

