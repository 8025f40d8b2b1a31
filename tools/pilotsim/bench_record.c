// pilotsim bench --record: what recording costs, as whole runs of this same
// executable on the same episodes: `eval SCENE --episodes N --jobs 1` against
// `eval ... --record DIR` (the default state interval), `record ... --state-every 1`
// (a full state every step) and, with a camera scene, the same. Reports wall and
// CPU time (user + system of every process of the run), the overhead over eval and
// the dataset's size per 1000 steps.
#define _DEFAULT_SOURCE
#include "cli.h"
#include "bench.h"
#include "eval.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { MODE_EVAL, MODE_EVAL_RECORD, MODE_RECORD_ALL, MODE_COUNT };

static const char *const mode_name[MODE_COUNT] = {"eval (no recording)", "eval --record (default states)",
                                                  "record --state-every 1"};

typedef struct bench_run {
    double wall, cpu; // s
} bench_run;

// Runs `argv` (argv[0] this executable) with its output discarded: wall and CPU
// time of it and the children it waited for. false when it failed to run.
static bool timed(char *const argv[], bench_run *out)
{
    double t0 = cli_now();
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0) return false;
    out->wall = cli_now() - t0;
    out->cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
               ru.ru_stime.tv_usec * 1e-6;
    return WIFEXITED(st) && WEXITSTATUS(st) <= 1; // 1: some episode failed, still a valid run
}

// Bytes of the regular files in `dir` (eval --record's demo files).
static double dir_bytes(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    double n = 0;
    struct dirent *en;
    char p[PATH_MAX + 256];
    struct stat sb;
    while ((en = readdir(d)))
        if (en->d_name[0] != '.' && snprintf(p, sizeof p, "%s/%s", dir, en->d_name) < (int)sizeof p &&
            stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
            n += (double)sb.st_size;
    closedir(d);
    return n;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *en;
    char p[PATH_MAX + 256];
    while ((en = readdir(d)))
        if (en->d_name[0] != '.' && snprintf(p, sizeof p, "%s/%s", dir, en->d_name) < (int)sizeof p) unlink(p);
    closedir(d);
    rmdir(dir);
}

static double file_bytes(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (double)sb.st_size : 0;
}

// Steps of the episodes in an eval results file (0 when unreadable).
static double result_steps(const char *path)
{
    eval_set s = {0};
    size_t bad = 0;
    char err[4400];
    double n = 0;
    if (eval_set_read(&s, path, &bad, err, sizeof err))
        for (size_t i = 0; i < s.n; i++) n += (double)s.v[i].steps;
    eval_set_free(&s);
    return n;
}

// One mode's run on `scene`; leaves its dataset at `data` (a file or a folder).
static bool run_mode(const char *self, int mode, const char *scene, const char *episodes, const char *results,
                     const char *data, bench_run *out)
{
    unlink(results);
    unlink(data);
    remove_dir(data);
    char *eval_argv[] = {(char *)self, "eval", (char *)scene, "--episodes", (char *)episodes, "--jobs", "1", "--quiet",
                         "--out", (char *)results, NULL, NULL, NULL};
    char *record_argv[] = {(char *)self, "record", (char *)scene, "--episodes", (char *)episodes, "--jobs", "1",
                           "--quiet", "--out", (char *)data, "--state-every", "1", NULL};
    if (mode == MODE_EVAL_RECORD) {
        eval_argv[10] = "--record";
        eval_argv[11] = (char *)data;
    }
    return timed(mode == MODE_RECORD_ALL ? record_argv : eval_argv, out);
}

int bench_record(const char *const *scenes, int nscenes, int episodes, int repeat, bool json)
{
    char self[PATH_MAX];
    if (!cli_self_exe(self, sizeof self)) {
        fprintf(stderr, "pilotsim bench: cannot find its own executable\n");
        return EXIT_RUNTIME;
    }
    char ep[32], results[96], data[MODE_COUNT][96];
    snprintf(ep, sizeof ep, "%d", episodes);
    snprintf(results, sizeof results, "/tmp/pilotsim-bench-record-%d.jsonl", (int)getpid());
    for (int m = 0; m < MODE_COUNT; m++)
        snprintf(data[m], sizeof data[m], "/tmp/pilotsim-bench-record-%d-%d%s", (int)getpid(), m,
                 m == MODE_RECORD_ALL ? ".hdf5" : "");
    if (json) printf("{\"episodes\":%d,\"repeat\":%d,\"scenes\":[", episodes, repeat);
    else
        printf("recording cost: %d episode%s per scene, --jobs 1, best of %d whole runs (modes alternating);\n"
               "CPU = user + system time of every process of the run\n"
               "%-34s %8s %8s %9s %9s %12s\n",
               episodes, episodes == 1 ? "" : "s", repeat, "", "wall s", "CPU s", "wall +%", "CPU +%", "MB/1000 steps");
    int rc = EXIT_OK;
    for (int si = 0; si < nscenes && rc == EXIT_OK; si++) {
        bench_run best[MODE_COUNT];
        double bytes[MODE_COUNT] = {0}, steps = 0;
        for (int m = 0; m < MODE_COUNT; m++) best[m] = (bench_run){-1, -1};
        for (int k = 0; k < repeat && rc == EXIT_OK; k++)
            for (int m = 0; m < MODE_COUNT; m++) {
                bench_run r;
                if (!run_mode(self, m, scenes[si], ep, results, data[m], &r)) {
                    fprintf(stderr, "pilotsim bench: the %s run of %s failed\n", mode_name[m], scenes[si]);
                    rc = EXIT_RUNTIME;
                    break;
                }
                if (best[m].wall < 0 || r.wall < best[m].wall) best[m].wall = r.wall;
                if (best[m].cpu < 0 || r.cpu < best[m].cpu) best[m].cpu = r.cpu;
                if (m == MODE_EVAL) steps = result_steps(results);
                bytes[m] = m == MODE_EVAL_RECORD ? dir_bytes(data[m]) : m == MODE_RECORD_ALL ? file_bytes(data[m]) : 0;
            }
        if (rc != EXIT_OK) break;
        if (json) {
            printf("%s{\"scene\":", si ? "," : "");
            cli_json_string(stdout, scenes[si]);
            printf(",\"steps\":%.0f,\"modes\":[", steps);
        } else {
            printf("%s (%.0f steps)\n", scenes[si], steps);
        }
        for (int m = 0; m < MODE_COUNT; m++) {
            double ow = 100 * (best[m].wall / best[0].wall - 1), oc = 100 * (best[m].cpu / best[0].cpu - 1);
            double mb = steps > 0 ? bytes[m] / 1e6 / steps * 1000 : 0;
            if (json)
                printf("%s{\"mode\":\"%s\",\"wall_time\":%.3f,\"cpu_time\":%.3f,\"wall_overhead_pct\":%.1f,"
                       "\"cpu_overhead_pct\":%.1f,\"mb_per_1000_steps\":%.4f}",
                       m ? "," : "", mode_name[m], best[m].wall, best[m].cpu, ow, oc, mb);
            else if (m == MODE_EVAL)
                printf("  %-32s %8.2f %8.2f\n", mode_name[m], best[m].wall, best[m].cpu);
            else
                printf("  %-32s %8.2f %8.2f %+8.1f%% %+8.1f%% %12.3f\n", mode_name[m], best[m].wall, best[m].cpu, ow,
                       oc, mb);
        }
        if (json) printf("]}");
    }
    if (json) printf("]}\n");
    unlink(results);
    for (int m = 0; m < MODE_COUNT; m++) {
        unlink(data[m]);
        remove_dir(data[m]);
    }
    fflush(stdout);
    return rc;
}
