// The episode recorder (dataset.h): per-step observations, actions, rewards,
// dones, state hashes and full episode states, buffered in memory until the
// episode is written.
#define _GNU_SOURCE // mremap
#include "dataset_internal.h"
#include "pilotsim/state.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

// Every buffer is an anonymous mapping of its own, grown with mremap: the kernel
// moves its pages instead of copying them (a realloc through the heap copied
// every byte again at each doubling, into fresh pages that faulted), and a page
// is touched only once written. Buffers keep their mapping from one episode to
// the next. A buffer that needs more than 512 KiB gets at least 2 MiB at a
// 2 MiB-aligned address and asks for transparent huge pages: its new memory then
// faults in 2 MiB at a time instead of 4 KiB (a page fault costs about 11 us on
// the development virtual machine, so a 2 MiB observation buffer cost 5.6 ms).
enum { BUF_MIN = 1 << 16, BUF_HUGE = 1 << 21 };

// `cap` bytes (a multiple of BUF_HUGE) of address space at a BUF_HUGE boundary.
static void *map_aligned(size_t cap)
{
    size_t len = cap + BUF_HUGE;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return MAP_FAILED;
    size_t head = (size_t)(-(uintptr_t)p & (BUF_HUGE - 1));
    if (head) munmap(p, head);
    if (len - head > cap) munmap(p + head + cap, len - head - cap);
    return p + head;
}

bool ds_bytes_reserve(ds_bytes *b, size_t n)
{
    if (n <= b->cap) return true;
    size_t cap = b->cap ? b->cap : BUF_MIN;
    while (cap < n) cap *= 2;
    if (cap > BUF_HUGE / 4 && cap < BUF_HUGE) cap = BUF_HUGE; // past 512 KiB: straight to huge pages
    void *d;
    if (!b->data) {
        d = cap >= BUF_HUGE ? map_aligned(cap) : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    } else if (cap < BUF_HUGE) {
        d = mremap(b->data, b->cap, cap, MREMAP_MAYMOVE);
    } else if (b->cap < BUF_HUGE) {
        // Copied (at most 512 KiB), not moved: a 2 MiB range that holds any
        // 4 KiB page can take no huge page.
        d = map_aligned(cap);
        if (d != MAP_FAILED) {
            memcpy(d, b->data, b->len);
            munmap(b->data, b->cap);
        }
    } else {
        // An aligned buffer grows in place when the address space after it is
        // free; otherwise its page tables move to an aligned place.
        d = mremap(b->data, b->cap, cap, 0);
        if (d == MAP_FAILED) {
            void *to = map_aligned(cap);
            d = to == MAP_FAILED ? MAP_FAILED : mremap(b->data, b->cap, cap, MREMAP_MAYMOVE | MREMAP_FIXED, to);
            if (d == MAP_FAILED && to != MAP_FAILED) munmap(to, cap);
        }
    }
    if (d == MAP_FAILED) return false;
    if (cap >= BUF_HUGE) madvise(d, cap, MADV_HUGEPAGE); // advice only: 4 KiB pages without it
    b->data = d;
    b->cap = cap;
    return true;
}

static bool grow(ds_bytes *b, size_t extra) { return ds_bytes_reserve(b, b->len + extra); }

void ds_bytes_release(ds_bytes *b)
{
    if (b->data) munmap(b->data, b->cap);
    *b = (ds_bytes){0};
}

static void fail(ds_recorder *r, const char *msg)
{
    if (!r->error[0]) snprintf(r->error, sizeof r->error, "%s", msg);
}

static bool put(ds_recorder *r, ds_bytes *b, const void *p, size_t n)
{
    if (!grow(b, n)) {
        fail(r, "recording: out of memory");
        return false;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return true;
}

ds_recorder *ds_recorder_create(void)
{
    ds_recorder *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->state = ps_episode_state_create();
    r->scratch = calloc(1, sizeof *r->scratch);
    r->state_every = 1;
    if (!r->state || !r->scratch) {
        ps_episode_state_destroy(r->state);
        free(r->scratch);
        free(r);
        return NULL;
    }
    return r;
}

static void clear(ds_recorder *r)
{
    // Every buffer keeps its memory for the next episode (no page faults anew):
    // the observation entries' too, whatever entries the next episode has.
    for (size_t i = 0; i < r->obs_cap; i++)
        r->obs[i].data.len = r->obs[i].last.len = r->obs[i].same.len = r->obs[i].prev.len = 0;
    r->nobs = 0;
    ds_bytes *bufs[] = {&r->actions, &r->rewards, &r->dones, &r->hashes, &r->states, &r->state_len};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) bufs[i]->len = 0;
    r->steps = 0;
    r->step_limit = 0;
    r->state_max = 0;
    r->action_dim = 0;
    r->naction = 0;
    r->error[0] = '\0';
}

void ds_recorder_destroy(ds_recorder *r)
{
    if (!r) return;
    clear(r);
    for (size_t i = 0; i < r->obs_cap; i++) {
        ds_bytes_release(&r->obs[i].data);
        ds_bytes_release(&r->obs[i].last);
        ds_bytes_release(&r->obs[i].same);
        ds_bytes_release(&r->obs[i].prev);
    }
    free(r->obs);
    ds_bytes *bufs[] = {&r->actions, &r->rewards, &r->dones, &r->hashes, &r->states, &r->state_len};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) ds_bytes_release(bufs[i]);
    ds_scratch_release(r->scratch);
    free(r->scratch);
    ps_episode_state_destroy(r->state);
    free(r);
}

// An observation entry that is an RGB camera's image (values 0..1): stored as
// uint8. Found by its buffer, which is the camera sensor's own.
static bool rgb_camera_entry(ps_world *w, const ps_space_entry *en)
{
    if (!w) return false;
    for (size_t i = 0; i < ps_world_sensor_count(w); i++) {
        ps_sensor_id s = ps_world_sensor_at(w, i);
        if (ps_sensor_get_type(w, s) != PS_SENSOR_CAMERA) continue;
        size_t n = 0;
        if (ps_sensor_data(w, s, &n) != en->data) continue;
        ps_sensor_def def;
        return ps_sensor_get_def(w, s, &def) == PS_OK && def.camera == PS_CAMERA_RGB;
    }
    return false;
}

void ds_recorder_begin(ds_recorder *r, ps_episode *e)
{
    clear(r);
    ps_world *w = ps_episode_world(e);
    size_t n = ps_episode_observation_count(e);
    if (n > r->obs_cap) {
        ds_obs *o = realloc(r->obs, n * sizeof *o);
        if (!o) {
            fail(r, "recording: out of memory");
            return;
        }
        memset(o + r->obs_cap, 0, (n - r->obs_cap) * sizeof *o);
        r->obs = o;
        r->obs_cap = n;
    }
    r->nobs = n;
    for (size_t i = 0; i < n; i++) {
        const ps_space_entry *en = ps_episode_observation(e, i);
        ds_obs *o = &r->obs[i];
        snprintf(o->name, sizeof o->name, "%s", en->name);
        o->ndim = en->ndim;
        memcpy(o->shape, en->shape, sizeof o->shape);
        o->count = en->count;
        o->u8 = rgb_camera_entry(w, en);
    }
    r->naction = ps_episode_action_count(e);
    if (r->naction > DS_MAX_ACTIONS) r->naction = DS_MAX_ACTIONS;
    for (size_t i = 0; i < r->naction; i++) {
        const ps_space_entry *en = ps_episode_action(e, i);
        snprintf(r->action_names[i], sizeof r->action_names[i], "%s", en->name);
        r->action_counts[i] = en->count;
        r->action_dim += en->count;
    }
    r->last_return = ps_episode_return(e);
}

// An image value 0..1 as a byte: round(255 v), ties to even, as lrintf rounds
// (in the default rounding mode) but inline: adding 2^23 to a float below 2^23
// leaves it no fraction bits, so the addition rounds it to an integer.
static inline unsigned char to_u8(float v)
{
    if (!(v > 0)) return 0;
    if (v >= 1) return 255;
    float x = v * 255.0f;
    return (unsigned char)(int)((x + 8388608.0f) - 8388608.0f);
}

// Appends the current observations to each entry's `data` (or `last`) buffer.
static bool take_obs(ds_recorder *r, ps_episode *e, bool last)
{
    for (size_t i = 0; i < r->nobs; i++) {
        const ps_space_entry *en = ps_episode_observation(e, i);
        ds_obs *o = &r->obs[i];
        ds_bytes *b = last ? &o->last : &o->data;
        if (!en || en->count != o->count) {
            fail(r, "recording: the observation space changed during the episode");
            return false;
        }
        if (o->u8) {
            size_t fbytes = o->count * sizeof(float);
            unsigned char same = !last && b->len && o->prev.len == fbytes && !memcmp(o->prev.data, en->data, fbytes);
            if (!last && !put(r, &o->same, &same, 1)) return false;
            if (same) continue; // the camera has not rendered since: the image before
            if (!grow(b, o->count)) {
                fail(r, "recording: out of memory");
                return false;
            }
            unsigned char *d = b->data + b->len;
            if (!last) {
                o->prev.len = 0;
                if (!put(r, &o->prev, en->data, fbytes)) return false;
            }
            for (size_t k = 0; k < o->count; k++) d[k] = to_u8(en->data[k]);
            b->len += o->count;
        } else if (!put(r, b, en->data, o->count * sizeof(float))) {
            return false;
        }
    }
    return true;
}

// Room for a whole episode of `n` bytes a step (at most 256 MiB, address space
// only: pages come when written), when that reaches the huge-page size, so the
// buffer starts on huge pages instead of faulting its first 2 MiB in 4 KiB pages.
static void reserve_steps(ds_recorder *r, ds_bytes *b, size_t n)
{
    if (!r->step_limit || !n || r->step_limit > (256u << 20) / n) return;
    size_t want = (size_t)r->step_limit * n;
    if (want >= BUF_HUGE) (void)ds_bytes_reserve(b, want); // a hint: growth reports a real shortage
}

void ds_recorder_before_step(ds_recorder *r, ps_episode *e)
{
    if (r->error[0] || !take_obs(r, e, false)) return;
    // Actions as the step will apply them: clamped to the entry's bounds.
    if (!grow(&r->actions, r->action_dim * sizeof(float))) {
        fail(r, "recording: out of memory");
        return;
    }
    float *a = (float *)(void *)(r->actions.data + r->actions.len);
    for (size_t i = 0; i < r->naction; i++) {
        const ps_space_entry *en = ps_episode_action(e, i);
        for (size_t k = 0; k < en->count; k++) {
            float v = en->data[k];
            if (en->low && v < en->low[k]) v = en->low[k];
            if (en->high && v > en->high[k]) v = en->high[k];
            *a++ = v;
        }
    }
    r->actions.len += r->action_dim * sizeof(float);

    ps_world *w = ps_episode_world(e);
    uint64_t h = w ? DS_STATE_HASH_FN(w) : 0;
    if (!put(r, &r->hashes, &h, sizeof h)) return;
    if (r->state_every > 1 && r->steps % r->state_every) {
        uint64_t zero = 0;
        put(r, &r->state_len, &zero, sizeof zero);
        r->steps++;
        return;
    }
    char err[PS_ERR_LEN];
    if (ps_episode_save_state(e, r->state, err, sizeof err) != PS_OK) {
        fail(r, err);
        return;
    }
    void *bytes = NULL;
    size_t n = 0;
    if (ps_episode_state_serialize(r->state, &bytes, &n) != PS_OK || !grow(&r->states, n)) {
        ps_episode_state_free_bytes(bytes);
        fail(r, "recording: out of memory");
        return;
    }
    if (!r->steps) reserve_steps(r, &r->states, n / r->state_every + 1);
    memcpy(r->states.data + r->states.len, bytes, n);
    ps_episode_state_free_bytes(bytes);
    r->states.len += n;
    uint64_t n64 = n;
    if (!put(r, &r->state_len, &n64, sizeof n64)) return;
    if (n > r->state_max) r->state_max = n;
    r->steps++;
}

void ds_recorder_after_step(ds_recorder *r, ps_episode *e)
{
    if (r->error[0]) return;
    double ret = ps_episode_return(e);
    double rew = ret - r->last_return;
    r->last_return = ret;
    unsigned char done = ps_episode_get_status(e) != PS_EP_RUNNING;
    put(r, &r->rewards, &rew, sizeof rew);
    put(r, &r->dones, &done, 1);
    if (done) take_obs(r, e, true);
}

static void hook_before(void *r, ps_episode *e) { ds_recorder_before_step(r, e); }
static void hook_after(void *r, ps_episode *e) { ds_recorder_after_step(r, e); }

ps_episode_status ds_record_run(ds_recorder *r, ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps)
{
    ds_recorder_begin(r, e);
    if (ps_episode_get_status(e) != PS_EP_RUNNING) return ps_episode_get_status(e);
    double dt = ps_episode_timestep(e), limit = ps_scene_time_limit(ps_episode_scene(e)) / dt;
    r->step_limit = limit > 0 && limit < 1e12 ? (uint64_t)limit + 1 : 0;
    if (max_steps && (!r->step_limit || max_steps < r->step_limit)) r->step_limit = max_steps;
    for (size_t i = 0; i < r->nobs; i++)
        if (!r->obs[i].u8) reserve_steps(r, &r->obs[i].data, r->obs[i].count * sizeof(float));
    const ps_step_hooks hooks = {.before = hook_before, .after = hook_after, .ctx = r};
    return ps_episode_run_hooked(e, p, seed, max_steps, &hooks);
}

size_t ds_recorder_steps(const ds_recorder *r) { return r->steps; }

const char *ds_recorder_error(const ds_recorder *r) { return r->error[0] ? r->error : NULL; }

size_t ds_recorder_bytes(const ds_recorder *r)
{
    size_t n = r->actions.len + r->rewards.len + r->dones.len + r->hashes.len + r->states.len + r->state_len.len;
    for (size_t i = 0; i < r->nobs; i++) n += r->obs[i].data.len;
    return n;
}

void ds_recorder_set_state_every(ds_recorder *r, uint64_t k) { r->state_every = k ? k : 1; }
