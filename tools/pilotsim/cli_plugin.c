// Loading the CLI's plugins (see cli_plugin.h).
#define _POSIX_C_SOURCE 200809L
#include "cli_plugin.h"
#include "cli.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(PILOTSIM_HAVE_RENDER) || defined(PILOTSIM_HAVE_HDF5)
// One loaded (or failed) plugin: set once per process, on first use.
typedef struct plugin_slot {
    bool tried;
    const void *table;
    char error[4600]; // "the ... plugin PATH: why", after "WHAT needs"
} plugin_slot;

// Candidate paths for `file`, most specific first, into out[]; returns how many.
static int plugin_paths(const char *file, char out[][4200], int max)
{
    int n = 0;
    const char *env = getenv("PILOTSIM_PLUGIN_DIR");
    if (env && *env) {
        snprintf(out[n++], 4200, "%s/%s", env, file);
        return n;
    }
    char exe[4096];
    if (!cli_self_exe(exe, sizeof exe)) return n;
    char *slash = strrchr(exe, '/');
    if (!slash) return n;
    *slash = 0;
    snprintf(out[n++], 4200, "%s/%s", exe, file); // the build tree: beside the executable
    if (n < max) snprintf(out[n++], 4200, "%s/%s/%s", exe, PILOTSIM_PLUGIN_RELDIR, file); // installed
    return n;
}

// dlopen()s the first candidate that exists (else the first one, for dlerror's
// message) and returns its table from `entry`, checking the ABI.
static const void *plugin_open(plugin_slot *slot, const char *kind, const char *file, const char *entry)
{
    if (slot->tried) return slot->table;
    slot->tried = true;
    char paths[3][4200];
    int n = plugin_paths(file, paths, 3);
    if (n == 0) {
        snprintf(slot->error, sizeof slot->error, "the %s plugin %s: cannot find the pilotsim executable's "
                 "folder (/proc/self/exe); set PILOTSIM_PLUGIN_DIR", kind, file);
        return NULL;
    }
    int pick = 0;
    for (int i = 0; i < n; i++)
        if (access(paths[i], F_OK) == 0) {
            pick = i;
            break;
        }
    void *h = dlopen(paths[pick], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(slot->error, sizeof slot->error, "the %s plugin %.4200s: %.300s", kind, paths[pick],
                 why ? why : "cannot be loaded");
        return NULL;
    }
    const void *(*fn)(void);
    *(void **)&fn = dlsym(h, entry);
    const void *table = fn ? fn() : NULL;
    if (!table || *(const unsigned *)table != CLI_PLUGIN_ABI) {
        snprintf(slot->error, sizeof slot->error, "the %s plugin %.4200s: %.300s", kind, paths[pick],
                 !fn ? "it has no entry point (not a pilotsim plugin)" : "it is from another pilotsim build");
        dlclose(h);
        return NULL;
    }
    slot->table = table; // the handle stays open for the process's life
    return table;
}

#endif

static void say(char *err, size_t errlen, const char *what, const char *why)
{
    if (err && errlen) snprintf(err, errlen, "%s %s", what, why);
}

#if defined(PILOTSIM_HAVE_RENDER) || defined(PILOTSIM_HAVE_HDF5)
// plugin_open, with "WHAT the ... plugin PATH: why" in `err` when it fails.
static const void *plugin_load(plugin_slot *slot, const char *kind, const char *file, const char *entry,
                               const char *what, char *err, size_t errlen)
{
    const void *p = plugin_open(slot, kind, file, entry);
    if (!p) say(err, errlen, what, slot->error);
    return p;
}
#endif

const cli_render_plugin *cli_render_plugin_load(const char *what, char *err, size_t errlen)
{
#ifdef PILOTSIM_HAVE_RENDER
    static plugin_slot slot;
    return plugin_load(&slot, "renderer", "pilotsim-render.so", "pilotsim_render_plugin", what, err, errlen);
#else
    say(err, errlen, what, "the renderer, which this build lacks (PILOTSIM_RENDER=OFF)");
    return NULL;
#endif
}

const cli_dataset_plugin *cli_dataset_plugin_load(const char *what, char *err, size_t errlen)
{
#ifdef PILOTSIM_HAVE_HDF5
    static plugin_slot slot;
    return plugin_load(&slot, "dataset", "pilotsim-hdf5.so", "pilotsim_hdf5_plugin", what, err, errlen);
#else
    say(err, errlen, what, "libhdf5, which this build lacks (Debian: libhdf5-dev; tools/setup-deps.sh "
                           "installs it), so it has no datasets");
    return NULL;
#endif
}

int cmd_view(int argc, char **argv)
{
#ifdef PILOTSIM_HAVE_RENDER
    char err[5000];
    const cli_render_plugin *p = cli_render_plugin_load("pilotsim view needs", err, sizeof err);
    if (!p) {
        fprintf(stderr, "%s\n", err);
        return EXIT_RUNTIME;
    }
    return p->view(argc, argv);
#else
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            puts("usage: pilotsim view SCENE [options]\n"
                 "Opens SCENE in the interactive viewer: this build has no renderer (PILOTSIM_RENDER=OFF).");
            return EXIT_OK;
        }
    fprintf(stderr, "pilotsim view: built without the renderer (PILOTSIM_RENDER=OFF)\n");
    return EXIT_RUNTIME;
#endif
}

int cli_bench_camera(int repeat, bool json)
{
    char err[5000];
    const cli_render_plugin *p = cli_render_plugin_load("pilotsim bench --camera needs", err, sizeof err);
    if (!p) {
        fprintf(stderr, "%s\n", err);
        return EXIT_RUNTIME;
    }
    return p->bench_camera(repeat, json);
}
