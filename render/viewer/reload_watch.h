// Reload watcher: remembers the modification time and size of a list of files
// (a scene and the Lua modules it required) and reports when one changed,
// once the change has settled (no further change for `settle` seconds, so a
// half-written file is not loaded).
#ifndef PS_VIEWER_RELOAD_WATCH_H
#define PS_VIEWER_RELOAD_WATCH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ps_reload_watch ps_reload_watch;

/// NULL on allocation failure. `settle` in seconds (0.1 is a good value).
ps_reload_watch *ps_reload_watch_create(double settle);
void ps_reload_watch_destroy(ps_reload_watch *w);   ///< NULL is a no-op
/// Replaces the watched files (paths copied) and records their current state.
/// False on allocation failure (the list is then empty).
bool ps_reload_watch_set(ps_reload_watch *w, const char *const *paths, size_t count);
/// Adds one file (if not watched yet) with its current state. False on allocation failure.
bool ps_reload_watch_add(ps_reload_watch *w, const char *path);
size_t ps_reload_watch_count(const ps_reload_watch *w);
/// Checks the files (call it every frame; it stats at most every 0.1 s of
/// `now`, a monotonic time in seconds). True once when a change has settled;
/// `changed` (may be NULL) then names the first changed file (borrowed until
/// the next call).
bool ps_reload_watch_poll(ps_reload_watch *w, double now, const char **changed);

#endif
