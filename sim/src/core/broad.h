// The collision pass's broad phase for worlds with the default space
// (def.space hash, with or without static_space): which geom pairs may touch,
// without ODE's hash space (and quadtree), which allocate and free their cell
// lists every step.
//
// - the static geoms (no ODE body: world geometry and static bodies' geoms)
//   are binned once into a uniform x-y grid of their ODE bounding boxes (grid2d.h),
//   rebuilt only after a static geom is added, removed or moved
//   (w->static_version); planes, unbounded boxes and geoms spanning many cells
//   are kept in a list every moving geom is tested against;
// - the moving geoms (on dynamic or kinematic bodies) are swept along x in an
//   order kept from step to step (insertion sort: nearly sorted already), and
//   each looks up the grid cells its box covers.
//
// The pairs found are exactly those ODE's spaces report (both geoms enabled,
// not on one body, category and collide bits matching, the bounding boxes not
// disjoint by ODE's own test on ODE's own boxes), minus static-static pairs,
// which the contact pass drops anyway. Their order differs, but the contact
// pass sorts its pairs by geom slots, so trajectories are bit-identical to the
// hash space's. Its buffers grow to their peak and are reused: no allocation
// per step after warm-up.
#ifndef PS_BROAD_H
#define PS_BROAD_H

#include "world_internal.h"

typedef struct ps_broad ps_broad;

/// Calls `cb(w, o1, o2)` once for every candidate pair described above, in no
/// set order. false when out of memory (nothing was reported then).
bool ps_broad_collide(ps_world *w, dNearCallback *cb);

/// Frees the broad phase's buffers (world destruction). Safe when never built.
void ps_broad_free(ps_world *w);

#endif
