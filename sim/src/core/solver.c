// Solver settings chosen for the robots a world holds: each robot declares
// what it needs (ps_solver_need), the world adopts the strictest need unless
// its maker fixed the value, and says so when a fixed value falls short.
#include "world_internal.h"
#include "log_internal.h"
#include "pilotsim/world.h"

#include <math.h>
#include <stdio.h>

const char *ps_setting_source_name(ps_setting_source s)
{
    switch (s) {
    case PS_SETTING_FIXED: return "scene";
    case PS_SETTING_ROBOT: return "robot";
    case PS_SETTING_DEFAULT: break;
    }
    return "default";
}

const char *ps_solver_kind_name(ps_solver_kind k)
{
    return k == PS_SOLVER_DIRECT ? "direct" : "quickstep";
}

bool ps_solver_need_valid(const ps_solver_need *n)
{
    return n && n->min_iterations >= 0 && n->min_iterations <= PS_WORLD_MAX_ITERATIONS && n->max_timestep >= 0 &&
           isfinite(n->max_timestep) && n->direct_max_timestep >= 0 && isfinite(n->direct_max_timestep);
}

ps_status ps_world_require_solver(ps_world *w, const char *who, const ps_solver_need *need)
{
    if (!ps_solver_need_valid(need)) return ps_world_fail(w, PS_ERR_INVALID, PS_SOLVER_NEED_RULE);
    if (!who) who = "robot";
    ps_solver_settings *s = &w->solver;
    ps_world_def *d = &w->def;
    if (need->min_iterations > s->need_iterations) {
        s->need_iterations = need->min_iterations;
        snprintf(s->need_iterations_robot, sizeof s->need_iterations_robot, "%s", who);
        // the direct solver has no iterations: every iteration need is met
        if (need->min_iterations > d->iterations && d->solver == PS_SOLVER_QUICKSTEP) {
            if (d->iterations_fixed) {
                ps_logf(&d->log, PS_LOG_WARN,
                        "world.iterations %d is below the %d robot '%s' needs (docs/fidelity.md): the scene's value "
                        "is kept; expect servo jitter, sag or slipping grasps",
                        d->iterations, need->min_iterations, who);
            } else {
                d->iterations = need->min_iterations;
                s->iterations_from = PS_SETTING_ROBOT;
                dWorldSetQuickStepNumIterations(w->world, d->iterations);
            }
        }
    }
    double max_dt = need->max_timestep;
    if (d->solver == PS_SOLVER_DIRECT && need->direct_max_timestep > 0) max_dt = need->direct_max_timestep;
    if (max_dt > 0 && (s->need_timestep == 0 || max_dt < s->need_timestep)) {
        s->need_timestep = max_dt;
        snprintf(s->need_timestep_robot, sizeof s->need_timestep_robot, "%s", who);
        if (d->timestep > max_dt * (1 + 1e-9))
            ps_logf(&d->log, PS_LOG_WARN,
                    "timestep %g s is above the %g s robot '%s' is measured at%s (docs/fidelity.md); expect servo "
                    "jitter and sag",
                    d->timestep, max_dt, who, d->solver == PS_SOLVER_DIRECT ? " with the direct solver" : "");
    }
    return PS_OK;
}

void ps_world_solver_settings(const ps_world *w, ps_solver_settings *out)
{
    *out = w->solver;
    out->solver = w->def.solver;
    out->iterations = w->def.iterations;
    out->timestep = w->def.timestep;
    if (out->iterations_from != PS_SETTING_ROBOT)
        out->iterations_from = w->def.iterations_fixed ? PS_SETTING_FIXED : PS_SETTING_DEFAULT;
}
