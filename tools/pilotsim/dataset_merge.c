// pilotsim merge of dataset shards (dataset.h): the shards of one run (same
// env_args) join into one file holding every demo of the run exactly once.
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "dataset.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct owner {
    size_t file;  // input holding the demo, or SIZE_MAX
    size_t pos;   // its position in that file's list
} owner;

int ds_merge(int argc, char **argv)
{
    const char *out = NULL;
    const char **files = calloc((size_t)argc, sizeof *files);
    ds_file **in = calloc((size_t)argc, sizeof *in);
    size_t n = 0;
    int rc = EXIT_USAGE;
    owner *own = NULL;
    if (!files || !in) goto done;
    const cli_opt opts[] = {
        {.name = "--out", .kind = CLI_STRING, .metavar = "ALL.hdf5", .target = &out, .need = "a file",
         .help = "the merged dataset (required; it must not exist)"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "merge",
        .synopsis = "A.hdf5 B.hdf5 ... --out ALL.hdf5",
        .about = "Joins the datasets of a run's shards (pilotsim record --shard, eval --record): they must come "
                 "from the same run (equal env_args), and together hold every demo of the run (scenes x "
                 "episodes) exactly once. Writes ALL (which must not exist) with the demos in order, `total` and "
                 "the masks rebuilt.",
        .opts = opts,
        .exits = "0 merged, 2 usage error, 3 unreadable file, another run's file, missing or\n"
                 "            duplicate demos, write error\n",
        .pos_name = "files",
        .min_pos = 1,
    };
    rc = cli_parse(&cmd, argc, argv, files, &n);
    if (rc != CLI_CONTINUE) goto done;
    rc = EXIT_USAGE;
    if (!out) {
        cli_usage_error(&cmd, "datasets need --out FILE");
        goto done;
    }
    rc = EXIT_RUNTIME;
    ds_hdf5_quiet();
    struct stat st;
    if (stat(out, &st) == 0) {
        fprintf(stderr, "error: %s exists: merge writes a new file\n", out);
        goto done;
    }
    char err[PS_ERR_LEN];
    uint64_t episodes = 0, scenes = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(in[i] = ds_open_read(files[i], err, sizeof err))) {
            fprintf(stderr, "error: %s\n", err);
            goto done;
        }
        if (strcmp(ds_env_args(in[i]), ds_env_args(in[0]))) {
            fprintf(stderr, "error: %s and %s come from different runs:\n  %s\n  %s\n", files[0], files[i],
                    ds_env_args(in[0]), ds_env_args(in[i]));
            goto done;
        }
    }
    ds_run_shape(in[0], &scenes, &episodes);
    if (!scenes || !episodes) {
        fprintf(stderr, "error: %s: its env_args do not say the run's scenes and episodes\n", files[0]);
        goto done;
    }
    uint64_t total = scenes * episodes;
    own = malloc(total * sizeof *own);
    if (!own) goto done;
    for (uint64_t j = 0; j < total; j++) own[j] = (owner){SIZE_MAX, 0};
    size_t dups = 0, missing = 0, outside = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < ds_demo_count(in[i]); k++) {
            uint64_t j = ds_demo_index(in[i], k);
            if (j >= total) {
                if (outside++ < 10)
                    fprintf(stderr, "error: %s: %s is outside the run's %" PRIu64 " demos\n", files[i],
                            ds_demo_name(in[i], k), total);
            } else if (own[j].file != SIZE_MAX) {
                if (dups++ < 10)
                    fprintf(stderr, "error: %s is in both %s and %s\n", ds_demo_name(in[i], k), files[own[j].file],
                            files[i]);
            } else {
                own[j] = (owner){i, k};
            }
        }
    for (uint64_t j = 0; j < total; j++)
        if (own[j].file == SIZE_MAX && missing++ < 10) fprintf(stderr, "error: demo_%" PRIu64 " is missing\n", j);
    if (dups || missing || outside) {
        fprintf(stderr, "merge: %zu duplicate, %zu missing, %zu unexpected demos of %" PRIu64 ": nothing written\n", dups,
                missing, outside, total);
        goto done;
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    unlink(tmp);
    ds_file *dst = ds_create_like(tmp, in[0], err, sizeof err);
    bool ok = dst != NULL;
    if (!ok) fprintf(stderr, "error: %s\n", err);
    for (uint64_t j = 0; ok && j < total; j++) {
        ds_file *src = in[own[j].file];
        if (!ds_copy_demo(dst, src, ds_demo_name(src, own[j].pos), err, sizeof err)) {
            fprintf(stderr, "error: %s\n", err);
            ok = false;
        }
    }
    if (!ds_close(dst) && ok) {
        fprintf(stderr, "error: %s: cannot close it\n", tmp);
        ok = false;
    }
    if (ok && rename(tmp, out) != 0) {
        fprintf(stderr, "error: cannot rename %s to %s\n", tmp, out);
        ok = false;
    }
    if (!ok) {
        unlink(tmp);
        goto done;
    }
    printf("merge: %" PRIu64 " demos from %zu file%s, each exactly once, into %s\n", total, n, n == 1 ? "" : "s", out);
    rc = EXIT_OK;
done:
    for (size_t i = 0; in && i < n; i++) ds_close(in[i]);
    free(in);
    free(files);
    free(own);
    return rc;
}
