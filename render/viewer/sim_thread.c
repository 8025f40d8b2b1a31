// The viewer's physics thread (see sim_thread.h).
#define _POSIX_C_SOURCE 200809L
#include "sim_thread.h"

#include <GLFW/glfw3.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ps_sim_thread {
    ps_sim_loop *loop;
    pthread_t th;
    pthread_mutex_t mu;
    atomic_bool stop;
    atomic_int waiting;           // frames waiting for the lock
    ps_sim_thread_stats stats;    // under mu
    // the current one-second window (thread only)
    double win_t0, win_busy, win_sim, win_run;
    uint64_t win_steps;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void window_stats(ps_sim_thread *t, double now)
{
    double wall = now - t->win_t0;
    if (wall < 1.0) return;
    t->stats.steps_per_s = (double)t->win_steps / wall;
    t->stats.realtime_factor = t->win_run > 0 ? t->win_sim / t->win_run : 0;
    t->stats.busy = t->win_busy / wall;
    if (t->win_steps) t->stats.step_ms = 1e3 * t->win_busy / (double)t->win_steps; // else the last figure stays
    t->win_t0 = now;
    t->win_busy = t->win_sim = t->win_run = 0;
    t->win_steps = 0;
}

static void *thread_main(void *arg)
{
    ps_sim_thread *t = arg;
    ps_sim_loop *l = t->loop;
    pthread_mutex_lock(&t->mu);
    double last = now_s();
    t->win_t0 = last;
    while (!atomic_load(&t->stop)) {
        double t0 = now_s(), dt = t0 - last;
        last = t0;
        bool running = !l->paused && l->ep && ps_episode_get_status(l->ep) == PS_EP_RUNNING;
        int n = ps_sim_loop_advance(l, dt);
        double t1 = now_s();
        // Camera sensors render in their own context: leave it free for the
        // frame (a reset or reload renders the first images there).
        if (glfwGetCurrentContext()) glfwMakeContextCurrent(NULL);
        t->win_steps += (uint64_t)n;
        t->win_busy += t1 - t0;
        t->win_sim += n * l->dt;
        if (running) t->win_run += dt;
        window_stats(t, t1);
        // Sleep until the next step is due (a few ms at most, so keys and
        // single steps take effect at once); at max speed only let a waiting frame in.
        double wait = 0.004;
        if (!l->paused && !l->max_speed && l->speed > 0) wait = fmin(wait, fmax(0, (l->dt - l->acc) / l->speed));
        if (l->paused && l->pending_steps) wait = 0;
        if (!l->paused && l->max_speed) wait = 0;
        pthread_mutex_unlock(&t->mu);
        if (wait > 0) sleep_s(wait);
        for (int i = 0; i < 200 && atomic_load(&t->waiting) > 0; i++) sleep_s(50e-6);
        pthread_mutex_lock(&t->mu);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

ps_sim_thread *ps_sim_thread_start(ps_sim_loop *l, char *err, size_t errlen)
{
    ps_sim_thread *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->loop = l;
    pthread_mutex_init(&t->mu, NULL);
    atomic_init(&t->stop, false);
    atomic_init(&t->waiting, 0);
    // Short chunks: a frame waits at most this long for the loop.
    l->frame_budget = 0.004;
    l->carry_debt = true;
    int rc = pthread_create(&t->th, NULL, thread_main, t);
    if (rc) {
        snprintf(err, errlen, "cannot start the physics thread: %s", strerror(rc));
        pthread_mutex_destroy(&t->mu);
        free(t);
        return NULL;
    }
    return t;
}

void ps_sim_thread_stop(ps_sim_thread *t)
{
    if (!t) return;
    atomic_store(&t->stop, true);
    pthread_join(t->th, NULL);
    pthread_mutex_destroy(&t->mu);
    t->loop->carry_debt = false;
    free(t);
}

void ps_sim_thread_lock(ps_sim_thread *t)
{
    if (!t) return;
    atomic_fetch_add(&t->waiting, 1);
    pthread_mutex_lock(&t->mu);
    atomic_fetch_sub(&t->waiting, 1);
}

void ps_sim_thread_unlock(ps_sim_thread *t)
{
    if (t) pthread_mutex_unlock(&t->mu);
}

ps_sim_thread_stats ps_sim_thread_get_stats(const ps_sim_thread *t)
{
    ps_sim_thread_stats s = {0};
    return t ? t->stats : s;
}

double ps_sim_thread_cpu_s(const ps_sim_thread *t)
{
    clockid_t id;
    struct timespec ts;
    if (!t || pthread_getcpuclockid(t->th, &id) != 0 || clock_gettime(id, &ts) != 0) return 0;
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}
