// pilotsim info: a dataset's demos, steps, success rate, keys, shapes and size (ds_info).
#include "cli.h"
#include "dataset.h"


int cmd_info(int argc, char **argv)
{
    const char *path = NULL;
    bool json = false;
    const cli_opt opts[] = {
        {.name = "--json", .kind = CLI_FLAG, .target = &json, .help = "print one JSON object"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "info",
        .synopsis = "FILE.hdf5 [--json]",
        .about = "Prints a dataset's demos, steps, success rate, masks, observation keys with their dtypes and "
                 "per-step shapes, the action shape, the size on disk and MB per 1000 steps.",
        .opts = opts,
        .exits = "0, 2 usage error, 3 unreadable file\n",
        .pos_name = "FILE",
        .min_pos = 1,
        .max_pos = 1,
    };
    size_t npos;
    int rc = cli_parse(&cmd, argc, argv, &path, &npos);
    if (rc != CLI_CONTINUE) return rc;
    ds_hdf5_quiet();
    char err[PS_ERR_LEN];
    if (!ds_info(path, stdout, json, err, sizeof err)) {
        fprintf(stderr, "error: %s\n", err);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}
