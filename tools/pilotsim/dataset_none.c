// Without libhdf5: the dataset commands explain what is missing.
#include "cli.h"
#include "dataset.h"

static int missing(const char *cmd)
{
    fprintf(stderr, "pilotsim %s: this pilotsim was built without libhdf5 (Debian: libhdf5-dev; "
                    "tools/setup-deps.sh installs it), so it has no datasets\n", cmd);
    return EXIT_RUNTIME;
}

int cmd_record(int argc, char **argv) { (void)argc; (void)argv; return missing("record"); }
int cmd_replay(int argc, char **argv) { (void)argc; (void)argv; return missing("replay"); }
int cmd_info(int argc, char **argv) { (void)argc; (void)argv; return missing("info"); }
int ds_merge(int argc, char **argv) { (void)argc; (void)argv; return missing("merge"); }

bool ds_is_hdf5(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    unsigned char sig[8] = {0};
    size_t n = fread(sig, 1, 8, fp);
    fclose(fp);
    return n == 8 && sig[0] == 0x89 && sig[1] == 'H' && sig[2] == 'D' && sig[3] == 'F';
}
