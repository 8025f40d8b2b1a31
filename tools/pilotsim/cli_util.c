#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif

static void log_stderr(void *user, ps_log_level level, const char *msg)
{
    const bool *quiet = user;
    if (*quiet && level < PS_LOG_WARN) return;
    if (level == PS_LOG_INFO) fprintf(stderr, "%s\n", msg);
    else fprintf(stderr, "%s: %s\n", ps_log_level_name(level), msg);
}

void cli_default_module_paths(cli_scene_opts *o, char *storage, size_t storage_len)
{
    const char *env = getenv("PILOTSIM_MODULE_PATH");
    size_t used = 0;
    if (env && *env && strlen(env) < storage_len / 2) {
        strcpy(storage, env);
        used = strlen(env) + 1;
        char *save = NULL;
        for (char *tok = strtok_r(storage, ":", &save); tok && o->module_path_count < 30; tok = strtok_r(NULL, ":", &save))
            o->module_paths[o->module_path_count++] = tok;
    }
    o->module_paths[o->module_path_count++] = PILOTSIM_SOURCE_DIR "/scripts";
    env = getenv("PILOTSIM_PACKAGE_PATH");
    if (env && *env && strlen(env) < storage_len - used) {
        char *dst = storage + used;
        strcpy(dst, env);
        char *save = NULL;
        for (char *tok = strtok_r(dst, ":", &save); tok && o->package_path_count < 30; tok = strtok_r(NULL, ":", &save))
            o->package_paths[o->package_path_count++] = tok;
    }
    o->package_paths[o->package_path_count++] = PILOTSIM_SOURCE_DIR "/assets";
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
    char err[256];
    ps_scene *s = ps_scene_load(path, &so, err, sizeof err);
    if (!s) return EXIT_RUNTIME;
    ps_scene_destroy(s);
    return EXIT_USAGE;
}

const char *cli_opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] != '\0') return NULL;
    if (*i + 1 >= argc) return "";
    return argv[++*i];
}

int cli_scene_option(int argc, char **argv, int *i, cli_scene_opts *o, const char *cmd)
{
    const char *v;
    if ((v = cli_opt_value(argc, argv, i, "--param"))) {
        if (!strchr(v, '=') || o->param_count == 64) {
            fprintf(stderr, "pilotsim %s: --param needs NAME=VALUE, got '%s'\n", cmd, v);
            return -1;
        }
        o->params[o->param_count++] = v;
    } else if ((v = cli_opt_value(argc, argv, i, "--package-path"))) {
        if (!*v || o->package_path_count >= 16) {
            fprintf(stderr, "pilotsim %s: --package-path needs a directory\n", cmd);
            return -1;
        }
        o->package_paths[o->package_path_count++] = v;
    } else if ((v = cli_opt_value(argc, argv, i, "--module-path"))) {
        if (!*v || o->module_path_count >= 16) {
            fprintf(stderr, "pilotsim %s: --module-path needs a directory\n", cmd);
            return -1;
        }
        o->module_paths[o->module_path_count++] = v;
    } else if (!strcmp(argv[*i], "--trusted")) {
        o->trusted = true;
    } else {
        return 0;
    }
    return 1;
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

bool cli_self_exe(char *out, size_t n)
{
    if (n < 2) return false;
    ssize_t len = readlink("/proc/self/exe", out, n - 1);
    if (len <= 0 || (size_t)len >= n - 1) return false;
    out[len] = 0;
    return true;
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

void cli_json_number(FILE *f, double v)
{
    if (v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308) fputs("null", f);
    else fprintf(f, "%.17g", v);
}
