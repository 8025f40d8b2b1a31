// pilotsim report --videos N: short videos (or PNG thumbnails) of failed
// episodes, re-run headless from their records with the offscreen recorder of
// `pilotsim run --video/--screenshot` (run_record.h), for embedding in the
// HTML report as data: URIs.
#ifndef PS_REPORT_MEDIA_H
#define PS_REPORT_MEDIA_H

#include "eval.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/// Frames per simulated second and size (pixels) of the embedded videos.
#define REPORT_MEDIA_FPS 10.0
#define REPORT_MEDIA_WIDTH 320
#define REPORT_MEDIA_HEIGHT 180
/// Wall-clock seconds one re-run may take before it is given up.
#define REPORT_MEDIA_TIMEOUT_S 120u

/// One failed episode's media.
typedef struct report_clip {
    size_t rec;     ///< index of its record in the run's set
    char *video;    ///< "data:video/mp4;base64,..." (owned), or NULL
    char *image;    ///< "data:image/png;base64,..." of the final state (owned), or NULL
    char *note;     ///< why there is no media, or a remark on the re-run (owned), or NULL
} report_clip;

/// The clips of one run, in the order chosen.
typedef struct report_media {
    report_clip *v;
    size_t n;
    size_t bytes;     ///< media bytes embedded (before base64)
    size_t max_bytes; ///< the cap they were held to
    bool capped;      ///< some clip was left out (or shown as a thumbnail only) for the cap
} report_media;

/// True when this build can render clips; else false with the reason
/// (the missing renderer) in `why`.
bool report_media_available(char *why, size_t n);

/// Picks up to `per_scene` episodes that did not succeed per (scene, policy,
/// params) group of `set`, lowest episode index first, and re-runs each in a
/// child process (its path, seed, --param overrides and policy from the
/// record; a crash or hang there becomes a note) recording an MP4 when video
/// is built in, else a PNG of the final state. Media past `max_bytes` in all
/// is left out (noted, `capped`). One line per clip on `log` (may be NULL).
/// false only on allocation failure (message in `err`); per-clip failures
/// (a scene that cannot be loaded) are notes.
bool report_media_render(report_media *m, const eval_set *set, size_t per_scene, size_t max_bytes, FILE *log,
                         char *err, size_t errlen);

/// Frees the clips (not `m` itself) and zeroes it. A zeroed one is a no-op.
void report_media_free(report_media *m);

#endif
