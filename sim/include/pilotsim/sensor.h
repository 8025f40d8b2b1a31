/// @file sensor.h
/// Sensors: what a robot perceives. A sensor is mounted on a body (at a pose
/// in the body's link frame), samples at a rate, passes its reading through a
/// noise model seeded from the world's sensor RNG, and writes it into a float
/// buffer allocated once at creation. Readers (Lua, policies, the Python
/// binding) read that buffer in place; nothing is allocated per step.
///
/// Camera sensors are definitions here; their pixels come from a render
/// callback the renderer installs (ps_world_set_render_callback). Without one,
/// creating a camera fails with a clear error, never a black image.
#ifndef PILOTSIM_SENSOR_H
#define PILOTSIM_SENSOR_H

#include "pilotsim/export.h"

#include "pilotsim/world.h"

PS_BEGIN_DECLS

/// A sensor handle, checked like the other ids (types.h).
typedef struct ps_sensor_id { uint32_t index, gen, world; } ps_sensor_id;
/// The "none" sensor id.
#define PS_SENSOR_NONE ((ps_sensor_id){0, 0, 0})

typedef enum ps_sensor_type {
    PS_SENSOR_JOINT_STATE,  ///< [position, velocity, effort] of a joint's first axis (rad|m, rad/s|m/s, N m|N)
    PS_SENSOR_IMU,          ///< [ax, ay, az (m/s^2, specific force incl. gravity), wx, wy, wz (rad/s), qw, qx, qy, qz], sensor frame
    PS_SENSOR_FORCE_TORQUE, ///< [fx, fy, fz (N), tx, ty, tz (N m)] the joint applies to its child body, sensor frame
    PS_SENSOR_CONTACT,      ///< [touching (0|1), total normal force (N), contact count] on the body
    PS_SENSOR_LIDAR,        ///< distances (m) per beam, row-major [v][h]; range_max when nothing is hit
                            ///< (no noise then). Skips the geoms of the mount body's robot: its
                            ///< group and the bodies joined to the mount body when the sensor is made
    PS_SENSOR_ODOMETRY,     ///< [x, y, yaw (m, m, rad), vx, wz] dead-reckoned in the start frame, drifting
    PS_SENSOR_POSE,         ///< [x, y, z, qw, qx, qy, qz] ground truth, world frame
    PS_SENSOR_PROXIMITY,    ///< [distance] along the sensor's +x ray, range_max when nothing
    PS_SENSOR_CAMERA,       ///< width*height*channels floats, row-major, top row first: RGB 0..1 (3 channels);
                            ///< depth: planar depth along the optical axis (m), far_clip where nothing is hit;
                            ///< segmentation: body index + 1, negative for static geometry (each static geom
                            ///< its own id, -(geom slot + 1)), 0 nothing (sky). The camera
                            ///< looks along its mount frame's +x with +z up (REP-103), image x to the mount's -y
} ps_sensor_type;

/// Per-channel noise and degradation. All zero = a perfect sensor.
typedef struct ps_noise_def {
    double stddev;        ///< white gaussian noise, in the reading's unit
    double bias;          ///< constant offset
    double drift;         ///< random-walk rate: the offset's stddev grows by this per sqrt(second)
    double dropout;       ///< probability [0, 1) a sample is lost (reads NaN for lidar/proximity, holds the last value otherwise)
    double quantum;       ///< resolution: readings rounded to multiples of this (0 = none)
    int latency;          ///< samples the reading is delayed by (0..64)
} ps_noise_def;

typedef enum ps_camera_kind { PS_CAMERA_RGB, PS_CAMERA_DEPTH, PS_CAMERA_SEGMENTATION } ps_camera_kind;

/// Sensor parameters. Start from ps_default_sensor_def(type).
typedef struct ps_sensor_def {
    ps_sensor_type type;
    const char *name;       ///< copied; unique in the world; required
    ps_body_id body;        ///< the link it is mounted on (not needed for joint sensors)
    ps_pose pose;           ///< mount pose in the body's link frame; default identity
    double rate;            ///< samples per second; 0 = every step (default). Rounded to a whole
                            ///< number of steps (30 Hz at 2 ms: every 17 steps, 29.4 Hz)
    ps_noise_def noise;     ///< applied to every channel
    ps_joint_id joint;      ///< joint state, force-torque
    /// Lidar: h_beams over h_fov (rad, centred on +x, counter-clockwise),
    /// v_beams between v_min and v_max (rad, elevation; 1 beam = planar at 0).
    int h_beams, v_beams;
    double h_fov, v_min, v_max;
    double range_min, range_max;  ///< lidar, proximity (m); rays start at range_min
    /// Lidar degradation (dust, fog): each beam's range shrinks by a factor
    /// drawn around (1 - attenuation) and, with probability `spurious`, returns
    /// a false short hit uniform in [range_min, its true range].
    double attenuation, spurious;
    /// Camera: image size (pixels), vertical field of view (rad), clip planes (m).
    int width, height;
    double fov_y, near_clip, far_clip;
    ps_camera_kind camera;
    double darkness;        ///< 0..1: the renderer darkens the scene by this much
    /// RGB camera: a lamp at the camera (a headlamp), added after the darkening:
    /// a surface d m away facing the camera at angle a gets its colour x lamp x
    /// cos a / max(d^2, 1 m^2). 0 (default) = no lamp; 0..1000.
    double lamp;
} ps_sensor_def;

/// The defaults for a sensor of `type` (each field states its default above).
ps_sensor_def ps_default_sensor_def(ps_sensor_type type);

/// Creates a sensor. Returns a zero id on an invalid def (see ps_world_last_error).
ps_sensor_id ps_sensor_create(ps_world *w, const ps_sensor_def *def);
bool ps_sensor_valid(const ps_world *w, ps_sensor_id s);
ps_sensor_id ps_sensor_find(const ps_world *w, const char *name);
/// Number of live sensors and the i-th in creation order.
size_t ps_world_sensor_count(const ps_world *w);
ps_sensor_id ps_world_sensor_at(const ps_world *w, size_t i);
const char *ps_sensor_name(const ps_world *w, ps_sensor_id s);
ps_sensor_type ps_sensor_get_type(const ps_world *w, ps_sensor_id s);
/// Copies the sensor's definition (as created; `name` borrowed from the
/// world, valid while the sensor lives). PS_ERR_STALE for a stale id.
ps_status ps_sensor_get_def(const ps_world *w, ps_sensor_id s, ps_sensor_def *out);

/// The sensor's reading: `*count` floats, valid until the sensor is destroyed
/// (the pointer is stable; its contents change at each sample). Borrowed.
/// Lidar and proximity hits are in ps_sensor_hits: per beam, the hit body's
/// ps_body_id.index + 1, -1 for static world geometry, 0 for nothing (or a
/// degraded return); delayed with the distances.
const float *ps_sensor_data(const ps_world *w, ps_sensor_id s, size_t *count);
const int32_t *ps_sensor_hits(const ps_world *w, ps_sensor_id s, size_t *count);
/// Casts a lidar or proximity sensor's beams now, from its mount's current
/// pose, into `dist` (m; ps_sensor_data's count floats, caller-owned) and, when
/// not NULL, `hits` (as ps_sensor_hits; count int32). Geometric ranges only: no
/// noise, latency or degradation; the sensor's reading, its sample clock and
/// every random stream are left untouched, so stepping afterwards is unchanged.
/// `exhaustive` tests every beam against every geom (slow: the reference the
/// ray-casting acceleration must match bit for bit); false casts as sampling
/// does. PS_ERR_STALE for a stale id, PS_ERR_INVALID for another sensor type.
ps_status ps_sensor_cast(ps_world *w, ps_sensor_id s, bool exhaustive, float *dist, int32_t *hits);
/// Shape of the reading: up to 3 dimensions (e.g. lidar {v_beams, h_beams},
/// camera {height, width, channels}). Returns the number of dimensions.
int ps_sensor_shape(const ps_world *w, ps_sensor_id s, int shape[3]);
/// Simulated time (s) of the sample currently in the buffer (latency included).
double ps_sensor_stamp(const ps_world *w, ps_sensor_id s);

/// Renderer hook for camera sensors: fills `out` (width*height*channels
/// floats) for the camera at world pose `pose`. Returns false on failure:
/// ps_world_step then returns PS_ERR_STATE naming the camera.
typedef bool (*ps_render_fn)(void *user, const ps_world *w, ps_sensor_id camera, ps_pose pose,
                             const ps_sensor_def *def, float *out);
/// Installs (or removes with NULL) the camera render callback.
void ps_world_set_render_callback(ps_world *w, ps_render_fn fn, void *user);
/// Optional companion of the render callback: why its last call failed (a
/// borrowed string, or NULL), given the same `user`. ps_world_step appends it
/// to the camera's error message. NULL removes it.
typedef const char *(*ps_render_error_fn)(void *user);
/// Installs the render callback's error companion (see ps_render_error_fn).
void ps_world_set_render_error_fn(ps_world *w, ps_render_error_fn fn);

PS_END_DECLS
#endif
