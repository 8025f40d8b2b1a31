// pilotsim bench --scale: the cost of a world with many robots (issue 19).
// scenes/bench/fleet.lua with n = 1, 10, 30, 130 lidar diff-drive robots on an
// 80 x 80 m floor with 400 obstacles; each n runs in its own child process so
// that its peak resident memory (getrusage ru_maxrss) is its own.
#define _POSIX_C_SOURCE 200809L
#include "bench.h"
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const int DEFAULT_NS[] = {1, 10, 30, 130};
#define NNS 4
enum { WARMUP = 50 };

typedef struct scale_result {
    int ok;
    double us_step;        // median wall time per step, us
    double cpu_us_step;    // median process CPU time per step, us
    double dt;             // scene timestep, s
    long maxrss_kib;       // peak resident set of the child, KiB
    uint64_t hash;         // final state hash
} scale_result;

// fleet.lua at `path` with its param n = `n`; NULL after printing the error.
static ps_scene *load_fleet(const char *path, int n)
{
    cli_scene_opts so = {0};
    char env_storage[4096], kv[32], err[PS_ERR_LEN];
    cli_default_module_paths(&so, env_storage, sizeof env_storage);
    so.quiet = true;
    snprintf(kv, sizeof kv, "n=%d", n);
    so.params[0] = kv;
    so.param_count = 1;
    ps_scene_options opt = cli_scene_options(&so);
    ps_scene *s = ps_scene_load(path, &opt, err, sizeof err);
    if (!s) fprintf(stderr, "error: %s\n", err);
    return s;
}

// Child side: loads fleet.lua with n robots, runs WARMUP steps then `repeat`
// samples of `steps` steps in one episode; fills `r`.
static void measure(const char *path, int n, int repeat, uint64_t steps, scale_result *r)
{
    ps_scene *s = load_fleet(path, n);
    if (!s) return;
    r->dt = ps_scene_timestep(s);
    uint64_t total = WARMUP + (uint64_t)repeat * steps;
    ps_episode *e = ps_episode_begin(s, 1);
    double *wall = calloc((size_t)repeat, sizeof *wall), *cpu = calloc((size_t)repeat, sizeof *cpu);
    bool ok = e && wall && cpu && ps_episode_get_status(e) == PS_EP_RUNNING;
    if (e && !ok) fprintf(stderr, "bench --scale: n=%d: %s\n", n, ps_episode_message(e));
    for (uint64_t i = 0; ok && i < WARMUP; i++) ok = ps_episode_step(e, total) == PS_EP_RUNNING;
    for (int k = 0; ok && k < repeat; k++) {
        double t0 = cli_now(), c0 = cli_cpu_now();
        for (uint64_t i = 0; ok && i < steps; i++) {
            ps_episode_status st = ps_episode_step(e, total);
            ok = st == PS_EP_RUNNING || (st == PS_EP_TIMEOUT && k + 1 == repeat && i + 1 == steps);
        }
        wall[k] = (cli_now() - t0) * 1e6 / (double)steps;
        cpu[k] = (cli_cpu_now() - c0) * 1e6 / (double)steps;
    }
    if (e && !ok && ps_episode_get_status(e) != PS_EP_RUNNING)
        fprintf(stderr, "bench --scale: n=%d ended early: %s %s\n", n, ps_episode_status_name(ps_episode_get_status(e)),
                ps_episode_message(e));
    if (ok) {
        r->hash = ps_world_state_hash(ps_episode_world(e));
        r->us_step = bench_median(wall, repeat);
        r->cpu_us_step = bench_median(cpu, repeat);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        r->maxrss_kib = ru.ru_maxrss; // KiB on Linux
        r->ok = 1;
    }
    free(wall);
    free(cpu);
    ps_episode_end(e);
    ps_scene_destroy(s);
}

// Runs measure() in a child process and reads its result through a pipe.
static bool run_child(const char *path, int n, int repeat, uint64_t steps, scale_result *r)
{
    memset(r, 0, sizeof *r);
    int fd[2];
    if (pipe(fd) != 0) return false;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return false;
    }
    if (pid == 0) {
        close(fd[0]);
        scale_result cr = {0};
        measure(path, n, repeat, steps, &cr);
        ssize_t w = write(fd[1], &cr, sizeof cr);
        close(fd[1]);
        _exit(w == (ssize_t)sizeof cr && cr.ok ? 0 : 1);
    }
    close(fd[1]);
    size_t got = 0;
    while (got < sizeof *r) {
        ssize_t k = read(fd[0], (char *)r + got, sizeof *r - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    close(fd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return got == sizeof *r && r->ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int bench_scale(const char *dir, const int *ns, int nn, int repeat, uint64_t steps, bool json)
{
    if (!ns || nn <= 0) {
        ns = DEFAULT_NS;
        nn = NNS;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/fleet.lua", dir);
    if (json) printf("{\"world\":\"fleet\",\"steps\":%llu,\"repeat\":%d,\"runs\":[", (unsigned long long)steps, repeat);
    else
        printf("fleet: lidar diff-drive robots, 80 x 80 m, 400 obstacles; %llu steps x %d samples (median), "
               "one process per n\n%5s %12s %12s %14s %8s %8s %10s  %s\n",
               (unsigned long long)steps, repeat, "n", "us/step", "cpu us/step", "us/robot-step", "RTF", "cpu RTF",
               "maxRSS MiB", "state hash");
    fflush(stdout);
    for (int i = 0; i < nn; i++) {
        scale_result r;
        if (!run_child(path, ns[i], repeat, steps, &r)) {
            if (json) printf("]}\n");
            fprintf(stderr, "pilotsim bench --scale: the run with n = %d failed\n", ns[i]);
            return EXIT_RUNTIME;
        }
        double rtf = r.dt * 1e6 / r.us_step, cpu_rtf = r.dt * 1e6 / r.cpu_us_step;
        if (json)
            printf("%s{\"n\":%d,\"us_per_step\":%.2f,\"cpu_us_per_step\":%.2f,\"us_per_robot_step\":%.3f,"
                   "\"cpu_us_per_robot_step\":%.3f,\"rtf\":%.4f,\"cpu_rtf\":%.4f,\"max_rss_kib\":%ld,"
                   "\"hash\":\"%016llx\"}",
                   i ? "," : "", ns[i], r.us_step, r.cpu_us_step, r.us_step / ns[i], r.cpu_us_step / ns[i], rtf,
                   cpu_rtf, r.maxrss_kib, (unsigned long long)r.hash);
        else
            printf("%5d %12.1f %12.1f %14.2f %8.3f %8.3f %10.1f  %016llx\n", ns[i], r.us_step, r.cpu_us_step,
                   r.us_step / ns[i], rtf, cpu_rtf, (double)r.maxrss_kib / 1024.0, (unsigned long long)r.hash);
        fflush(stdout);
    }
    if (json) printf("]}\n");
    return EXIT_OK;
}

/* ---------------------------------------------------------------- --lidar */

// CPU seconds to cast every lidar of `w` `rounds` times (or, exhaustive, the
// first `limit` lidars once); *rays gets the number of beams cast.
static double cast_all(ps_world *w, bool exhaustive, int rounds, size_t limit, float *dist, int32_t *hits,
                       double *rays)
{
    double c0 = cli_cpu_now();
    *rays = 0;
    for (int k = 0; k < rounds; k++) {
        size_t done = 0;
        for (size_t i = 0; i < ps_world_sensor_count(w) && done < limit; i++) {
            ps_sensor_id s = ps_world_sensor_at(w, i);
            if (ps_sensor_get_type(w, s) != PS_SENSOR_LIDAR) continue;
            size_t n = 0;
            ps_sensor_data(w, s, &n);
            ps_sensor_cast(w, s, exhaustive, dist + (size_t)done * 360, hits + (size_t)done * 360);
            *rays += (double)n;
            done++;
        }
    }
    return cli_cpu_now() - c0;
}

int bench_lidar(const char *dir, int n, int repeat, bool json)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/fleet.lua", dir);
    ps_scene *sc = load_fleet(path, n);
    if (!sc) return EXIT_RUNTIME;
    ps_episode *e = ps_episode_begin(sc, 1);
    bool ok = e && ps_episode_get_status(e) == PS_EP_RUNNING;
    for (int i = 0; ok && i < WARMUP; i++) ok = ps_episode_step(e, 100000) == PS_EP_RUNNING;
    // fleet.lua: one 360-beam lidar per robot
    size_t cap = (size_t)n * 360;
    float *da = malloc(cap * sizeof *da), *db = malloc(cap * sizeof *db);
    int32_t *ha = malloc(cap * sizeof *ha), *hb = malloc(cap * sizeof *hb);
    double *rate = calloc((size_t)repeat, sizeof *rate);
    int rc = EXIT_OK;
    if (!ok || !da || !db || !ha || !hb || !rate) {
        fprintf(stderr, "pilotsim bench --lidar: %s\n", e ? ps_episode_message(e) : "out of memory");
        rc = EXIT_RUNTIME;
    }
    double rays = 0, ex_rate = 0;
    bool same = true;
    size_t ex_count = n < 4 ? (size_t)n : 4;
    if (rc == EXIT_OK) {
        ps_world *w = ps_episode_world(e);
        for (int k = 0; k < repeat; k++) {
            // between samples the robots move on: 100 more steps
            for (int i = 0; i < 100 && ok; i++) ok = ps_episode_step(e, 100000) == PS_EP_RUNNING;
            double t = cast_all(w, false, 5, SIZE_MAX, da, ha, &rays);
            rate[k] = rays / t;
        }
        // the exhaustive reference on the first lidars, and the same beams accelerated
        double t = cast_all(w, true, 1, ex_count, db, hb, &rays);
        ex_rate = rays / t;
        cast_all(w, false, 1, ex_count, da, ha, &rays);
        same = memcmp(da, db, (size_t)rays * sizeof *da) == 0 && memcmp(ha, hb, (size_t)rays * sizeof *ha) == 0;
        double med = bench_median(rate, repeat);
        if (json)
            printf("{\"world\":\"fleet\",\"n\":%d,\"beams_per_scan\":360,\"repeat\":%d,\"rays_per_s\":%.0f,"
                   "\"exhaustive_rays_per_s\":%.0f,\"identical\":%s}\n",
                   n, repeat, med, ex_rate, same ? "true" : "false");
        else
            printf("fleet: %d lidars x 360 beams, 80 x 80 m, 400 obstacles + %d robots; CPU time, median of %d\n"
                   "  scan table + tree     %8.2f M rays/s  (%.1f us per 360-beam scan)\n"
                   "  exhaustive reference  %8.3f M rays/s  (first %zu lidars)\n"
                   "  readings %s\n",
                   n, n, repeat, med / 1e6, 360e6 / med, ex_rate / 1e6, ex_count,
                   same ? "identical bit for bit" : "DIFFER from the exhaustive reference");
        if (!same) rc = EXIT_EPISODE_FAILED;
    }
    free(da);
    free(db);
    free(ha);
    free(hb);
    free(rate);
    ps_episode_end(e);
    ps_scene_destroy(sc);
    return rc;
}
