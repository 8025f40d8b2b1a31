// pilotsim bench --eval: episodes per second of `pilotsim eval` on a short
// scene with 1 worker and with 2 (and with every CPU when there are more), as
// whole runs of this same executable, and the speed-up over one worker.
#define _DEFAULT_SOURCE
#include "cli.h"
#include "bench.h"
#include "eval.h"

#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

// Runs `self eval SCENE --episodes N --jobs J --quiet --out OUT` with its
// output discarded; returns the wall time (s) or -1 when it failed.
static double timed_eval(const char *self, const char *scene, int episodes, int jobs, const char *out)
{
    char ep[32], jb[32];
    snprintf(ep, sizeof ep, "%d", episodes);
    snprintf(jb, sizeof jb, "%d", jobs);
    unlink(out);
    double t0 = cli_now();
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execl(self, self, "eval", scene, "--episodes", ep, "--jobs", jb, "--quiet", "--out", out, (char *)NULL);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0) return -1;
    double dt = cli_now() - t0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) return -1; // 1: some episode failed, still a valid run
    return dt;
}

// True when the two result files hold the same episodes with the same
// outcomes (status, steps, return, final state hash); wall times and run ids
// differ by design, and workers finish in any order.
static bool same_results(const char *a_path, const char *b_path)
{
    eval_set a = {0}, b = {0};
    size_t bad = 0;
    char err[PS_ERR_LEN];
    bool same = eval_set_read(&a, a_path, &bad, err, sizeof err) && eval_set_read(&b, b_path, &bad, err, sizeof err) &&
                !bad &&
                a.n == b.n && a.n > 0;
    for (size_t i = 0; same && i < a.n; i++) {
        const eval_record *x = &a.v[i];
        bool found = false;
        for (size_t k = 0; k < b.n && !found; k++) {
            const eval_record *y = &b.v[k];
            found = eval_record_same_episode(x, y, true) && !strcmp(x->status, y->status) && x->steps == y->steps &&
                    !strcmp(x->hash, y->hash) && (x->ret == y->ret || (isnan(x->ret) && isnan(y->ret)));
        }
        same = found;
    }
    eval_set_free(&a);
    eval_set_free(&b);
    return same;
}

int bench_eval(const char *scene, int episodes, int repeat, bool json)
{
    char self[PATH_MAX];
    if (!cli_self_exe(self, sizeof self)) {
        fprintf(stderr, "pilotsim bench: cannot find its own executable\n");
        return EXIT_RUNTIME;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs[3] = {1, 2, (int)cpus}, nj = cpus > 2 ? 3 : 2;
    double best[3];
    char out[3][64];
    for (int j = 0; j < nj; j++) {
        snprintf(out[j], sizeof out[j], "/tmp/pilotsim-bench-eval-%d-%d.jsonl", (int)getpid(), j);
        best[j] = -1;
        for (int k = 0; k < repeat; k++) {
            double t = timed_eval(self, scene, episodes, jobs[j], out[j]);
            if (t < 0) {
                fprintf(stderr, "pilotsim bench: `pilotsim eval %s --episodes %d --jobs %d` failed\n", scene,
                        episodes, jobs[j]);
                for (int i = 0; i <= j; i++) unlink(out[i]);
                return EXIT_RUNTIME;
            }
            if (best[j] < 0 || t < best[j]) best[j] = t;
        }
    }
    bool same = true;
    for (int j = 1; j < nj; j++) same = same && same_results(out[0], out[j]);
    for (int j = 0; j < nj; j++) unlink(out[j]);
    if (json) {
        printf("{\"scene\":");
        cli_json_string(stdout, scene);
        printf(",\"episodes\":%d,\"repeat\":%d,\"runs\":[", episodes, repeat);
        for (int j = 0; j < nj; j++)
            printf("%s{\"jobs\":%d,\"wall_time\":%.3f,\"episodes_per_s\":%.3f,\"speedup\":%.3f}", j ? "," : "",
                   jobs[j], best[j], episodes / best[j], best[0] / best[j]);
        printf("],\"results_identical\":%s}\n", same ? "true" : "false");
    } else {
        printf("eval throughput on %s: %d episodes, best of %d whole runs\n", scene, episodes, repeat);
        for (int j = 0; j < nj; j++)
            printf("  --jobs %-3d %8.2f s  %8.2f episodes/s  speed-up %.2fx%s\n", jobs[j], best[j],
                   episodes / best[j], best[0] / best[j],
                   jobs[j] == 2 ? (best[0] / best[j] >= 1.8 ? "  (target >= 1.8x: met)" : "  (target >= 1.8x: MISSED)")
                                : "");
        printf("  results %s\n", same ? "identical (wall times aside) for every worker count"
                                      : "DIFFER between worker counts");
    }
    fflush(stdout);
    return same ? EXIT_OK : EXIT_EPISODE_FAILED;
}
