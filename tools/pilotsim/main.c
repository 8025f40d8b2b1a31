// pilotsim: command-line front end of the simulator.
#include "cli.h"
#include "dataset.h"

#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: pilotsim COMMAND [ARGS]\n"
          "\n"
          "commands:\n"
          "  run SCENE     run one episode headless and print its result\n"
          "  eval SCENE... run many episodes in worker processes: JSONL, report, JUnit\n"
          "  merge FILE... combine the JSONL files (or HDF5 datasets) of a run's shards\n"
          "  record SCENE... record episodes into a robomimic-layout HDF5 dataset\n"
          "  replay FILE   re-simulate a dataset's demos, verify their state hashes, render one\n"
          "  info FILE     summarize a dataset: demos, steps, success rate, keys, size\n"
          "  compare A B   compare the success rates of two eval runs\n"
          "  report FILE... --html OUT  write an HTML report of eval runs (A/B side by side)\n"
          "  view SCENE    open SCENE in the interactive viewer (needs the renderer)\n"
          "  list [DIR]    list the scenes under DIR (default: scenes/)\n"
          "  check FILE    check a URDF or a scene without running it\n"
          "  new NAME      write a starter scene and its baseline policy\n"
          "  bench         benchmark pilotsim against bare ODE on the same worlds\n"
          "  version       print the version\n"
          "\n"
          "`pilotsim COMMAND --help` describes each command.\n"
          "exit codes: 0 success (or ran to its limit without failure), 1 episode failed,\n"
          "            2 usage error, 3 scene or runtime error\n",
          f);
}

int main(int argc, char **argv)
{
    cli_tune_malloc();
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("pilotsim %s\n", ps_version());
        return EXIT_OK;
    }
    if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "list")) return cmd_list(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench")) return cmd_bench(argc - 1, argv + 1);
    if (!strcmp(cmd, "check")) return cmd_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "new")) return cmd_new(argc - 1, argv + 1);
    if (!strcmp(cmd, "eval")) return cmd_eval(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge")) return cmd_merge(argc - 1, argv + 1);
    if (!strcmp(cmd, "record")) return cmd_record(argc - 1, argv + 1);
    if (!strcmp(cmd, "replay")) return cmd_replay(argc - 1, argv + 1);
    if (!strcmp(cmd, "info")) return cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare")) return cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "report")) return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "view")) return cmd_view(argc - 1, argv + 1);
    fprintf(stderr, "pilotsim: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
