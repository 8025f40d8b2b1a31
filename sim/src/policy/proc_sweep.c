#define _GNU_SOURCE // getdents64 through syscall(2)
// Descendant sweeping for the exec: supervisor (proc_sweep.h). Only raw
// system calls: it runs between fork and _exit in a process whose parent may
// have threads.
#include "proc_sweep.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 8192

bool ps_proc_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0; }

bool ps_proc_die_with_parent(pid_t parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return true; // best effort
    return getppid() == parent; // it may have died before the prctl
}

static long parse_long(const char *s, int *used)
{
    long v = 0;
    int i = 0;
    while (s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
    *used = i;
    return v;
}

// The parent pid of `pid` from /proc/PID/stat (field 4, after the ")" that
// ends the command name, which may itself hold spaces and parentheses); -1
// when it cannot be read.
static pid_t parent_of(pid_t pid)
{
    char path[64] = "/proc/", buf[512];
    int n = 6;
    char digits[16];
    int d = 0;
    for (long v = pid; v > 0 && d < 15; v /= 10) digits[d++] = (char)('0' + v % 10);
    while (d > 0) path[n++] = digits[--d];
    const char *tail = "/stat";
    for (int i = 0; tail[i]; i++) path[n++] = tail[i];
    path[n] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t len = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (len <= 0) return -1;
    buf[len] = 0;
    int close_paren = -1;
    for (int i = 0; i < len; i++)
        if (buf[i] == ')') close_paren = i;
    if (close_paren < 0 || close_paren + 4 >= len) return -1;
    const char *p = buf + close_paren + 2; // state letter
    p += 2;                                // then the ppid
    int used;
    long pp = parse_long(p, &used);
    return used ? (pid_t)pp : -1;
}

// One pass: SIGKILLs every descendant found; returns how many.
static int sweep_once(pid_t self)
{
    pid_t pids[MAX_PROCS], ppids[MAX_PROCS];
    int count = 0;
    int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return 0;
    char buf[4096];
    for (;;) {
        long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct dirent64 *e = (struct dirent64 *)(void *)(buf + off);
            off += e->d_reclen;
            int used;
            long pid = parse_long(e->d_name, &used);
            if (!used || e->d_name[used] != 0 || pid == self || count == MAX_PROCS) continue;
            pid_t pp = parent_of((pid_t)pid);
            if (pp > 0) {
                pids[count] = (pid_t)pid;
                ppids[count++] = pp;
            }
        }
    }
    close(dir);
    // Mark descendants: ppids[i] == self or a marked pid (repeat to a fixed point).
    bool mark[MAX_PROCS] = {false};
    for (bool grew = true; grew;) {
        grew = false;
        for (int i = 0; i < count; i++) {
            if (mark[i]) continue;
            bool under = ppids[i] == self;
            for (int j = 0; !under && j < count; j++) under = mark[j] && pids[j] == ppids[i];
            if (under) mark[i] = grew = true;
        }
    }
    int killed = 0;
    for (int i = 0; i < count; i++)
        if (mark[i]) {
            kill(pids[i], SIGKILL);
            killed++;
        }
    return killed;
}

void ps_proc_sweep_descendants(int max_passes)
{
    pid_t self = getpid();
    for (int pass = 0; pass < max_passes; pass++) {
        int killed = sweep_once(self);
        // Reap what ended (orphans are our children: we are the subreaper).
        int st;
        while (waitpid(-1, &st, WNOHANG) > 0) {
        }
        if (killed == 0) return;
        struct timespec ts = {0, 2000000}; // 2 ms for the kills to land
        nanosleep(&ts, NULL);
    }
}
