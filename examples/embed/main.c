// Embedding pilotsim in a C program: load a scene, run one seeded episode, print its
// status, steps, return and final state hash. Built against an installed pilotsim with
// CMake (find_package) or pkg-config; see examples/embed/README.md.
#include <pilotsim/pilotsim.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s SCENE.lua [SEED]\n", argv[0]);
        return 2;
    }
    uint64_t seed = argc == 3 ? strtoull(argv[2], NULL, 10) : 1;

    // Lua modules (robots, scenario helpers) come from the installed data folder.
    const char *data = getenv("PILOTSIM_DATA");
    char scripts[4096];
    ps_scene_options opt = ps_default_scene_options();
    const char *module_paths[1];
    if (data) {
        snprintf(scripts, sizeof scripts, "%s/scripts", data);
        module_paths[0] = scripts;
        opt.module_paths = module_paths;
        opt.module_path_count = 1;
    }

    char err[PS_ERR_LEN];
    ps_scene *scene = ps_scene_load(argv[1], &opt, err, sizeof err);
    if (!scene) {
        fprintf(stderr, "%s\n", err);
        return 3;
    }
    ps_episode *ep = ps_episode_begin(scene, seed);
    if (!ep) {
        fprintf(stderr, "cannot start an episode of %s\n", argv[1]);
        ps_scene_destroy(scene);
        return 3;
    }
    ps_episode_status st = ps_episode_run(ep, 0);
    printf("%s: %s steps=%" PRIu64 " return=%.6f hash=%016" PRIx64 "\n", ps_scene_name(scene),
           ps_episode_status_name(st), ps_episode_steps(ep), ps_episode_return(ep),
           ps_world_state_hash(ps_episode_world(ep)));
    ps_episode_end(ep);
    ps_scene_destroy(scene);
    return st == PS_EP_SUCCESS || st == PS_EP_TIMEOUT ? 0 : 1;
}
