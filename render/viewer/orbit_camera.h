// Orbit camera controller of the viewer: a target point, yaw and pitch of the
// eye around it and a distance; mouse deltas orbit, pan and zoom it; it turns
// into a ps_render_view and casts rays through pixels (picking, dragging).
// Pure math, no GL. Units: m, rad, pixels.
#ifndef PS_VIEWER_ORBIT_CAMERA_H
#define PS_VIEWER_ORBIT_CAMERA_H

#include "pilotsim/render.h"

typedef struct ps_orbit_camera {
    ps_vec3 target;     ///< point looked at and orbited around (world, m)
    double yaw;         ///< rad: eye direction from the target, around +z from +x
    double pitch;       ///< rad: eye elevation above the target's horizontal plane, |pitch| < 1.55
    double distance;    ///< m from target to eye, 0.05..1e4
    double fov_y;       ///< rad, vertical field of view
    ps_vec3 home_target;///< the view `home` returns to
    double home_yaw, home_pitch, home_distance;
} ps_orbit_camera;

/// A camera looking at the origin from 5 m; home = this view.
ps_orbit_camera ps_orbit_camera_default(void);
/// Points the camera from `eye` at `target` (sets yaw, pitch, distance).
void ps_orbit_camera_look_at(ps_orbit_camera *c, ps_vec3 eye, ps_vec3 target);
/// Frames an axis-aligned box [lo, hi] (the scene's extent) and makes it home.
void ps_orbit_camera_frame_box(ps_orbit_camera *c, ps_vec3 lo, ps_vec3 hi);
/// Stores the current view as home.
void ps_orbit_camera_set_home(ps_orbit_camera *c);
void ps_orbit_camera_home(ps_orbit_camera *c);
/// Mouse deltas in pixels (dx right, dy down). Orbit: 0.005 rad per pixel.
void ps_orbit_camera_orbit(ps_orbit_camera *c, double dx, double dy);
/// Pan: moves the target so the point under the cursor follows it (at the
/// target's depth) in a viewport `height` pixels tall.
void ps_orbit_camera_pan(ps_orbit_camera *c, double dx, double dy, int height);
/// Zoom: `steps` scroll steps, each bringing the eye 10% closer (negative: farther).
void ps_orbit_camera_zoom(ps_orbit_camera *c, double steps);
ps_vec3 ps_orbit_camera_eye(const ps_orbit_camera *c);
/// The render view for a width x height viewport. Clip planes follow the distance.
ps_render_view ps_orbit_camera_view(const ps_orbit_camera *c, int width, int height);
/// Unit direction of the ray from the view's eye through pixel (px, py) (top-left origin).
ps_vec3 ps_render_view_ray(const ps_render_view *v, double px, double py);
/// Projects world point `p` to pixels; false when it is behind the eye.
bool ps_render_view_project(const ps_render_view *v, ps_vec3 p, double *px, double *py);

#endif
