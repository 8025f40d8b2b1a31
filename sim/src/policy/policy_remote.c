// exec: and tcp:// policies: a peer process or server speaking the msgpack
// protocol of docs/protocol.md (encoding and validation in protocol.c).
//
// Transport: one stream socket. exec:CMD runs `/bin/sh -c CMD` with both
// stdin and stdout on one end of a socketpair (a bidirectional pipe; stderr is
// inherited), under a small supervisor process that leads the policy's own
// process group (see supervise()); tcp://host:port connects with getaddrinfo. Every send uses MSG_NOSIGNAL (a dead peer is an EPIPE, never a
// SIGPIPE), every wait is a poll bounded by the policy's timeout.
//
// Failures: a peer that reports an error ({"type":"error"}) fails the call and
// keeps the connection. Anything else (I/O error, EOF, timeout, protocol
// violation) fails the call, tells the peer why when it still listens, and
// drops the connection (killing and reaping the exec child); the next
// episode's reset starts a new child or connection.
#define _GNU_SOURCE // socketpair/accept flags, MSG_NOSIGNAL, strsignal, waitid
#include "policy_internal.h"
#include "util.h"
#include "log_internal.h"
#include "protocol.h"
#include "proc_sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef enum { R_EXEC, R_TCP } remote_kind;

typedef struct remote {
    remote_kind kind;
    char *spec;
    char *cmd;            // exec: the shell command
    char *host, *port;    // tcp
    double timeout;       // s
    ps_logger log;
    int fd;               // -1 while down
    pid_t pid;            // exec: the supervisor (the process group's id too), -1 when none
    int life;             // exec: the lifeline to the supervisor, -1 when none
    char peer_name[128];  // from the peer's hello
    ps_proto_buf out;     // the frame being sent
    uint8_t *in;          // received bytes
    size_t in_len, in_cap;
    // The episode's entries side by side (copied at reset; they share its buffers).
    ps_space_entry *obs, *act;
    size_t nobs, nact, obs_cap, act_cap;
    int version;          // protocol spoken on this connection; 0 = not negotiated yet
    int known_version;    // what the peer spoke last time (kept across reconnections); 0 = unknown
    double control_hz;    // from the options (0 = the scene's)
    unsigned replan_every;// actions of a chunk run before asking again (0 = all)
    ps_proto_chunk chunk; // the peer's last chunk (version 2)
    size_t chunk_next;    // its next action to run
} remote;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

// Milliseconds for poll(), rounded up, within int.
static int poll_ms(double left)
{
    return left > 1e6 ? 1000000000 : (int)ceil(left * 1000);
}

/* ------------------------------------------------------ the exec child */

// "exited with status 3" / "was killed by signal 9 (Killed)".
static void describe_status(int status, char *out, size_t n)
{
    if (WIFEXITED(status)) {
        int c = WEXITSTATUS(status);
        if (c > 128 && c < 128 + 65) // how sh reports a command killed by a signal
            snprintf(out, n, "exited with status %d (the shell's report of signal %d, %s)", c, c - 128,
                     strsignal(c - 128));
        else
            snprintf(out, n, "exited with status %d%s", c,
                     c == 127 ? " (command not found?)" : c == 126 ? " (command not executable?)" : "");
    } else if (WIFSIGNALED(status)) {
        snprintf(out, n, "was killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else {
        snprintf(out, n, "ended (status 0x%x)", (unsigned)status);
    }
}

// Waits up to `wait` s for the child to end, without reaping it (so its pid,
// the process group id, cannot be reused). True when it has ended.
static bool child_ended(pid_t pid, double wait)
{
    double until = now_s() + wait, nap = 0.0005;
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        int r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
        if (r == -1 && errno == EINTR) continue;
        if (r == -1) return true; // ECHILD: reaped elsewhere (SIGCHLD ignored)
        if (si.si_pid == pid) return true;
        if (now_s() >= until) return false;
        sleep_s(nap);
        if (nap < 0.01) nap *= 2;
    }
}

// Ends the child's whole process group and reaps the child. `status` gets its
// wait status (-1 when unknown).
static void child_reap(remote *r, int *status)
{
    if (status) *status = -1;
    if (r->pid <= 0) return;
    // A broken lifeline makes the supervisor sweep the descendants that left
    // the group (setsid) and end the group: let it, briefly, before SIGKILL.
    if (r->life >= 0) {
        close(r->life);
        r->life = -1;
        child_ended(r->pid, 0.5);
    }
    // Leftovers of the group (the shell's children) go too; harmless when empty.
    if (kill(-r->pid, SIGKILL) == -1) kill(r->pid, SIGKILL);
    int st = 0;
    pid_t w;
    while ((w = waitpid(r->pid, &st, 0)) == -1 && errno == EINTR) {
    }
    if (w == r->pid && status) *status = st;
    r->pid = -1;
}

// Graceful end: the child had the close message and EOF; give it `grace` s to
// exit, then SIGTERM and as long again, then SIGKILL.
static void child_stop(remote *r, double grace)
{
    if (r->pid <= 0) return;
    if (!child_ended(r->pid, grace)) {
        if (kill(-r->pid, SIGTERM) == -1) kill(r->pid, SIGTERM);
        child_ended(r->pid, grace);
    }
    child_reap(r, NULL);
}

static void on_sigchld(int sig) { (void)sig; }

// The supervisor: the forked child, leader of the policy's process group. It
// runs the command as its own child and
// - relays how the command ended as its own exit (status or signal), so the
//   parent's waitpid tells how the policy ended;
// - kills the whole group as soon as the lifeline pipe from the parent reads
//   EOF: the parent dropped the policy, or died (killed, crashed), so no
//   policy process outlives pilotsim.
// Only async-signal-safe calls here (the parent may have threads).
__attribute__((noreturn)) static void supervise(int sock, int life, char *const argv[], int maxfd)
{
    setpgid(0, 0);
    // Processes that leave the group (setsid) become ours when orphaned, and
    // are swept (proc_sweep.h) before this process ends.
    ps_proc_become_subreaper();
    pid_t self = getpid();
    // Descriptors: the socket on 0 and 1 (for the command), stderr kept, the
    // lifeline on 3, nothing else (another policy's socket or lifeline kept
    // open here would hide its EOF).
    int s2 = fcntl(sock, F_DUPFD, 4), l2 = fcntl(life, F_DUPFD, 4);
    if (s2 < 0 || l2 < 0 || dup2(s2, 0) < 0 || dup2(s2, 1) < 0 || dup2(l2, 3) < 0) _exit(127);
    if (close_range(4, ~0u, 0) != 0)
        for (int fd = 4; fd < maxfd; fd++) close(fd);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_sigchld; // no SA_RESTART: SIGCHLD interrupts ppoll
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    pid_t c = fork();
    if (c == 0) {
        if (!ps_proc_die_with_parent(self)) _exit(127); // a setsid in the command keeps this
        close(3);
        sa.sa_handler = SIG_DFL;
        sa.sa_flags = 0;
        sigaction(SIGCHLD, &sa, NULL);
        sigaction(SIGPIPE, &sa, NULL); // an ignored SIGPIPE would be inherited
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve("/bin/sh", argv, environ);
        _exit(127);
    }
    close(0); // only the command holds the socket: its exit is the parent's EOF
    close(1);
    if (c < 0) _exit(127);
    sigset_t waiting = old;
    sigdelset(&waiting, SIGCHLD);
    for (;;) {
        int st;
        if (waitpid(c, &st, WNOHANG) == c) {
            ps_proc_sweep_descendants(50); // what the command left behind
            if (WIFSIGNALED(st)) { // die the same way (no core file)
                int sig = WTERMSIG(st);
                struct rlimit nocore = {0, 0};
                setrlimit(RLIMIT_CORE, &nocore);
                sa.sa_handler = SIG_DFL;
                sa.sa_flags = 0;
                sigaction(sig, &sa, NULL);
                sigset_t one;
                sigemptyset(&one);
                sigaddset(&one, sig);
                sigprocmask(SIG_UNBLOCK, &one, NULL);
                kill(getpid(), sig);
                _exit(128 + sig);
            }
            _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 127);
        }
        struct pollfd p = {3, POLLIN, 0};
        if (ppoll(&p, 1, NULL, &waiting) == 1) {
            ps_proc_sweep_descendants(50); // the descendants, in the group or not
            kill(0, SIGKILL);              // the lifeline broke: the whole group, this process too
            _exit(137);
        }
    }
}

static int spawn(remote *r, char *err, size_t errlen)
{
    int sv[2], life[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
        ps_set_error(err, errlen, "socketpair: %s", strerror(errno));
        return -1;
    }
    if (pipe2(life, O_CLOEXEC) == -1) {
        ps_set_error(err, errlen, "pipe: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    struct rlimit rl;
    int maxfd = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536)
        maxfd = (int)rl.rlim_cur;
    char *argv[] = {"sh", "-c", r->cmd, NULL};
    pid_t pid = fork();
    if (pid == 0) supervise(sv[1], life[0], argv, maxfd);
    close(sv[1]);
    close(life[0]);
    if (pid == -1) {
        ps_set_error(err, errlen, "fork: %s", strerror(errno));
        close(sv[0]);
        close(life[1]);
        return -1;
    }
    setpgid(pid, pid); // also here: no window where the group does not exist yet
    int fl = fcntl(sv[0], F_GETFL);
    fcntl(sv[0], F_SETFL, fl | O_NONBLOCK);
    r->fd = sv[0];
    r->life = life[1];
    r->pid = pid;
    return 0;
}

/* ---------------------------------------------------------------- tcp */

static int parse_tcp(remote *r, const char *spec, char *err, size_t errlen)
{
    const char *hp = spec + 6;
    const char *host, *colon;
    size_t hl;
    if (*hp == '[') { // [v6]:port
        const char *close = strchr(hp, ']');
        if (!close || close[1] != ':') goto bad;
        host = hp + 1;
        hl = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(hp, ':');
        if (!colon) goto bad;
        host = hp;
        hl = (size_t)(colon - hp);
    }
    const char *port = colon + 1;
    char *end = NULL;
    errno = 0;
    long pn = strtol(port, &end, 10);
    if (hl == 0 || !*port || *end || errno || pn < 1 || pn > 65535 || memchr(host, '/', hl)) goto bad;
    r->host = malloc(hl + 1);
    r->port = ps_strdup(port);
    if (!r->host || !r->port) {
        ps_set_error(err, errlen, "policy '%s': out of memory", spec);
        return -1;
    }
    memcpy(r->host, host, hl);
    r->host[hl] = '\0';
    return 0;
bad:
    ps_set_error(err, errlen, "policy '%s': expected tcp://HOST:PORT (PORT 1-65535, an IPv6 host in brackets)", spec);
    return -1;
}

static int connect_tcp(remote *r, char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int g = getaddrinfo(r->host, r->port, &hints, &res);
    if (g != 0) {
        ps_set_error(err, errlen, "cannot resolve '%s': %s", r->host, gai_strerror(g));
        return -1;
    }
    double deadline = now_s() + r->timeout;
    char why[256] = "no address";
    int fd = -1;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            snprintf(why, sizeof why, "socket: %s", strerror(errno));
            continue;
        }
        int rc = connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc == -1 && errno == EINPROGRESS) {
            for (;;) {
                double left = deadline - now_s();
                if (left <= 0) {
                    snprintf(why, sizeof why, "timed out after %g s", r->timeout);
                    break;
                }
                struct pollfd p = {fd, POLLOUT, 0};
                int pr = poll(&p, 1, poll_ms(left));
                if (pr == -1 && errno == EINTR) continue;
                if (pr == 1) {
                    int soerr = 0;
                    socklen_t sl = sizeof soerr;
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
                    rc = soerr ? -1 : 0;
                    errno = soerr;
                    if (rc) snprintf(why, sizeof why, "%s", strerror(soerr));
                    break;
                }
            }
        } else if (rc == -1) {
            snprintf(why, sizeof why, "%s", strerror(errno));
        }
        if (rc != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        ps_set_error(err, errlen, "cannot connect to %s:%s: %s", r->host, r->port, why);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    r->fd = fd;
    return 0;
}

/* -------------------------------------------------------- connection */

static int start(remote *r, char *err, size_t errlen)
{
    r->in_len = 0;
    return r->kind == R_EXEC ? spawn(r, err, errlen) : connect_tcp(r, err, errlen);
}

// Drops the connection after a failure (or at close): the exec child is
// killed and reaped at once unless `graceful`.
static void drop(remote *r, bool graceful)
{
    if (r->fd >= 0) {
        if (graceful) shutdown(r->fd, SHUT_WR);
        close(r->fd);
        r->fd = -1;
    }
    r->in_len = 0;
    r->version = 0;
    r->chunk.horizon = r->chunk_next = 0;
    if (graceful) child_stop(r, r->timeout < 1 ? r->timeout : 1);
    else child_reap(r, NULL);
    if (r->life >= 0) close(r->life);
    r->life = -1;
}

// The peer went away (EOF, reset, EPIPE) `when`: say how, then drop.
static int peer_gone(remote *r, const char *how, const char *when, char *err, size_t errlen)
{
    if (r->kind == R_EXEC && r->pid > 0) {
        bool ended = child_ended(r->pid, 1.0);
        int st;
        child_reap(r, &st);
        char desc[160];
        if (ended && st != -1) describe_status(st, desc, sizeof desc);
        else if (ended) snprintf(desc, sizeof desc, "ended (status unknown)");
        else snprintf(desc, sizeof desc, "%s but kept running (killed)", how);
        ps_set_error(err, errlen, "the policy process %s %s", desc, when);
    } else {
        ps_set_error(err, errlen, "the policy server %s %s", how, when);
    }
    drop(r, false);
    return -1;
}

// Polls for `ev` until `deadline`; a timeout drops the connection.
static int wait_io(remote *r, short ev, double deadline, const char *when, char *err, size_t errlen)
{
    for (;;) {
        double left = deadline - now_s();
        if (left <= 0) {
            ps_set_error(err, errlen, "timed out after %g s %s", r->timeout, when);
            drop(r, false);
            return -1;
        }
        struct pollfd p = {r->fd, ev, 0};
        int pr = poll(&p, 1, poll_ms(left));
        if (pr == -1 && errno != EINTR) {
            ps_set_error(err, errlen, "poll: %s %s", strerror(errno), when);
            drop(r, false);
            return -1;
        }
        if (pr == 1) return 0; // ready, or an error/hangup the next call reports
    }
}

static int send_frame(remote *r, const char *what, char *err, size_t errlen)
{
    char when[96];
    snprintf(when, sizeof when, "while sending '%s'", what);
    double deadline = now_s() + r->timeout;
    size_t off = 0;
    while (off < r->out.size) {
        ssize_t n = send(r->fd, r->out.data + off, r->out.size - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += (size_t)n;
        } else if (n == -1 && errno == EINTR) {
            continue;
        } else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_io(r, POLLOUT, deadline, when, err, errlen)) return -1;
        } else if (n == -1 && (errno == EPIPE || errno == ECONNRESET)) {
            return peer_gone(r, errno == EPIPE ? "closed the connection" : "reset the connection", when, err,
                             errlen);
        } else {
            ps_set_error(err, errlen, "send: %s %s", strerror(errno), when);
            drop(r, false);
            return -1;
        }
    }
    return 0;
}

// Reads until `need` bytes are buffered.
static int fill(remote *r, size_t need, double deadline, const char *what, char *err, size_t errlen)
{
    if (need > r->in_cap) {
        size_t cap = r->in_cap ? r->in_cap : 4096;
        while (cap < need) cap *= 2;
        uint8_t *d = realloc(r->in, cap);
        if (!d) {
            ps_set_error(err, errlen, "out of memory for a %zu-byte frame", need);
            drop(r, false);
            return -1;
        }
        r->in = d;
        r->in_cap = cap;
    }
    char when[160];
    while (r->in_len < need) {
        // A reply is rarely there the moment the request left: poll first.
        snprintf(when, sizeof when, "waiting for the reply to '%s'", what);
        if (wait_io(r, POLLIN, deadline, when, err, errlen)) return -1;
        ssize_t n = recv(r->fd, r->in + r->in_len, r->in_cap - r->in_len, 0);
        if (n > 0) {
            r->in_len += (size_t)n;
            continue;
        }
        if (n == -1 && errno == EINTR) continue;
        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (r->in_len == 0) snprintf(when, sizeof when, "before replying to '%s'", what);
        else
            snprintf(when, sizeof when, "in the middle of the reply to '%s' (%zu of %zu bytes received)", what,
                     r->in_len, need);
        if (n == 0) return peer_gone(r, "closed the connection", when, err, errlen);
        if (errno == ECONNRESET) return peer_gone(r, "reset the connection", when, err, errlen);
        ps_set_error(err, errlen, "recv: %s %s", strerror(errno), when);
        drop(r, false);
        return -1;
    }
    return 0;
}

// Sends r->out (a `what` request) and receives one reply frame: its body is
// r->in + 4, *len bytes.
static int exchange(remote *r, const char *what, size_t *len, char *err, size_t errlen)
{
    if (send_frame(r, what, err, errlen)) return -1;
    r->in_len = 0;
    double deadline = now_s() + r->timeout;
    if (fill(r, 4, deadline, what, err, errlen)) return -1;
    char ferr[PS_ERR_LEN];
    if (ps_proto_frame_length(r->in, len, ferr, sizeof ferr)) {
        ps_set_error(err, errlen, "bad reply to '%s': %s", what, ferr);
        drop(r, false);
        return -1;
    }
    if (fill(r, 4 + *len, deadline, what, err, errlen)) return -1;
    if (r->in_len > 4 + *len) {
        ps_set_error(err, errlen, "bad reply to '%s': %zu unexpected bytes after the reply frame", what,
                     r->in_len - 4 - *len);
        drop(r, false);
        return -1;
    }
    return 0;
}

// A decoder's result: a violation is reported to the peer (best effort: no
// waiting) and drops the connection; a peer's own error keeps it.
static int decoded(remote *r, int rc, const char *what, const char *derr, char *err, size_t errlen)
{
    if (rc == PS_PROTO_OK) return 0;
    if (rc == PS_PROTO_PEER_ERROR) {
        ps_set_error(err, errlen, "%s", derr);
        return -1;
    }
    char msg[2048], e2[64];
    snprintf(msg, sizeof msg, "bad reply to '%s': %s", what, derr);
    ps_set_error(err, errlen, "%s", msg);
    if (ps_proto_encode_error(&r->out, msg, e2, sizeof e2) == 0)
        (void)!send(r->fd, r->out.data, r->out.size, MSG_NOSIGNAL | MSG_DONTWAIT);
    drop(r, false);
    return -1;
}

/* ------------------------------------------------------------- vtable */

// The hello exchange in `version`; 0 with r->version set, or -1.
static int hello(remote *r, ps_episode *e, int version, char *err, size_t errlen)
{
    char derr[PS_ERR_LEN];
    size_t len;
    double hz = 1.0 / ((double)ps_policy_period(r->control_hz, e) * ps_scene_timestep(ps_episode_scene(e)));
    if (ps_proto_encode_hello_v(&r->out, version, r->obs, r->nobs, r->act, r->nact,
                                ps_scene_name(ps_episode_scene(e)), hz, err, errlen))
        return -1;
    if (exchange(r, "hello", &len, err, errlen)) return -1;
    int got = 1;
    int rc = version >= 2 ? ps_proto_decode_hello_v(r->in + 4, len, &got, r->peer_name, sizeof r->peer_name, derr,
                                                    sizeof derr)
                          : ps_proto_decode_hello(r->in + 4, len, r->peer_name, sizeof r->peer_name, derr, sizeof derr);
    if (version >= 2 && r->known_version == 0 && rc == PS_PROTO_PEER_ERROR) {
        // A version-1 peer answers a version-2 hello with an error (and may
        // close): start afresh and speak version 1.
        ps_logf(&r->log, PS_LOG_DEBUG, "policy '%s': the peer declined protocol 2 (%s); reconnecting with protocol 1",
                r->spec, derr);
        drop(r, true);
        char serr[PS_ERR_LEN];
        if (start(r, serr, sizeof serr)) {
            ps_set_error(err, errlen, "cannot reconnect for protocol 1: %s", serr);
            return -1;
        }
        r->known_version = 1;
        return hello(r, e, 1, err, errlen);
    }
    if (decoded(r, rc, "hello", derr, err, errlen)) return -1;
    if (got < version) { // a version-1 peer that read the version-2 hello: say it again in its version
        r->known_version = got;
        return hello(r, e, got, err, errlen);
    }
    r->version = r->known_version = got;
    ps_logf(&r->log, PS_LOG_DEBUG, "policy '%s': peer '%s' speaks protocol %d", r->spec,
            r->peer_name[0] ? r->peer_name : "(unnamed)", got);
    return 0;
}

static int reset_impl(remote *r, ps_episode *e, uint64_t seed, char *err, size_t errlen)
{
    if (r->fd < 0) { // dropped after an earlier failure: start afresh
        char serr[PS_ERR_LEN];
        if (start(r, serr, sizeof serr)) {
            ps_set_error(err, errlen, "cannot restart: %s", serr);
            return -1;
        }
        ps_logf(&r->log, PS_LOG_INFO, "policy '%s': restarted after an earlier failure", r->spec);
    }
    r->nobs = ps_policy_space_copy(e, false, &r->obs, &r->obs_cap);
    r->nact = ps_policy_space_copy(e, true, &r->act, &r->act_cap);
    if (r->nobs == (size_t)-1 || r->nact == (size_t)-1) {
        r->nobs = r->nact = 0;
        ps_set_error(err, errlen, "out of memory");
        return -1;
    }
    r->chunk.horizon = r->chunk_next = 0;
    char derr[PS_ERR_LEN];
    size_t len;
    if (hello(r, e, r->version ? r->version : r->known_version ? r->known_version : PS_PROTO_VERSION, err, errlen))
        return -1;
    if (ps_proto_encode_reset_v(&r->out, r->version, seed, ps_episode_instruction(e), err, errlen)) return -1;
    if (exchange(r, "reset", &len, err, errlen)) return -1;
    int rc = ps_proto_decode_ok(r->in + 4, len, derr, sizeof derr);
    return decoded(r, rc, "reset", derr, err, errlen);
}

// Writes action `t` of the chunk into the episode's action buffers.
static void run_chunk_action(remote *r, size_t t)
{
    const float *v = r->chunk.v + t * r->chunk.stride;
    for (size_t j = 0; j < r->nact; j++) {
        memcpy(r->act[j].data, v, r->act[j].count * sizeof *v);
        v += r->act[j].count;
    }
}

static int act_impl(remote *r, ps_episode *e, char *err, size_t errlen)
{
    if (r->fd < 0) {
        ps_set_error(err, errlen, "the connection was dropped after an earlier failure");
        return -1;
    }
    // The rest of a chunk first, up to replan_every of its actions.
    if (r->chunk_next < r->chunk.horizon && (r->replan_every == 0 || r->chunk_next < r->replan_every)) {
        run_chunk_action(r, r->chunk_next++);
        return 0;
    }
    char derr[PS_ERR_LEN];
    size_t len;
    ps_world *w = ps_episode_world(e);
    if (ps_proto_encode_observation_v(&r->out, r->version, ps_episode_steps(e), w ? ps_world_time(w) : 0, r->obs,
                                      r->nobs, err, errlen))
        return -1;
    if (exchange(r, "observation", &len, err, errlen)) return -1;
    if (r->version < 2) {
        int rc = ps_proto_decode_action(r->in + 4, len, r->act, r->nact, derr, sizeof derr);
        return decoded(r, rc, "observation", derr, err, errlen);
    }
    int rc = ps_proto_decode_action_chunk(r->in + 4, len, r->act, r->nact, &r->chunk, derr, sizeof derr);
    if (decoded(r, rc, "observation", derr, err, errlen)) {
        r->chunk.horizon = r->chunk_next = 0;
        return -1;
    }
    run_chunk_action(r, 0);
    r->chunk_next = 1;
    return 0;
}

static int end_impl(remote *r, ps_episode *e, char *err, size_t errlen)
{
    if (r->fd < 0 || r->version < 2) return 0; // nothing to tell a dropped or version-1 peer
    const char *const *names = NULL;
    const double *values = NULL;
    char merr[PS_ERR_LEN];
    int n = ps_episode_metrics(e, &names, &values, merr, sizeof merr);
    if (n < 0) n = 0;
    if (ps_proto_encode_episode_end(&r->out, ps_episode_status_name(ps_episode_get_status(e)), ps_episode_return(e),
                                    ps_episode_steps(e), names, values, (size_t)n, ps_episode_message(e), err,
                                    errlen))
        return -1;
    size_t len;
    char derr[PS_ERR_LEN];
    if (exchange(r, "episode_end", &len, err, errlen)) return -1;
    int rc = ps_proto_decode_ok(r->in + 4, len, derr, sizeof derr);
    return decoded(r, rc, "episode_end", derr, err, errlen);
}

// A failure that dropped the connection is the transport's.
static int outcome(remote *r, int rc) { return rc == 0 ? 0 : r->fd < 0 ? PS_POLICY_TRANSPORT_FAILURE : -1; }

static int remote_reset(void *self, ps_episode *e, uint64_t seed, char *err, size_t errlen)
{
    return outcome(self, reset_impl(self, e, seed, err, errlen));
}

static int remote_act(void *self, ps_episode *e, char *err, size_t errlen)
{
    return outcome(self, act_impl(self, e, err, errlen));
}

static int remote_end(void *self, ps_episode *e, char *err, size_t errlen)
{
    return outcome(self, end_impl(self, e, err, errlen));
}

static void remote_close(void *self)
{
    remote *r = self;
    if (r->fd >= 0) {
        char e2[64];
        if (ps_proto_encode_close(&r->out, e2, sizeof e2) == 0) {
            // Best effort within a short deadline; no reply is expected.
            double deadline = now_s() + (r->timeout < 1 ? r->timeout : 1);
            size_t off = 0;
            while (off < r->out.size) {
                ssize_t n = send(r->fd, r->out.data + off, r->out.size - off, MSG_NOSIGNAL);
                if (n > 0) off += (size_t)n;
                else if (n == -1 && errno == EINTR) continue;
                else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK) && now_s() < deadline) {
                    struct pollfd p = {r->fd, POLLOUT, 0};
                    poll(&p, 1, 10);
                } else break;
            }
        }
    }
    drop(r, true);
    ps_proto_buf_free(&r->out);
    free(r->in);
    free(r->obs);
    free(r->act);
    free(r->chunk.v);
    free(r->spec);
    free(r->cmd);
    free(r->host);
    free(r->port);
    free(r);
}

static const ps_policy_vtable exec_vt = {"exec", remote_reset, remote_act, remote_close, remote_end};
static const ps_policy_vtable tcp_vt = {"tcp", remote_reset, remote_act, remote_close, remote_end};

ps_policy *ps_policy_open_remote(const char *spec, const ps_policy_options *opt, char *err, size_t errlen)
{
    remote *r = calloc(1, sizeof *r);
    if (!r) {
        ps_set_error(err, errlen, "policy '%s': out of memory", spec);
        return NULL;
    }
    r->fd = -1;
    r->pid = -1;
    r->life = -1;
    r->timeout = opt->timeout > 0 && isfinite(opt->timeout) ? opt->timeout : 10;
    r->log = opt->log;
    r->control_hz = opt->control_hz;
    r->replan_every = opt->replan_every;
    r->spec = ps_strdup(spec);
    bool exec = !strncmp(spec, "exec:", 5);
    r->kind = exec ? R_EXEC : R_TCP;
    char serr[PS_ERR_LEN];
    int rc = -1;
    if (!r->spec) {
        ps_set_error(err, errlen, "policy '%s': out of memory", spec);
    } else if (exec) {
        const char *cmd = spec + 5;
        while (*cmd == ' ' || *cmd == '\t') cmd++;
        r->cmd = ps_strdup(cmd);
        if (!*cmd) ps_set_error(err, errlen, "policy '%s': give a command after exec:", spec);
        else if (!r->cmd) ps_set_error(err, errlen, "policy '%s': out of memory", spec);
        else if (start(r, serr, sizeof serr)) ps_set_error(err, errlen, "policy '%s': %s", spec, serr);
        else rc = 0;
    } else if (parse_tcp(r, spec, err, errlen) == 0) {
        if (start(r, serr, sizeof serr)) ps_set_error(err, errlen, "policy '%s': %s", spec, serr);
        else rc = 0;
    }
    if (rc) {
        drop(r, false);
        ps_proto_buf_free(&r->out);
        free(r->spec);
        free(r->cmd);
        free(r->host);
        free(r->port);
        free(r);
        return NULL;
    }
    return ps_policy_wrap(exec ? &exec_vt : &tcp_vt, r, spec);
}
