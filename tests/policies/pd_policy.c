// A policy shared library for the tests and an example of the C ABI
// (policy_abi.h): a PD controller on an observation "x" = {position, velocity}
// writing action "force". Config "kp=..;kd=.." or "fail" (act fails) or
// "crash" (act dereferences NULL: the fault-injection tests use it).
#include "pilotsim/policy_abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pd { double kp, kd; int mode; } pd;

static const ps_abi_array *find(const ps_abi_array *a, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(a[i].name, name)) return &a[i];
    return NULL;
}

static void *create(const char *config, char *err, size_t errlen)
{
    pd *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->kp = 20;
    p->kd = 8;
    if (!strcmp(config, "fail")) p->mode = 1;
    else if (!strcmp(config, "crash")) p->mode = 2;
    else if (*config && sscanf(config, "kp=%lf;kd=%lf", &p->kp, &p->kd) != 2) {
        snprintf(err, errlen, "bad config '%s' (want kp=..;kd=..)", config);
        free(p);
        return NULL;
    }
    return p;
}

static int reset(void *self, const ps_abi_array *obs, size_t nobs, const ps_abi_array *act, size_t nact,
                 uint64_t seed, char *err, size_t errlen)
{
    (void)self;
    (void)seed;
    if (!find(obs, nobs, "x") || !find(act, nact, "force")) {
        snprintf(err, errlen, "needs observation 'x' and action 'force'");
        return 1;
    }
    return 0;
}

static int act(void *self, const ps_abi_array *obs, size_t nobs, ps_abi_array *act, size_t nact, char *err,
               size_t errlen)
{
    pd *p = self;
    if (p->mode == 1) {
        snprintf(err, errlen, "asked to fail");
        return 1;
    }
    if (p->mode == 2) {
        volatile int *null = NULL;
        return *null;
    }
    const ps_abi_array *x = find(obs, nobs, "x");
    ps_abi_array *f = (ps_abi_array *)find(act, nact, "force");
    f->data[0] = (float)(-p->kp * x->data[0] - p->kd * x->data[1]);
    return 0;
}

static void destroy(void *self) { free(self); }

static const ps_policy_abi abi = {PS_POLICY_ABI_VERSION, create, reset, act, destroy};

const ps_policy_abi *pilotsim_policy_entry(void);
const ps_policy_abi *pilotsim_policy_entry(void) { return &abi; }
