// Small helpers every layer of the library shares (private: sim/src/*).
#ifndef PS_UTIL_H
#define PS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// A malloc'd copy of `s` (the caller frees it); NULL for a NULL `s` or on OOM.
char *ps_strdup(const char *s);
// Grows a table to hold at least `need` elements (doubling). false on OOM.
bool ps_grow(void **arr, uint32_t *cap, uint32_t need, size_t elem);
// Monotonic wall clock, s (profiling counters; never part of a state).
double ps_monotonic_s(void);

// Formats a message into `buf` (`n` bytes), cutting what does not fit: messages
// are bounded by the buffer (PS_ERR_LEN for the API's `err` parameters), so a
// prefix added to a message that already fills one is expected to cut it. A NULL
// `buf` or `n` 0 writes nothing.
void ps_msgf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
