// Bare-ODE versions of the benchmark worlds (scenes/bench/*.lua), built with
// plain ODE calls in the same order and with the same parameters, so that
// `pilotsim bench` compares the framework with ODE on the identical world.
#ifndef PS_BENCH_H
#define PS_BENCH_H

#include "pilotsim/pilotsim.h"

typedef struct bare_world bare_world;

/// Builds the bare-ODE twin of bench scene `name` ("humanoid", "box_pile",
/// "diffdrive_obstacles"). `ref` is the pilotsim world of the same scene right
/// after build: the bare side reads the solver seed and, for the box pile, the
/// randomly drawn box sizes from it (nothing else). NULL for an unknown name.
bare_world *bare_create(const char *name, const ps_world *ref);
/// One step: the scene's step callback in C, collision, QuickStep.
void bare_step(bare_world *b);
/// Same hash as ps_world_state_hash over the bare bodies (creation order).
uint64_t bare_hash(const bare_world *b);
void bare_destroy(bare_world *b);

/// Median of `n` >= 1 values; sorts `v` in place (so v[0] and v[n-1] are then
/// the minimum and maximum). Even counts average the middle two.
double bench_median(double *v, int n);

/// `pilotsim bench --policies`: per-step cost of each policy interface on
/// DIR/cart.lua (bench_policy.c). `lib` is the PD policy library (NULL: the build
/// tree's tests/libpd_policy.so), `python` the interpreter for the Python peers.
int bench_policies(const char *dir, int repeat, uint64_t steps, bool json, const char *lib, const char *python);
/// `pilotsim bench --eval`: episodes/s of `pilotsim eval SCENE --episodes N` with
/// --jobs 1, 2 (and all CPUs), best of `repeat` whole runs each (bench_eval.c).
int bench_eval(const char *scene, int episodes, int repeat, bool json);
/// `pilotsim bench --record`: wall and CPU time of whole `eval SCENE --episodes N
/// --jobs 1` runs without recording, with --record and as `record --state-every 1`,
/// best of `repeat` each, the overheads and MB per 1000 steps (bench_record.c).
int bench_record(const char *const *scenes, int nscenes, int episodes, int repeat, bool json);
/// `pilotsim bench --camera`: offscreen RGB-D camera frames per second at 320 x 240
/// (bench_camera.c, in the renderer plugin: cli_bench_camera runs it), median of
/// `repeat` samples.
int bench_camera(int repeat, bool json);

/// `pilotsim bench --scale`: DIR/fleet.lua with each robot count in `ns` (`nn`
/// values; NULL or 0: 1, 10, 30, 130), each in its own child process: WARM-UP 50
/// steps, then `repeat` samples of `steps` steps. Prints per n the median wall and
/// CPU us per step and per robot-step, the real-time factors and the child's peak
/// RSS (bench_scale.c).
int bench_scale(const char *dir, const int *ns, int nn, int repeat, uint64_t steps, bool json);
/// `pilotsim bench --lidar`: lidar rays cast per second of CPU time in DIR/fleet.lua
/// with `n` robots (one 360-beam lidar each) after 50 warm-up steps: `repeat`
/// samples (100 steps apart) of casting every lidar 5 times through the ray-casting
/// scan tables and tree, then the exhaustive reference on the first 4 lidars and a bit-for-bit
/// comparison (exit 1 when the readings differ) (bench_scale.c).
int bench_lidar(const char *dir, int n, int repeat, bool json);

#endif
