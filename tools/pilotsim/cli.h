// Shared pieces of the pilotsim command-line tool.
#ifndef PS_CLI_H
#define PS_CLI_H

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
} cli_scene_opts;

/// Appends module paths from PILOTSIM_MODULE_PATH (colon-separated) and the
/// installation's scripts/ folder, and package paths from PILOTSIM_PACKAGE_PATH
/// and the installation's assets/ folder (after any given by flags). `storage`
/// keeps the split env strings alive.
void cli_default_module_paths(cli_scene_opts *o, char *storage, size_t storage_len);
/// Turns the CLI options into library options (log to stderr unless quiet).
ps_scene_options cli_scene_options(const cli_scene_opts *o);
/// The exit code for a scene at `path` that failed to load with options `o`:
/// EXIT_USAGE when the failure was one of the --param overrides (the scene loads
/// without them), else EXIT_RUNTIME.
int cli_scene_load_rc(const char *path, const cli_scene_opts *o);
/// Reads option `name` at argv[*i] given as "--opt VALUE" or "--opt=VALUE":
/// the value (advancing *i past it), "" when the value is missing, or NULL
/// when argv[*i] is another option.
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);
/// Parses the options every scene-loading command shares (--param,
/// --package-path, --module-path, --trusted) at argv[*i] into `o`. Returns 1
/// when it took the option, 0 when argv[*i] is another option, -1 on a usage
/// error (message on stderr, prefixed with `cmd`).
int cli_scene_option(int argc, char **argv, int *i, cli_scene_opts *o, const char *cmd);
/// Parses a non-negative integer; false if `s` is not one.
bool cli_parse_u64(const char *s, uint64_t *out);
/// Gives the scene's episodes the offscreen camera renderer (cli_camera.c):
/// with the renderer built in, a process-wide one whose GL context is created
/// on the first camera image; without it a no-op (camera sensors then fail to
/// load, saying they need the renderer).
void cli_cameras_install(ps_scene *s);
/// True when the renderer is built in.
bool cli_cameras_available(void);
/// Monotonic wall clock, seconds.
double cli_now(void);
/// The absolute path of the running pilotsim executable (from /proc/self/exe)
/// into `out` (`n` bytes). False when it cannot be read or does not fit.
bool cli_self_exe(char *out, size_t n);
/// Writes `s` as a JSON string literal (quotes included).
void cli_json_string(FILE *f, const char *s);
/// Prints a JSON number, or null when not finite.
void cli_json_number(FILE *f, double v);

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_new(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_view(int argc, char **argv);

#endif
