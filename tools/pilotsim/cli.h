// Shared pieces of the pilotsim command-line tool.
#ifndef PS_CLI_H
#define PS_CLI_H

#include "cli_opts.h"
#include "pilotsim/pilotsim.h"
#include <stdio.h>

/// Exit codes (documented in `pilotsim --help`).
enum { EXIT_OK = 0, EXIT_EPISODE_FAILED = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3 };

/// Options common to commands that load scenes.
typedef struct cli_scene_opts {
    const char *module_paths[32];
    size_t module_path_count;
    const char *params[64];
    size_t param_count;
    const char *package_paths[32];
    size_t package_path_count;
    bool trusted;
    bool quiet;
    uint64_t memory_limit_mib; ///< --memory-limit (MiB, 0 = none); used when memory_limit_set
    bool memory_limit_set;
} cli_scene_opts;

/// pilotsim's data folder (scripts/, assets/, scenes/) into `out` (`n` bytes):
/// $PILOTSIM_DATA, else the nearest share/pilotsim above the executable (the installed
/// PREFIX/share/pilotsim, or the build tree's share/pilotsim, links made by CMake).
/// False when none is found or it does not fit.
bool cli_data_dir(char *out, size_t n);
/// MiB of resident memory a pilotsim process may hold while building worlds,
/// when neither --memory-limit nor PILOTSIM_MEMORY_LIMIT says otherwise.
#define CLI_DEFAULT_MEMORY_LIMIT_MIB 4096
/// Policy options shared by run, eval and view.
typedef struct cli_policy_opts {
    double hz;             ///< --policy-hz (0 = the scene's policy_hz)
    double timeout;        ///< --policy-timeout, s (0 = 10)
    uint64_t replan_every; ///< --replan-every (1..1000000; 0 = not given)
} cli_policy_opts;

/// Policy options from the scene options (module paths, trusted) and `p`.
ps_policy_options cli_policy_options(const cli_scene_opts *so, const cli_policy_opts *p, ps_logger log);

/// Appends module paths from PILOTSIM_MODULE_PATH (colon-separated) and the
/// installation's scripts/ folder, and package paths from PILOTSIM_PACKAGE_PATH
/// and the installation's assets/ folder (after any given by flags). `storage`
/// keeps the split env strings alive.
void cli_default_module_paths(cli_scene_opts *o, char *storage, size_t storage_len);
/// Turns the CLI options into library options (log to stderr unless quiet). The
/// process memory cap: --memory-limit, else PILOTSIM_MEMORY_LIMIT (MiB), else
/// CLI_DEFAULT_MEMORY_LIMIT_MIB.
ps_scene_options cli_scene_options(const cli_scene_opts *o);
/// The exit code for a scene at `path` that failed to load with options `o`:
/// EXIT_USAGE when the failure was one of the --param overrides (the scene loads
/// without them), else EXIT_RUNTIME.
int cli_scene_load_rc(const char *path, const cli_scene_opts *o);
/// A shared option group: a table ended by CLI_END, for a CLI_INCLUDE entry of
/// a command's table. Its entries point into the options struct given.
typedef struct cli_group {
    cli_opt opt[12];
} cli_group;
/// cli_scene_group() leaves out...
enum {
    CLI_SCENE_NO_QUIET = 1,        ///< --quiet (the command's own --quiet means something else)
    CLI_SCENE_NO_PACKAGE_PATH = 2, ///< --package-path (the command reads it itself)
};
/// The options every scene-loading command shares: --param NAME=VALUE (64 at
/// most), --module-path DIR and --package-path DIR (16 each), --trusted,
/// --memory-limit MIB, --quiet; `without` (CLI_SCENE_NO_*) drops some.
cli_group cli_scene_group(cli_scene_opts *o, unsigned without);
/// The policy options of run, eval and view: --policy-hz, --replan-every, --policy-timeout.
cli_group cli_policy_group(cli_policy_opts *o);
/// --shard i/k and --shard-count K (eval, record).
cli_group cli_shard_group(cli_shard *shard, uint64_t *shard_count);
/// Episode `episode` of a scene's seed in a run with base seed `base` (eval, record,
/// eval --record alike): ps_seed_mix(ps_seed_mix(base, scene content hash), episode)
/// kept below 2^53, so that JSON readers keep it exact.
uint64_t cli_episode_seed(uint64_t base, uint64_t scene_hash, uint64_t episode);
/// Parses "--shard i/k" values: false unless 0 <= i < k.
bool cli_parse_shard(const char *v, uint64_t *i, uint64_t *k);
/// The shard from Slurm's (SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN, over
/// SLURM_ARRAY_TASK_COUNT) or Kubernetes' (JOB_COMPLETION_INDEX) index variables, the count
/// from `shard_count` (--shard-count), else PILOTSIM_SHARD_COUNT. Returns 0 when none is
/// set, 1 when *i/*k are set (a line "CMD: shard i/k (from VAR)" on stderr), -1 on an
/// error (message naming `cmd` printed).
int cli_shard_from_env(const char *cmd, uint64_t shard_count, uint64_t *i, uint64_t *k);
/// Parses a non-negative integer; false if `s` is not one.
bool cli_parse_u64(const char *s, uint64_t *out);
/// Gives the scene's episodes the offscreen camera renderer (cli_camera.c):
/// with the renderer built in, a process-wide one whose GL context is created
/// on the first camera image; without it a no-op (camera sensors then fail to
/// load, saying they need the renderer).
void cli_cameras_install(ps_scene *s);
/// True when the renderer is built in.
bool cli_cameras_available(void);
/// Keeps glibc's heap trimming off the step loop (docs/performance.md): ODE's hash
/// space allocates and frees its cell lists every step, and with glibc's defaults
/// a large world's frees shrink the heap (brk) only for the next step to grow it
/// again, about 4 system calls per step with 130 robots. The heap is trimmed only
/// past 256 MiB of free top, grows 16 MiB at a time, and blocks below 32 MiB
/// come from the heap, not per-allocation mmap/munmap. Call first in main.
void cli_tune_malloc(void);
/// Monotonic wall clock, seconds.
double cli_now(void);
/// CPU time of the whole process (every thread), seconds: unlike the wall
/// clock it does not count the time other programs on a shared machine take.
double cli_cpu_now(void);
/// The absolute path of the running pilotsim executable (from /proc/self/exe)
/// into `out` (`n` bytes). False when it cannot be read or does not fit.
bool cli_self_exe(char *out, size_t n);
/// Writes `s` as a JSON string literal (quotes included), always valid UTF-8:
/// bytes that are not well-formed UTF-8 (a message cut mid-character) become
/// U+FFFD, control characters are escaped.
void cli_json_string(FILE *f, const char *s);
/// Prints a JSON number, or null when not finite.
void cli_json_number(FILE *f, double v);
/// Prints `"iterations":N,"iterations_from":"...","timestep":s,"needs":{...}`:
/// the world's solver settings, where they came from and its robots' strictest
/// needs (ps_world_solver_settings), to go inside a JSON object. Nothing for a NULL world.
void cli_json_solver_settings(FILE *f, const ps_world *w);

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_new(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_view(int argc, char **argv);

#endif
