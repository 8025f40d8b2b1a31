// pilotsim eval --out resume: which episodes a results file already holds.
#define _POSIX_C_SOURCE 200809L
#include "eval_run.h"

#include <stdlib.h>
#include <string.h>

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
    uint64_t h = eval_file_hash(path);
    char **p = realloc(hc->paths, (hc->n + 1) * sizeof *p);
    if (p) hc->paths = p;
    uint64_t *hv = realloc(hc->hashes, (hc->n + 1) * sizeof *hv);
    if (hv) hc->hashes = hv;
    char *d = p && hv ? strdup(path) : NULL;
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
bool eval_resume(ev_ctx *c, bool *done)
{
    eval_set old = {0};
    size_t bad = 0;
    char err[PS_ERR_LEN];
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
        eval_keep_record(c, r, c->jobs[job].scene);
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

