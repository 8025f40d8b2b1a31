// A conformance policy library for the tests (lib:conformance_policy.so[?report=FILE]).
// At reset it checks the arrays: names printable identifiers, sorted and
// unique, 1..4 dimensions, count the product of the shape, data non-NULL,
// bounds both or neither. At every act it checks the same arrays arrive again
// (same names, shapes, counts) with finite observation values, and writes
// every action (the middle of its bounds, zero when unbounded). A violation
// fails the call with a message naming it. With report=FILE it appends
// "episode obs=N act=M steps=K dtypes=D,D..." per episode (at the next reset
// and at destroy; D the observations' PS_ABI_* dtypes). It also checks every
// array's dtype, values and nbytes (ABI 2).
// With replay=FILE it writes the actions recorded in FILE instead, step after
// step: per step every action array's float32 values, in name order (the
// cross-interface identity test records them from the Lua baseline).
// With bench it skips the observation checks (pilotsim bench --policies
// measures the call itself).
#include "pilotsim/policy_abi.h"

#include <ctype.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXE 64

typedef struct entry { char name[128]; int ndim, shape[4]; size_t count; int dtype; } entry;

typedef struct conf {
    char report[1024];
    entry obs[MAXE], act[MAXE];
    size_t nobs, nact;
    long steps; // -1 before the first reset
    FILE *replay;
    bool bench;
} conf;

static void flush_report(conf *c)
{
    if (!c->report[0] || c->steps < 0) return;
    FILE *f = fopen(c->report, "a");
    if (!f) return;
    fprintf(f, "episode obs=%zu act=%zu steps=%ld dtypes=", c->nobs, c->nact, c->steps);
    for (size_t i = 0; i < c->nobs; i++) fprintf(f, "%s%d", i ? "," : "", c->obs[i].dtype);
    fputc('\n', f);
    fclose(f);
}

static void *create(const char *config, char *err, size_t errlen)
{
    conf *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->steps = -1;
    if (!strncmp(config, "report=", 7)) snprintf(c->report, sizeof c->report, "%s", config + 7);
    else if (!strcmp(config, "bench")) c->bench = true;
    else if (!strncmp(config, "replay=", 7) && !(c->replay = fopen(config + 7, "rb"))) {
        snprintf(err, errlen, "cannot open '%s'", config + 7);
        free(c);
        return NULL;
    } else if (*config && !c->replay) {
        snprintf(err, errlen, "bad config '%s' (want report=FILE or replay=FILE)", config);
        free(c);
        return NULL;
    }
    return c;
}

static bool identifier(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_')) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.') return false;
    return true;
}

// Checks and records arrays a[0..n) as `what`.
static int learn(entry *out, const ps_abi_array *a, size_t n, const char *what, char *err, size_t errlen)
{
    if (n > MAXE) {
        snprintf(err, errlen, "more than %d %s arrays", MAXE, what);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!identifier(a[i].name) || strlen(a[i].name) >= sizeof out[i].name) {
            snprintf(err, errlen, "%s array %zu has no printable name", what, i);
            return 1;
        }
        if (i && strcmp(a[i - 1].name, a[i].name) >= 0) {
            snprintf(err, errlen, "%s arrays not sorted and unique at '%s'", what, a[i].name);
            return 1;
        }
        if (a[i].ndim < 1 || a[i].ndim > 4) {
            snprintf(err, errlen, "%s '%s': ndim %d", what, a[i].name, a[i].ndim);
            return 1;
        }
        size_t prod = 1;
        for (int d = 0; d < a[i].ndim; d++) {
            if (a[i].shape[d] < 1) {
                snprintf(err, errlen, "%s '%s': shape[%d] = %d", what, a[i].name, d, a[i].shape[d]);
                return 1;
            }
            prod *= (size_t)a[i].shape[d];
        }
        if (prod != a[i].count || !a[i].data || !a[i].low != !a[i].high) {
            snprintf(err, errlen, "%s '%s': count %zu for a shape of %zu values, data %p", what, a[i].name,
                     a[i].count, prod, (void *)a[i].data);
            return 1;
        }
        static const size_t size[3] = {4, 1, 4};
        if (a[i].dtype < PS_ABI_FLOAT32 || a[i].dtype > PS_ABI_INT32 || !a[i].values ||
            a[i].nbytes != a[i].count * size[a[i].dtype] || (a[i].dtype == PS_ABI_FLOAT32 && a[i].values != a[i].data)) {
            snprintf(err, errlen, "%s '%s': dtype %d, values %p, %zu bytes for %zu values", what, a[i].name,
                     a[i].dtype, a[i].values, a[i].nbytes, a[i].count);
            return 1;
        }
        out[i].dtype = a[i].dtype;
        snprintf(out[i].name, sizeof out[i].name, "%s", a[i].name);
        out[i].ndim = a[i].ndim;
        memcpy(out[i].shape, a[i].shape, sizeof out[i].shape);
        out[i].count = a[i].count;
    }
    return 0;
}

static int same(const entry *e, const ps_abi_array *a, size_t n, size_t want, const char *what, char *err,
                size_t errlen)
{
    if (n != want) {
        snprintf(err, errlen, "%zu %s arrays at act, %zu at reset", n, what, want);
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (!a[i].name || strcmp(a[i].name, e[i].name) || a[i].ndim != e[i].ndim || a[i].count != e[i].count ||
            memcmp(a[i].shape, e[i].shape, sizeof e[i].shape) || !a[i].data) {
            snprintf(err, errlen, "%s array %zu ('%s') changed between reset and act", what, i, e[i].name);
            return 1;
        }
    return 0;
}

static int reset(void *self, const ps_abi_array *obs, size_t nobs, const ps_abi_array *act, size_t nact,
                 uint64_t seed, char *err, size_t errlen)
{
    (void)seed;
    conf *c = self;
    flush_report(c);
    c->steps = 0;
    c->nobs = c->nact = 0;
    if (learn(c->obs, obs, nobs, "observation", err, errlen) || learn(c->act, act, nact, "action", err, errlen))
        return 1;
    c->nobs = nobs;
    c->nact = nact;
    return 0;
}

static int act(void *self, const ps_abi_array *obs, size_t nobs, ps_abi_array *act, size_t nact, char *err,
               size_t errlen)
{
    conf *c = self;
    if (c->bench) {
        for (size_t i = 0; i < nact; i++) memset(act[i].data, 0, act[i].count * sizeof(float));
        c->steps++;
        return 0;
    }
    if (same(c->obs, obs, nobs, c->nobs, "observation", err, errlen) ||
        same(c->act, act, nact, c->nact, "action", err, errlen))
        return 1;
    for (size_t i = 0; i < nobs; i++)
        for (size_t k = 0; k < obs[i].count; k++)
            if (!isfinite(obs[i].data[k])) {
                snprintf(err, errlen, "observation '%s'[%zu] is not finite", obs[i].name, k);
                return 1;
            }
    for (size_t i = 0; i < nact; i++) {
        if (c->replay) {
            if (fread(act[i].data, sizeof(float), act[i].count, c->replay) != act[i].count) {
                snprintf(err, errlen, "the replay file ends at step %ld", c->steps);
                return 1;
            }
            continue;
        }
        for (size_t k = 0; k < act[i].count; k++)
            act[i].data[k] = act[i].low ? (float)(((double)act[i].low[k] + act[i].high[k]) / 2) : 0.0f;
    }
    c->steps++;
    return 0;
}

static void destroy(void *self)
{
    conf *c = self;
    flush_report(c);
    if (c->replay) fclose(c->replay);
    free(c);
}

static const ps_policy_abi abi = {PS_POLICY_ABI_VERSION, create, reset, act, destroy};

const ps_policy_abi *pilotsim_policy_entry(void);
const ps_policy_abi *pilotsim_policy_entry(void) { return &abi; }
