// pilotsim report --videos N (see report_media.h).
#define _POSIX_C_SOURCE 200809L  // fork, mkdtemp, alarm
#include "report_media.h"
#include "cli.h"
#include "pilotsim/policy.h"
#include "run_record.h"

#include "cli_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void report_media_free(report_media *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].video);
        free(m->v[i].image);
        free(m->v[i].note);
    }
    free(m->v);
    *m = (report_media){0};
}

bool report_media_available(char *why, size_t n)
{
#ifdef PILOTSIM_HAVE_RENDER
    return cli_render_plugin_load("videos of failed episodes need", why, n) != NULL;
#else
    snprintf(why, n, "built without the renderer (PILOTSIM_RENDER=OFF): the offscreen renderer of "
                     "`pilotsim run --video/--screenshot` is needed");
    return false;
#endif
}

// ---------------------------------------------------------------- choice

typedef struct candidate {
    size_t rec;
    uint64_t episode;
    char *key; // scene \x1f policy \x1f params key
} candidate;

// By group, then lowest episode index, then record order.
static int candidate_cmp(const void *pa, const void *pb)
{
    const candidate *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c) return c;
    if (a->episode != b->episode) return a->episode < b->episode ? -1 : 1;
    return a->rec < b->rec ? -1 : a->rec > b->rec;
}

// ---------------------------------------------------------------- the child

// Re-runs record `r` in this (forked) process, writing `png` and, when not
// NULL, `mp4`; a note (what failed, or a remark) goes to `fd`. Never returns.
static void child_render(const eval_record *r, const char *png, const char *mp4, int fd)
{
    alarm(REPORT_MEDIA_TIMEOUT_S);
    cli_scene_opts so = {0};
    so.quiet = true;
    for (size_t k = 0; k < r->param_count && so.param_count < sizeof so.params / sizeof so.params[0]; k++)
        so.params[so.param_count++] = r->params[k];
    char env_storage[4096];
    cli_default_module_paths(&so, env_storage, sizeof env_storage);
    ps_scene_options opt = cli_scene_options(&so);
    char err[PS_ERR_LEN];
    ps_scene *s = ps_scene_load(r->path, &opt, err, sizeof err);
    if (!s) {
        dprintf(fd, "the scene %s cannot be loaded: %.*s", r->path, (int)strcspn(err, "\n"), err);
        _exit(1);
    }
    cli_cameras_install(s);
    ps_policy *policy = NULL;
    if (*r->policy) {
        // A policy the scene declares was opened as its baseline spec (eval does so).
        char pbuf[4096];
        const char *declared = ps_scene_policy(s);
        const char *spec = declared && !strcmp(declared, r->policy) ? ps_scene_baseline_spec(s, pbuf, sizeof pbuf)
                                                                     : r->policy;
        cli_policy_opts pol = {0};
        ps_policy_options po = cli_policy_options(&so, &pol, opt.log);
        policy = spec ? ps_policy_open(spec, &po, err, sizeof err) : NULL;
        if (!policy) {
            dprintf(fd, "the policy %s cannot be opened: %.*s", r->policy, (int)strcspn(err, "\n"), err);
            _exit(1);
        }
    }
    run_record_opts ro = {.screenshot = png, .video = mp4, .fps = REPORT_MEDIA_FPS, .width = REPORT_MEDIA_WIDTH,
                          .height = REPORT_MEDIA_HEIGHT};
    run_recorder *rec = run_recorder_open(&ro, s, err, sizeof err);
    if (!rec) {
        dprintf(fd, "rendering: %.*s", (int)strcspn(err, "\n"), err);
        _exit(1);
    }
    ps_episode *e = ps_episode_begin(s, r->seed);
    if (!e) {
        dprintf(fd, "out of memory");
        _exit(1);
    }
    ps_episode_status st = run_recorder_run(rec, e, policy, r->seed, 0);
    bool ok = run_recorder_finish(rec, e, err, sizeof err);
    if (!ok) {
        dprintf(fd, "rendering: %.*s", (int)strcspn(err, "\n"), err);
    } else {
        ps_world *w = ps_episode_world(e);
        char hash[20] = "";
        if (w) snprintf(hash, sizeof hash, "%016llx", (unsigned long long)ps_world_state_hash(w));
        if (ps_scene_content_hash(s) != r->scene_hash)
            dprintf(fd, "the scene file changed since the run: this re-run may not show the recorded episode");
        else if (*r->hash && strcmp(hash, r->hash))
            dprintf(fd, "the re-run ended %s with state hash %s, the record says %s with %s (the policy or the "
                        "build changed, or the policy is not deterministic)",
                    ps_episode_status_name(st), hash, r->status, r->hash);
    }
    run_recorder_destroy(rec);
    ps_episode_end(e);
    ps_policy_close(policy);
    ps_scene_destroy(s);
    _exit(ok ? 0 : 1);
}

// ---------------------------------------------------------------- the parent

static char *read_all(int fd)
{
    size_t n = 0, cap = 256;
    char *s = malloc(cap);
    if (!s) return NULL;
    for (;;) {
        if (n + 1 == cap) {
            char *t = realloc(s, cap *= 2);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
        }
        ssize_t k = read(fd, s + n, cap - 1 - n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        n += (size_t)k;
    }
    s[n] = '\0';
    return s;
}

// The file's bytes as a data: URI of type `mime` (owned), with its size in
// *bytes; NULL when it is missing or empty.
static char *data_uri(const char *path, const char *mime, size_t *bytes)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    *bytes = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size <= 0) {
        fclose(f);
        return NULL;
    }
    size_t n = (size_t)st.st_size, head = strlen("data:;base64,") + strlen(mime);
    unsigned char *raw = malloc(n);
    char *out = malloc(head + 4 * ((n + 2) / 3) + 1);
    if (!raw || !out || fread(raw, 1, n, f) != n) {
        free(raw);
        free(out);
        fclose(f);
        return NULL;
    }
    fclose(f);
    char *o = out + sprintf(out, "data:%s;base64,", mime);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (i + 1 < n ? (unsigned)raw[i + 1] << 8 : 0) |
                     (i + 2 < n ? raw[i + 2] : 0);
        *o++ = b64[v >> 18 & 63];
        *o++ = b64[v >> 12 & 63];
        *o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? b64[v & 63] : '=';
    }
    *o = '\0';
    free(raw);
    *bytes = n;
    return out;
}

// Re-runs one record in a child process; fills the clip.
static bool render_clip(report_media *m, report_clip *c, const eval_record *r, const char *dir, bool video)
{
    char png[4200], mp4[4200];
    snprintf(png, sizeof png, "%s/clip.png", dir);
    snprintf(mp4, sizeof mp4, "%s/clip.mp4", dir);
    remove(png);
    remove(mp4);
    int p[2];
    if (pipe(p) != 0) return false;
    // Close-on-exec: a policy process the child starts must not hold the
    // write end open (the read below would wait for it).
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return false;
    }
    if (pid == 0) {
        close(p[0]);
        child_render(r, png, video ? mp4 : NULL, p[1]);
    }
    close(p[1]);
    char *note = read_all(p[0]);
    close(p[0]);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
    if (!note) return false;
    if (WIFSIGNALED(ws)) {
        char *t = malloc(strlen(note) + 160);
        if (!t) {
            free(note);
            return false;
        }
        if (WTERMSIG(ws) == SIGALRM)
            sprintf(t, "the re-run took longer than %u s and was stopped", REPORT_MEDIA_TIMEOUT_S);
        else
            sprintf(t, "the re-run crashed (%s)", strsignal(WTERMSIG(ws)));
        free(note);
        note = t;
    } else if (!(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) && !*note) {
        free(note);
        note = strdup("the re-run failed");
        if (!note) return false;
    }
    bool child_ok = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    size_t nv = 0, ni = 0;
    char *v = child_ok && video ? data_uri(mp4, "video/mp4", &nv) : NULL;
    char *im = child_ok ? data_uri(png, "image/png", &ni) : NULL;
    remove(png);
    remove(mp4);
    size_t left = m->max_bytes > m->bytes ? m->max_bytes - m->bytes : 0;
    const char *cap_note = NULL;
    if (v && nv + ni > left) {
        free(v);
        v = NULL;
        nv = 0;
        m->capped = true;
        cap_note = "video left out: the report's media cap was reached";
    }
    if (im && ni > left) {
        free(im);
        im = NULL;
        ni = 0;
        m->capped = true;
        cap_note = "not embedded: the report's media cap was reached";
    }
    if (cap_note) {
        char *t = malloc(strlen(note) + strlen(cap_note) + 3);
        if (!t) {
            free(note);
            free(v);
            free(im);
            return false;
        }
        sprintf(t, "%s%s%s", cap_note, *note ? "; " : "", note);
        free(note);
        note = t;
    }
    if (!*note) {
        free(note);
        note = NULL;
    }
    *c = (report_clip){0, v, im, note};
    m->bytes += nv + ni;
    return true;
}

bool report_media_render(report_media *m, const eval_set *set, size_t per_scene, size_t max_bytes, FILE *log,
                         char *err, size_t errlen)
{
    *m = (report_media){.max_bytes = max_bytes};
    candidate *cand = calloc(set->n + 1, sizeof *cand);
    if (!cand) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    size_t nc = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < set->n; i++) {
        const eval_record *r = &set->v[i];
        if (eval_status_success(r->status)) continue;
        char *pk = eval_params_key(r->params, r->param_count);
        size_t len = strlen(r->scene) + strlen(r->policy) + (pk ? strlen(pk) : 0) + 3;
        char *key = pk ? malloc(len) : NULL;
        if (key) snprintf(key, len, "%s\x1f%s\x1f%s", r->scene, r->policy, pk);
        free(pk);
        if (!key) ok = false;
        else cand[nc++] = (candidate){i, r->episode, key};
    }
    if (ok) qsort(cand, nc, sizeof *cand, candidate_cmp);
    if (ok && nc && !(m->v = calloc(nc, sizeof *m->v))) ok = false;
    char dir[4096] = "";
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/pilotsim-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (ok && nc && !mkdtemp(dir)) {
        snprintf(err, errlen, "cannot make a temporary folder %s: %s", dir, strerror(errno));
        for (size_t i = 0; i < nc; i++) free(cand[i].key);
        free(cand);
        report_media_free(m);
        return false;
    }
    bool video = run_record_video_available();
    size_t taken = 0;
    for (size_t i = 0; ok && i < nc; i++) {
        taken = i && !strcmp(cand[i].key, cand[i - 1].key) ? taken + 1 : 1;
        if (taken > per_scene) continue;
        const eval_record *r = &set->v[cand[i].rec];
        report_clip *c = &m->v[m->n];
        if (!render_clip(m, c, r, dir, video)) {
            snprintf(err, errlen, "re-running %s episode %llu: %s", r->scene, (unsigned long long)r->episode,
                     strerror(errno ? errno : ENOMEM));
            ok = false;
            break;
        }
        c->rec = cand[i].rec;
        m->n++;
        if (log)
            fprintf(log, "report: %s episode %llu (seed %llu): %s%s%s\n", r->scene, (unsigned long long)r->episode,
                    (unsigned long long)r->seed, c->video ? "video" : c->image ? "thumbnail" : "no media",
                    c->note ? "; " : "", c->note ? c->note : "");
    }
    if (dir[0] && nc) rmdir(dir);
    for (size_t i = 0; i < nc; i++) free(cand[i].key);
    free(cand);
    if (!ok) {
        if (!err[0]) snprintf(err, errlen, "out of memory");
        report_media_free(m);
    }
    return ok;
}
