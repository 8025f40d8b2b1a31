// Orbit camera controller (see orbit_camera.h).
#include "orbit_camera.h"

#include <math.h>

static const double PI = 3.14159265358979323846;

static ps_vec3 v3(double x, double y, double z) { return (ps_vec3){x, y, z}; }
static ps_vec3 add(ps_vec3 a, ps_vec3 b) { return v3(a.x + b.x, a.y + b.y, a.z + b.z); }
static ps_vec3 sub(ps_vec3 a, ps_vec3 b) { return v3(a.x - b.x, a.y - b.y, a.z - b.z); }
static ps_vec3 scale(ps_vec3 a, double s) { return v3(a.x * s, a.y * s, a.z * s); }
static double dot(ps_vec3 a, ps_vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static ps_vec3 cross(ps_vec3 a, ps_vec3 b)
{
    return v3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}
static ps_vec3 normalize(ps_vec3 a)
{
    double n = sqrt(dot(a, a));
    return n > 0 ? scale(a, 1 / n) : v3(1, 0, 0);
}

static const double PITCH_MAX = 1.55;

static void clamp(ps_orbit_camera *c)
{
    if (c->pitch > PITCH_MAX) c->pitch = PITCH_MAX;
    if (c->pitch < -PITCH_MAX) c->pitch = -PITCH_MAX;
    if (!(c->distance >= 0.05)) c->distance = 0.05;
    if (c->distance > 1e4) c->distance = 1e4;
    c->yaw = remainder(c->yaw, 2 * PI);
}

ps_orbit_camera ps_orbit_camera_default(void)
{
    ps_orbit_camera c = {0};
    c.fov_y = 45.0 * PI / 180.0;
    c.target = v3(0, 0, 0);
    c.yaw = -0.75 * PI; // from behind-right of a robot facing +x
    c.pitch = 0.45;
    c.distance = 5;
    ps_orbit_camera_set_home(&c);
    return c;
}

void ps_orbit_camera_look_at(ps_orbit_camera *c, ps_vec3 eye, ps_vec3 target)
{
    ps_vec3 d = sub(eye, target);
    double n = sqrt(dot(d, d));
    c->target = target;
    c->distance = n;
    if (n > 0) {
        c->yaw = atan2(d.y, d.x);
        c->pitch = asin(fmax(-1.0, fmin(1.0, d.z / n)));
    }
    clamp(c);
}

void ps_orbit_camera_frame_box(ps_orbit_camera *c, ps_vec3 lo, ps_vec3 hi)
{
    ps_vec3 centre = scale(add(lo, hi), 0.5);
    ps_vec3 half = scale(sub(hi, lo), 0.5);
    double radius = sqrt(dot(half, half));
    if (!(radius > 0.25)) radius = 0.25;
    if (radius > 50) radius = 50; // huge floors: look at the middle, not at all of it
    c->target = centre;
    c->distance = 1.1 * radius / sin(c->fov_y * 0.5);
    clamp(c);
    ps_orbit_camera_set_home(c);
}

void ps_orbit_camera_set_home(ps_orbit_camera *c)
{
    c->home_target = c->target;
    c->home_yaw = c->yaw;
    c->home_pitch = c->pitch;
    c->home_distance = c->distance;
}

void ps_orbit_camera_home(ps_orbit_camera *c)
{
    c->target = c->home_target;
    c->yaw = c->home_yaw;
    c->pitch = c->home_pitch;
    c->distance = c->home_distance;
}

void ps_orbit_camera_orbit(ps_orbit_camera *c, double dx, double dy)
{
    c->yaw -= dx * 0.005;
    c->pitch += dy * 0.005;
    clamp(c);
}

static void basis(const ps_orbit_camera *c, ps_vec3 *fwd, ps_vec3 *right, ps_vec3 *up)
{
    ps_vec3 f = normalize(sub(c->target, ps_orbit_camera_eye(c)));
    ps_vec3 r = normalize(cross(f, v3(0, 0, 1)));
    *fwd = f;
    *right = r;
    *up = cross(r, f);
}

void ps_orbit_camera_pan(ps_orbit_camera *c, double dx, double dy, int height)
{
    ps_vec3 f, r, u;
    basis(c, &f, &r, &u);
    double m_per_px = 2.0 * c->distance * tan(c->fov_y * 0.5) / (height > 0 ? height : 1);
    c->target = add(c->target, add(scale(r, -dx * m_per_px), scale(u, dy * m_per_px)));
}

void ps_orbit_camera_zoom(ps_orbit_camera *c, double steps)
{
    c->distance *= pow(0.9, steps);
    clamp(c);
}

ps_vec3 ps_orbit_camera_eye(const ps_orbit_camera *c)
{
    double cp = cos(c->pitch);
    return add(c->target, scale(v3(cp * cos(c->yaw), cp * sin(c->yaw), sin(c->pitch)), c->distance));
}

ps_render_view ps_orbit_camera_view(const ps_orbit_camera *c, int width, int height)
{
    ps_render_view v;
    v.eye = ps_orbit_camera_eye(c);
    v.target = c->target;
    v.up = v3(0, 0, 1);
    v.fov_y = c->fov_y;
    v.near_clip = fmax(0.01, c->distance * 0.005);
    v.far_clip = fmax(200.0, c->distance * 50);
    v.width = width;
    v.height = height;
    return v;
}

static void view_basis(const ps_render_view *v, ps_vec3 *f, ps_vec3 *r, ps_vec3 *u)
{
    *f = normalize(sub(v->target, v->eye));
    *r = normalize(cross(*f, v->up));
    *u = cross(*r, *f);
}

ps_vec3 ps_render_view_ray(const ps_render_view *v, double px, double py)
{
    ps_vec3 f, r, u;
    view_basis(v, &f, &r, &u);
    double th = tan(v->fov_y * 0.5), aspect = (double)v->width / (v->height > 0 ? v->height : 1);
    double x = (2.0 * (px + 0.5) / v->width - 1.0) * th * aspect;
    double y = (1.0 - 2.0 * (py + 0.5) / v->height) * th;
    return normalize(add(f, add(scale(r, x), scale(u, y))));
}

bool ps_render_view_project(const ps_render_view *v, ps_vec3 p, double *px, double *py)
{
    ps_vec3 f, r, u;
    view_basis(v, &f, &r, &u);
    ps_vec3 d = sub(p, v->eye);
    double z = dot(d, f);
    if (z <= 1e-6) return false;
    double th = tan(v->fov_y * 0.5), aspect = (double)v->width / (v->height > 0 ? v->height : 1);
    double x = dot(d, r) / (z * th * aspect), y = dot(d, u) / (z * th);
    *px = (x + 1.0) * 0.5 * v->width - 0.5;
    *py = (1.0 - y) * 0.5 * v->height - 0.5;
    return true;
}
