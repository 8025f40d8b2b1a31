// The renderer plugin's recorder for run --screenshot / --video / --camera-out
// (run_record.h's contracts; the executable reaches it through cli_plugin.h).
#ifndef PS_RUN_RENDER_H
#define PS_RUN_RENDER_H

#include "run_record.h"

typedef struct run_render run_render;

run_render *run_render_open(const run_record_opts *o, const ps_scene *s, char *err, size_t errlen);
ps_episode_status run_render_run(run_render *r, ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps);
bool run_render_finish(run_render *r, ps_episode *e, char *err, size_t errlen);
void run_render_report(const run_render *r, FILE *f);
void run_render_destroy(run_render *r);  // NULL is a no-op

#endif
