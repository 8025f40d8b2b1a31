// pilotsim view --record (dataset_view.c): demonstrations recorded from the
// viewer through its step hook (render/include/pilotsim/viewer.h).
#ifndef PS_DATASET_VIEW_H
#define PS_DATASET_VIEW_H

#include "dataset.h"
#include "pilotsim/viewer.h"

typedef struct ds_view_recorder ds_view_recorder;

/// Opens (or creates) the dataset `path` for demos of `scene_path` (loaded
/// once with `so` for its name and hash; `so->params` are recorded), first
/// seed `seed`. Demos are appended after those the file holds. NULL with a message.
ds_view_recorder *ds_view_recorder_create(const char *path, const char *scene_path, const ps_scene_options *so,
                                          uint64_t seed, char *err, size_t errlen);
/// The hook to give the viewer (ps_viewer_options.step_hook); valid while `v` lives.
const ps_viewer_step_hook *ds_view_recorder_hook(ds_view_recorder *v);
void ds_view_recorder_destroy(ds_view_recorder *v);   ///< NULL is a no-op

#endif
