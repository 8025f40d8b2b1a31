// Keyboard and gamepad teleoperation: writes the running episode's action
// entries (ps_episode_action). One entry is selected (Tab), and one value in
// it (',' '.'); +/- move that value by 10% of its range; held arrow keys put
// values 0 and 1 of the entry at +-max (forward/turn for wheeled robots); a
// gamepad's left stick drives values 0 and 1, its right stick values 2 and 3.
// The range of a value is its declared bounds, or [-1, 1] when unbounded.
#ifndef PS_VIEWER_TELEOP_H
#define PS_VIEWER_TELEOP_H

#include "pilotsim/episode.h"

typedef struct ps_teleop {
    size_t entry, dim;      ///< selected action entry and value
    bool held[4];           ///< forward, back, left, right
    bool pad_active;        ///< the gamepad moved a stick out of its dead zone since the last reset
} ps_teleop;

/// Clamps the selection to the episode's action space (after a reset or reload).
void ps_teleop_fit(ps_teleop *t, ps_episode *e);
void ps_teleop_next_entry(ps_teleop *t, ps_episode *e, int dir);
void ps_teleop_next_dim(ps_teleop *t, ps_episode *e, int dir);
/// +/- 10% of the selected value's range.
void ps_teleop_nudge(ps_teleop *t, ps_episode *e, int dir);
void ps_teleop_zero(ps_teleop *t, ps_episode *e);
/// Arrow key `which` (0 fwd, 1 back, 2 left, 3 right) pressed or released.
void ps_teleop_drive(ps_teleop *t, ps_episode *e, int which, bool down);
/// Gamepad axes (left x, left y, right x, right y; -1..1, y down positive as
/// GLFW reports them). Returns true when it wrote actions.
bool ps_teleop_gamepad(ps_teleop *t, ps_episode *e, const float axes[4]);
/// The range of value i of entry `a`.
void ps_teleop_range(const ps_space_entry *a, size_t i, double *lo, double *hi);

#endif
