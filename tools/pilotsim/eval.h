// Headless evaluation (pilotsim eval, merge, compare): episode records, their
// JSONL form, statistics and reports, and the worker pool.
#ifndef PS_EVAL_H
#define PS_EVAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

// ---------------------------------------------------------------- records

/// A named number (a metric or a safety value).
typedef struct eval_kv {
    char *name;
    double value;
} eval_kv;

/// One episode's result: one JSONL line. Strings are owned (never NULL).
typedef struct eval_record {
    char *run_id;      ///< the invocation that ran it
    char *version;     ///< pilotsim version
    char *scene;       ///< scene name
    char *path;        ///< scene path as given on the command line
    uint64_t scene_hash;
    char *policy;      ///< policy spec as given (or as the scene declares it); "" none
    char **params;     ///< "name=value" overrides, sorted
    size_t param_count;
    uint64_t episode;  ///< index within the scene, 0-based
    uint64_t episodes; ///< episodes of this scene in the run
    uint64_t scenes;   ///< (scene, policy) pairs in the run
    uint64_t seed;     ///< the episode seed (ps_episode_begin)
    char *status;      ///< ps_episode_status_name() or "crashed", "timeout_wall"
    uint64_t steps;
    double sim_time, wall_time, ret; ///< s, s, sum of rewards; NaN when unknown
    eval_kv *metrics;  ///< sorted by name; safety_* ones live in `safety`
    size_t metric_count;
    eval_kv *safety;
    size_t safety_count;
    char *hash;        ///< final world state hash (16 hex digits), "" when unknown
    char *message;
    char *instruction; ///< the episode's instruction; NULL or "" when none (then not written)
} eval_record;

/// Frees the members (not `r` itself) and zeroes it.
void eval_record_free(eval_record *r);
/// Writes `r` as one JSON line (with the trailing newline).
void eval_record_write(FILE *f, const eval_record *r);
/// Parses one JSON line. false with a reason in `err` when it is not a record.
bool eval_record_parse(const char *line, eval_record *r, char *err, size_t errlen);
/// The status counts as a success.
bool eval_status_success(const char *status);
/// The episode could not be evaluated: script_error, crashed or timeout_wall.
bool eval_status_error(const char *status);
/// Value of metric/safety `name`, or NaN.
double eval_record_value(const eval_kv *kv, size_t n, const char *name);
/// Canonical "a=1;b=2" form of the params (for keys); owned by the caller.
char *eval_params_key(char *const *params, size_t n);
/// Same (scene hash, policy, params, episode); also compares seeds if `seed`.
bool eval_record_same_episode(const eval_record *a, const eval_record *b, bool seed);

/// A growing array of records.
typedef struct eval_set {
    eval_record *v;
    size_t n, cap;
} eval_set;

/// Moves `r` into the set (r is zeroed). false on allocation failure.
bool eval_set_push(eval_set *s, eval_record *r);
void eval_set_free(eval_set *s);
/// Reads a JSONL file. Unparsable lines are reported on stderr and skipped,
/// and counted in *bad. When `truncate_tail` is set, a last line without its
/// newline (a write cut short) is cut off the file. false when the file
/// cannot be read (errno set; ENOENT is left to the caller).
bool eval_set_read(eval_set *s, const char *path, bool truncate_tail, size_t *bad);

// ---------------------------------------------------------------- statistics

/// Wilson score interval for k successes in n trials at 95% (z = 1.96).
void eval_wilson(size_t k, size_t n, double *lo, double *hi);
/// Fisher's exact test, two-sided, on the table [[a, b], [c, d]].
double eval_fisher_exact(size_t a, size_t b, size_t c, size_t d);

// ---------------------------------------------------------------- reports

/// The known statuses, in report order.
enum { EVAL_STATUS_COUNT = 8 };
extern const char *const eval_status_names[EVAL_STATUS_COUNT];

/// Per (scene, policy) summary of records.
typedef struct eval_summary {
    const char *scene, *path, *policy; ///< borrowed from a record
    uint64_t scene_hash;
    size_t planned;                    ///< episodes in the run (0 = unknown)
    size_t episodes, successes, errors, safety_violations;
    size_t status[EVAL_STATUS_COUNT];  ///< counts per eval_status_names (last: others)
    double return_sum, sim_time_sum, wall_sum;
    size_t return_n, sim_time_n;
    uint64_t steps;
    bool passed;                       ///< the scene's test (threshold or no errors)
} eval_summary;

/// Adds a record to the summary (first record sets the names).
void eval_summary_add(eval_summary *s, const eval_record *r);

/// Options of the report and of JUnit.
typedef struct eval_report_opts {
    double min_success;  ///< threshold per scene, or < 0 for none
    bool interrupted;    ///< say so in the report
} eval_report_opts;

/// Decides each scene's test, prints the report and the last line
/// "eval: N passed, M failed". Returns the number of failed tests.
size_t eval_report(FILE *f, eval_summary *s, size_t n, const eval_report_opts *o);
/// Writes a JUnit XML report: a testsuite per scene with a testcase per
/// episode (records with summary index `group[i]`) and one for its test.
/// Call after eval_report (which decides the tests). false on I/O error.
bool eval_junit(const char *path, const eval_summary *s, size_t n, const eval_record *recs,
                const size_t *group, size_t nrec, const eval_report_opts *o);

// ---------------------------------------------------------------- worker pool

/// Runs in a worker process: run job `job` and write its record line to `out`.
typedef void (*eval_work_fn)(void *ctx, size_t job, FILE *out);
/// In the parent: a worker sent a line for `job`.
typedef void (*eval_line_fn)(void *ctx, size_t job, const char *line, double wall);
/// In the parent: `job` ended without a line; `status` is "crashed" or
/// "timeout_wall", `msg` says why.
typedef void (*eval_lost_fn)(void *ctx, size_t job, const char *status, const char *msg, double wall);

typedef struct eval_pool {
    size_t workers;          ///< processes at most
    double timeout;          ///< s per job (wall clock); <= 0 none
    eval_work_fn work;
    void (*worker_exit)(void *ctx); ///< cleanup in a worker before it exits (may be NULL)
    eval_line_fn on_line;
    eval_lost_fn on_lost;
    void (*on_tick)(void *ctx, size_t running); ///< after each event and periodically (may be NULL)
    void *ctx;
} eval_pool;

/// Hands `jobs` out to worker processes (fork), one at a time per worker,
/// restarting workers that crash or overrun the timeout. SIGINT/SIGTERM stop
/// it: workers are killed and it returns 1. 0 when every job was reported,
/// -1 when workers cannot be started (message on stderr).
int eval_pool_run(const eval_pool *p, const size_t *jobs, size_t njobs);

// ---------------------------------------------------------------- CLI helpers

/// Parses a rate in [0, 1] or a percentage ("90%").
bool eval_parse_fraction(const char *s, double *out);

#endif
