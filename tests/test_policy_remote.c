// Remote policies (exec:, tcp://) over the msgpack protocol of
// docs/protocol.md: the example Python server in both modes, the decoders on
// crafted frames, and misbehaving peers (tests/policies/bad_peer.py): each
// ends the episode as policy_error (the transport failed: PS_ERR_TRANSPORT)
// with a precise message, leaves no child process and no descriptor behind,
// and the process goes on; a peer's own error reply is script_error.
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "pilotsim/pilotsim.h"
#include "pilotsim/policy.h"
#include "protocol.h"

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif
#ifndef PS_TEST_POLICY_LIB
#define PS_TEST_POLICY_LIB "libpd_policy.so"
#endif

#define PY "/usr/bin/python3"
#define SERVER PILOTSIM_SOURCE_DIR "/tools/python/policy_server.py"
#define BAD PILOTSIM_SOURCE_DIR "/tests/policies/bad_peer.py"

static char err[PS_ERR_LEN];

// A 1 kg cart at x = 1 with a force action; success when it is brought to rest at 0.
static const char *CART =
    "local cart\n"
    "return { name = 'cart', timestep = 0.01, time_limit = 5,\n"
    "  observation = { x = {shape = {2}, fn = function(ctx, out) local x = cart:pos() local v = cart:linvel() out[1] = x out[2] = v end} },\n"
    "  action = { force = {shape = {1}, low = -20, high = 20} },\n"
    "  build = function(world, ctx) cart = world:body{pos = {1, 0, 0}, mass = 1, gravity = false} end,\n"
    "  act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end,\n"
    "  success = function(ctx) local x = cart:pos() local v = cart:linvel() return math.abs(x) < 0.01 and math.abs(v) < 0.01 end,\n"
    "}\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) exit(2);
    fputs(text, f);
    fclose(f);
}

// Log messages containing "restarted" (the policy restarted its peer).
static int restarts;
static void count_restarts(void *user, ps_log_level level, const char *msg)
{
    (void)user;
    (void)level;
    if (strstr(msg, "restarted")) restarts++;
}

typedef struct run_result {
    int opened;
    ps_episode_status st[4];
    uint64_t steps[4];
    char msg[4][4096];
} run_result;

// Opens `spec` (timeout in s, 0 = default) and runs `episodes` cart episodes with it.
static void run_spec(const char *spec, double timeout, int episodes, run_result *res)
{
    memset(res, 0, sizeof *res);
    ps_scene *s = ps_scene_load("cart_remote.lua", NULL, err, sizeof err);
    if (!s) {
        snprintf(res->msg[0], sizeof res->msg[0], "scene: %.4000s", err);
        return;
    }
    ps_policy_options po = ps_default_policy_options();
    po.timeout = timeout;
    po.log = (ps_logger){count_restarts, NULL};
    ps_policy *p = ps_policy_open(spec, &po, err, sizeof err);
    if (!p) {
        snprintf(res->msg[0], sizeof res->msg[0], "open: %.4000s", err);
        ps_scene_destroy(s);
        return;
    }
    res->opened = 1;
    for (int ep = 0; ep < episodes && ep < 4; ep++) {
        ps_episode *e = ps_episode_begin(s, (uint64_t)ep);
        res->st[ep] = ps_episode_run_policy(e, p, (uint64_t)ep, 0);
        snprintf(res->msg[ep], sizeof res->msg[ep], "%s", ps_episode_message(e));
        res->steps[ep] = ps_episode_steps(e);
        ps_episode_end(e);
    }
    ps_policy_close(p);
    ps_scene_destroy(s);
}

static bool no_children(void)
{
    errno = 0;
    return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static int fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

/* ------------------------------------------------------- decoders */

// A tiny msgpack writer for crafted frames.
typedef struct mp {
    uint8_t b[512];
    size_t n;
} mp;

static void mp_byte(mp *m, uint8_t c) { m->b[m->n++] = c; }
static void mp_str(mp *m, const char *s)
{
    size_t l = strlen(s);
    mp_byte(m, (uint8_t)(0xa0 | l));
    memcpy(m->b + m->n, s, l);
    m->n += l;
}
static void mp_map(mp *m, int n) { mp_byte(m, (uint8_t)(0x80 | n)); }
static void mp_arr(mp *m, int n) { mp_byte(m, (uint8_t)(0x90 | n)); }
static void mp_f32(mp *m, float v)
{
    mp_byte(m, 0xc4);
    mp_byte(m, 4);
    memcpy(m->b + m->n, &v, 4); // the test host is little-endian (x86-64, aarch64)
    m->n += 4;
}
static void mp_array_entry(mp *m, const char *name, const char *dtype, int dim, float v)
{
    mp_str(m, name);
    mp_map(m, 3);
    mp_str(m, "dtype");
    mp_str(m, dtype);
    mp_str(m, "shape");
    mp_arr(m, 1);
    mp_byte(m, (uint8_t)dim);
    mp_str(m, "data");
    mp_f32(m, v);
}

static int decode_action(const mp *m, ps_space_entry *act, size_t nact)
{
    return ps_proto_decode_action(m->b, m->n, act, nact, err, sizeof err);
}

static void test_decoders(void)
{
    float fa = 7, fb = 7;
    ps_space_entry act[2] = {{"a", 1, {1, 0, 0, 0}, 1, &fa, NULL, NULL, PS_DTYPE_FLOAT32, &fa, 4},
                             {"b", 1, {1, 0, 0, 0}, 1, &fb, NULL, NULL, PS_DTYPE_FLOAT32, &fb, 4}};
    mp m = {.n = 0};
    mp_map(&m, 2);
    mp_str(&m, "type");
    mp_str(&m, "action");
    mp_str(&m, "arrays");
    mp_map(&m, 2);
    mp_array_entry(&m, "b", "float32", 1, 2.5f); // any order
    mp_array_entry(&m, "a", "float32", 1, -1.5f);
    CHECK_EQ(decode_action(&m, act, 2), PS_PROTO_OK);
    CHECK(fa == -1.5f && fb == 2.5f);

    // Nothing is written unless the whole message is valid.
    fa = fb = 7;
    m.n = 0;
    mp_map(&m, 2);
    mp_str(&m, "type");
    mp_str(&m, "action");
    mp_str(&m, "arrays");
    mp_map(&m, 2);
    mp_array_entry(&m, "a", "float32", 1, -1.5f);
    mp_array_entry(&m, "b", "float32", 3, 2.5f);
    CHECK_EQ(decode_action(&m, act, 2), PS_PROTO_INVALID);
    CHECK_HAS(err, "action 'b' has shape [3], expected [1]");
    CHECK(fa == 7 && fb == 7);

    // Trailing bytes, a bad byte, truncation, a huge announced count, nesting.
    m.n = 0;
    mp_map(&m, 1);
    mp_str(&m, "type");
    mp_str(&m, "ok");
    CHECK_EQ(ps_proto_decode_ok(m.b, m.n, err, sizeof err), PS_PROTO_OK);
    mp_byte(&m, 0xc0);
    CHECK_EQ(ps_proto_decode_ok(m.b, m.n, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "1 trailing bytes");
    CHECK_EQ(ps_proto_decode_ok(m.b, m.n - 3, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "truncated");
    const uint8_t bad[] = {0x81, 0xc1, 0xc0};
    CHECK_EQ(ps_proto_decode_ok(bad, sizeof bad, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "invalid byte 0xc1");
    const uint8_t big[] = {0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0};
    CHECK_EQ(ps_proto_decode_ok(big, sizeof big, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "announces 8589934590 items");
    uint8_t deep[64];
    memset(deep, 0x91, sizeof deep);
    deep[63] = 0xc0;
    CHECK_EQ(ps_proto_decode_ok(deep, sizeof deep, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "nested deeper than 16");

    // Message shapes: not a map, no type, an integer key, a duplicate key, an unknown key.
    const uint8_t nil[] = {0xc0};
    CHECK_EQ(ps_proto_decode_ok(nil, 1, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "the message is nil, expected a map");
    const uint8_t empty[] = {0x80};
    CHECK_EQ(ps_proto_decode_ok(empty, 1, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "has no 'type'");
    m.n = 0;
    mp_map(&m, 2);
    mp_str(&m, "type");
    mp_str(&m, "ok");
    mp_byte(&m, 0x01);
    mp_byte(&m, 0x02);
    CHECK_EQ(ps_proto_decode_ok(m.b, m.n, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "a key that is an integer");
    m.n = 0;
    mp_map(&m, 2);
    mp_str(&m, "type");
    mp_str(&m, "ok");
    mp_str(&m, "type");
    mp_str(&m, "ok");
    CHECK_EQ(ps_proto_decode_ok(m.b, m.n, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "the key 'type' twice");
    m.n = 0;
    mp_map(&m, 2);
    mp_str(&m, "type");
    mp_str(&m, "ok");
    mp_str(&m, "extra\n");
    mp_byte(&m, 0xc0);
    CHECK_EQ(ps_proto_decode_ok(m.b, m.n, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "unexpected key 'extra?'");

    // Hello: version, name; an error message from the peer.
    char name[16];
    m.n = 0;
    mp_map(&m, 3);
    mp_str(&m, "type");
    mp_str(&m, "hello");
    mp_str(&m, "version");
    mp_byte(&m, 1);
    mp_str(&m, "name");
    mp_str(&m, "a long policy name");
    CHECK_EQ(ps_proto_decode_hello(m.b, m.n, name, sizeof name, err, sizeof err), PS_PROTO_OK);
    CHECK_HAS(name, "a long polic...");
    m.b[m.n - 25] = 2; // the version
    CHECK_EQ(ps_proto_decode_hello(m.b, m.n, name, sizeof name, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "protocol version 2, pilotsim speaks version 1");
    m.n = 0;
    mp_map(&m, 2);
    mp_str(&m, "type");
    mp_str(&m, "error");
    mp_str(&m, "message");
    mp_str(&m, "no GPU");
    CHECK_EQ(ps_proto_decode_hello(m.b, m.n, name, sizeof name, err, sizeof err), PS_PROTO_PEER_ERROR);
    CHECK_HAS(err, "the policy reported an error: no GPU");
    CHECK_EQ(decode_action(&m, act, 2), PS_PROTO_PEER_ERROR);

    // Frame headers.
    size_t len;
    const uint8_t h0[4] = {0, 0, 0, 0}, hbig[4] = {'h', 'e', 'l', 'l'}, hok[4] = {0, 0, 1, 0};
    CHECK_EQ(ps_proto_frame_length(h0, &len, err, sizeof err), -1);
    CHECK_EQ(ps_proto_frame_length(hbig, &len, err, sizeof err), -1);
    CHECK_HAS(err, "over the 64 MiB limit");
    CHECK_EQ(ps_proto_frame_length(hok, &len, err, sizeof err), 0);
    CHECK_EQ(len, 256);

    // Encoders: a frame's header is its body length.
    ps_proto_buf b = {0};
    CHECK_EQ(ps_proto_encode_observation(&b, 12, act, 2, err, sizeof err), 0);
    CHECK(b.size > 4);
    CHECK_EQ(((size_t)b.data[0] << 24 | (size_t)b.data[1] << 16 | (size_t)b.data[2] << 8 | b.data[3]), b.size - 4);
    CHECK_EQ(ps_proto_encode_hello(&b, act, 2, act, 1, err, sizeof err), 0);
    ps_proto_buf_free(&b);
}

/* ------------------------------------------------------ exec: and tcp:// */

static uint64_t lib_steps;

static void test_exec_server(void)
{
    write_file("cart_remote.lua", CART);
    int fds = fd_count();
    run_result r;
    run_spec("lib:" PS_TEST_POLICY_LIB, 0, 2, &r);
    CHECK_EQ(r.st[1], PS_EP_SUCCESS);
    lib_steps = r.steps[1];
    run_spec("exec:" PY " '" SERVER "' --stdio", 0, 3, &r);
    CHECK(r.opened);
    for (int i = 0; i < 3; i++) CHECK_EQ(r.st[i], PS_EP_SUCCESS);
    CHECK(r.steps[0] > 50 && r.steps[0] < 400);
    // The same float32 arithmetic as the C library policy: the same episode.
    CHECK_EQ(r.steps[1], lib_steps);
    if (r.st[0] != PS_EP_SUCCESS) NOTE("%s", r.msg[0]);
    CHECK(no_children());
    CHECK_EQ(fd_count(), fds);
}

// Starts the server on a free port; its pid in *pid, its port returned (0 on failure).
static int start_tcp_server(pid_t *pid)
{
    int pfd[2];
    if (pipe(pfd)) return 0;
    pid_t c = fork();
    if (c == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execl(PY, PY, SERVER, "--tcp", "0", (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    *pid = c;
    char line[64] = "";
    size_t n = 0;
    struct pollfd p = {pfd[0], POLLIN, 0};
    while (n < sizeof line - 1 && !strchr(line, '\n') && poll(&p, 1, 20000) == 1) {
        ssize_t k = read(pfd[0], line + n, sizeof line - 1 - n);
        if (k <= 0) break;
        n += (size_t)k;
        line[n] = '\0';
    }
    close(pfd[0]);
    int port = 0;
    if (sscanf(line, "listening on %d", &port) != 1) port = 0;
    return port;
}

static void stop_tcp_server(pid_t pid)
{
    kill(pid, SIGTERM);
    int st;
    while (waitpid(pid, &st, 0) == -1 && errno == EINTR) {
    }
}

static void test_tcp_server(void)
{
    write_file("cart_remote.lua", CART);
    int fds = fd_count();
    pid_t server;
    int port = start_tcp_server(&server);
    CHECK(port > 0);
    if (port <= 0) return;
    char spec[128];
    snprintf(spec, sizeof spec, "tcp://127.0.0.1:%d", port);
    run_result r;
    run_spec(spec, 0, 3, &r);
    CHECK(r.opened);
    for (int i = 0; i < 3; i++) CHECK_EQ(r.st[i], PS_EP_SUCCESS);
    CHECK_EQ(r.steps[1], lib_steps);
    if (r.st[0] != PS_EP_SUCCESS) NOTE("%s", r.msg[0]);
    snprintf(spec, sizeof spec, "tcp://localhost:%d", port); // getaddrinfo
    run_spec(spec, 0, 1, &r);
    CHECK_EQ(r.st[0], PS_EP_SUCCESS);

    // The server dies between episodes: the next reset fails clearly, the one
    // after it cannot reconnect.
    ps_scene *s = ps_scene_load("cart_remote.lua", NULL, err, sizeof err);
    ps_policy *p = ps_policy_open(spec, NULL, err, sizeof err);
    CHECK(s && p);
    if (s && p) {
        ps_episode *e = ps_episode_begin(s, 1);
        CHECK_EQ(ps_episode_run_policy(e, p, 1, 0), PS_EP_SUCCESS);
        ps_episode_end(e);
        kill(server, SIGKILL);
        waitpid(server, NULL, 0);
        server = -1;
        e = ps_episode_begin(s, 2);
        CHECK_EQ(ps_episode_run_policy(e, p, 2, 0), PS_EP_POLICY_ERROR);
        CHECK_HAS(ps_episode_message(e), "reset: the policy server ");
        CHECK_HAS(ps_episode_message(e), "'hello'");
        ps_episode_end(e);
        e = ps_episode_begin(s, 3);
        CHECK_EQ(ps_episode_run_policy(e, p, 3, 0), PS_EP_POLICY_ERROR);
        CHECK_HAS(ps_episode_message(e), "cannot restart: cannot connect to localhost:");
        ps_episode_end(e);
    }
    ps_policy_close(p);
    ps_scene_destroy(s);
    if (server > 0) stop_tcp_server(server);

    // Nobody listening; bad specs.
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    bind(sock, (struct sockaddr *)&a, sizeof a);
    getsockname(sock, (struct sockaddr *)&a, &al);
    close(sock); // a port nobody listens on
    snprintf(spec, sizeof spec, "tcp://127.0.0.1:%d", ntohs(a.sin_port));
    run_spec(spec, 0, 1, &r);
    CHECK(!r.opened);
    CHECK_HAS(r.msg[0], "cannot connect to 127.0.0.1:");
    CHECK_HAS(r.msg[0], "Connection refused");
    run_spec("tcp://localhost", 0, 1, &r);
    CHECK_HAS(r.msg[0], "expected tcp://HOST:PORT");
    run_spec("tcp://localhost:99999", 0, 1, &r);
    CHECK_HAS(r.msg[0], "expected tcp://HOST:PORT");
    run_spec("tcp://no-such-host.invalid:5000", 0, 1, &r);
    CHECK_HAS(r.msg[0], "cannot resolve 'no-such-host.invalid'");
    run_spec("exec:", 0, 1, &r);
    CHECK_HAS(r.msg[0], "give a command after exec:");
    CHECK(no_children());
    CHECK_EQ(fd_count(), fds);
}

typedef struct fault {
    const char *spec;     // exec: command
    double timeout;
    const char *expect[3];
} fault;

static void test_faults(void)
{
    write_file("cart_remote.lua", CART);
    static const fault faults[] = {
        {"/bin/true", 2, {"reset: the policy process exited with status 0", "'hello'"}},
        {"/nonexistent/policy", 2, {"exited with status 127 (command not found?)"}},
        {"sleep 100", 1, {"reset: timed out after 1 s waiting for the reply to 'hello'"}},
        {PY " " BAD " garbage", 2, {"at step 0: bad reply to 'observation': frame length", "over the 64 MiB limit",
                                     "must not print to stdout"}},
        {PY " " BAD " hellogarbage", 2, {"reset: bad reply to 'hello': frame length"}},
        {PY " " BAD " badmsgpack", 2, {"bad reply to 'observation': malformed msgpack: invalid byte 0xc1 at byte 0"}},
        {PY " " BAD " bigcount", 2, {"announces 4294967295 items but only 1 bytes remain"}},
        {PY " " BAD " truncated", 2, {"exited with status 0 in the middle of the reply to 'observation'"}},
        {PY " " BAD " stall", 1, {"timed out after 1 s waiting for the reply to 'observation'"}},
        {PY " " BAD " shape", 2, {"at step 0: bad reply to 'observation': action 'force' has shape [2], expected [1]"}},
        {PY " " BAD " dtype", 2, {"action 'force' has dtype 'float64', expected 'float32'"}},
        {PY " " BAD " unknown", 2, {"unknown action 'torque' (the actions are: force)"}},
        {PY " " BAD " missing", 2, {"action 'force' is missing"}},
        {PY " " BAD " size", 2, {"action 'force': 'data' has 8 bytes, expected 4 (1 float32)"}},
        {PY " " BAD " wrongtype", 2, {"got a message of type 'ok', expected 'action'"}},
        {PY " " BAD " crash", 2, {"the policy process exited with status 137 (the shell's report of signal 9, Killed)",
                                   "before replying to 'observation'"}},
        {"exec " PY " " BAD " crash", 2, {"the policy process was killed by signal 9 (Killed) before replying"}},
        {PY " " BAD " exit3", 2, {"the policy process exited with status 3 before replying to 'observation'"}},
        {PY " " BAD " hang", 1, {"timed out after 1 s"}},
        {PY " " BAD " version", 2, {"the policy speaks protocol version 99, pilotsim speaks versions 1 to 2"}},
    };
    int fds = fd_count();
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        char spec[1024];
        snprintf(spec, sizeof spec, "exec:%s", faults[i].spec);
        run_result r;
        run_spec(spec, faults[i].timeout, 1, &r);
        CHECK(r.opened);
        if (!CHECK_EQ(r.st[0], PS_EP_POLICY_ERROR)) NOTE("%s: %s", spec, r.msg[0]);
        char prefix[1100];
        snprintf(prefix, sizeof prefix, "policy '%s'", spec);
        CHECK_HAS(r.msg[0], prefix);
        for (int k = 0; k < 3 && faults[i].expect[k]; k++) CHECK_HAS(r.msg[0], faults[i].expect[k]);
        if (!CHECK(no_children())) NOTE("after %s", spec);
        CHECK_EQ(fd_count(), fds);
    }

    // The peer reports an error: the episode ends, the connection stays (no restart).
    run_result r;
    restarts = 0;
    // ... which is the policy's own error (script_error), not its transport's (policy_error).
    run_spec("exec:" PY " " BAD " peererror", 2, 2, &r);
    CHECK_EQ(r.st[0], PS_EP_SCRIPT_ERROR);
    CHECK_HAS(r.msg[0], "at step 0: the policy reported an error: model not loaded");
    CHECK_EQ(r.st[1], PS_EP_SCRIPT_ERROR);
    CHECK_EQ(restarts, 0);

    // A failure drops the peer; the next episode starts a new one.
    remove("flaky.marker");
    restarts = 0;
    run_spec("exec:" PY " " BAD " flaky flaky.marker", 1, 2, &r);
    CHECK_EQ(r.st[0], PS_EP_POLICY_ERROR);
    CHECK_HAS(r.msg[0], "timed out after 1 s");
    CHECK_EQ(r.st[1], PS_EP_SUCCESS);
    CHECK_EQ(r.steps[1], lib_steps);
    CHECK_EQ(restarts, 1);
    remove("flaky.marker");

    // Healthy after all that.
    run_spec("exec:" PY " " SERVER " --stdio", 0, 1, &r);
    CHECK_EQ(r.st[0], PS_EP_SUCCESS);
    CHECK(no_children());
    CHECK_EQ(fd_count(), fds);
}

/* -------------------------------------------------- no policy outlives us */

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

// Reads a pid from `path`, waiting up to 10 s for the file; 0 when absent.
static pid_t read_pid(const char *path)
{
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen(path, "r");
        int pid = 0;
        if (f) {
            int ok = fscanf(f, "%d", &pid);
            fclose(f);
            if (ok == 1 && pid > 0) return (pid_t)pid;
        }
        nap_ms(10);
    }
    return 0;
}

// True once `pid` is gone (or a zombie nobody reaped yet), waiting up to `wait` s.
static bool gone(pid_t pid, double wait)
{
    for (int i = 0; i <= (int)(wait * 100); i++) {
        if (kill(pid, 0) == -1 && errno == ESRCH) return true;
        char path[64], stat[256] = "";
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (f) {
            size_t n = fread(stat, 1, sizeof stat - 1, f);
            stat[n] = '\0';
            fclose(f);
            const char *close = strrchr(stat, ')');
            if (close && close[1] == ' ' && close[2] == 'Z') return true;
        }
        nap_ms(10);
    }
    return false;
}

static void test_no_orphans(void)
{
    write_file("cart_remote.lua", CART);
    // A command's background processes go with it when the policy is dropped.
    remove("bg.pid");
    run_result r;
    run_spec("exec:sleep 100 & echo $! > bg.pid; wait", 1, 1, &r);
    CHECK_HAS(r.msg[0], "timed out after 1 s");
    pid_t bg = read_pid("bg.pid");
    CHECK(bg > 0);
    if (bg > 0) CHECK(gone(bg, 2));
    remove("bg.pid");

    // The process that opened the policy dies without closing it: the policy
    // process is killed all the same (the supervisor's lifeline).
    remove("orphan.pid");
    pid_t c = fork();
    if (c == 0) {
        ps_policy *p = ps_policy_open("exec:echo $$ > orphan.pid; exec sleep 100", NULL, err, sizeof err);
        if (p) read_pid("orphan.pid");
        kill(getpid(), SIGKILL);
        _exit(1);
    }
    int st = 0;
    waitpid(c, &st, 0);
    CHECK(WIFSIGNALED(st));
    pid_t orphan = read_pid("orphan.pid");
    CHECK(orphan > 0);
    if (orphan > 0) CHECK(gone(orphan, 2));
    remove("orphan.pid");
    CHECK(no_children());
}

// ps_policy_transport_failed: a dead peer or a protocol violation is the
// transport's failure; a peer's own `error` reply and a lib's failure are not.
static bool transport_after(const char *spec)
{
    ps_scene *s = ps_scene_load("cart_remote.lua", NULL, err, sizeof err);
    ps_policy_options po = ps_default_policy_options();
    po.timeout = 2;
    ps_policy *p = s ? ps_policy_open(spec, &po, err, sizeof err) : NULL;
    bool t = false;
    if (p) {
        ps_episode *e = ps_episode_begin(s, 0);
        ps_episode_status st = ps_episode_run_policy(e, p, 0, 0);
        t = ps_policy_transport_failed(p);
        // a transport failure ends the episode as policy_error, the policy's own as script_error
        CHECK_EQ(st, t ? PS_EP_POLICY_ERROR : PS_EP_SCRIPT_ERROR);
        ps_episode_end(e);
        ps_policy_close(p);
    }
    CHECK(p != NULL);
    ps_scene_destroy(s);
    return t;
}

static void test_transport_failures(void)
{
    write_file("cart_remote.lua", CART);
    CHECK(transport_after("exec:" PY " " BAD " crash"));
    CHECK(transport_after("exec:" PY " " BAD " shape"));
    CHECK(transport_after("exec:" PY " " BAD " garbage"));
    CHECK(!transport_after("exec:" PY " " BAD " peererror"));
    CHECK(!transport_after("lib:" PS_TEST_POLICY_LIB "?fail"));
}

// Version-2 action chunks: [H, ...] for every array, the same H; exact shapes are one action.
static void test_chunk_decoder(void)
{
    float fa = 7, fb[2] = {7, 7};
    ps_space_entry act[2] = {{"a", 1, {1, 0, 0, 0}, 1, &fa, NULL, NULL, PS_DTYPE_FLOAT32, &fa, 4},
                             {"b", 1, {2, 0, 0, 0}, 2, fb, NULL, NULL, PS_DTYPE_FLOAT32, fb, 8}};
    ps_proto_chunk ch = {0};
    mp m = {.n = 0};
    float av[3] = {1, 2, 3}, bv[6] = {10, 11, 20, 21, 30, 31};
    mp_map(&m, 2);
    mp_str(&m, "type");
    mp_str(&m, "action");
    mp_str(&m, "arrays");
    mp_map(&m, 2);
    const char *names[2] = {"a", "b"};
    const float *vals[2] = {av, bv};
    int per[2] = {1, 2};
    for (int k = 0; k < 2; k++) {
        mp_str(&m, names[k]);
        mp_map(&m, 3);
        mp_str(&m, "dtype");
        mp_str(&m, "float32");
        mp_str(&m, "shape");
        mp_arr(&m, 2);
        mp_byte(&m, 3);
        mp_byte(&m, (uint8_t)per[k]);
        mp_str(&m, "data");
        mp_byte(&m, 0xc4);
        mp_byte(&m, (uint8_t)(12 * per[k]));
        for (int i = 0; i < 3 * per[k]; i++) {
            memcpy(m.b + m.n, &vals[k][i], 4); // little-endian host
            m.n += 4;
        }
    }
    CHECK_EQ(ps_proto_decode_action_chunk(m.b, m.n, act, 2, &ch, err, sizeof err), PS_PROTO_OK);
    CHECK_EQ(ch.horizon, 3);
    CHECK_EQ(ch.stride, 3);
    CHECK(ch.v && ch.v[0] == 1 && ch.v[1] == 10 && ch.v[2] == 11 && ch.v[6] == 3 && ch.v[8] == 31);
    CHECK(fa == 7 && fb[0] == 7); // act[] is not written
    // Version 1 rejects the chunk; a different H per array is an error.
    CHECK_EQ(ps_proto_decode_action(m.b, m.n, act, 2, err, sizeof err), PS_PROTO_INVALID);
    CHECK_HAS(err, "has shape [3, 1], expected [1]");
    size_t at = 0; // the first shape's H byte: after "a" ... "shape" 0x92
    for (size_t i = 0; i + 1 < m.n; i++)
        if (m.b[i] == 0x92 && m.b[i + 1] == 3) {
            at = i + 1;
            break;
        }
    m.b[at] = 2;
    CHECK_EQ(ps_proto_decode_action_chunk(m.b, m.n, act, 2, &ch, err, sizeof err), PS_PROTO_INVALID);
    free(ch.v);
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    RUN(test_decoders);
    RUN(test_chunk_decoder);
    RUN(test_transport_failures);
    RUN(test_exec_server);
    RUN(test_tcp_server);
    RUN(test_faults);
    RUN(test_no_orphans);
    return TEST_DONE();
}
