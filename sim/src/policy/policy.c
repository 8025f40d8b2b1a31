// Policies behind one vtable: dispatch on the spec, the C-library kind, and
// the episode loop with a policy.
#include "pilotsim/policy.h"
#include "util.h"
#include "pilotsim/policy_abi.h"
#include "policy_internal.h"
#include "log_internal.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ps_policy {
    const ps_policy_vtable *vt;
    void *self;
    char *spec;
    double control_hz;   // from the options; 0 = the scene's
    uint64_t period;     // steps between calls in the current episode (>= 1)
    bool transport;      // the last failure was the transport's
};

ps_policy_options ps_default_policy_options(void) { return (ps_policy_options){0}; }

ps_policy *ps_policy_wrap(const ps_policy_vtable *vt, void *self, const char *spec)
{
    ps_policy *p = calloc(1, sizeof *p);
    char *sp = ps_strdup(spec ? spec : "");
    if (!p || !sp) {
        free(p);
        free(sp);
        vt->close(self);
        return NULL;
    }
    *p = (ps_policy){vt, self, sp, 0, 1, false};
    return p;
}

void ps_policy_close(ps_policy *p)
{
    if (!p) return;
    p->vt->close(p->self);
    free(p->spec);
    free(p);
}

const char *ps_policy_spec(const ps_policy *p) { return p->spec; }
const char *ps_policy_kind(const ps_policy *p) { return p->vt->kind; }

const char *ps_policy_source(const ps_policy *p, size_t i, uint64_t *hash)
{
    uint64_t h = 0;
    const char *path = !strcmp(p->vt->kind, "lua") ? ps_policy_lua_source(p->self, i, &h) : NULL;
    if (hash) *hash = path ? h : 0;
    return path;
}

uint64_t ps_policy_period(double hz, ps_episode *e)
{
    ps_scene *s = ps_episode_scene(e);
    if (!(hz > 0)) hz = ps_scene_policy_hz(s);
    double dt = ps_scene_timestep(s);
    if (!(hz > 0) || !(dt > 0)) return 1;
    double n = floor(1.0 / (hz * dt) + 0.5);
    return n < 1 ? 1 : n > 1e9 ? 1000000000u : (uint64_t)n;
}

double ps_policy_control_hz(const ps_policy *p, ps_episode *e)
{
    return 1.0 / ((double)ps_policy_period(p->control_hz, e) * ps_scene_timestep(ps_episode_scene(e)));
}

// A vtable call's result as a status: PS_POLICY_TRANSPORT_FAILURE is the
// transport's failure (PS_ERR_TRANSPORT, remembered for ps_policy_transport_failed),
// any other non-zero value the policy's own (PS_ERR_STATE).
static ps_status result(ps_policy *p, int rc)
{
    p->transport = rc == PS_POLICY_TRANSPORT_FAILURE;
    return rc == 0 ? PS_OK : p->transport ? PS_ERR_TRANSPORT : PS_ERR_STATE;
}

ps_status ps_policy_reset(ps_policy *p, ps_episode *e, uint64_t seed, char *err, size_t errlen)
{
    p->period = ps_policy_period(p->control_hz, e);
    return result(p, p->vt->reset(p->self, e, seed, err, errlen));
}

ps_status ps_policy_act(ps_policy *p, ps_episode *e, char *err, size_t errlen)
{
    if (ps_episode_steps(e) % p->period != 0) return PS_OK; // between ticks: the action is held
    return result(p, p->vt->act(p->self, e, err, errlen));
}

ps_status ps_policy_end(ps_policy *p, ps_episode *e, char *err, size_t errlen)
{
    if (!p->vt->end) return PS_OK;
    return result(p, p->vt->end(p->self, e, err, errlen));
}

bool ps_policy_transport_failed(const ps_policy *p) { return p && p->transport; }

size_t ps_policy_space_copy(ps_episode *e, bool action, ps_space_entry **buf, size_t *cap)
{
    size_t n = action ? ps_episode_action_count(e) : ps_episode_observation_count(e);
    if (n > *cap) {
        ps_space_entry *b = realloc(*buf, n * sizeof *b);
        if (!b) return (size_t)-1;
        *buf = b;
        *cap = n;
    }
    for (size_t i = 0; i < n; i++)
        (*buf)[i] = action ? *ps_episode_action(e, i) : *ps_episode_observation(e, i);
    return n;
}

ps_episode_status ps_episode_run_hooked(ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps,
                                        const ps_step_hooks *hooks)
{
    static const ps_step_hooks none = {0};
    const ps_step_hooks *h = hooks ? hooks : &none;
    char err[PS_ERR_LEN] = "";
    if (ps_episode_get_status(e) != PS_EP_RUNNING) return ps_episode_get_status(e);
    ps_status rc = p ? ps_policy_reset(p, e, seed, err, sizeof err) : PS_OK;
    if (rc != PS_OK) {
        char msg[PS_ERR_LEN];
        snprintf(msg, sizeof msg, "policy '%s' reset: %s", p->spec, err);
        ps_episode_abort(e, rc == PS_ERR_TRANSPORT ? PS_EP_POLICY_ERROR : PS_EP_SCRIPT_ERROR, msg);
        return ps_episode_get_status(e);
    }
    if (h->start) h->start(h->ctx, e);
    while (ps_episode_get_status(e) == PS_EP_RUNNING) {
        if (p && (rc = ps_policy_act(p, e, err, sizeof err)) != PS_OK) {
            char msg[PS_ERR_LEN];
            snprintf(msg, sizeof msg, "policy '%s' at step %llu: %s", p->spec,
                     (unsigned long long)ps_episode_steps(e), err);
            ps_episode_abort(e, rc == PS_ERR_TRANSPORT ? PS_EP_POLICY_ERROR : PS_EP_SCRIPT_ERROR, msg);
            break;
        }
        if (h->before) h->before(h->ctx, e);
        ps_episode_step(e, max_steps);
        if (h->after) h->after(h->ctx, e);
    }
    if (p && !p->transport) {
        // Best effort: a peer failing here is dropped and the next reset
        // reconnects; the episode's result stands.
        (void)ps_policy_end(p, e, err, sizeof err);
        p->transport = false;
    }
    return ps_episode_get_status(e);
}

ps_episode_status ps_episode_run_policy(ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps)
{
    return ps_episode_run_hooked(e, p, seed, max_steps, NULL);
}

/* ----------------------------------------------------- C library policies */

// The version-1 array (ABI 1 libraries index arrays of this layout).
typedef struct abi_array_v1 {
    const char *name;
    int ndim;
    int shape[4];
    size_t count;
    float *data;
    const float *low, *high;
} abi_array_v1;

_Static_assert(PS_ABI_FLOAT32 == PS_DTYPE_FLOAT32 && PS_ABI_UINT8 == PS_DTYPE_UINT8 && PS_ABI_INT32 == PS_DTYPE_INT32,
               "ABI dtypes are ps_dtype values");

typedef struct lib_policy {
    void *handle;
    const ps_policy_abi *abi;
    void *inst;
    // The episode's entries as ABI arrays, side by side (rebuilt at reset):
    // ps_abi_array for ABI 2, abi_array_v1 for ABI 1.
    void *obs, *act;
    size_t nobs, nact, obs_cap, act_cap;
    ps_space_entry *tmp;
    size_t tmp_cap;
} lib_policy;

// Fills *out with the episode's entries as ABI arrays; false when out of memory.
static bool abi_view(lib_policy *l, ps_episode *e, bool action, void **out, size_t *n, size_t *cap)
{
    size_t k = ps_policy_space_copy(e, action, &l->tmp, &l->tmp_cap);
    if (k == (size_t)-1) return false;
    bool v1 = l->abi->abi_version == 1;
    size_t size = v1 ? sizeof(abi_array_v1) : sizeof(ps_abi_array);
    if (k > *cap) {
        void *b = realloc(*out, k * size);
        if (!b) return false;
        *out = b;
        *cap = k;
    }
    for (size_t i = 0; i < k; i++) {
        const ps_space_entry *x = &l->tmp[i];
        if (v1) {
            abi_array_v1 *a = (abi_array_v1 *)*out + i;
            *a = (abi_array_v1){x->name, x->ndim, {0}, x->count, x->data, x->low, x->high};
            memcpy(a->shape, x->shape, sizeof a->shape);
        } else {
            ps_abi_array *a = (ps_abi_array *)*out + i;
            *a = (ps_abi_array){x->name, x->ndim, {0},     x->count, x->data, x->low, x->high, (int)x->dtype,
                                x->values ? x->values : x->data, x->values ? x->nbytes : x->count * 4};
            memcpy(a->shape, x->shape, sizeof a->shape);
        }
    }
    *n = k;
    return true;
}

static int lib_reset(void *self, ps_episode *e, uint64_t seed, char *err, size_t errlen)
{
    lib_policy *l = self;
    if (!abi_view(l, e, false, &l->obs, &l->nobs, &l->obs_cap) || !abi_view(l, e, true, &l->act, &l->nact, &l->act_cap)) {
        ps_set_error(err, errlen, "out of memory");
        return -1;
    }
    return l->abi->reset(l->inst, l->nobs ? l->obs : NULL, l->nobs, l->nact ? l->act : NULL, l->nact, seed, err,
                         errlen);
}

static int lib_act(void *self, ps_episode *e, char *err, size_t errlen)
{
    (void)e; // the arrays point into the episode's buffers since reset
    lib_policy *l = self;
    return l->abi->act(l->inst, l->nobs ? l->obs : NULL, l->nobs, l->nact ? l->act : NULL, l->nact, err, errlen);
}

static void lib_close(void *self)
{
    lib_policy *l = self;
    if (l->inst) l->abi->destroy(l->inst);
    if (l->handle) dlclose(l->handle);
    free(l->obs);
    free(l->act);
    free(l->tmp);
    free(l);
}

static const ps_policy_vtable lib_vt = {"lib", lib_reset, lib_act, lib_close, NULL};

static ps_policy *open_lib(const char *spec, char *err, size_t errlen)
{
    const char *path = spec + 4;
    char file[4096];
    const char *q = strchr(path, '?');
    size_t n = q ? (size_t)(q - path) : strlen(path);
    if (n == 0 || n >= sizeof file) {
        ps_set_error(err, errlen, "policy '%s': give a library path after lib:", spec);
        return NULL;
    }
    memcpy(file, path, n);
    file[n] = '\0';
    lib_policy *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!l->handle) {
        ps_set_error(err, errlen, "policy '%s': cannot load: %s", spec, dlerror());
        free(l);
        return NULL;
    }
    ps_policy_entry_fn entry = (ps_policy_entry_fn)(uintptr_t)dlsym(l->handle, PS_POLICY_ENTRY_SYMBOL);
    l->abi = entry ? entry() : NULL;
    if (!l->abi) {
        ps_set_error(err, errlen, "policy '%s': no %s() in %s", spec, PS_POLICY_ENTRY_SYMBOL, file);
        lib_close(l);
        return NULL;
    }
    if ((l->abi->abi_version != 1 && l->abi->abi_version != PS_POLICY_ABI_VERSION) || !l->abi->create || !l->abi->reset || !l->abi->act ||
        !l->abi->destroy) {
        ps_set_error(err, errlen, "policy '%s': ABI version %u, this pilotsim speaks 1 and %u (or a function is missing)", spec,
                     l->abi->abi_version, PS_POLICY_ABI_VERSION);
        l->abi = NULL;
        lib_close(l);
        return NULL;
    }
    char cerr[PS_ERR_LEN] = "";
    l->inst = l->abi->create(q ? q + 1 : "", cerr, sizeof cerr);
    if (!l->inst) {
        ps_set_error(err, errlen, "policy '%s': create failed: %s", spec, cerr[0] ? cerr : "(no message)");
        lib_close(l);
        return NULL;
    }
    return ps_policy_wrap(&lib_vt, l, spec);
}

ps_policy *ps_policy_open(const char *spec, const ps_policy_options *opt, char *err, size_t errlen)
{
    ps_policy_options defaults = ps_default_policy_options();
    if (!opt) opt = &defaults;
    if (!spec || !*spec) {
        ps_set_error(err, errlen, "empty policy spec");
        return NULL;
    }
    ps_policy *p = !strncmp(spec, "lib:", 4)                                   ? open_lib(spec, err, errlen)
                   : !strncmp(spec, "exec:", 5) || !strncmp(spec, "tcp://", 6) ? ps_policy_open_remote(spec, opt, err, errlen)
                                                                                : ps_policy_open_lua(spec, opt, err, errlen);
    if (p) p->control_hz = opt->control_hz > 0 && isfinite(opt->control_hz) ? opt->control_hz : 0;
    return p;
}

const char *ps_scene_baseline_spec(const ps_scene *s, char *buf, size_t n)
{
    const char *spec = ps_scene_policy(s);
    if (!spec) return NULL;
    if (!strncmp(spec, "lib:", 4) || !strncmp(spec, "exec:", 5) || !strncmp(spec, "tcp://", 6)) return spec;
    // beside the scene: the spec as a file name, then as a module name (dots as slashes, .lua)
    for (int k = 0; k < 2; k++) {
        size_t len = strlen(spec);
        if (k == 0) snprintf(buf, n, "%s/%s", ps_scene_dir(s), spec);
        else {
            if (len >= 4 && !strcmp(spec + len - 4, ".lua")) break;
            int m = snprintf(buf, n, "%s/", ps_scene_dir(s));
            for (size_t i = 0; i < len && (size_t)m + i + 5 < n; i++) {
                buf[m + (int)i] = spec[i] == '.' ? '/' : spec[i];
                buf[m + (int)i + 1] = 0;
            }
            strncat(buf, ".lua", n - strlen(buf) - 1);
        }
        FILE *f = fopen(buf, "r");
        if (f) {
            fclose(f);
            return buf;
        }
    }
    return spec;
}
