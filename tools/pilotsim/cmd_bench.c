// pilotsim bench: placeholder until the benchmark worlds land (see bench_bare.c).
#include "cli.h"

int cmd_bench(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "pilotsim bench: not built yet\n");
    return EXIT_RUNTIME;
}
