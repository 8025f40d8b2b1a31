// pilotsim info: a dataset's demos, steps, success rate, keys, shapes and size (ds_info).
#include "cli.h"
#include "dataset.h"

#include <string.h>

int cmd_info(int argc, char **argv)
{
    const char *path = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            puts("usage: pilotsim info FILE.hdf5 [--json]\n"
                 "Prints a dataset's demos, steps, success rate, masks, observation keys with their dtypes\n"
                 "and per-step shapes, the action shape, the size on disk and MB per 1000 steps.\n"
                 "exit codes: 0, 2 usage error, 3 unreadable file");
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "pilotsim info: unknown option '%s'\n", argv[i]);
            return EXIT_USAGE;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "pilotsim info: one file at a time\n");
            return EXIT_USAGE;
        }
    }
    if (!path) {
        fprintf(stderr, "pilotsim info: missing FILE\n");
        return EXIT_USAGE;
    }
    ds_hdf5_quiet();
    char err[4096];
    if (!ds_info(path, stdout, json, err, sizeof err)) {
        fprintf(stderr, "error: %s\n", err);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}
