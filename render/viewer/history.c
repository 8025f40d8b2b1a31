// The viewer's rewind history (see history.h).
#include "history.h"

#include <stdio.h>
#include <stdlib.h>

struct ps_history {
    ps_episode_state **ring;  // capacity slots, created on first use
    uint64_t *steps;          // episode step of each slot
    size_t capacity, head, count; // head: the next slot to write
    uint64_t period;
    char disabled[600];
};

ps_history *ps_history_create(size_t capacity, uint64_t period)
{
    if (capacity == 0 || period == 0) return NULL;
    ps_history *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->ring = calloc(capacity, sizeof *h->ring);
    h->steps = calloc(capacity, sizeof *h->steps);
    if (!h->ring || !h->steps) {
        ps_history_destroy(h);
        return NULL;
    }
    h->capacity = capacity;
    h->period = period;
    return h;
}

void ps_history_destroy(ps_history *h)
{
    if (!h) return;
    if (h->ring)
        for (size_t i = 0; i < h->capacity; i++) ps_episode_state_destroy(h->ring[i]);
    free(h->ring);
    free(h->steps);
    free(h);
}

void ps_history_clear(ps_history *h)
{
    if (!h) return;
    h->head = h->count = 0;
    h->disabled[0] = '\0';
}

void ps_history_record(ps_history *h, ps_episode *e)
{
    if (!h || !e || h->disabled[0] || ps_episode_get_status(e) != PS_EP_RUNNING) return;
    uint64_t step = ps_episode_steps(e);
    if (step % h->period) return;
    if (h->count && h->steps[(h->head + h->capacity - 1) % h->capacity] == step) return; // already saved
    if (!h->ring[h->head] && !(h->ring[h->head] = ps_episode_state_create())) {
        snprintf(h->disabled, sizeof h->disabled, "rewind off: out of memory");
        return;
    }
    char err[PS_ERR_LEN];
    if (ps_episode_save_state(e, h->ring[h->head], err, sizeof err) != PS_OK) {
        snprintf(h->disabled, sizeof h->disabled, "rewind off: %.*s", (int)sizeof h->disabled - 16, err);
        return;
    }
    h->steps[h->head] = step;
    h->head = (h->head + 1) % h->capacity;
    if (h->count < h->capacity) h->count++;
}

bool ps_history_rewind(ps_history *h, ps_episode *e, char *err, size_t errlen)
{
    if (!h || !e) return false;
    if (h->disabled[0]) {
        snprintf(err, errlen, "%s", h->disabled);
        return false;
    }
    uint64_t now = ps_episode_steps(e);
    // Drop the states at or after the current step, newest first.
    while (h->count && h->steps[(h->head + h->capacity - 1) % h->capacity] >= now) {
        h->head = (h->head + h->capacity - 1) % h->capacity;
        h->count--;
    }
    if (!h->count) {
        snprintf(err, errlen, "nothing to rewind to (the history holds the last %zu states, one every %llu steps)",
                 h->capacity, (unsigned long long)h->period);
        return false;
    }
    size_t last = (h->head + h->capacity - 1) % h->capacity;
    if (ps_episode_restore_state(e, h->ring[last], err, errlen) != PS_OK) {
        ps_history_clear(h);
        return false;
    }
    return true; // the restored state stays the newest: rewinding again goes further back
}

size_t ps_history_count(const ps_history *h) { return h ? h->count : 0; }
const char *ps_history_disabled(const ps_history *h) { return h && h->disabled[0] ? h->disabled : NULL; }
