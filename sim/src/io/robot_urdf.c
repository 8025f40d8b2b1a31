// Building a URDF model into the world: links merged across fixed joints,
// exact mass properties, collision geometry (primitives, STL/OBJ meshes),
// hinges and sliders with limits, and the robot's actuators.
#include "world_internal.h"
#include "log_internal.h"
#include "pilotsim/mesh.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


ps_urdf_build_options ps_default_urdf_build_options(void)
{
    return (ps_urdf_build_options){
        .name = NULL,
        .base = ps_pose_identity(),
        .fixed_base = false,
        .self_collide = false,
        .actuator = ps_default_actuator_def(),
        .urdf_dynamics = true,
        .material = PS_MATERIAL_DEFAULT,
        .solver = {PS_URDF_MIN_ITERATIONS, 0},
    };
}

static ps_pose pose_inverse(ps_pose p)
{
    ps_quat qi = {p.q.w, -p.q.x, -p.q.y, -p.q.z};
    ps_vec3 t = ps_quat_rotate(qi, p.p);
    return (ps_pose){{-t.x, -t.y, -t.z}, qi};
}

typedef struct builder {
    ps_world *w;
    const ps_urdf_model *m;
    const ps_urdf_build_options *opt;
    ps_pose *world_pose;   // per link, at the zero configuration
    int *group;            // per link: the link whose body it belongs to
    ps_body_id *body;      // per link: its body
    uint32_t geom_group;
} builder;

static bool fail(builder *b, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(builder *b, int line, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ps_world_fail(b->w, PS_ERR_INVALID, "%s:%d: %s", b->m->path, line, msg);
    return false;
}

// Link l's frame in its body's frame.
static ps_pose in_body(const builder *b, int l)
{
    if (b->group[l] == l) return ps_pose_identity(); // exactly: the body's own link
    return ps_pose_mul(pose_inverse(b->world_pose[b->group[l]]), b->world_pose[l]);
}

// Body mass properties of group g: every merged link's inertial combined
// about the body frame, then expressed about the centre of mass.
static bool make_body(builder *b, int g)
{
    const ps_urdf_model *m = b->m;
    dMass acc;
    dMassSetZero(&acc);
    int last_line = m->links[g].line;
    for (size_t k = 0; k < m->link_count; k++) {
        int l = m->topo_order[k];
        if (b->group[l] != g || !m->links[l].has_inertial) continue;
        const ps_urdf_inertial *in = &m->links[l].inertial;
        if (in->mass <= 0) continue;
        ps_pose t = ps_pose_mul(in_body(b, l), ps_urdf_origin_pose(in->origin));
        dMass mi;
        // Build about the inertial frame, then rotate and move it into the body frame.
        dMassSetZero(&mi);
        mi.mass = in->mass;
        mi.I[0] = in->ixx; mi.I[1] = in->ixy; mi.I[2] = in->ixz;
        mi.I[4] = in->ixy; mi.I[5] = in->iyy; mi.I[6] = in->iyz;
        mi.I[8] = in->ixz; mi.I[9] = in->iyz; mi.I[10] = in->izz;
        dMatrix3 R;
        dQuaternion q = {t.q.w, t.q.x, t.q.y, t.q.z};
        dQtoR(q, R);
        dMassRotate(&mi, R);
        dMassTranslate(&mi, t.p.x, t.p.y, t.p.z);
        if (acc.mass > 0) dMassAdd(&acc, &mi);
        else acc = mi;
        last_line = m->links[l].line;
    }
    ps_body_def bd = ps_default_body_def();
    bd.name = m->links[g].name;
    bd.pose = b->world_pose[g];
    bool is_root = g == m->root_link;
    if (is_root && b->opt->fixed_base) {
        bd.kind = PS_BODY_STATIC;
    } else {
        if (!(acc.mass > 0))
            return fail(b, m->links[g].line,
                        "link '%s' moves but has no mass (give it an <inertial>, or join it with a fixed joint)",
                        m->links[g].name);
        ps_vec3 c = {acc.c[0], acc.c[1], acc.c[2]};
        dMassTranslate(&acc, -c.x, -c.y, -c.z); // inertia about the centre of mass
        double I[6] = {acc.I[0], acc.I[5], acc.I[10], acc.I[1], acc.I[2], acc.I[6]};
        if (!ps_inertia_ok(I)) {
            // Keep the mass, replace an unusable tensor by a 5 cm solid sphere's, and say so.
            double s = 0.4 * acc.mass * 0.05 * 0.05;
            ps_logf(&b->w->def.log, PS_LOG_WARN,
                    "%s:%d: link '%s': inertia is not positive definite; using a 5 cm solid sphere's (%g kg m^2)",
                    m->path, last_line, m->links[g].name, s);
            I[0] = I[1] = I[2] = s;
            I[3] = I[4] = I[5] = 0;
        }
        bd.mass = acc.mass;
        bd.com = c;
        bd.has_inertia = true;
        memcpy(bd.inertia, I, sizeof I);
    }
    ps_body_id id = ps_body_create(b->w, &bd);
    if (!ps_body_is_set(id)) return fail(b, m->links[g].line, "link '%s': %s", m->links[g].name, ps_world_last_error(b->w));
    b->body[g] = id;
    return true;
}

static bool add_collision(builder *b, int l, const ps_urdf_shape *s)
{
    ps_geom_def d = ps_default_geom_def(PS_GEOM_BOX);
    d.pose = ps_pose_mul(in_body(b, l), ps_urdf_origin_pose(s->origin));
    d.density = 0; // masses come from the inertials
    d.material = b->opt->material;
    d.group = b->geom_group;
    d.name = s->name;
    ps_mesh *mesh = NULL;
    const ps_urdf_geometry *g = &s->geometry;
    switch (g->type) {
    case PS_URDF_GEOM_BOX: d.type = PS_GEOM_BOX; d.size = g->size; break;
    case PS_URDF_GEOM_SPHERE: d.type = PS_GEOM_SPHERE; d.radius = g->radius; break;
    case PS_URDF_GEOM_CYLINDER: d.type = PS_GEOM_CYLINDER; d.radius = g->radius; d.length = g->length; break;
    case PS_URDF_GEOM_MESH: {
        if (!ps_mesh_is_collision_format(g->mesh_path))
            return fail(b, s->line, "link '%s': collision mesh '%s' must be STL or OBJ", b->m->links[l].name, g->mesh_uri);
        char err[PS_ERR_LEN];
        mesh = ps_mesh_load(g->mesh_path, g->mesh_scale, err, sizeof err);
        if (!mesh) return fail(b, s->line, "link '%s': %s", b->m->links[l].name, err);
        d.type = PS_GEOM_TRIMESH;
        d.vertices = mesh->vertices;
        d.indices = mesh->indices;
        d.vertex_count = mesh->vertex_count;
        d.tri_count = mesh->tri_count;
        break;
    }
    }
    ps_geom_id id = ps_geom_create(b->w, b->body[b->group[l]], &d);
    ps_mesh_free(mesh);
    if (id.gen == 0) return fail(b, s->line, "link '%s': %s", b->m->links[l].name, ps_world_last_error(b->w));
    return true;
}

static bool add_visual(builder *b, ps_robot_slot *r, size_t link, const ps_urdf_shape *s)
{
    ps_robot_visual *v = &r->visuals[r->visual_count];
    const ps_urdf_geometry *g = &s->geometry;
    *v = (ps_robot_visual){
        .link = link, .pose = ps_urdf_origin_pose(s->origin), .type = (int)g->type, .size = g->size,
        .radius = g->radius, .length = g->length, .mesh_scale = g->mesh_scale,
        .rgba = {0.7f, 0.7f, 0.7f, 1.0f},
    };
    if (s->has_rgba)
        for (int k = 0; k < 4; k++) v->rgba[k] = (float)s->rgba[k];
    if (g->mesh_path && !(v->mesh_path = ps_strdup(g->mesh_path))) return fail(b, s->line, "out of memory");
    if (s->texture_path && !(v->texture_path = ps_strdup(s->texture_path))) {
        free((char *)v->mesh_path);
        return fail(b, s->line, "out of memory");
    }
    r->visual_count++;
    return true;
}

static bool make_joint(builder *b, const ps_urdf_joint *uj, ps_joint_id *out)
{
    ps_joint_def d = ps_default_joint_def(uj->type == PS_URDF_PRISMATIC ? PS_JOINT_SLIDER : PS_JOINT_HINGE);
    d.name = uj->name;
    d.body1 = b->body[b->group[uj->child_link]];
    d.body2 = b->body[b->group[uj->parent_link]];
    ps_pose cp = b->world_pose[uj->child_link];
    d.anchor = cp.p;
    d.axis = ps_quat_rotate(cp.q, uj->axis);
    d.feedback = true;
    if (uj->type == PS_URDF_PRISMATIC) {
        d.axes[0].limited = true;
        d.axes[0].lo = uj->lower;
        d.axes[0].hi = uj->upper;
    } else if (uj->type == PS_URDF_REVOLUTE) {
        // A hinge counts turns, so ranges beyond [-pi, pi] (several turns
        // included) are enforced as written.
        d.axes[0].limited = true;
        d.axes[0].lo = uj->lower;
        d.axes[0].hi = uj->upper;
    }
    *out = ps_joint_create(b->w, &d);
    if (out->gen == 0) return fail(b, uj->line, "joint '%s': %s", uj->name, ps_world_last_error(b->w));
    return true;
}

static bool moving(ps_urdf_joint_type t)
{
    return t == PS_URDF_REVOLUTE || t == PS_URDF_CONTINUOUS || t == PS_URDF_PRISMATIC;
}

ps_robot_id ps_robot_from_urdf(ps_world *w, const ps_urdf_model *m, const ps_urdf_build_options *opt)
{
    const ps_robot_id none = PS_ROBOT_NONE;
    ps_urdf_build_options defaults = ps_default_urdf_build_options();
    if (!opt) opt = &defaults;
    if (!m) return ps_world_fail(w, PS_ERR_INVALID, "URDF model is NULL"), none;
    const char *name = opt->name ? opt->name : m->name;
    if (!name || !*name) name = "robot";
    if (ps_robot_valid(w, ps_robot_find(w, name)))
        return ps_world_fail(w, PS_ERR_INVALID, "%s: a robot named '%s' already exists", m->path, name), none;
    ps_pose base = opt->base;
    if (!ps_vec3_finite(base.p) || !ps_quat_normalize(&base.q))
        return ps_world_fail(w, PS_ERR_INVALID, "%s: base pose must be finite", m->path), none;
    if (!ps_solver_need_valid(&opt->solver))
        return ps_world_fail(w, PS_ERR_INVALID, "%s: %s", m->path, PS_SOLVER_NEED_RULE), none;

    size_t n = m->link_count;
    builder b = {w, m, opt, calloc(n, sizeof(ps_pose)), calloc(n, sizeof(int)), calloc(n, sizeof(ps_body_id)),
                 opt->self_collide ? 0 : 0x80000000u | w->robot_count};
    size_t moving_count = 0;
    for (size_t i = 0; i < m->joint_count; i++) moving_count += moving(m->joints[i].type);
    ps_robot_slot tmp = {0};
    tmp.links = calloc(n, sizeof *tmp.links);
    tmp.joints = calloc(moving_count ? moving_count : 1, sizeof *tmp.joints);
    size_t nvis = 0;
    for (size_t i = 0; i < n; i++) nvis += m->links[i].visual_count;
    tmp.visuals = calloc(nvis ? nvis : 1, sizeof *tmp.visuals);
    bool ok = b.world_pose && b.group && b.body && tmp.links && tmp.joints && tmp.visuals;
    if (!ok) ps_world_fail(w, PS_ERR_NOMEM, "out of memory");

    // Poses at the zero configuration and the fixed-joint merge groups.
    for (size_t k = 0; ok && k < n; k++) {
        int l = m->topo_order[k];
        int pj = m->links[l].parent_joint;
        if (pj < 0) {
            b.world_pose[l] = base;
            b.group[l] = l;
            continue;
        }
        const ps_urdf_joint *uj = &m->joints[pj];
        if (uj->type == PS_URDF_PLANAR) {
            ok = fail(&b, uj->line, "joint '%s': planar joints are not supported yet", uj->name);
            break;
        }
        b.world_pose[l] = ps_pose_mul(b.world_pose[uj->parent_link], ps_urdf_origin_pose(uj->origin));
        b.group[l] = uj->type == PS_URDF_FIXED ? b.group[uj->parent_link] : l;
    }
    // Bodies (parents first), then geoms, then joints.
    for (size_t k = 0; ok && k < n; k++) {
        int l = m->topo_order[k];
        if (b.group[l] == l) ok = make_body(&b, l);
    }
    for (size_t k = 0; ok && k < n; k++) {
        int l = m->topo_order[k];
        for (size_t s = 0; ok && s < m->links[l].collision_count; s++) ok = add_collision(&b, l, &m->links[l].collisions[s]);
    }
    for (size_t i = 0; ok && i < n; i++) {
        tmp.links[i] = (ps_robot_link){ps_strdup(m->links[i].name), b.body[b.group[i]], in_body(&b, (int)i)};
        ok = tmp.links[i].name != NULL;
        tmp.link_count = i + 1;
        for (size_t s = 0; ok && s < m->links[i].visual_count; s++) ok = add_visual(&b, &tmp, i, &m->links[i].visuals[s]);
    }
    // Link 0 is the base: swap the root to the front.
    if (ok && m->root_link != 0) {
        ps_robot_link t = tmp.links[0];
        tmp.links[0] = tmp.links[m->root_link];
        tmp.links[m->root_link] = t;
        for (size_t v = 0; v < tmp.visual_count; v++) {
            if (tmp.visuals[v].link == 0) tmp.visuals[v].link = (size_t)m->root_link;
            else if (tmp.visuals[v].link == (size_t)m->root_link) tmp.visuals[v].link = 0;
        }
    }
    int *joint_index = calloc(m->joint_count ? m->joint_count : 1, sizeof *joint_index);
    ok = ok && joint_index;
    for (size_t i = 0; ok && i < m->joint_count; i++) {
        const ps_urdf_joint *uj = &m->joints[i];
        joint_index[i] = -1;
        if (!moving(uj->type)) continue;
        ps_joint_id jid;
        ok = make_joint(&b, uj, &jid);
        if (!ok) break;
        ps_actuator_def a = opt->actuator;
        if (uj->has_limit && uj->effort > 0 && !isfinite(a.effort_limit)) a.effort_limit = uj->effort;
        if (uj->has_limit && uj->velocity > 0 && !isfinite(a.velocity_limit)) a.velocity_limit = uj->velocity;
        if (opt->urdf_dynamics && uj->has_dynamics && a.damping == 0) a.damping = uj->damping;
        if (opt->urdf_dynamics && uj->has_dynamics && a.friction == 0) a.friction = uj->friction;
        joint_index[i] = (int)tmp.joint_count;
        tmp.joints[tmp.joint_count++] = (ps_robot_joint){
            .name = ps_strdup(uj->name), .joint = jid, .act = a, .mimic = -1,
        };
        ok = tmp.joints[tmp.joint_count - 1].name != NULL;
    }
    for (size_t i = 0; ok && i < m->joint_count; i++) {
        const ps_urdf_joint *uj = &m->joints[i];
        if (!uj->has_mimic || joint_index[i] < 0) continue;
        int master = uj->mimic_index >= 0 ? joint_index[uj->mimic_index] : -1;
        if (master < 0) {
            ok = fail(&b, uj->line, "joint '%s' mimics '%s', which does not move", uj->name, uj->mimic_joint);
            break;
        }
        ps_robot_joint *rj = &tmp.joints[joint_index[i]];
        rj->mimic = master;
        rj->mimic_mult = uj->mimic_multiplier;
        rj->mimic_off = uj->mimic_offset;
    }
    free(joint_index);

    // Kinematic tree for ps_robot_set_positions, in robot link order (root first).
    if (ok) {
        tmp.kin_parent = malloc(n * sizeof(int));
        tmp.kin_joint = malloc(n * sizeof(int));
        tmp.kin_order = malloc(n * sizeof(int));
        tmp.kin_origin = malloc(n * sizeof(ps_pose));
        tmp.kin_axis = malloc(n * sizeof(ps_vec3));
        tmp.kin_prismatic = malloc(n * sizeof(bool));
        ok = tmp.kin_parent && tmp.kin_joint && tmp.kin_order && tmp.kin_origin && tmp.kin_axis && tmp.kin_prismatic;
        if (!ok) ps_world_fail(w, PS_ERR_NOMEM, "out of memory");
    }
    for (size_t l = 0; ok && l < n; l++) {
        // URDF link index <-> robot link index: only the root and link 0 swap.
        int u = (int)l == 0 ? m->root_link : (int)l == m->root_link ? 0 : (int)l;
        int pj = m->links[u].parent_joint;
        tmp.kin_joint[l] = -1;
        tmp.kin_prismatic[l] = false;
        tmp.kin_axis[l] = (ps_vec3){1, 0, 0};
        tmp.kin_origin[l] = ps_pose_identity();
        if (pj < 0 || m->joints[pj].type == PS_URDF_FLOATING) {
            tmp.kin_parent[l] = -1; // a root: keeps its current pose
            continue;
        }
        const ps_urdf_joint *uj = &m->joints[pj];
        int pu = uj->parent_link;
        tmp.kin_parent[l] = pu == 0 ? m->root_link : pu == m->root_link ? 0 : pu;
        tmp.kin_origin[l] = ps_urdf_origin_pose(uj->origin);
        tmp.kin_axis[l] = uj->axis;
        tmp.kin_prismatic[l] = uj->type == PS_URDF_PRISMATIC;
        for (size_t j = 0; j < tmp.joint_count; j++)
            if (strcmp(tmp.joints[j].name, uj->name) == 0) tmp.kin_joint[l] = (int)j;
    }
    for (size_t k = 0; ok && k < n; k++) {
        int u = m->topo_order[k];
        tmp.kin_order[k] = u == 0 ? m->root_link : u == m->root_link ? 0 : u;
    }

    ps_robot_id id = none;
    ps_robot_slot *r = ok ? ps_robot_slot_new(w, name, &id) : NULL;
    if (ok && !r) ps_world_fail(w, PS_ERR_NOMEM, "out of memory");
    if (r) {
        char *nm = r->name;
        *r = tmp;
        r->name = nm;
        r->gen = id.gen;
        r->alive = true;
        bool moves = r->joint_count > 0;
        memset(&tmp, 0, sizeof tmp);
        if (moves) ps_world_require_solver(w, name, &opt->solver); // valid: checked above
    } else {
        // Undo: the bodies (and with them their geoms and joints) go away.
        for (size_t i = 0; i < n; i++)
            if (b.body && ps_body_valid(w, b.body[i])) {
                char keep[sizeof w->last_error];
                memcpy(keep, w->last_error, sizeof keep);
                ps_body_destroy(w, b.body[i]);
                memcpy(w->last_error, keep, sizeof keep);
            }
        for (size_t i = 0; i < tmp.link_count; i++) free(tmp.links[i].name);
        for (size_t i = 0; i < tmp.joint_count; i++) free(tmp.joints[i].name);
        for (size_t i = 0; i < tmp.visual_count; i++) {
            free((char *)tmp.visuals[i].mesh_path);
            free((char *)tmp.visuals[i].texture_path);
        }
        free(tmp.links);
        free(tmp.joints);
        free(tmp.visuals);
        free(tmp.kin_parent);
        free(tmp.kin_joint);
        free(tmp.kin_order);
        free(tmp.kin_origin);
        free(tmp.kin_axis);
        free(tmp.kin_prismatic);
        id = none;
    }
    free(b.world_pose);
    free(b.group);
    free(b.body);
    return id;
}
