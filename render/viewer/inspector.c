// The model tree and body inspector (I): every robot with its links and the
// free bodies, click to select; the selected body's mass, pose, velocities
// and contacts; its shapes outlined in the 3D view (see viewer_internal.h).
#define _POSIX_C_SOURCE 200809L
#include "viewer_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { TREE_MAX_ROWS = 60, INSPECT_W = 320 };

typedef struct body_info {
    double mass;                 // kg
    ps_pose pose;                // link frame, world
    ps_vec3 v, w;                // m/s, rad/s (world)
    size_t contacts;             // contact points touching it this step
    ps_vec3 force;               // N: the sum of their forces on it (world)
    ps_body_id partner[6];       // the first bodies it touches (PS_BODY_NONE: static geometry)
    size_t partners;
} body_info;

static bool get_info(ps_world *w, ps_body_id b, body_info *o)
{
    memset(o, 0, sizeof *o);
    if (!w || ps_body_get_pose(w, b, &o->pose) != PS_OK) return false;
    ps_body_get_mass(w, b, &o->mass, NULL, NULL);
    ps_body_get_linvel(w, b, &o->v);
    ps_body_get_angvel(w, b, &o->w);
    size_t n = 0;
    const ps_contact *c = ps_world_contacts(w, &n);
    for (size_t i = 0; c && i < n; i++) {
        bool first = ps_body_id_eq(c[i].body1, b), second = ps_body_id_eq(c[i].body2, b);
        if (!first && !second) continue;
        double s = first ? 1 : -1;
        o->contacts++;
        o->force = (ps_vec3){o->force.x + s * c[i].force.x, o->force.y + s * c[i].force.y, o->force.z + s * c[i].force.z};
        ps_body_id other = first ? c[i].body2 : c[i].body1;
        bool seen = false;
        for (size_t k = 0; k < o->partners; k++) seen = seen || ps_body_id_eq(o->partner[k], other);
        if (!seen && o->partners < 6) o->partner[o->partners++] = other;
    }
    return true;
}

static double len3(ps_vec3 a) { return sqrt(a.x * a.x + a.y * a.y + a.z * a.z); }

// Roll, pitch, yaw (rad, ZYX) of a unit quaternion.
static ps_vec3 rpy(ps_quat q)
{
    double sp = 2 * (q.w * q.y - q.z * q.x);
    return (ps_vec3){atan2(2 * (q.w * q.x + q.y * q.z), 1 - 2 * (q.x * q.x + q.y * q.y)),
                     fabs(sp) >= 1 ? copysign(1.5707963267948966, sp) : asin(sp),
                     atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z))};
}

static const char *partner_name(ps_viewer *v, ps_body_id b, char *buf, size_t n)
{
    return ps_body_is_set(b) ? ps_viewer_body_name(v, b, buf, n) : "static";
}

void ps_viewer_print_inspect(ps_viewer *v)
{
    ps_world *w = ps_sim_loop_world(&v->loop);
    body_info in;
    char nb[64], pb[64];
    if (!ps_body_is_set(v->selected) || !get_info(w, v->selected, &in)) {
        ps_viewer_log(v, "inspect: nothing selected");
        return;
    }
    ps_vec3 a = rpy(in.pose.q);
    char partners[400] = "";
    int k = 0;
    for (size_t i = 0; i < in.partners && k < (int)sizeof partners - 70; i++)
        k += snprintf(partners + k, sizeof partners - (size_t)k, "%s%s", i ? "," : "",
                      partner_name(v, in.partner[i], pb, sizeof pb));
    ps_viewer_log(v,
                  "inspect body=%s mass=%.6g pos=%.4f,%.4f,%.4f rpy=%.4f,%.4f,%.4f vel=%.4f,%.4f,%.4f "
                  "angvel=%.4f,%.4f,%.4f contacts=%zu force=%.4g touching=%s",
                  ps_viewer_body_name(v, v->selected, nb, sizeof nb), in.mass, in.pose.p.x, in.pose.p.y, in.pose.p.z,
                  a.x, a.y, a.z, in.v.x, in.v.y, in.v.z, in.w.x, in.w.y, in.w.z, in.contacts, len3(in.force),
                  partners[0] ? partners : "-");
}

static void select_body(ps_viewer *v, ps_body_id b)
{
    char nb[64];
    v->selected = b;
    ps_viewer_note(v, "selected %s", ps_viewer_body_name(v, b, nb, sizeof nb));
}

// Robots and their links, then the bodies no robot owns.
static void model_tree(ps_viewer *v, ps_world *w)
{
    int rows = 0;
    size_t nr = ps_world_robot_count(w), nb = ps_world_body_count(w);
    ps_ui_text(&v->ui, PS_UI_CYAN, "Model: %zu bodies, %zu robots", nb, nr);
    char label[160], name[64];
    for (size_t ri = 0; ri < nr && rows < TREE_MAX_ROWS; ri++) {
        ps_robot_id r = ps_world_robot_at(w, ri);
        ps_ui_text(&v->ui, PS_UI_YELLOW, "robot %s (%zu links, %zu joints)", ps_robot_name(w, r),
                   ps_robot_link_count(w, r), ps_robot_joint_count(w, r));
        for (size_t i = 0; i < ps_robot_link_count(w, r) && rows < TREE_MAX_ROWS; i++, rows++) {
            ps_body_id b = ps_robot_link_body(w, r, i);
            snprintf(label, sizeof label, "  %s", ps_robot_link_name(w, r, i));
            if (ps_ui_row(&v->ui, label, ps_body_id_eq(b, v->selected), NULL)) select_body(v, b);
        }
    }
    bool header = false;
    for (size_t i = 0; i < nb && rows < TREE_MAX_ROWS; i++) {
        ps_body_id b = ps_world_body_at(w, i);
        bool linked = false;
        for (size_t ri = 0; ri < nr && !linked; ri++) {
            ps_robot_id r = ps_world_robot_at(w, ri);
            for (size_t k = 0; k < ps_robot_link_count(w, r) && !linked; k++)
                linked = ps_body_id_eq(ps_robot_link_body(w, r, k), b);
        }
        if (linked) continue;
        if (!header) ps_ui_text(&v->ui, PS_UI_YELLOW, "bodies");
        header = true;
        snprintf(label, sizeof label, "  %s", ps_viewer_body_name(v, b, name, sizeof name));
        if (ps_ui_row(&v->ui, label, ps_body_id_eq(b, v->selected), NULL)) select_body(v, b);
        rows++;
    }
    if (rows >= TREE_MAX_ROWS) ps_ui_text(&v->ui, PS_UI_GREY, "(first %d entries)", TREE_MAX_ROWS);
}

static void body_panel(ps_viewer *v, ps_world *w)
{
    body_info in;
    char nb[64], pb[64];
    if (!ps_body_is_set(v->selected) || !get_info(w, v->selected, &in)) {
        ps_ui_text(&v->ui, PS_UI_GREY, "click a body (here or in the view) to inspect it");
        return;
    }
    ps_vec3 a = rpy(in.pose.q);
    ps_ui_text(&v->ui, PS_UI_CYAN, "Body %s", ps_viewer_body_name(v, v->selected, nb, sizeof nb));
    ps_ui_text(&v->ui, NULL, "mass  %.4g kg", in.mass);
    ps_ui_text(&v->ui, NULL, "pos   %+.3f %+.3f %+.3f m", in.pose.p.x, in.pose.p.y, in.pose.p.z);
    ps_ui_text(&v->ui, NULL, "rpy   %+.3f %+.3f %+.3f rad", a.x, a.y, a.z);
    ps_ui_text(&v->ui, NULL, "vel   %+.3f %+.3f %+.3f m/s", in.v.x, in.v.y, in.v.z);
    ps_ui_text(&v->ui, NULL, "omega %+.3f %+.3f %+.3f rad/s", in.w.x, in.w.y, in.w.z);
    ps_ui_text(&v->ui, NULL, "contacts %zu, force %.4g N", in.contacts, len3(in.force));
    for (size_t i = 0; i < in.partners; i++)
        ps_ui_text(&v->ui, PS_UI_GREY, "  touching %s", partner_name(v, in.partner[i], pb, sizeof pb));
}

void ps_viewer_draw_inspector(ps_viewer *v, int x, int y)
{
    ps_world *w = ps_sim_loop_world(&v->loop);
    if (!v->show_inspector || !w) return;
    const float bg[4] = {0.06f, 0.07f, 0.1f, 0.85f};
    ps_ui_window_begin(&v->ui, x, y, INSPECT_W, bg);
    body_panel(v, w);
    ps_ui_text(&v->ui, NULL, " ");
    model_tree(v, w);
    ps_ui_text(&v->ui, PS_UI_GREY, "(I closes)");
    ps_ui_window_end(&v->ui);
}

// The 12 edges of the box `half` around `pose`, projected and drawn.
static void outline_box(ps_viewer *v, ps_pose pose, ps_vec3 half, const float c[4])
{
    ps_quat q = pose.q;
    double R[3][3] = {{1 - 2 * (q.y * q.y + q.z * q.z), 2 * (q.x * q.y - q.w * q.z), 2 * (q.x * q.z + q.w * q.y)},
                      {2 * (q.x * q.y + q.w * q.z), 1 - 2 * (q.x * q.x + q.z * q.z), 2 * (q.y * q.z - q.w * q.x)},
                      {2 * (q.x * q.z - q.w * q.y), 2 * (q.y * q.z + q.w * q.x), 1 - 2 * (q.x * q.x + q.y * q.y)}};
    double px[8], py[8];
    bool ok[8];
    for (int i = 0; i < 8; i++) {
        double l[3] = {(i & 1 ? 1 : -1) * half.x, (i & 2 ? 1 : -1) * half.y, (i & 4 ? 1 : -1) * half.z};
        ps_vec3 p = {pose.p.x + R[0][0] * l[0] + R[0][1] * l[1] + R[0][2] * l[2],
                     pose.p.y + R[1][0] * l[0] + R[1][1] * l[1] + R[1][2] * l[2],
                     pose.p.z + R[2][0] * l[0] + R[2][1] * l[1] + R[2][2] * l[2]};
        ok[i] = ps_render_view_project(&v->view, p, &px[i], &py[i]);
    }
    for (int i = 0; i < 8; i++)
        for (int b = 1; b < 8; b <<= 1) {
            int j = i | b;
            if (j != i && ok[i] && ok[j]) ps_ui_line(v->r, px[i], py[i], px[j], py[j], 2, c);
        }
}

void ps_viewer_draw_selection(ps_viewer *v)
{
    if (!ps_body_is_set(v->selected) || !v->r) return;
    size_t n = 0;
    const ps_draw_shape *sh = ps_snapshot_shapes(v->snap, &n);
    const float c[4] = {0.3f, 1.0f, 1.0f, 0.9f};
    for (size_t i = 0; i < n; i++) {
        if (!ps_body_id_eq(sh[i].body, v->selected)) continue;
        ps_vec3 h;
        switch (sh[i].type) {
        case PS_SHAPE_BOX: h = (ps_vec3){sh[i].size.x * 0.5, sh[i].size.y * 0.5, sh[i].size.z * 0.5}; break;
        case PS_SHAPE_SPHERE: h = (ps_vec3){sh[i].radius, sh[i].radius, sh[i].radius}; break;
        case PS_SHAPE_CAPSULE:
        case PS_SHAPE_CYLINDER: h = (ps_vec3){sh[i].radius, sh[i].radius, sh[i].length * 0.5 + (sh[i].type == PS_SHAPE_CAPSULE ? sh[i].radius : 0)}; break;
        default: continue; // meshes: their collision shapes are outlined
        }
        outline_box(v, sh[i].pose, h, c);
    }
}
