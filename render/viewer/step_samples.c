// Per-step plot samples (see step_samples.h).
#include "step_samples.h"

#include "pilotsim/robot.h"

#include <math.h>
#include <string.h>

bool ps_step_samples_joint(ps_world *w, size_t joint, ps_robot_id *robot, size_t *index)
{
    for (size_t ri = 0; w && ri < ps_world_robot_count(w); ri++) {
        ps_robot_id r = ps_world_robot_at(w, ri);
        size_t nj = ps_robot_joint_count(w, r);
        if (joint < nj) {
            *robot = r;
            *index = joint;
            return true;
        }
        joint -= nj;
    }
    return false;
}

void ps_step_samples_record(ps_step_samples *ss, ps_episode *ep)
{
    ps_world *w = ep ? ps_episode_world(ep) : NULL;
    if (!ss->on || !w) return;
    ps_step_sample s;
    memset(&s, 0, sizeof s);
    s.step = ps_episode_steps(ep);
    double ret = ps_episode_return(ep);
    if (ss->episode != (const void *)ep || s.step != ss->last_step + 1) { // a new episode, a rewind, a gap
        // First sample of this episode: after its first step the reward is the
        // return; later (plots opened mid-episode) it is unknown (not plotted).
        ss->episode = ep;
        ss->last_return = s.step == 1 ? 0.0 : NAN;
    }
    s.reward = (float)(ret - ss->last_return);
    ss->last_return = ret;
    ss->last_step = s.step;
    ps_robot_id r;
    size_t j;
    if (ps_step_samples_joint(w, ss->joint, &r, &j)) {
        size_t nj = ps_robot_joint_count(w, r);
        double q[128], qd[128];
        if (nj <= 128 && ps_robot_positions(w, r, q) == PS_OK && ps_robot_velocities(w, r, qd) == PS_OK) {
            s.q = (float)q[j];
            s.qd = (float)qd[j];
        }
    }
    size_t nc = 0;
    const ps_contact *c = ps_world_contacts(w, &nc);
    double f = 0;
    for (size_t i = 0; c && i < nc; i++)
        f += sqrt(c[i].force.x * c[i].force.x + c[i].force.y * c[i].force.y + c[i].force.z * c[i].force.z);
    s.force = (float)f;
    ps_solver_health h;
    ps_world_solver_health(w, &h);
    s.joint_err = (float)h.joint_error;
    s.penetration = (float)h.penetration;
    if (ss->n == PS_STEP_SAMPLES_CAP) { // the frame is far behind: drop the oldest
        ss->first = (ss->first + 1) % PS_STEP_SAMPLES_CAP;
        ss->n--;
        ss->dropped++;
    }
    ss->s[(ss->first + ss->n) % PS_STEP_SAMPLES_CAP] = s;
    ss->n++;
}

size_t ps_step_samples_take(ps_step_samples *ss, ps_step_sample *out, size_t max)
{
    size_t k = 0;
    while (k < max && ss->n) {
        out[k++] = ss->s[ss->first];
        ss->first = (ss->first + 1) % PS_STEP_SAMPLES_CAP;
        ss->n--;
    }
    return k;
}

void ps_step_samples_clear(ps_step_samples *ss)
{
    ss->first = ss->n = 0;
    ss->episode = NULL;
}
