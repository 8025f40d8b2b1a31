// pilotsim bench --eval: episodes per second of `pilotsim eval` on a short
// scene with 1 worker and with 2 (and with every CPU when there are more), as
// whole runs of this same executable, and the speed-up over one worker.
#define _DEFAULT_SOURCE
#include "cli.h"
#include "bench.h"

#include <fcntl.h>
#include <limits.h>
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

// The JSONL lines of `path` without their wall_time fields, concatenated in
// the order of their "episode" index (workers finish out of order).
static char *canonical(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char **lines = NULL;
    size_t n = 0, cap = 0;
    char buf[65536];
    while (fgets(buf, sizeof buf, f)) {
        char *w = strstr(buf, "\"wall_time\":");
        if (w) { // drop the number after it
            char *e = w + 12;
            while (*e && *e != ',' && *e != '}') e++;
            memmove(w, e, strlen(e) + 1);
        }
        char *r = strstr(buf, "\"run_id\":\""); // run ids differ by design
        if (r) {
            char *e = strchr(r + 10, '"');
            if (e) memmove(r, e + 1, strlen(e + 1) + 1);
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nl = realloc(lines, cap * sizeof *nl);
            if (!nl) break;
            lines = nl;
        }
        lines[n++] = strdup(buf);
    }
    fclose(f);
    // sort by content: episode records carry their index, so the sorted set is order-free
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char *t = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = t;
        }
    size_t total = 1;
    for (size_t i = 0; i < n; i++) total += lines[i] ? strlen(lines[i]) : 0;
    char *all = malloc(total);
    if (all) {
        all[0] = 0;
        for (size_t i = 0; i < n; i++)
            if (lines[i]) strcat(all, lines[i]);
    }
    for (size_t i = 0; i < n; i++) free(lines[i]);
    free(lines);
    return all;
}

int bench_eval(const char *scene, int episodes, int repeat, bool json)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        fprintf(stderr, "pilotsim bench: cannot find its own executable\n");
        return EXIT_RUNTIME;
    }
    self[len] = 0;
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
    char *ref = canonical(out[0]);
    bool same = ref != NULL;
    for (int j = 1; j < nj && same; j++) {
        char *c = canonical(out[j]);
        same = c && !strcmp(c, ref);
        free(c);
    }
    free(ref);
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
