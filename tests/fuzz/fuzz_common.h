// Shared helpers of the fuzz targets (tests/fuzz/fuzz_*.c): a private
// scratch directory per process, files written into it, a silent logger.
// Each target defines LLVMFuzzerTestOneInput; built with -fsanitize=fuzzer it
// is a libFuzzer binary (tools/fuzz.sh), built with replay_main.c it replays
// corpus files under ctest (fuzz_replay_<target>).
#ifndef PS_FUZZ_COMMON_H
#define PS_FUZZ_COMMON_H

#define _POSIX_C_SOURCE 200809L
#include "pilotsim/log.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir[64];

static void fz_cleanup(void)
{
    if (!fz_dir[0]) return;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fz_dir);
    if (system(cmd) != 0) fprintf(stderr, "fuzz: could not remove %s\n", fz_dir);
}

/// The process's scratch directory (created on first use, removed at exit).
/// The readers under test take file names, so each input goes through a file.
static inline const char *fz_scratch(void)
{
    if (!fz_dir[0]) {
        // $TMPDIR, else /dev/shm (memory: every input is written as a file), else /tmp.
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp) tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fz_dir, sizeof fz_dir, "%.40s/psfuzz-XXXXXX", tmp);
        if (!mkdtemp(fz_dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fz_cleanup);
    }
    return fz_dir;
}

/// Writes `size` bytes to `name` in the scratch directory; returns its path
/// (a static buffer per call site is not needed: the caller copies or uses it at once).
static inline const char *fz_write(const char *name, const void *data, size_t size, char *path, size_t pathlen)
{
    snprintf(path, pathlen, "%s/%s", fz_scratch(), name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        abort();
    }
    if (size && fwrite(data, 1, size, f) != size) {
        perror(path);
        abort();
    }
    if (fclose(f) != 0) {
        perror(path);
        abort();
    }
    return path;
}

/// With PS_FUZZ_VERBOSE set in the environment, prints what an input got
/// (the replay of a corpus then documents each bad input's message).
static inline void fz_report(const char *target, const char *result)
{
    static int verbose = -1;
    if (verbose < 0) verbose = getenv("PS_FUZZ_VERBOSE") != NULL;
    if (verbose) fprintf(stderr, "%s: %s\n", target, result);
}

static inline void fz_quiet_log(void *user, ps_log_level level, const char *msg)
{
    (void)user;
    (void)level;
    (void)msg;
}

#endif
