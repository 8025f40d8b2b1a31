#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

static void log_stderr(void *user, ps_log_level level, const char *msg)
{
    const bool *quiet = user;
    if (*quiet && level < PS_LOG_WARN) return;
    if (level == PS_LOG_INFO) fprintf(stderr, "%s\n", msg);
    else fprintf(stderr, "%s: %s\n", ps_log_level_name(level), msg);
}

void cli_tune_malloc(void)
{
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

bool cli_data_dir(char *out, size_t n)
{
    const char *env = getenv("PILOTSIM_DATA");
    if (env && *env) {
        if (strlen(env) >= n) return false;
        strcpy(out, env);
        return true;
    }
    // The installed layout (PREFIX/bin/pilotsim, PREFIX/share/pilotsim) and the build tree
    // (build/P/tools/pilotsim/pilotsim, build/P/share/pilotsim made by CMake) both hold
    // share/pilotsim in an ancestor of the executable's folder.
    char dir[4096];
    if (!cli_self_exe(dir, sizeof dir)) return false;
    for (int up = 0; up < 4; up++) {
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) return false;
        *slash = 0;
        char probe[4200];
        snprintf(probe, sizeof probe, "%s/share/pilotsim/scripts", dir);
        struct stat st;
        if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode)) {
            int len = snprintf(out, n, "%s/share/pilotsim", dir);
            return len > 0 && (size_t)len < n;
        }
    }
    return false;
}

// Copies `a` + `b` into storage at *used; NULL when it does not fit.
static const char *store_path(char *storage, size_t storage_len, size_t *used, const char *a, const char *b)
{
    size_t need = strlen(a) + strlen(b) + 1;
    if (*used + need > storage_len) return NULL;
    char *dst = storage + *used;
    snprintf(dst, need, "%s%s", a, b);
    *used += need;
    return dst;
}

void cli_default_module_paths(cli_scene_opts *o, char *storage, size_t storage_len)
{
    const char *env = getenv("PILOTSIM_MODULE_PATH");
    size_t used = 0;
    char data[4096];
    bool have_data = cli_data_dir(data, sizeof data);
    if (env && *env && strlen(env) < storage_len / 2) {
        strcpy(storage, env);
        used = strlen(env) + 1;
        char *save = NULL;
        for (char *tok = strtok_r(storage, ":", &save); tok && o->module_path_count < 30; tok = strtok_r(NULL, ":", &save))
            o->module_paths[o->module_path_count++] = tok;
    }
    const char *p = have_data ? store_path(storage, storage_len, &used, data, "/scripts") : NULL;
    if (p) o->module_paths[o->module_path_count++] = p;
    const char *assets = have_data ? store_path(storage, storage_len, &used, data, "/assets") : NULL;
    env = getenv("PILOTSIM_PACKAGE_PATH");
    if (env && *env && strlen(env) < storage_len - used) {
        char *dst = storage + used;
        strcpy(dst, env);
        char *save = NULL;
        for (char *tok = strtok_r(dst, ":", &save); tok && o->package_path_count < 30; tok = strtok_r(NULL, ":", &save))
            o->package_paths[o->package_path_count++] = tok;
    }
    if (assets) o->package_paths[o->package_path_count++] = assets;
}

ps_scene_options cli_scene_options(const cli_scene_opts *o)
{
    ps_scene_options so = ps_default_scene_options();
    so.module_paths = o->module_paths;
    so.module_path_count = o->module_path_count;
    so.params = o->params;
    so.param_count = o->param_count;
    so.package_paths = o->package_paths;
    so.package_path_count = o->package_path_count;
    so.trusted = o->trusted;
    so.log = (ps_logger){log_stderr, (void *)&o->quiet};
    uint64_t mib = CLI_DEFAULT_MEMORY_LIMIT_MIB;
    const char *env = getenv("PILOTSIM_MEMORY_LIMIT");
    if (o->memory_limit_set) mib = o->memory_limit_mib;
    else if (env && *env && !(cli_parse_u64(env, &mib) && mib <= ((uint64_t)1 << 40)))
        fprintf(stderr, "pilotsim: ignoring PILOTSIM_MEMORY_LIMIT='%s' (not a number of MiB); the cap is %d MiB\n",
                env, CLI_DEFAULT_MEMORY_LIMIT_MIB), mib = CLI_DEFAULT_MEMORY_LIMIT_MIB;
    so.process_memory_limit = (size_t)(mib << 20);
    return so;
}

static void log_nothing(void *user, ps_log_level level, const char *msg)
{
    (void)user;
    (void)level;
    (void)msg;
}

int cli_scene_load_rc(const char *path, const cli_scene_opts *o)
{
    if (o->param_count == 0) return EXIT_RUNTIME;
    cli_scene_opts bare = *o;
    bare.param_count = 0;
    ps_scene_options so = cli_scene_options(&bare);
    so.log = (ps_logger){log_nothing, NULL};
    char err[PS_ERR_LEN];
    ps_scene *s = ps_scene_load(path, &so, err, sizeof err);
    if (!s) return EXIT_RUNTIME;
    ps_scene_destroy(s);
    return EXIT_USAGE;
}

static bool has_equals(const char *v) { return strchr(v, '=') != NULL; }

cli_group cli_scene_group(cli_scene_opts *o, unsigned without)
{
    cli_group g = {0};
    size_t n = 0;
    g.opt[n++] = (cli_opt){.name = "--param", .kind = CLI_LIST, .metavar = "NAME=VALUE", .target = o->params,
                           .count = &o->param_count, .cap = 64, .check = has_equals, .need = "NAME=VALUE",
                           .help = "override a scene param (repeatable)"};
    g.opt[n++] = (cli_opt){.name = "--module-path", .kind = CLI_LIST, .metavar = "DIR", .target = o->module_paths,
                           .count = &o->module_path_count, .cap = 16, .need = "a directory",
                           .help = "also search DIR for require()d modules (repeatable; then $PILOTSIM_MODULE_PATH "
                                   "and scripts/)"};
    if (!(without & CLI_SCENE_NO_PACKAGE_PATH))
        g.opt[n++] = (cli_opt){.name = "--package-path", .kind = CLI_LIST, .metavar = "DIR",
                               .target = o->package_paths, .count = &o->package_path_count, .cap = 16,
                               .need = "a directory",
                               .help = "also search DIR for robot descriptions and package:// meshes (repeatable; "
                                       "then $PILOTSIM_PACKAGE_PATH and assets/)"};
    g.opt[n++] = (cli_opt){.name = "--trusted", .kind = CLI_FLAG, .target = &o->trusted,
                           .help = "lift the Lua sandbox (local experiments only)"};
    g.opt[n++] = (cli_opt){.name = "--memory-limit", .kind = CLI_U64, .metavar = "MIB", .target = &o->memory_limit_mib,
                           .given = &o->memory_limit_set, .hi = (double)((uint64_t)1 << 40),
                           .need = "a number of MiB (0 = no cap)",
                           .help = "resident memory the process may hold while building a world (bodies, geoms, "
                                   "joints); default $PILOTSIM_MEMORY_LIMIT or 4096, 0 = none"};
    if (!(without & CLI_SCENE_NO_QUIET))
        g.opt[n++] = (cli_opt){.name = "--quiet", .kind = CLI_FLAG, .target = &o->quiet,
                               .help = "hide the scene's print() output"};
    return g;
}

cli_group cli_policy_group(cli_policy_opts *o)
{
    return (cli_group){{
        {.name = "--policy-hz", .kind = CLI_DOUBLE, .metavar = "HZ", .target = &o->hz, .lo = 0, .hi = 1e300,
         .open_lo = true, .need = "a rate > 0 (calls per second)",
         .help = "control rate: the policy acts every round(1/(HZ*timestep)) steps and its action is held in "
                 "between (default: the scene's policy_hz, else every step)"},
        {.name = "--replan-every", .kind = CLI_U64, .metavar = "K", .target = &o->replan_every, .lo = 1,
         .hi = 1000000, .need = "a positive number of actions",
         .help = "with a peer answering action chunks, ask for a new chunk after K of its actions (default: run "
                 "the whole chunk)"},
        {.name = "--policy-timeout", .kind = CLI_DOUBLE, .metavar = "S", .target = &o->timeout, .lo = 0, .hi = 1e300,
         .open_lo = true, .need = "seconds > 0",
         .help = "seconds an exec:/tcp:// peer has for each reply (default 10)"},
    }};
}

cli_group cli_shard_group(cli_shard *shard, uint64_t *shard_count)
{
    return (cli_group){{
        {.name = "--shard", .kind = CLI_SHARD, .metavar = "i/k", .target = shard, .need = "i/k with 0 <= i < k",
         .help = "take only this shard's share: the items j (episodes or demos over all scenes, in order) with "
                 "j % k == i; default from SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN) / "
                 "SLURM_ARRAY_TASK_COUNT, or from JOB_COMPLETION_INDEX with --shard-count or "
                 "PILOTSIM_SHARD_COUNT; `pilotsim merge` joins the shards"},
        {.name = "--shard-count", .kind = CLI_U64, .metavar = "K", .target = shard_count, .lo = 1,
         .need = "a positive integer", .help = "k for the environment's shard index"},
    }};
}

ps_policy_options cli_policy_options(const cli_scene_opts *so, const cli_policy_opts *p, ps_logger log)
{
    ps_policy_options po = ps_default_policy_options();
    po.module_paths = so->module_paths;
    po.module_path_count = so->module_path_count;
    po.trusted = so->trusted;
    po.log = log;
    po.control_hz = p->hz;
    po.timeout = p->timeout;
    po.replan_every = (unsigned)p->replan_every;
    return po;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+') return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno) return false;
    *out = v;
    return true;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cli_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool cli_self_exe(char *out, size_t n)
{
    if (n < 2) return false;
    ssize_t len = readlink("/proc/self/exe", out, n - 1);
    if (len <= 0 || (size_t)len >= n - 1) return false;
    out[len] = 0;
    return true;
}

// Length of the well-formed UTF-8 sequence at p (1..4), 0 when the bytes
// there are not one (a stray continuation byte, an overlong form, a
// surrogate, past U+10FFFF, or a sequence cut short).
static int utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80) return 1;
    int n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!n) return 0;
    for (int k = 1; k < n; k++)
        if ((p[k] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;  // overlong
    if (c == 0xED && p[1] >= 0xA0) return 0; // surrogates
    if (c == 0xF0 && p[1] < 0x90) return 0;  // overlong
    if (c == 0xF4 && p[1] >= 0x90) return 0; // past U+10FFFF
    return n;
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p >= 0x80) {
            int n = utf8_len(p);
            if (n) fwrite(p, 1, (size_t)n, f);
            else fputs("\\ufffd", f); // not UTF-8 (e.g. a message cut mid-character): U+FFFD
            p += n ? n : 1;
            continue;
        }
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default:
            if (*p < 0x20 || *p == 0x7f) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
        p++;
    }
    fputc('"', f);
}

void cli_json_number(FILE *f, double v)
{
    if (v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308) fputs("null", f);
    else fprintf(f, "%.17g", v);
}

void cli_json_solver_settings(FILE *f, const ps_world *w)
{
    if (!w) return;
    ps_solver_settings st;
    ps_world_solver_settings(w, &st);
    fprintf(f, "\"solver\":\"%s\",\"iterations\":%d,\"iterations_from\":\"%s\",\"timestep\":",
            ps_solver_kind_name(st.solver), st.iterations, ps_setting_source_name(st.iterations_from));
    cli_json_number(f, st.timestep);
    fprintf(f, ",\"needs\":{\"iterations\":%d,\"iterations_robot\":", st.need_iterations);
    cli_json_string(f, st.need_iterations_robot);
    fputs(",\"max_timestep\":", f);
    cli_json_number(f, st.need_timestep);
    fputs(",\"max_timestep_robot\":", f);
    cli_json_string(f, st.need_timestep_robot);
    fputc('}', f);
}

uint64_t cli_episode_seed(uint64_t base, uint64_t scene_hash, uint64_t episode)
{
    return ps_seed_mix(ps_seed_mix(base, scene_hash), episode) & (((uint64_t)1 << 53) - 1);
}

bool cli_parse_shard(const char *v, uint64_t *i, uint64_t *k)
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

int cli_shard_from_env(const char *cmd, uint64_t shard_count, uint64_t *i, uint64_t *k)
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
        fprintf(stderr, "pilotsim %s: %s='%s' is not a shard index\n", cmd, what, id);
        return -1;
    }
    if (!shard_count) {
        fprintf(stderr, "pilotsim %s: %s is set but the shard count is not: pass --shard-count K or set "
                        "PILOTSIM_SHARD_COUNT\n", cmd, what);
        return -1;
    }
    *i = idx - min;
    *k = shard_count;
    if (*i >= *k) {
        fprintf(stderr, "pilotsim %s: shard index %llu (from %s) is not below the shard count %llu\n", cmd,
                (unsigned long long)*i, what, (unsigned long long)*k);
        return -1;
    }
    fprintf(stderr, "%s: shard %llu/%llu (from %s)\n", cmd, (unsigned long long)*i, (unsigned long long)*k, what);
    return 1;
}
