// The evaluation worker pool: forked worker processes take one job at a time
// over a pipe and answer with one line; the parent watches them with poll(),
// kills the ones that overrun the wall-clock limit, and restarts the ones that
// die. Each worker is its own process group, so killing it also kills what it
// started (exec: policies), and a terminal's Ctrl-C reaches only the parent,
// which then stops the workers itself.
#define _GNU_SOURCE
#include "eval.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

typedef struct worker {
    pid_t pid;      // 0: no process in this slot
    int cmd, res;   // parent's ends: job indices out, record lines in
    bool busy;
    size_t job;
    double started;
    char *buf;
    size_t len, cap;
} worker;

static int stop_pipe[2] = {-1, -1};
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    int saved = errno;
    stop_signal = sig;
    if (stop_pipe[1] >= 0) {
        char c = 1;
        if (write(stop_pipe[1], &c, 1) < 0) { /* the pipe is full: a wake-up is pending anyway */ }
    }
    errno = saved;
}

static void set_flags(int fd, bool nonblock)
{
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (nonblock) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static bool write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool read_all(int fd, void *data, size_t n)
{
    char *p = data;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

_Noreturn static void worker_main(const eval_pool *p, int cmd, int res)
{
    FILE *out = fdopen(res, "w");
    if (!out) _exit(127);
    uint64_t job;
    while (read_all(cmd, &job, sizeof job)) {
        p->work(p->ctx, (size_t)job, out);
        if (fflush(out) != 0) break;
    }
    if (p->worker_exit) p->worker_exit(p->ctx);
    fclose(out);
    close(cmd);
    exit(0);
}

static bool spawn(const eval_pool *p, worker *w, worker *all, size_t n)
{
    int c[2], r[2];
    if (pipe(c) != 0) return false;
    if (pipe(r) != 0) {
        close(c[0]);
        close(c[1]);
        return false;
    }
    set_flags(c[0], false);
    set_flags(c[1], false);
    set_flags(r[0], true);
    set_flags(r[1], false);
    // Signals stay blocked across fork so the child never runs the parent's handler.
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    fflush(NULL); // nothing buffered may be written twice
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        if (getppid() != parent) _exit(127);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(stop_pipe[0]);
        close(stop_pipe[1]);
        close(c[1]);
        close(r[0]);
        for (size_t i = 0; i < n; i++) {
            if (all[i].pid <= 0 || &all[i] == w) continue;
            close(all[i].cmd);
            close(all[i].res);
        }
        worker_main(p, c[0], r[1]);
    }
    int fork_errno = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(c[0]);
    close(r[1]);
    if (pid < 0) {
        close(c[1]);
        close(r[0]);
        errno = fork_errno;
        return false;
    }
    setpgid(pid, pid); // also done by the child: whichever runs first
    w->pid = pid;
    w->cmd = c[1];
    w->res = r[0];
    w->busy = false;
    w->len = 0;
    return true;
}

// Ends a worker's process group and reaps it; returns its wait status.
static int reap(worker *w, bool kill_first)
{
    if (kill_first) {
        kill(-w->pid, SIGKILL);
        kill(w->pid, SIGKILL);
    }
    int st = 0;
    while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR) {}
    kill(-w->pid, SIGKILL); // whatever it left behind in its group
    close(w->cmd);
    close(w->res);
    w->pid = 0;
    w->busy = false;
    w->len = 0;
    return st;
}

static void describe_exit(char *buf, size_t n, pid_t pid, int st)
{
    if (WIFSIGNALED(st))
        snprintf(buf, n, "worker %ld killed by signal %d (%s)", (long)pid, WTERMSIG(st), strsignal(WTERMSIG(st)));
    else if (WIFEXITED(st)) snprintf(buf, n, "worker %ld exited with status %d", (long)pid, WEXITSTATUS(st));
    else snprintf(buf, n, "worker %ld ended (wait status %d)", (long)pid, st);
}

// Reads what the worker sent; complete lines go to on_line. Returns false at
// EOF (the worker is gone).
static bool drain(const eval_pool *p, worker *w, size_t *done)
{
    for (;;) {
        if (w->cap - w->len < 4096) {
            size_t cap = w->cap ? w->cap * 2 : 16384;
            char *b = realloc(w->buf, cap);
            if (!b) return false;
            w->buf = b;
            w->cap = cap;
        }
        ssize_t r = read(w->res, w->buf + w->len, w->cap - w->len - 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
        if (r == 0) return false;
        w->len += (size_t)r;
        char *nl;
        while ((nl = memchr(w->buf, '\n', w->len))) {
            *nl = '\0';
            size_t used = (size_t)(nl - w->buf) + 1;
            if (w->busy) {
                w->busy = false;
                (*done)++;
                p->on_line(p->ctx, w->job, w->buf, cli_now() - w->started);
            } else {
                fprintf(stderr, "pilotsim: worker %ld sent a line while idle; ignored\n", (long)w->pid);
            }
            memmove(w->buf, w->buf + used, w->len - used);
            w->len -= used;
        }
    }
}

int eval_pool_run(const eval_pool *p, const size_t *jobs, size_t njobs)
{
    if (njobs == 0) return 0;
    size_t nw = p->workers ? p->workers : 1;
    if (nw > njobs) nw = njobs;
    worker *w = calloc(nw, sizeof *w);
    struct pollfd *pfd = calloc(nw + 1, sizeof *pfd);
    size_t *slot_of = calloc(nw + 1, sizeof *slot_of);
    if (!w || !pfd || !slot_of || pipe(stop_pipe) != 0) {
        fprintf(stderr, "pilotsim: cannot set up the worker pool: %s\n", strerror(errno));
        free(w);
        free(pfd);
        free(slot_of);
        return -1;
    }
    set_flags(stop_pipe[0], true);
    set_flags(stop_pipe[1], true);
    stop_signal = 0;
    struct sigaction sa, old_int, old_term, old_pipe;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal; // no SA_RESTART: poll returns EINTR
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sa.sa_handler = SIG_IGN; // a dead worker's pipe gives EPIPE, not death
    sigaction(SIGPIPE, &sa, &old_pipe);

    size_t next = 0, done = 0;
    int rc = 0;
    char msg[256];
    while (done < njobs) {
        if (stop_signal) {
            rc = 1;
            break;
        }
        for (size_t i = 0; i < nw && next < njobs; i++) {
            if (w[i].busy) continue;
            if (w[i].pid == 0 && !spawn(p, &w[i], w, nw)) {
                fprintf(stderr, "pilotsim: cannot start a worker: %s\n", strerror(errno));
                rc = -1;
                goto out;
            }
            uint64_t job = jobs[next];
            w[i].busy = true;
            w[i].job = jobs[next++];
            w[i].started = cli_now();
            if (!write_all(w[i].cmd, &job, sizeof job)) {
                // The worker died while idle; the job is lost with it.
                pid_t pid = w[i].pid;
                int st = reap(&w[i], true);
                describe_exit(msg, sizeof msg, pid, st);
                done++;
                p->on_lost(p->ctx, (size_t)job, "crashed", msg, 0);
            }
        }
        // Wait for a line, a worker's end, a signal, or the nearest deadline.
        size_t np = 0;
        pfd[np].fd = stop_pipe[0];
        pfd[np++].events = POLLIN;
        double now = cli_now(), wait = 1.0;
        for (size_t i = 0; i < nw; i++) {
            if (w[i].pid == 0) continue;
            slot_of[np] = i;
            pfd[np].fd = w[i].res;
            pfd[np].revents = 0;
            pfd[np++].events = POLLIN;
            if (w[i].busy && p->timeout > 0) {
                double left = w[i].started + p->timeout - now;
                if (left < wait) wait = left;
            }
        }
        if (wait < 0) wait = 0;
        int pr = poll(pfd, (nfds_t)np, (int)(wait * 1000) + 1);
        if (pr < 0 && errno != EINTR) {
            fprintf(stderr, "pilotsim: poll: %s\n", strerror(errno));
            rc = -1;
            break;
        }
        if (pr > 0 && (pfd[0].revents & POLLIN)) {
            char drainbuf[64];
            while (read(stop_pipe[0], drainbuf, sizeof drainbuf) > 0) {}
        }
        for (size_t k = 1; pr > 0 && k < np; k++) {
            if (!pfd[k].revents) continue;
            worker *x = &w[slot_of[k]];
            if (drain(p, x, &done)) continue;
            // The worker is gone: if it was running a job, that episode crashed.
            bool busy = x->busy;
            size_t job = x->job;
            double wall = cli_now() - x->started;
            pid_t pid = x->pid;
            int st = reap(x, false);
            describe_exit(msg, sizeof msg, pid, st);
            if (busy) {
                done++;
                p->on_lost(p->ctx, job, "crashed", msg, wall);
            } else if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
                fprintf(stderr, "pilotsim: %s while idle\n", msg);
            }
        }
        now = cli_now();
        for (size_t i = 0; i < nw; i++) {
            if (!w[i].busy || p->timeout <= 0 || now - w[i].started <= p->timeout) continue;
            size_t job = w[i].job;
            double wall = now - w[i].started;
            reap(&w[i], true);
            snprintf(msg, sizeof msg, "no result within the wall-clock limit of %g s (--timeout); worker killed",
                     p->timeout);
            done++;
            p->on_lost(p->ctx, job, "timeout_wall", msg, wall);
        }
        if (p->on_tick) {
            size_t running = 0;
            for (size_t i = 0; i < nw; i++) running += w[i].busy;
            p->on_tick(p->ctx, running);
        }
    }
out:
    // Idle workers get EOF and exit cleanly; busy ones (interrupt, error) are killed.
    for (size_t i = 0; i < nw; i++) {
        if (w[i].pid == 0) continue;
        if (w[i].busy || rc != 0) {
            reap(&w[i], true);
            continue;
        }
        close(w[i].cmd);
        w[i].cmd = -1;
    }
    for (size_t i = 0; i < nw; i++) {
        if (w[i].pid == 0) continue;
        pid_t pid = w[i].pid;
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
        kill(-pid, SIGKILL);
        close(w[i].res);
        if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            describe_exit(msg, sizeof msg, pid, st);
            fprintf(stderr, "pilotsim: %s at shutdown\n", msg);
        }
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    stop_pipe[0] = stop_pipe[1] = -1;
    for (size_t i = 0; i < nw; i++) free(w[i].buf);
    free(w);
    free(pfd);
    free(slot_of);
    return rc;
}
