// pilotsim list: the scenes under a directory, with domain and description.
#define _DEFAULT_SOURCE
#include "cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


typedef struct { char **v; size_t n, cap; } strvec;

static void push(strvec *s, const char *p)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) exit(EXIT_RUNTIME);
    }
    s->v[s->n++] = strdup(p);
}

// Collects *.lua files; skips hidden entries, files starting with '_' and
// folders named lib/ (scene-local modules live there).
static void walk(const char *dir, strvec *out, int depth)
{
    if (depth > 16) return;
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (strcmp(e->d_name, "lib") != 0) walk(p, out, depth + 1);
        } else {
            size_t n = strlen(e->d_name);
            if (n > 4 && strcmp(e->d_name + n - 4, ".lua") == 0) push(out, p);
        }
    }
    closedir(d);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int cmd_list(int argc, char **argv)
{
    const char *dir = NULL;
    char data_scenes[4096];
    bool json = false;
    const cli_opt opts[] = {
        {.name = "--json", .kind = CLI_FLAG, .target = &json, .help = "print one JSON array"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "list",
        .synopsis = "[DIR] [--json]",
        .about = "Lists the scenes (*.lua) under DIR (default: the project's scenes/), sorted by path, with "
                 "domain, name and description. Files starting with '_' and folders named lib/ hold modules and "
                 "are skipped. A file that fails to load is reported on stderr and makes the exit code 3.",
        .opts = opts,
        .exits = "0 listed, 2 usage error, 3 a scene failed to load\n",
        .pos_name = "DIR",
        .max_pos = 1,
    };
    size_t npos;
    int prc = cli_parse(&cmd, argc, argv, &dir, &npos);
    if (prc != CLI_CONTINUE) return prc;
    if (!dir) {
        struct stat st;
        if (stat("scenes", &st) == 0 && S_ISDIR(st.st_mode)) {
            dir = "scenes";
        } else if (cli_data_dir(data_scenes, sizeof data_scenes - 8)) {
            strcat(data_scenes, "/scenes");
            dir = data_scenes;
        } else {
            dir = "scenes";
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "pilotsim list: '%s' is not a directory\n", dir);
        return EXIT_USAGE;
    }
    strvec files = {0};
    walk(dir, &files, 0);
    qsort(files.v, files.n, sizeof *files.v, cmp);

    cli_scene_opts so = {0};
    char env_storage[4096];
    cli_default_module_paths(&so, env_storage, sizeof env_storage);
    so.quiet = true;
    ps_scene_options opt = cli_scene_options(&so);
    int rc = EXIT_OK;
    for (size_t i = 0; i < files.n; i++) {
        char err[PS_ERR_LEN];
        ps_scene *s = ps_scene_load(files.v[i], &opt, err, sizeof err);
        if (!s) {
            fprintf(stderr, "error: %s\n", err);
            rc = EXIT_RUNTIME;
        } else if (json) {
            printf("{\"path\":");
            cli_json_string(stdout, files.v[i]);
            printf(",\"name\":");
            cli_json_string(stdout, ps_scene_name(s));
            printf(",\"domain\":");
            cli_json_string(stdout, ps_scene_domain(s));
            printf(",\"description\":");
            cli_json_string(stdout, ps_scene_description(s));
            printf("}\n");
        } else {
            printf("%-44s %-14s %-22s %s\n", files.v[i], ps_scene_domain(s), ps_scene_name(s), ps_scene_description(s));
        }
        ps_scene_destroy(s);
        free(files.v[i]);
    }
    free(files.v);
    return rc;
}
