// Contact materials and their per-pair combination table.
#include "world_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

ps_material_def ps_default_material_def(void)
{
    return (ps_material_def){
        .name = NULL,
        .friction = 0.8,
        .rolling = 0.0,
        .restitution = 0.0,
        .bounce_vel = 0.01,
        .softness_erp = 0.0,
        .softness_cfm = 0.0,
    };
}

static const char *check_def(const ps_material_def *d)
{
    if (!(d->friction >= 0) || !isfinite(d->friction)) return "friction must be >= 0 and finite";
    if (!(d->rolling >= 0) || !isfinite(d->rolling)) return "rolling must be >= 0 and finite";
    if (!(d->restitution >= 0 && d->restitution <= 1)) return "restitution must be in [0, 1]";
    if (!(d->bounce_vel >= 0) || !isfinite(d->bounce_vel)) return "bounce_vel must be >= 0";
    if (!(d->softness_erp >= 0 && d->softness_erp <= 1)) return "softness_erp must be in [0, 1]";
    if (!(d->softness_cfm >= 0) || !isfinite(d->softness_cfm)) return "softness_cfm must be >= 0";
    return NULL;
}

bool ps_world_material_index(const ps_world *w, ps_material_id m, uint32_t *index)
{
    bool ok = (m.index == 0 && m.world == 0) || (m.world == w->tag && m.index < w->material_count);
    if (ok) *index = m.index;
    return ok;
}

static ps_material_id make_id(const ps_world *w, uint32_t i) { return (ps_material_id){i, w->tag}; }

// A refused material id: PS_ERR_STALE when it comes from another world (or an earlier
// episode), PS_ERR_INVALID when it is none or unknown here.
static ps_status refuse(ps_world *w, ps_material_id m)
{
    if (ps_material_is_set(m) && m.world != 0 && m.world != w->tag)
        return ps_world_fail(w, PS_ERR_STALE, "pair material: material id %u is from another world or an earlier episode",
                             m.index);
    return ps_world_fail(w, PS_ERR_INVALID, "pair material: unknown material id");
}

static ps_material_id add(ps_world *w, const ps_material_def *def, const char *name)
{
    if (!ps_grow((void **)&w->materials, &w->material_cap, w->material_count + 1, sizeof *w->materials))
        return PS_MATERIAL_NONE;
    size_t n = strlen(name) + 1;
    char *s = malloc(n);
    if (!s) return PS_MATERIAL_NONE;
    memcpy(s, name, n);
    ps_material_slot *m = &w->materials[w->material_count];
    m->def = *def;
    m->def.name = s;
    w->surface_dirty = true;
    return make_id(w, w->material_count++);
}

ps_status ps_material_init(ps_world *w)
{
    ps_material_def d = ps_default_material_def();
    return ps_material_is_set(add(w, &d, "default")) ? PS_OK : PS_ERR_NOMEM;
}

void ps_world_free_materials(ps_world *w)
{
    for (uint32_t i = 0; i < w->material_count; i++) free((char *)w->materials[i].def.name);
    free(w->materials);
    free(w->pairs);
    free(w->surface);
}

ps_material_id ps_material_create(ps_world *w, const ps_material_def *def)
{
    if (!def || !def->name || !*def->name)
        return ps_world_fail(w, PS_ERR_INVALID, "material needs a name"), PS_MATERIAL_NONE;
    const char *bad = check_def(def);
    if (bad) return ps_world_fail(w, PS_ERR_INVALID, "material '%s': %s", def->name, bad), PS_MATERIAL_NONE;
    if (ps_material_is_set(ps_material_find(w, def->name)))
        return ps_world_fail(w, PS_ERR_INVALID, "material '%s' already exists", def->name), PS_MATERIAL_NONE;
    ps_material_id id = add(w, def, def->name);
    if (!ps_material_is_set(id)) ps_world_fail(w, PS_ERR_NOMEM, "out of memory");
    return id;
}

ps_material_id ps_material_find(const ps_world *w, const char *name)
{
    if (name)
        for (uint32_t i = 0; i < w->material_count; i++)
            if (strcmp(w->materials[i].def.name, name) == 0) return make_id(w, i);
    return PS_MATERIAL_NONE;
}

ps_status ps_material_get(const ps_world *w, ps_material_id m, ps_material_def *out)
{
    uint32_t i;
    if (!ps_world_material_index(w, m, &i)) return PS_ERR_INVALID;
    *out = w->materials[i].def;
    return PS_OK;
}

static const ps_pair_override *find_pair(const ps_world *w, uint32_t a, uint32_t b)
{
    if (a > b) { uint32_t t = a; a = b; b = t; }
    for (uint32_t i = 0; i < w->pair_count; i++)
        if (w->pairs[i].a == a && w->pairs[i].b == b) return &w->pairs[i];
    return NULL;
}

ps_status ps_material_set_pair(ps_world *w, ps_material_id ma, ps_material_id mb, const ps_material_def *def)
{
    uint32_t a, b;
    if (!ps_world_material_index(w, ma, &a)) return refuse(w, ma);
    if (!ps_world_material_index(w, mb, &b)) return refuse(w, mb);
    if (!def) return ps_world_fail(w, PS_ERR_INVALID, "pair material def is NULL");
    const char *bad = check_def(def);
    if (bad) return ps_world_fail(w, PS_ERR_INVALID, "pair material (%s, %s): %s", w->materials[a].def.name,
                                  w->materials[b].def.name, bad);
    if (a > b) { uint32_t t = a; a = b; b = t; }
    ps_pair_override *p = (ps_pair_override *)find_pair(w, a, b);
    if (!p) {
        if (!ps_grow((void **)&w->pairs, &w->pair_cap, w->pair_count + 1, sizeof *w->pairs))
            return ps_world_fail(w, PS_ERR_NOMEM, "out of memory");
        p = &w->pairs[w->pair_count++];
        p->a = a;
        p->b = b;
    }
    p->def = *def;
    p->def.name = NULL;
    w->surface_dirty = true;
    return PS_OK;
}

static void combine(const ps_world *w, uint32_t a, uint32_t b, ps_material_def *out)
{
    const ps_pair_override *p = find_pair(w, a, b);
    if (p) {
        *out = p->def;
        return;
    }
    const ps_material_def *x = &w->materials[a].def, *y = &w->materials[b].def;
    *out = (ps_material_def){
        .name = NULL,
        .friction = sqrt(x->friction * y->friction),
        .rolling = fmax(x->rolling, y->rolling),
        .restitution = fmax(x->restitution, y->restitution),
        .bounce_vel = fmax(x->bounce_vel, y->bounce_vel),
        .softness_erp = 0,
        .softness_cfm = fmax(x->softness_cfm, y->softness_cfm),
    };
    // Softer ERP = the smaller one that is set (0 means "the world's").
    if (x->softness_erp > 0 && y->softness_erp > 0) out->softness_erp = fmin(x->softness_erp, y->softness_erp);
    else out->softness_erp = fmax(x->softness_erp, y->softness_erp);
}

ps_status ps_material_combine(const ps_world *w, ps_material_id ma, ps_material_id mb, ps_material_def *out)
{
    uint32_t a, b;
    if (!ps_world_material_index(w, ma, &a) || !ps_world_material_index(w, mb, &b)) return PS_ERR_INVALID;
    combine(w, a, b, out);
    return PS_OK;
}

static dSurfaceParameters to_surface(const ps_material_def *m)
{
    dSurfaceParameters s;
    memset(&s, 0, sizeof s);
    // Approx1 makes mu a coefficient (limit = mu * normal force) instead of a force.
    s.mode = dContactApprox1;
    s.mu = m->friction;
    if (m->rolling > 0) {
        s.mode |= dContactRolling;
        s.rho = s.rho2 = m->rolling;
        s.rhoN = 0;
    }
    if (m->restitution > 0) {
        s.mode |= dContactBounce;
        s.bounce = m->restitution;
        s.bounce_vel = m->bounce_vel;
    }
    if (m->softness_erp > 0) {
        s.mode |= dContactSoftERP;
        s.soft_erp = m->softness_erp;
    }
    if (m->softness_cfm > 0) {
        s.mode |= dContactSoftCFM;
        s.soft_cfm = m->softness_cfm;
    }
    return s;
}

ps_status ps_material_refresh(ps_world *w)
{
    size_t n = w->material_count;
    dSurfaceParameters *t = realloc(w->surface, n * n * sizeof *t);
    if (!t) return ps_world_fail(w, PS_ERR_NOMEM, "out of memory (material table)");
    w->surface = t;
    for (uint32_t a = 0; a < n; a++)
        for (uint32_t b = 0; b < n; b++) {
            ps_material_def m;
            combine(w, a, b, &m);
            t[a * n + b] = to_surface(&m);
        }
    w->surface_dirty = false;
    return PS_OK;
}
