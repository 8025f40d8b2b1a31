// Policies behind one vtable: dispatch on the spec, the C-library kind, and
// the episode loop with a policy.
#include "pilotsim/policy.h"
#include "pilotsim/policy_abi.h"
#include "policy_internal.h"
#include "log_internal.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

struct ps_policy {
    const ps_policy_vtable *vt;
    void *self;
    char *spec;
};

ps_policy_options ps_default_policy_options(void) { return (ps_policy_options){0}; }

ps_policy *ps_policy_wrap(const ps_policy_vtable *vt, void *self, const char *spec)
{
    ps_policy *p = calloc(1, sizeof *p);
    char *sp = dupstr(spec ? spec : "");
    if (!p || !sp) {
        free(p);
        free(sp);
        vt->close(self);
        return NULL;
    }
    *p = (ps_policy){vt, self, sp};
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

ps_status ps_policy_reset(ps_policy *p, ps_episode *e, uint64_t seed, char *err, size_t errlen)
{
    return p->vt->reset(p->self, e, seed, err, errlen) == 0 ? PS_OK : PS_ERR_STATE;
}

ps_status ps_policy_act(ps_policy *p, ps_episode *e, char *err, size_t errlen)
{
    return p->vt->act(p->self, e, err, errlen) == 0 ? PS_OK : PS_ERR_STATE;
}

ps_episode_status ps_episode_run_policy(ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps)
{
    char err[2048] = "";
    if (ps_episode_get_status(e) != PS_EP_RUNNING) return ps_episode_get_status(e);
    if (ps_policy_reset(p, e, seed, err, sizeof err) != PS_OK) {
        char msg[2300];
        snprintf(msg, sizeof msg, "policy '%s' reset: %s", p->spec, err);
        ps_episode_abort(e, PS_EP_SCRIPT_ERROR, msg);
        return ps_episode_get_status(e);
    }
    while (ps_episode_get_status(e) == PS_EP_RUNNING) {
        if (ps_policy_act(p, e, err, sizeof err) != PS_OK) {
            char msg[2300];
            snprintf(msg, sizeof msg, "policy '%s' at step %llu: %s", p->spec,
                     (unsigned long long)ps_episode_steps(e), err);
            ps_episode_abort(e, PS_EP_SCRIPT_ERROR, msg);
            break;
        }
        ps_episode_step(e, max_steps);
    }
    return ps_episode_get_status(e);
}

/* ----------------------------------------------------- C library policies */

typedef struct lib_policy {
    void *handle;
    const ps_policy_abi *abi;
    void *inst;
} lib_policy;

// The episode's spaces as ABI arrays (ps_space_entry has the same layout).
static const ps_abi_array *abi_view(ps_episode *e, bool action, size_t *n)
{
    *n = action ? ps_episode_action_count(e) : ps_episode_observation_count(e);
    if (*n == 0) return NULL;
    const void *first = action ? (const void *)ps_episode_action(e, 0) : (const void *)ps_episode_observation(e, 0);
    return first;
}

_Static_assert(sizeof(ps_abi_array) == sizeof(ps_space_entry), "ABI arrays mirror space entries");

static int lib_reset(void *self, ps_episode *e, uint64_t seed, char *err, size_t errlen)
{
    lib_policy *l = self;
    size_t no, na;
    const ps_abi_array *obs = abi_view(e, false, &no), *act = abi_view(e, true, &na);
    return l->abi->reset(l->inst, obs, no, act, na, seed, err, errlen);
}

static int lib_act(void *self, ps_episode *e, char *err, size_t errlen)
{
    lib_policy *l = self;
    size_t no, na;
    const ps_abi_array *obs = abi_view(e, false, &no), *act = abi_view(e, true, &na);
    return l->abi->act(l->inst, obs, no, (ps_abi_array *)act, na, err, errlen);
}

static void lib_close(void *self)
{
    lib_policy *l = self;
    if (l->inst) l->abi->destroy(l->inst);
    if (l->handle) dlclose(l->handle);
    free(l);
}

static const ps_policy_vtable lib_vt = {"lib", lib_reset, lib_act, lib_close};

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
    if (l->abi->abi_version != PS_POLICY_ABI_VERSION || !l->abi->create || !l->abi->reset || !l->abi->act ||
        !l->abi->destroy) {
        ps_set_error(err, errlen, "policy '%s': ABI version %u, this pilotsim speaks %u (or a function is missing)", spec,
                     l->abi->abi_version, PS_POLICY_ABI_VERSION);
        l->abi = NULL;
        lib_close(l);
        return NULL;
    }
    char cerr[1024] = "";
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
    if (!strncmp(spec, "lib:", 4)) return open_lib(spec, err, errlen);
    if (!strncmp(spec, "exec:", 5) || !strncmp(spec, "tcp://", 6)) return ps_policy_open_remote(spec, opt, err, errlen);
    return ps_policy_open_lua(spec, opt, err, errlen);
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
