// pilotsim eval's run: the scenes, the shard's jobs and the state shared by the
// parent (eval_parent.c: progress, --out, records), the workers (eval_episode.c:
// one episode to one record) and resume (eval_resume.c). Private to tools/pilotsim.
#ifndef PS_EVAL_RUN_H
#define PS_EVAL_RUN_H

#include "cli.h"
#include "dataset.h"
#include "eval.h"
#include "pilotsim/policy.h"

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
    ds_recorder *recorder;  // worker side: made at the first recorded episode, kept for the next
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


// ---------------------------------------------------------------- worker side (eval_episode.c)

/// The record's fields that do not depend on how the episode went (borrowed from `c`).
eval_record eval_base_record(ev_ctx *c, size_t job);
/// eval_pool.work: runs job `job` (loading its scene and policy on first use) and
/// writes its record as one JSON line on `out`.
void eval_work(void *c, size_t job, FILE *out);
/// eval_pool.worker_exit: closes the worker's scenes and policies.
void eval_worker_exit(void *c);
/// FNV-1a 64 of a file's bytes (as the scene layer hashes sources); 0 when it cannot be read.
uint64_t eval_file_hash(const char *path);

// ---------------------------------------------------------------- parent side (eval_parent.c)

/// Progress on stderr (a live bar on a terminal, else a line per --progress-every).
void eval_progress(ev_ctx *c, size_t running, bool final);
/// Keeps record `r` (taking its strings) as one of scene `group`'s results.
void eval_keep_record(ev_ctx *c, eval_record *r, size_t group);
/// eval_pool callbacks: a worker's record line, a lost job (crash, timeout), a tick.
void eval_on_line(void *c, size_t job, const char *line, double wall);
void eval_on_lost(void *c, size_t job, const char *status, const char *msg, double wall);
void eval_on_tick(void *c, size_t running);

// ---------------------------------------------------------------- resume (eval_resume.c)

/// Takes the records of --out that belong to this run (same scene hash, policy,
/// params, episode and seed, every loaded file unchanged, not policy_error) and
/// marks their jobs done. False on an unreadable file (message printed).
bool eval_resume(ev_ctx *c, bool *done);

#endif
