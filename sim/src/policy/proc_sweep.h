// Ending every descendant of the exec: supervisor, including those that left
// its process group (setsid, setpgid), so that no policy process outlives
// pilotsim (docs/protocol.md). Linux only: a child subreaper collects the
// orphans, /proc tells who descends from whom.
#ifndef PS_PROC_SWEEP_H
#define PS_PROC_SWEEP_H

#include <stdbool.h>
#include <sys/types.h>

// Makes the calling process a child subreaper: its descendants' orphans
// become its children instead of init's. False when the kernel refuses.
bool ps_proc_become_subreaper(void);

// In a child about to exec: dies with SIGKILL when its parent `parent` ends.
// False when the parent is already gone (the caller should _exit).
bool ps_proc_die_with_parent(pid_t parent);

// SIGKILLs every descendant of the calling process, and reaps every child
// that ended, until a pass over /proc finds none (at most `max_passes`).
// Async-signal-safe: no allocation, no stdio (it runs in a forked child of a
// possibly threaded process).
void ps_proc_sweep_descendants(int max_passes);

#endif
