// Scene snapshots: a self-contained copy of what the world looks like, for
// renderers. Reads the world's tables directly and never writes to them.
#include "pilotsim/snapshot.h"
#include "world_internal.h"
#include "hash_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct mesh_store {
    float *v; size_t vcap;          // vertices (3 per vertex) or heights
    uint32_t *idx; size_t icap;
} mesh_store;

struct ps_snapshot {
    double time;
    uint64_t step, hash;
    ps_draw_shape *shapes; size_t shape_count, shape_cap;
    ps_snapshot_mesh *meshes; mesh_store *stores; size_t mesh_count, mesh_cap;
    ps_debug_prim *debug; size_t debug_count, debug_cap;
    char **paths; size_t path_count, path_cap;   // mesh_path strings, reused by slot
    size_t *path_caps;
    bool *has_visual; size_t has_visual_cap;      // per body slot
};

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t n = *cap ? *cap : 16;
    while (n < need) n *= 2;
    void *p = realloc(*arr, n * elem);
    if (!p) return false;
    // Zero the new tail so owned pointers in it start NULL.
    memset((char *)p + *cap * elem, 0, (n - *cap) * elem);
    *arr = p;
    *cap = n;
    return true;
}

ps_snapshot *ps_snapshot_create(void) { return calloc(1, sizeof(ps_snapshot)); }

void ps_snapshot_destroy(ps_snapshot *s)
{
    if (!s) return;
    for (size_t i = 0; s->stores && i < s->mesh_cap; i++) {
        free(s->stores[i].v);
        free(s->stores[i].idx);
    }
    for (size_t i = 0; i < s->path_cap; i++) free(s->paths[i]);
    free(s->paths);
    free(s->path_caps);
    free(s->stores);
    free(s->meshes);
    free(s->shapes);
    free(s->debug);
    free(s->has_visual);
    free(s);
}

static void clear(ps_snapshot *s)
{
    s->shape_count = s->mesh_count = s->debug_count = s->path_count = 0;
    s->time = 0;
    s->step = s->hash = 0;
}

static ps_draw_shape *add_shape(ps_snapshot *s)
{
    if (!grow((void **)&s->shapes, &s->shape_cap, s->shape_count + 1, sizeof *s->shapes)) return NULL;
    ps_draw_shape *d = &s->shapes[s->shape_count++];
    memset(d, 0, sizeof *d);
    d->mesh = UINT32_MAX;
    return d;
}

static ps_debug_prim *add_debug(ps_snapshot *s, ps_debug_kind k, ps_vec3 a, ps_vec3 b, const float rgba[4])
{
    if (!grow((void **)&s->debug, &s->debug_cap, s->debug_count + 1, sizeof *s->debug)) return NULL;
    ps_debug_prim *d = &s->debug[s->debug_count++];
    *d = (ps_debug_prim){k, a, b, {rgba[0], rgba[1], rgba[2], rgba[3]}, 0};
    return d;
}

// Copies a path into the snapshot's string pool; NULL on OOM.
static const char *add_path(ps_snapshot *s, const char *path)
{
    size_t old = s->path_cap;
    if (!grow((void **)&s->paths, &s->path_cap, s->path_count + 1, sizeof *s->paths)) return NULL;
    if (s->path_cap != old) {
        size_t *pc = realloc(s->path_caps, s->path_cap * sizeof *pc);
        if (!pc) return NULL;
        memset(pc + old, 0, (s->path_cap - old) * sizeof *pc);
        s->path_caps = pc;
    }
    size_t i = s->path_count, n = strlen(path) + 1;
    if (s->path_caps[i] < n) {
        char *p = realloc(s->paths[i], n);
        if (!p) return NULL;
        s->paths[i] = p;
        s->path_caps[i] = n;
    }
    memcpy(s->paths[i], path, n);
    s->path_count++;
    return s->paths[i];
}

// Finds or reserves the mesh with `key`: an earlier shape's (returns NULL with
// *index set, nothing to fill) or a new slot whose arrays hold `nv` floats and
// `ni` indices; *fill tells whether they must be (re)written (false when the slot
// held the same key at the previous capture). NULL with *index untouched on OOM.
static ps_snapshot_mesh *add_mesh(ps_snapshot *s, uint64_t key, size_t nv, size_t ni, uint32_t *index, bool *fill)
{
    for (size_t i = 0; i < s->mesh_count; i++)
        if (s->meshes[i].key == key) {
            *index = (uint32_t)i;
            return NULL;
        }
    size_t old = s->mesh_cap;
    if (s->mesh_count + 1 > old) {
        size_t n = old ? 2 * old : 8;
        ps_snapshot_mesh *m = realloc(s->meshes, n * sizeof *m);
        if (!m) return NULL;
        s->meshes = m;
        mesh_store *st = realloc(s->stores, n * sizeof *st);
        if (!st) return NULL;
        s->stores = st;
        memset(m + old, 0, (n - old) * sizeof *m);
        memset(st + old, 0, (n - old) * sizeof *st);
        s->mesh_cap = n;
    }
    size_t i = s->mesh_count;
    mesh_store *st = &s->stores[i];
    if (st->vcap < nv) {
        float *v = realloc(st->v, nv * sizeof *v);
        if (!v) return NULL;
        st->v = v;
        st->vcap = nv;
    }
    if (st->icap < ni) {
        uint32_t *x = realloc(st->idx, ni * sizeof *x);
        if (!x) return NULL;
        st->idx = x;
        st->icap = ni;
    }
    ps_snapshot_mesh *m = &s->meshes[i];
    *fill = !(m->key == key && key != 0);
    memset(m, 0, sizeof *m);
    m->key = key;
    s->mesh_count++;
    *index = (uint32_t)i;
    return m;
}

static uint64_t hash_doubles(uint64_t h, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float f = (float)v[i];
        h = ps_fnv1a(h, &f, sizeof f);
    }
    return h;
}

// Orientation taking +z to the unit vector n.
static ps_quat quat_from_z(ps_vec3 n)
{
    double d = n.z;
    if (d > 1 - 1e-12) return (ps_quat){1, 0, 0, 0};
    if (d < -1 + 1e-12) return (ps_quat){0, 1, 0, 0};
    // axis = z x n, angle = acos(d): q = (1 + d, z x n) normalised
    ps_quat q = {1 + d, -n.y, n.x, 0};
    double l = sqrt(q.w * q.w + q.x * q.x + q.y * q.y);
    return (ps_quat){q.w / l, q.x / l, q.y / l, 0};
}

static ps_vec3 vscale(ps_vec3 a, double k) { return (ps_vec3){a.x * k, a.y * k, a.z * k}; }

static ps_status capture_geom(ps_snapshot *s, const ps_world *w, uint32_t gi)
{
    const ps_geom_slot *g = &w->geoms[gi];
    ps_draw_shape *d = add_shape(s);
    if (!d) return PS_ERR_NOMEM;
    const ps_geom_def *def = &g->def;
    d->role = PS_ROLE_COLLISION;
    d->body = g->body;
    // Static geoms: each its own negative id, so a camera tells tables and walls apart.
    d->segment = ps_body_is_set(g->body) ? (int32_t)g->body.index + 1 : -(int32_t)gi - 1;
    memcpy(d->rgba, def->rgba, sizeof d->rgba);
    d->radius = def->radius;
    d->length = def->length;
    d->size = def->size;
    if (ps_body_is_set(g->body) && g->body.index < s->has_visual_cap)
        d->robot_has_visuals = s->has_visual[g->body.index];
    if (def->type == PS_GEOM_PLANE) {
        double n = sqrt(def->plane[0] * def->plane[0] + def->plane[1] * def->plane[1] + def->plane[2] * def->plane[2]);
        ps_vec3 nv = {def->plane[0] / n, def->plane[1] / n, def->plane[2] / n};
        d->type = PS_SHAPE_PLANE;
        d->pose.p = vscale(nv, def->plane[3] / n);
        d->pose.q = quat_from_z(nv);
        return PS_OK;
    }
    ps_pose pose = g->local;
    if (ps_body_is_set(g->body)) {
        ps_pose bp;
        if (ps_body_get_pose(w, g->body, &bp) == PS_OK) pose = ps_pose_mul(bp, g->local);
    }
    d->pose = pose;
    switch (def->type) {
    case PS_GEOM_BOX: d->type = PS_SHAPE_BOX; break;
    case PS_GEOM_SPHERE: d->type = PS_SHAPE_SPHERE; break;
    case PS_GEOM_CAPSULE: d->type = PS_SHAPE_CAPSULE; break;
    case PS_GEOM_CYLINDER: d->type = PS_SHAPE_CYLINDER; break;
    case PS_GEOM_HEIGHTFIELD: {
        d->type = PS_SHAPE_HEIGHTFIELD;
        size_t rows = (size_t)def->rows, cols = (size_t)def->cols, n = rows * cols;
        uint64_t key = hash_doubles(PS_FNV_OFFSET ^ 0x4846, g->verts, n);
        key = ps_fnv1a(key, &rows, sizeof rows);
        key = ps_fnv1a(key, &cols, sizeof cols);
        size_t keep = s->shape_count - 1;
        bool fill = true;
        ps_snapshot_mesh *m = add_mesh(s, key, n, 0, &s->shapes[keep].mesh, &fill);
        d = &s->shapes[keep];
        if (!m && d->mesh == UINT32_MAX) return PS_ERR_NOMEM;
        if (m) {
            float *h = s->stores[d->mesh].v;
            if (fill) // ODE's copy has its rows flipped (see geom.c)
                for (size_t r = 0; r < rows; r++)
                    for (size_t c = 0; c < cols; c++) h[r * cols + c] = (float)g->verts[(rows - 1 - r) * cols + c];
            m->heights = h;
            m->rows = (uint32_t)rows;
            m->cols = (uint32_t)cols;
        }
        break;
    }
    case PS_GEOM_TRIMESH: {
        d->type = PS_SHAPE_MESH;
        d->size = (ps_vec3){1, 1, 1};
        size_t nv = (size_t)def->vertex_count, nt = (size_t)def->tri_count;
        uint64_t key = hash_doubles(PS_FNV_OFFSET ^ 0x544d, g->verts, 3 * nv);
        for (size_t i = 0; i < 3 * nt; i++) {
            uint32_t x = (uint32_t)g->tris[i];
            key = ps_fnv1a(key, &x, sizeof x);
        }
        size_t keep = s->shape_count - 1;
        bool fill = true;
        ps_snapshot_mesh *m = add_mesh(s, key, 3 * nv, 3 * nt, &s->shapes[keep].mesh, &fill);
        d = &s->shapes[keep];
        if (!m && d->mesh == UINT32_MAX) return PS_ERR_NOMEM;
        if (m) {
            mesh_store *st = &s->stores[d->mesh];
            if (fill) {
                for (size_t i = 0; i < 3 * nv; i++) st->v[i] = (float)g->verts[i];
                for (size_t i = 0; i < 3 * nt; i++) st->idx[i] = (uint32_t)g->tris[i];
            }
            m->vertices = st->v;
            m->indices = st->idx;
            m->vertex_count = (uint32_t)nv;
            m->tri_count = (uint32_t)nt;
        }
        break;
    }
    default: s->shape_count--; break;
    }
    return PS_OK;
}

static ps_status capture_visuals(ps_snapshot *s, const ps_world *w)
{
    for (uint32_t ri = 0; ri < w->robot_count; ri++) {
        const ps_robot_slot *r = &w->robots[ri];
        if (!r->alive) continue;
        for (size_t i = 0; i < r->visual_count; i++) {
            const ps_robot_visual *v = &r->visuals[i];
            if (v->link >= r->link_count) continue;
            const ps_robot_link *l = &r->links[v->link];
            ps_pose bp;
            if (ps_body_get_pose(w, l->body, &bp) != PS_OK) continue;
            if (v->type == PS_URDF_GEOM_MESH && !v->mesh_path) continue;
            ps_draw_shape *d = add_shape(s);
            if (!d) return PS_ERR_NOMEM;
            d->role = PS_ROLE_VISUAL;
            d->body = l->body;
            d->segment = (int32_t)l->body.index + 1;
            d->pose = ps_pose_mul(ps_pose_mul(bp, l->offset), v->pose);
            memcpy(d->rgba, v->rgba, sizeof d->rgba);
            if (v->texture_path) {
                const char *t = add_path(s, v->texture_path);
                if (!t) return PS_ERR_NOMEM;
                d = &s->shapes[s->shape_count - 1];
                d->texture_path = t;
            }
            d->size = v->size;
            d->radius = v->radius;
            d->length = v->length;
            switch (v->type) {
            case PS_URDF_GEOM_BOX: d->type = PS_SHAPE_BOX; break;
            case PS_URDF_GEOM_SPHERE: d->type = PS_SHAPE_SPHERE; break;
            case PS_URDF_GEOM_CYLINDER: d->type = PS_SHAPE_CYLINDER; break;
            default: {
                d->type = PS_SHAPE_MESH_FILE;
                d->size = v->mesh_scale;
                const char *p = add_path(s, v->mesh_path);
                if (!p) return PS_ERR_NOMEM;
                s->shapes[s->shape_count - 1].mesh_path = p;
                break;
            }
            }
        }
    }
    return PS_OK;
}

static void capture_joints(ps_snapshot *s, const ps_world *w, bool *oom)
{
    static const float col[4] = {1.0f, 0.85f, 0.1f, 1.0f};
    for (uint32_t i = 0; i < w->joint_count && !*oom; i++) {
        const ps_joint_slot *j = &w->joints[i];
        if (!j->alive || !j->joint) continue;
        dVector3 a = {0, 0, 0, 0}, x = {0, 0, 0, 0}, x2 = {0, 0, 0, 0};
        bool two = false, axis = true;
        switch (j->type) {
        case PS_JOINT_HINGE: dJointGetHingeAnchor(j->joint, a); dJointGetHingeAxis(j->joint, x); break;
        case PS_JOINT_SLIDER: {
            dJointGetSliderAxis(j->joint, x);
            dBodyID b = dJointGetBody(j->joint, 0);
            if (!b) continue;
            const dReal *p = dBodyGetPosition(b);
            a[0] = p[0]; a[1] = p[1]; a[2] = p[2];
            break;
        }
        case PS_JOINT_UNIVERSAL:
            dJointGetUniversalAnchor(j->joint, a);
            dJointGetUniversalAxis1(j->joint, x);
            dJointGetUniversalAxis2(j->joint, x2);
            two = true;
            break;
        case PS_JOINT_BALL: dJointGetBallAnchor(j->joint, a); axis = false; break;
        default: continue;
        }
        ps_vec3 pa = {a[0], a[1], a[2]};
        ps_vec3 pb = axis ? ps_v3_add(pa, (ps_vec3){x[0] * 0.1, x[1] * 0.1, x[2] * 0.1}) : pa;
        if (!add_debug(s, PS_DEBUG_JOINT_AXIS, pa, pb, col)) *oom = true;
        if (two && !add_debug(s, PS_DEBUG_JOINT_AXIS, pa, ps_v3_add(pa, (ps_vec3){x2[0] * 0.1, x2[1] * 0.1, x2[2] * 0.1}), col))
            *oom = true;
    }
}

static void capture_lidars(ps_snapshot *s, const ps_world *w, bool *oom)
{
    static const float hit[4] = {0.1f, 1.0f, 0.2f, 0.8f}, miss[4] = {0.1f, 0.5f, 0.2f, 0.3f};
    for (uint32_t i = 0; i < w->sensor_count && !*oom; i++) {
        const ps_sensor_slot *so = &w->sensors[i];
        if (!so->alive || so->def.type != PS_SENSOR_LIDAR || !so->dirs || !so->out) continue;
        ps_pose m = so->def.pose, bp;
        if (ps_body_get_pose(w, so->def.body, &bp) == PS_OK) m = ps_pose_mul(bp, so->def.pose);
        for (size_t k = 0; k < so->count && !*oom; k++) {
            double dist = so->out[k];
            bool got = so->hits && so->hits[k] != 0;
            if (!isfinite(dist)) continue; // dropped sample
            ps_vec3 dir = ps_quat_rotate(m.q, (ps_vec3){so->dirs[3 * k], so->dirs[3 * k + 1], so->dirs[3 * k + 2]});
            ps_vec3 a = ps_v3_add(m.p, vscale(dir, so->def.range_min)), b = ps_v3_add(m.p, vscale(dir, dist));
            if (!add_debug(s, PS_DEBUG_LIDAR, a, b, got ? hit : miss)) *oom = true;
        }
    }
}

ps_status ps_snapshot_capture(ps_snapshot *s, const ps_world *w)
{
    if (!s || !w) return PS_ERR_INVALID;
    clear(s);
    s->time = w->time;
    s->step = w->steps;
    s->hash = ps_world_state_hash(w);
    // Which bodies carry robot visuals (their collision shapes are flagged).
    if (!grow((void **)&s->has_visual, &s->has_visual_cap, w->body_count + 1, sizeof *s->has_visual)) goto oom;
    memset(s->has_visual, 0, s->has_visual_cap * sizeof *s->has_visual);
    for (uint32_t ri = 0; ri < w->robot_count; ri++) {
        const ps_robot_slot *r = &w->robots[ri];
        if (!r->alive) continue;
        for (size_t i = 0; i < r->visual_count; i++)
            if (r->visuals[i].link < r->link_count) {
                uint32_t b = r->links[r->visuals[i].link].body.index;
                if (b < s->has_visual_cap) s->has_visual[b] = true;
            }
    }
    for (uint32_t i = 0; i < w->geom_count; i++)
        if (w->geoms[i].alive && capture_geom(s, w, i) != PS_OK) goto oom;
    if (capture_visuals(s, w) != PS_OK) goto oom;

    bool failed = false;
    size_t nc = 0;
    const ps_contact *c = ps_world_contacts(w, &nc);
    static const float ccol[4] = {1.0f, 0.15f, 0.1f, 1.0f};
    for (size_t i = 0; i < nc && !failed; i++) {
        double f = sqrt(c[i].force.x * c[i].force.x + c[i].force.y * c[i].force.y + c[i].force.z * c[i].force.z);
        ps_vec3 tip;
        if (f > 0) {
            double len = fmin(f * PS_SNAPSHOT_FORCE_SCALE, PS_SNAPSHOT_FORCE_MAX);
            tip = ps_v3_add(c[i].pos, vscale(c[i].force, len / f));
        } else {
            tip = ps_v3_add(c[i].pos, vscale(c[i].normal, 0.05));
        }
        ps_debug_prim *d = add_debug(s, PS_DEBUG_CONTACT, c[i].pos, tip, ccol);
        if (!d) failed = true;
        else d->value = fabs(c[i].force.x * c[i].normal.x + c[i].force.y * c[i].normal.y + c[i].force.z * c[i].normal.z);
    }
    if (!failed) capture_joints(s, w, &failed);
    static const float comcol[4] = {0.9f, 0.2f, 0.9f, 1.0f};
    for (uint32_t i = 0; i < w->body_count && !failed; i++) {
        const ps_body_slot *b = &w->bodies[i];
        if (!b->alive || !b->body) continue;
        const dReal *p = dBodyGetPosition(b->body);
        ps_vec3 v = {p[0], p[1], p[2]};
        if (!add_debug(s, PS_DEBUG_COM, v, v, comcol)) failed = true;
    }
    if (!failed) capture_lidars(s, w, &failed);
    static const float zcol[4] = {1.0f, 0.25f, 0.15f, 0.25f};
    for (uint32_t i = 0; i < w->zone_count && !failed; i++)
        if (!add_debug(s, PS_DEBUG_ZONE, w->zones[i].min, w->zones[i].max, zcol)) failed = true;
    if (failed) goto oom;
    return PS_OK;
oom:
    clear(s);
    return PS_ERR_NOMEM;
}

ps_status ps_snapshot_copy(ps_snapshot *dst, const ps_snapshot *src)
{
    if (!dst || !src) return PS_ERR_INVALID;
    if (dst == src) return PS_OK;
    clear(dst);
    dst->time = src->time;
    dst->step = src->step;
    dst->hash = src->hash;
    for (size_t i = 0; i < src->mesh_count; i++) {
        const ps_snapshot_mesh *m = &src->meshes[i];
        bool hf = m->heights != NULL;
        size_t nv = hf ? (size_t)m->rows * m->cols : 3 * (size_t)m->vertex_count;
        uint32_t idx;
        bool fill;
        // Each source mesh has a distinct key, so add_mesh gives slot i.
        ps_snapshot_mesh *d = add_mesh(dst, m->key, nv, hf ? 0 : 3 * (size_t)m->tri_count, &idx, &fill);
        if (!d) goto oom;
        mesh_store *st = &dst->stores[idx];
        memcpy(st->v, hf ? m->heights : m->vertices, nv * sizeof(float));
        if (!hf) memcpy(st->idx, m->indices, 3 * (size_t)m->tri_count * sizeof(uint32_t));
        d->vertices = hf ? NULL : st->v;
        d->indices = hf ? NULL : st->idx;
        d->heights = hf ? st->v : NULL;
        d->vertex_count = m->vertex_count;
        d->tri_count = m->tri_count;
        d->rows = m->rows;
        d->cols = m->cols;
    }
    for (size_t i = 0; i < src->shape_count; i++) {
        ps_draw_shape *d = add_shape(dst);
        if (!d) goto oom;
        *d = src->shapes[i];
        if (d->mesh_path) {
            const char *p = add_path(dst, src->shapes[i].mesh_path);
            if (!p) goto oom;
            dst->shapes[i].mesh_path = p;
        }
        if (src->shapes[i].texture_path) {
            const char *p = add_path(dst, src->shapes[i].texture_path);
            if (!p) goto oom;
            dst->shapes[i].texture_path = p;
        }
    }
    if (!grow((void **)&dst->debug, &dst->debug_cap, src->debug_count, sizeof *dst->debug)) goto oom;
    if (src->debug_count) memcpy(dst->debug, src->debug, src->debug_count * sizeof *dst->debug);
    dst->debug_count = src->debug_count;
    return PS_OK;
oom:
    clear(dst);
    return PS_ERR_NOMEM;
}

double ps_snapshot_time(const ps_snapshot *s) { return s->time; }
uint64_t ps_snapshot_step(const ps_snapshot *s) { return s->step; }
uint64_t ps_snapshot_state_hash(const ps_snapshot *s) { return s->hash; }

const ps_draw_shape *ps_snapshot_shapes(const ps_snapshot *s, size_t *count)
{
    if (count) *count = s->shape_count;
    return s->shapes;
}

const ps_snapshot_mesh *ps_snapshot_meshes(const ps_snapshot *s, size_t *count)
{
    if (count) *count = s->mesh_count;
    return s->meshes;
}

const ps_debug_prim *ps_snapshot_debug(const ps_snapshot *s, size_t *count)
{
    if (count) *count = s->debug_count;
    return s->debug;
}
