// Headless evaluation (pilotsim eval, merge, compare): episode records, their
// JSONL form, statistics and reports, and the worker pool.
#ifndef PS_EVAL_H
#define PS_EVAL_H

#include "cli_opts.h"

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

/// A param's value in an episode: its name and the value as a JSON literal
/// (a number, true/false or a quoted string).
typedef struct eval_pv {
    char *name;
    char *json;
} eval_pv;

/// A source file an episode loaded (scene, module, Lua policy) and the
/// FNV-1a 64 hash of its bytes then.
typedef struct eval_src {
    char *path;
    uint64_t hash;
} eval_src;

/// Largest record line written or read (bytes, newline included): a longer
/// one is written without its metrics and param values, with a message
/// saying so, and is not a record when read.
#define EVAL_RECORD_MAX ((size_t)1 << 20)
/// Metric and safety names are cut to this many bytes, at most this many
/// metrics per record are kept (the message says when some were dropped).
#define EVAL_NAME_MAX 200
#define EVAL_METRICS_MAX 1000
/// Seeds are below 2^53 (integers JSON readers keep exactly); episodes per
/// scene and (scene, policy) pairs per run are capped as --episodes is.
#define EVAL_SEED_LIMIT ((uint64_t)1 << 53)
#define EVAL_EPISODES_MAX 100000000u
#define EVAL_SCENES_MAX 1000000u
#define EVAL_ATTEMPTS_MAX 1000u

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
    eval_pv *values;   ///< "param_values": every param's value in this episode (randomized ones as drawn)
    size_t value_count;
    eval_src *sources; ///< files the episode loaded, with content hashes (resume checks them)
    size_t source_count;
    uint64_t attempts; ///< runs of the episode (1 + retries after policy_error); 1 when absent
    char *instruction; ///< the episode's instruction; NULL or "" when none (then not written)
} eval_record;

/// Frees the members (not `r` itself) and zeroes it.
void eval_record_free(eval_record *r);
/// Writes `r` as one JSON line (with the trailing newline).
void eval_record_write(FILE *f, const eval_record *r);
/// Parses one JSON line. false with a reason in `err` when it is not a
/// record: not JSON, a duplicate key, a field missing, of the wrong type or
/// out of range (seed >= 2^53, episode >= episodes, episodes or scenes past
/// their caps), so that no reader has to trust a record's numbers.
bool eval_record_parse(const char *line, eval_record *r, char *err, size_t errlen);
/// The status counts as a success.
bool eval_status_success(const char *status);
/// The episode could not be evaluated: script_error, policy_error, crashed
/// or timeout_wall. Any of them makes eval and merge exit 3.
bool eval_status_error(const char *status);
/// policy_error: the policy's transport failed (infrastructure). Such an
/// episode does not count in its scene's success rate, and a later record of
/// the same episode supersedes it (a rerun with the same --out retries it).
bool eval_status_retry(const char *status);
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
/// Reads a JSONL results file (a regular file: FIFOs, devices and
/// directories are refused). Unparsable lines and lines longer than
/// EVAL_RECORD_MAX are reported on stderr and skipped, and counted in *bad.
/// false with a message in `err` when the file cannot be read (errno set;
/// ENOENT when it does not exist).
bool eval_set_read(eval_set *s, const char *path, size_t *bad, char *err, size_t errlen);
/// The same from an open file descriptor (read from offset 0; `name` for
/// messages). When `truncate_tail` is set, a last line without its newline
/// (a write cut short) is cut off the file with ftruncate.
bool eval_set_read_fd(eval_set *s, int fd, const char *name, bool truncate_tail, size_t *bad, char *err,
                      size_t errlen);
/// Drops the records of one results file that a later record of the same
/// episode (same scene, eval_record_same_episode with seeds) supersedes: a
/// policy_error one, or one whose loaded files differ from the later one's
/// (a resume reran it after an edit). Keeps the order.
void eval_set_drop_superseded(eval_set *s);

/// Opens a results file to append to (eval --out) or rewrite (merge --out),
/// creating it when missing, and takes an exclusive lock on it (flock) held
/// until the descriptor is closed. Refuses, with a message in `err`: a path
/// that is not a regular file (FIFO, device, socket, directory; through
/// symlinks too), a file another process holds the lock of (a second eval on
/// the same --out), and a non-empty file whose first line is not an episode
/// record (a file pilotsim did not write is never touched). Returns the
/// descriptor (O_RDWR | O_APPEND, close-on-exec), or -1.
int eval_results_open(const char *path, char *err, size_t errlen);

// ---------------------------------------------------------------- statistics

/// Wilson score interval for k successes in n trials at 95% (z = 1.96).
void eval_wilson(size_t k, size_t n, double *lo, double *hi);
/// Fisher's exact test, two-sided, on the table [[a, b], [c, d]].
double eval_fisher_exact(size_t a, size_t b, size_t c, size_t d);

// ---------------------------------------------------------------- reports

/// The known statuses, in report order.
enum { EVAL_STATUS_COUNT = 9 };
extern const char *const eval_status_names[EVAL_STATUS_COUNT];

/// Holm-Bonferroni over m p-values: adj[i] is p[i]'s adjusted p-value
/// (reject at level alpha when adj[i] < alpha; controls the family-wise error
/// rate). NaN entries are left out (adj NaN). false on allocation failure.
bool eval_holm(const double *p, size_t m, double *adj);

/// Success counts of two runs for one scene name (policy_error episodes left out).
typedef struct eval_rate {
    const char *scene; ///< borrowed from a record
    size_t a_ok, a_n, b_ok, b_n;
} eval_rate;
/// Per scene name (first-seen order, A then B): the success counts of runs
/// A and B. NULL on allocation failure; *n rows. Free with free().
eval_rate *eval_compare_rates(const eval_set *a, const eval_set *b, size_t *n);

/// Per (scene, policy) summary of records.
typedef struct eval_summary {
    const char *scene, *path, *policy; ///< borrowed from a record
    uint64_t scene_hash;
    size_t planned;                    ///< episodes in the run (0 = unknown)
    size_t episodes, successes, errors, safety_violations;
    size_t retried;                    ///< policy_error episodes (not in the success rate)
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

/// Episodes counted in the success rate: all but policy_error ones.
size_t eval_summary_rated(const eval_summary *s);
/// Decides each scene's test, prints the report and the last line
/// "eval: N passed, M failed". Returns the number of failed tests.
size_t eval_report(FILE *f, eval_summary *s, size_t n, const eval_report_opts *o);
/// Writes a JUnit XML report: one testsuite, one testcase per scene named
/// by the scene (its test: the threshold, or no errors), with a <failure>
/// when the test failed, an <error> when an episode could not be evaluated,
/// the counts as properties and one line per episode in <system-out>
/// (records with summary index `group[i]`). Names hold no seed or hash, so
/// they stay the same across scene edits. Call after eval_report (which
/// decides the tests). false on I/O error.
bool eval_junit(const char *path, const eval_summary *s, size_t n, const eval_record *recs,
                const size_t *group, size_t nrec, const eval_report_opts *o);

// ---------------------------------------------------------------- HTML report

/// How a pilotsim report begins (it is overwritten only when it begins so).
#define EVAL_HTML_MAGIC "<!DOCTYPE html>\n<!-- pilotsim report -->"

struct report_media;

/// One run shown in the HTML report.
typedef struct eval_html_run {
    const char *label;   ///< its name (the JSONL file's path, or the eval's --out)
    const char *jsonl;   ///< JSONL file linked from the report, or NULL
    const char *junit;   ///< JUnit file linked from the report, or NULL
    const eval_set *set; ///< its records (superseded ones already dropped); borrowed
    size_t workers;      ///< worker processes, 0 when unknown
    double wall;         ///< s the run took, < 0 when unknown
    const struct report_media *media; ///< failed episodes' videos (report_media.h), or NULL; borrowed
} eval_html_run;

/// Writes the self-contained HTML report (inline CSS and SVG, no script, no
/// external URL): for two runs or more, run 0 against each other one (Fisher
/// per scene, Holm-Bonferroni across scenes at `alpha`, as `compare`); per
/// run its metadata, success rates with Wilson intervals, statuses, the
/// per-scene table (tests decided by `min_success` as eval's report does),
/// the failures with the command that replays each, their videos or
/// thumbnails (when the run has `media`), and the metric distributions. false with a message in `err`.
bool eval_html(const char *path, const eval_html_run *runs, size_t nruns, double min_success, double alpha, char *err,
               size_t errlen);
/// Whether `path` may be written as a report: new, empty, or a report
/// (EVAL_HTML_MAGIC); a FIFO, a device or another file is refused (message in `err`).
bool eval_html_target_ok(const char *path, char *err, size_t errlen);

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
/// The --min-success X option (eval, merge, report) into *target; `help` its text.
cli_opt eval_min_success_opt(double *target, const char *help);
/// The --alpha A option (report, compare): a level in (0, 1) into *target.
cli_opt eval_alpha_opt(double *target, const char *help);

#endif
