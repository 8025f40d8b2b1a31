// pilotsim bench --record: what recording costs, as whole runs of this same
// executable on the same episodes: `eval SCENE --episodes N --jobs 1` against
// `eval ... --record DIR` (the default state interval), `record ... --state-every 1`
// (a full state every step) and, with a camera scene, the same. Reports, for each
// mode over `repeat` runs alternating with the others, the best and the median
// wall and CPU time (user + system of every process of the run), the run's
// instructions (a hardware counter inherited by every process of it; n/a where
// the kernel refuses one, as in most virtual machines) and page faults (median),
// the overheads over eval and the dataset's size per 1000 steps.
#define _GNU_SOURCE // pipe2
#include "cli.h"
#include "bench.h"
#include "eval.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <linux/perf_event.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { MODE_EVAL, MODE_EVAL_RECORD, MODE_RECORD_ALL, MODE_COUNT };

static const char *const mode_name[MODE_COUNT] = {"eval (no recording)", "eval --record (default states)",
                                                  "record --state-every 1"};

typedef struct bench_run {
    double wall, cpu; // s
    double faults;    // minor + major page faults of every process of the run
    double instr;     // user + kernel instructions of every process of the run; < 0: n/a
} bench_run;

// A counter of the instructions retired by `pid` and the processes it forks
// (inherited), from its next exec on; -1 when the kernel refuses one.
static int instr_counter(pid_t pid)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_HARDWARE;
    a.config = PERF_COUNT_HW_INSTRUCTIONS;
    a.disabled = 1;
    a.enable_on_exec = 1;
    a.inherit = 1;
    a.exclude_hv = 1;
    long fd = syscall(SYS_perf_event_open, &a, pid, -1, -1, 0L);
    if (fd < 0) { // perf_event_paranoid 2 (Debian's default) allows user space only
        a.exclude_kernel = 1;
        fd = syscall(SYS_perf_event_open, &a, pid, -1, -1, 0L);
    }
    if (fd >= 0) fcntl((int)fd, F_SETFD, FD_CLOEXEC);
    return (int)fd;
}

// Runs `argv` (argv[0] this executable) with its output discarded: wall and CPU
// time, page faults and instructions of it and the children it waited for. The
// child waits on a pipe until its counter is attached. false when it failed to run.
static bool timed(char *const argv[], bench_run *out)
{
    int go[2];
    if (pipe2(go, O_CLOEXEC) != 0) return false;
    double t0 = cli_now();
    pid_t pid = fork();
    if (pid < 0) {
        close(go[0]);
        close(go[1]);
        return false;
    }
    if (pid == 0) {
        close(go[1]);
        char c;
        while (read(go[0], &c, 1) < 0 && errno == EINTR) {}
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    close(go[0]);
    int counter = instr_counter(pid);
    close(go[1]); // the child execs now (EOF)
    int st;
    struct rusage ru;
    pid_t w;
    while ((w = wait4(pid, &st, 0, &ru)) < 0 && errno == EINTR) {}
    out->wall = cli_now() - t0;
    uint64_t n = 0;
    out->instr = counter >= 0 && read(counter, &n, sizeof n) == (ssize_t)sizeof n ? (double)n : -1;
    if (counter >= 0) close(counter);
    if (w < 0) return false;
    out->cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
               ru.ru_stime.tv_usec * 1e-6;
    out->faults = (double)ru.ru_minflt + (double)ru.ru_majflt;
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

// A mode's runs: best (minimum) and median of each figure over `n` runs.
typedef struct bench_stats {
    bench_run best, med;
} bench_stats;

// Best (minimum) and median of the field at byte `off` of `n` runs; both -1
// (n/a) when a run lacks it or out of memory.
static void field_stats(const bench_run *runs, int n, size_t off, double *best, double *med)
{
    *best = *med = -1;
    double *v = malloc((size_t)n * sizeof *v);
    if (!v) return;
    bool na = false;
    for (int k = 0; k < n; k++) {
        v[k] = *(const double *)(const void *)((const char *)&runs[k] + off);
        na = na || v[k] < 0;
    }
    if (!na) {
        *med = bench_median(v, n); // sorts v
        *best = v[0];
    }
    free(v);
}

static bench_stats summarize(const bench_run *runs, int n)
{
    bench_stats s;
#define FIELD(f) field_stats(runs, n, offsetof(bench_run, f), &s.best.f, &s.med.f)
    FIELD(wall);
    FIELD(cpu);
    FIELD(faults);
    FIELD(instr);
#undef FIELD
    return s;
}

// 100 * (x / base - 1), or NAN when either is n/a.
static double pct(double x, double base) { return x >= 0 && base > 0 ? 100 * (x / base - 1) : NAN; }

static void json_num(const char *key, double v, const char *fmt)
{
    printf(",\"%s\":", key);
    if (v != v) printf("null");
    else printf(fmt, v);
}

// Text cells: "n/a" for a figure the kernel did not give.
static void text_pct(double v)
{
    if (v != v) printf(" %8s", "n/a");
    else printf(" %+7.1f%%", v);
}

int bench_record(const char *const *scenes, int nscenes, int episodes, int repeat, bool json)
{
    char self[PATH_MAX];
    if (!cli_self_exe(self, sizeof self)) {
        fprintf(stderr, "pilotsim bench: cannot find its own executable\n");
        return EXIT_RUNTIME;
    }
    bench_run *runs = calloc((size_t)MODE_COUNT * (size_t)repeat, sizeof *runs);
    if (!runs) {
        fprintf(stderr, "pilotsim bench: out of memory\n");
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
        printf("recording cost: %d episode%s per scene, --jobs 1, %d whole runs a mode (modes alternating):\n"
               "best and median; CPU = user + system time, instructions (hardware counter) and page faults\n"
               "(median) of every process of the run; n/a: the kernel gives no instruction counter here\n"
               "%-32s %7s %7s %7s %7s %9s %9s %9s %9s %8s %9s %8s\n",
               episodes, episodes == 1 ? "" : "s", repeat, "", "wall", "wall", "CPU s", "CPU s", "wall +%",
               "wall +%", "CPU +%", "CPU +%", "instr", "faults", "MB/1000");
    if (!json)
        printf("%-32s %7s %7s %7s %7s %9s %9s %9s %9s %8s %9s %8s\n", "", "best", "median", "best", "median", "best",
               "median", "best", "median", "+%", "+", "steps");
    int rc = EXIT_OK;
    for (int si = 0; si < nscenes && rc == EXIT_OK; si++) {
        double bytes[MODE_COUNT] = {0}, steps = 0;
        for (int k = 0; k < repeat && rc == EXIT_OK; k++)
            for (int m = 0; m < MODE_COUNT; m++) {
                bench_run *r = &runs[m * repeat + k];
                if (!run_mode(self, m, scenes[si], ep, results, data[m], r)) {
                    fprintf(stderr, "pilotsim bench: the %s run of %s failed\n", mode_name[m], scenes[si]);
                    rc = EXIT_RUNTIME;
                    break;
                }
                if (m == MODE_EVAL) steps = result_steps(results);
                bytes[m] = m == MODE_EVAL_RECORD ? dir_bytes(data[m]) : m == MODE_RECORD_ALL ? file_bytes(data[m]) : 0;
            }
        if (rc != EXIT_OK) break;
        bench_stats st[MODE_COUNT];
        for (int m = 0; m < MODE_COUNT; m++) st[m] = summarize(runs + m * repeat, repeat);
        if (json) {
            printf("%s{\"scene\":", si ? "," : "");
            cli_json_string(stdout, scenes[si]);
            printf(",\"steps\":%.0f,\"modes\":[", steps);
        } else {
            printf("%s (%.0f steps)\n", scenes[si], steps);
        }
        const bench_stats *e = &st[MODE_EVAL];
        for (int m = 0; m < MODE_COUNT; m++) {
            const bench_stats *b = &st[m];
            double ow = pct(b->best.wall, e->best.wall), oc = pct(b->best.cpu, e->best.cpu);
            double owm = pct(b->med.wall, e->med.wall), ocm = pct(b->med.cpu, e->med.cpu);
            double oi = pct(b->med.instr, e->med.instr), df = b->med.faults - e->med.faults;
            double mb = steps > 0 ? bytes[m] / 1e6 / steps * 1000 : 0;
            if (json) {
                printf("%s{\"mode\":\"%s\"", m ? "," : "", mode_name[m]);
                json_num("wall_time", b->best.wall, "%.3f");
                json_num("cpu_time", b->best.cpu, "%.3f");
                json_num("wall_time_median", b->med.wall, "%.3f");
                json_num("cpu_time_median", b->med.cpu, "%.3f");
                json_num("instructions_median", b->med.instr < 0 ? NAN : b->med.instr, "%.0f");
                json_num("page_faults_median", b->med.faults, "%.0f");
                json_num("wall_overhead_pct", m ? ow : 0, "%.1f");
                json_num("cpu_overhead_pct", m ? oc : 0, "%.1f");
                json_num("wall_overhead_pct_median", m ? owm : 0, "%.1f");
                json_num("cpu_overhead_pct_median", m ? ocm : 0, "%.1f");
                json_num("instructions_overhead_pct", m || oi != oi ? oi : 0, "%.2f");
                json_num("mb_per_1000_steps", mb, "%.4f");
                printf("}");
            } else {
                printf("  %-30s %7.2f %7.2f %7.2f %7.2f", mode_name[m], b->best.wall, b->med.wall, b->best.cpu,
                       b->med.cpu);
                if (m == MODE_EVAL) {
                    printf(" %9s %9s %9s %9s %8s %9.0f\n", "", "", "", "",
                           b->med.instr < 0 ? "n/a" : "", b->med.faults);
                    continue;
                }
                text_pct(ow);
                text_pct(owm);
                text_pct(oc);
                text_pct(ocm);
                if (oi != oi) printf(" %8s", "n/a");
                else printf(" %+7.2f%%", oi);
                printf(" %+9.0f %8.3f\n", df, mb);
            }
        }
        if (json) printf("]}");
    }
    if (json) printf("]}\n");
    free(runs);
    unlink(results);
    for (int m = 0; m < MODE_COUNT; m++) {
        unlink(data[m]);
        remove_dir(data[m]);
    }
    fflush(stdout);
    return rc;
}
