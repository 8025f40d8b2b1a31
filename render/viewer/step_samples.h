// Per-step plot samples: the physics thread (or the frame, with --frame-dt)
// records one after every step while the F3 plots are open; the frame takes
// those since it last looked, so the plots show every step rather than one
// sample per frame.
#ifndef PS_VIEWER_STEP_SAMPLES_H
#define PS_VIEWER_STEP_SAMPLES_H

#include "pilotsim/pilotsim.h"
#include "pilotsim/robot.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// What one step left behind.
typedef struct ps_step_sample {
    uint64_t step;         ///< the episode's step count after it
    float reward;          ///< that step's reward
    float q, qd;           ///< the chosen joint: rad or m, rad/s or m/s (0 without one)
    float force;           ///< N: the sum of every contact force's magnitude
    float joint_err;       ///< m: the largest joint anchor gap (ps_world_solver_health)
    float penetration;     ///< m: the deepest contact
} ps_step_sample;

enum { PS_STEP_SAMPLES_CAP = 4096 };

/// Samples not yet taken, oldest first; when the frame falls behind by more
/// than PS_STEP_SAMPLES_CAP steps the oldest are dropped (and counted).
typedef struct ps_step_samples {
    bool on;               ///< record after every step (the plots are open)
    size_t joint;          ///< the chosen joint, counting every robot's joints in order
    ps_step_sample s[PS_STEP_SAMPLES_CAP];
    size_t first, n;       ///< ring: oldest index and count
    uint64_t dropped;      ///< samples overwritten before they were taken
    double last_return;    ///< the episode's return after the last recorded step
    uint64_t last_step;    ///< that step's count
    const void *episode;   ///< the episode that return belongs to (identity only)
} ps_step_samples;

/// The `joint`-th joint counting every robot's joints in order: its robot and
/// index within it; false when the world has fewer joints.
bool ps_step_samples_joint(ps_world *w, size_t joint, ps_robot_id *robot, size_t *index);
/// Records `ep`'s state after a step (no-op unless `ss->on`).
void ps_step_samples_record(ps_step_samples *ss, ps_episode *ep);
/// Moves up to `max` pending samples, oldest first, into `out`; returns how many.
size_t ps_step_samples_take(ps_step_samples *ss, ps_step_sample *out, size_t max);
/// Forgets the pending samples (a new episode or a rewind).
void ps_step_samples_clear(ps_step_samples *ss);

#endif
