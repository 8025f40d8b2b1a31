// Keyboard and gamepad teleoperation (see teleop.h).
#include "teleop.h"

#include <math.h>

void ps_teleop_range(const ps_space_entry *a, size_t i, double *lo, double *hi)
{
    *lo = a->low && isfinite(a->low[i]) ? a->low[i] : -1.0;
    *hi = a->high && isfinite(a->high[i]) ? a->high[i] : 1.0;
    if (!(*hi > *lo)) {
        *lo = -1;
        *hi = 1;
    }
}

static ps_space_entry *entry(ps_teleop *t, ps_episode *e)
{
    ps_teleop_fit(t, e);
    return ps_episode_action_count(e) ? ps_episode_action(e, t->entry) : NULL;
}

void ps_teleop_fit(ps_teleop *t, ps_episode *e)
{
    size_t n = e ? ps_episode_action_count(e) : 0;
    if (t->entry >= n) t->entry = 0;
    ps_space_entry *a = n ? ps_episode_action(e, t->entry) : NULL;
    if (!a || t->dim >= a->count) t->dim = 0;
}

void ps_teleop_next_entry(ps_teleop *t, ps_episode *e, int dir)
{
    size_t n = ps_episode_action_count(e);
    if (!n) return;
    t->entry = (t->entry + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
    t->dim = 0;
}

void ps_teleop_next_dim(ps_teleop *t, ps_episode *e, int dir)
{
    ps_space_entry *a = entry(t, e);
    if (!a || !a->count) return;
    t->dim = (t->dim + a->count + (size_t)(dir > 0 ? 1 : a->count - 1)) % a->count;
}

static void set(ps_space_entry *a, size_t i, double v)
{
    double lo, hi;
    ps_teleop_range(a, i, &lo, &hi);
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    a->data[i] = (float)v;
}

void ps_teleop_nudge(ps_teleop *t, ps_episode *e, int dir)
{
    ps_space_entry *a = entry(t, e);
    if (!a || !a->count) return;
    double lo, hi;
    ps_teleop_range(a, t->dim, &lo, &hi);
    set(a, t->dim, a->data[t->dim] + dir * 0.1 * (hi - lo));
}

void ps_teleop_zero(ps_teleop *t, ps_episode *e)
{
    for (size_t k = 0; k < ps_episode_action_count(e); k++) {
        ps_space_entry *a = ps_episode_action(e, k);
        for (size_t i = 0; i < a->count; i++) a->data[i] = 0;
    }
    for (int i = 0; i < 4; i++) t->held[i] = false;
}

// Value `i` from a pair of held keys: +max, -max, or 0 when none (or both).
static void apply_pair(ps_space_entry *a, size_t i, bool pos, bool neg)
{
    if (i >= a->count) return;
    double lo, hi;
    ps_teleop_range(a, i, &lo, &hi);
    a->data[i] = (float)(pos == neg ? 0.0 : pos ? hi : lo);
    if (lo > 0 || hi < 0) set(a, i, a->data[i]);
}

void ps_teleop_drive(ps_teleop *t, ps_episode *e, int which, bool down)
{
    if (which < 0 || which > 3) return;
    t->held[which] = down;
    ps_space_entry *a = entry(t, e);
    if (!a) return;
    if (which < 2) apply_pair(a, 0, t->held[0], t->held[1]);
    else apply_pair(a, 1, t->held[2], t->held[3]);
}

bool ps_teleop_gamepad(ps_teleop *t, ps_episode *e, const float axes[4])
{
    const double dead = 0.12;
    bool moved = false;
    for (int i = 0; i < 4; i++) moved |= fabs(axes[i]) > dead;
    if (!moved && !t->pad_active) return false;
    t->pad_active = moved;
    ps_space_entry *a = entry(t, e);
    if (!a) return false;
    // Stick up (negative y) drives value 0 forward, stick left (negative x) turns left (positive).
    const float v[4] = {-axes[1], -axes[0], -axes[3], -axes[2]};
    for (size_t i = 0; i < 4 && i < a->count; i++) {
        double lo, hi, s = fabs(v[i]) > dead ? v[i] : 0.0;
        ps_teleop_range(a, i, &lo, &hi);
        double mid = 0.5 * (lo + hi), half = 0.5 * (hi - lo);
        if (lo <= 0 && hi >= 0) a->data[i] = (float)(s >= 0 ? s * hi : -s * lo);
        else a->data[i] = (float)(mid + s * half);
    }
    return true;
}
