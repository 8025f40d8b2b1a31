/// @file harness.h
/// A tiny plain-C test harness for pilotsim's test programs.
///
/// Usage:
///     #include "harness.h"
///     static void test_something(void) { CHECK(1 + 1 == 2); CHECK_NEAR(x, 1.0, 1e-9); }
///     int main(void) { RUN(test_something); return TEST_DONE(); }
///
/// Every failed check prints "file:line: [test] failed: ..." with the values
/// involved to stderr; TEST_DONE() prints "test_x: N checks, M failed" and
/// returns the process exit status (0 when nothing failed, 1 otherwise).
/// Everything here is `static` so that each test program gets its own copy.
#ifndef PILOTSIM_TESTS_HARNESS_H
#define PILOTSIM_TESTS_HARNESS_H

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char ps_t_tmpdir[4096];     // the working folder ps_t_enter_tmpdir made

static inline void ps_t_remove_tmpdir(void)
{
    char cmd[4200];
    if (!ps_t_tmpdir[0] || chdir("/") != 0) return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", ps_t_tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "harness: could not remove %s\n", ps_t_tmpdir);
}

/// Moves the test into a new temporary folder ($TMPDIR or /tmp, removed at
/// exit), so the files it writes by relative name never land in the folder it
/// was started from (the source tree, when run from there). False (with a
/// message) when the folder cannot be made.
static inline bool ps_t_enter_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    int made = -1;
    for (int k = 0; k < 1000 && made != 0; k++) { // a new name: this process's id and a counter
        snprintf(ps_t_tmpdir, sizeof ps_t_tmpdir, "%s/pilotsim-test.%ld.%d", base && *base ? base : "/tmp",
                 (long)getpid(), k);
        made = mkdir(ps_t_tmpdir, 0700);
    }
    if (made != 0 || chdir(ps_t_tmpdir) != 0) {
        fprintf(stderr, "harness: cannot make and enter a temporary folder %s\n", ps_t_tmpdir);
        ps_t_tmpdir[0] = 0;
        return false;
    }
    atexit(ps_t_remove_tmpdir);
    return true;
}

static long ps_t_checks;          // checks run
static long ps_t_failed;          // checks failed
static const char *ps_t_current = "-"; // name of the running test function

static inline void ps_t_fail_header(const char *file, int line)
{
    fprintf(stderr, "%s:%d: [%s] failed: ", file, line, ps_t_current);
}

/// Records one check; prints `what` on failure. Returns `ok`.
static inline bool ps_t_check(bool ok, const char *what, const char *file, int line)
{
    ps_t_checks++;
    if (!ok) {
        ps_t_failed++;
        ps_t_fail_header(file, line);
        fprintf(stderr, "%s\n", what);
    }
    return ok;
}

/// |a - b| <= tol (NaN anywhere fails).
static inline bool ps_t_check_near(double a, double b, double tol, const char *ea,
                                   const char *eb, const char *file, int line)
{
    ps_t_checks++;
    double d = fabs(a - b);
    bool ok = d <= tol; // false for NaN
    if (!ok) {
        ps_t_failed++;
        ps_t_fail_header(file, line);
        fprintf(stderr, "%s ~= %s: %.17g vs %.17g (diff %.3g > tol %.3g)\n", ea, eb, a, b,
                d, tol);
    }
    return ok;
}

/// |a - b| <= rel * |b| (NaN fails).
static inline bool ps_t_check_rel(double a, double b, double rel, const char *ea,
                                  const char *eb, const char *file, int line)
{
    ps_t_checks++;
    double d = fabs(a - b);
    bool ok = d <= rel * fabs(b);
    if (!ok) {
        ps_t_failed++;
        ps_t_fail_header(file, line);
        fprintf(stderr, "%s ~= %s: %.17g vs %.17g (relative diff %.3g > %.3g)\n", ea, eb, a,
                b, fabs(b) > 0 ? d / fabs(b) : INFINITY, rel);
    }
    return ok;
}

static inline bool ps_t_check_int(long long a, long long b, const char *ea, const char *eb,
                                  const char *file, int line)
{
    ps_t_checks++;
    bool ok = a == b;
    if (!ok) {
        ps_t_failed++;
        ps_t_fail_header(file, line);
        fprintf(stderr, "%s == %s: %lld vs %lld\n", ea, eb, a, b);
    }
    return ok;
}

/// `hay` is non-NULL and contains `needle`.
static inline bool ps_t_check_has(const char *hay, const char *needle, const char *ehay,
                                  const char *file, int line)
{
    ps_t_checks++;
    bool ok = hay != NULL && strstr(hay, needle) != NULL;
    if (!ok) {
        ps_t_failed++;
        ps_t_fail_header(file, line);
        fprintf(stderr, "%s contains \"%s\": got %s%s%s\n", ehay, needle, hay ? "\"" : "",
                hay ? hay : "NULL", hay ? "\"" : "");
    }
    return ok;
}

/// Prints a free-form note attached to the current test (for context on failure).
static inline void ps_t_note(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%d: [%s] note: ", file, line, ps_t_current);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/// Summary line; the program name is the file name without directory and ".c".
static inline int ps_t_done(const char *file)
{
    const char *base = file;
    for (const char *p = file; *p; p++)
        if (*p == '/' || *p == '\\') base = p + 1;
    size_t n = strlen(base);
    if (n > 2 && strcmp(base + n - 2, ".c") == 0) n -= 2;
    printf("%.*s: %ld checks, %ld failed\n", (int)n, base, ps_t_checks, ps_t_failed);
    fflush(stdout);
    return ps_t_failed ? 1 : 0;
}

/// The condition holds.
#define CHECK(cond) ps_t_check((cond) ? true : false, #cond, __FILE__, __LINE__)
/// |a - b| <= tol.
#define CHECK_NEAR(a, b, tol) \
    ps_t_check_near((double)(a), (double)(b), (double)(tol), #a, #b, __FILE__, __LINE__)
/// |a - b| <= rel * |b|.
#define CHECK_REL(a, b, rel) \
    ps_t_check_rel((double)(a), (double)(b), (double)(rel), #a, #b, __FILE__, __LINE__)
/// Integer equality (status codes, counts).
#define CHECK_EQ(a, b) ps_t_check_int((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
/// String `s` is non-NULL and contains `needle`.
#define CHECK_HAS(s, needle) ps_t_check_has((s), (needle), #s, __FILE__, __LINE__)
/// Context printed to stderr (does not count as a check).
#define NOTE(...) ps_t_note(__FILE__, __LINE__, __VA_ARGS__)
/// Runs a test function `void fn(void)`, naming it in failure messages.
#define RUN(fn) \
    do { \
        ps_t_current = #fn; \
        fn(); \
        ps_t_current = "-"; \
    } while (0)
/// Prints the summary line; `return TEST_DONE();` from main.
#define TEST_DONE() ps_t_done(__FILE__)

#endif
