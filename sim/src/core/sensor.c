// Sensors: creation, sampling after each step, the noise pipeline, readout.
#include "world_internal.h"
#include "log_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LATENCY 64

ps_sensor_def ps_default_sensor_def(ps_sensor_type type)
{
    return (ps_sensor_def){
        .type = type,
        .pose = ps_pose_identity(),
        .h_beams = 360,
        .v_beams = 1,
        .h_fov = 2 * 3.14159265358979323846,
        .range_min = 0.05,
        .range_max = 30.0,
        .width = 320,
        .height = 240,
        .fov_y = 1.0,
        .near_clip = 0.05,
        .far_clip = 50.0,
    };
}

static ps_pose mount_pose(const ps_world *w, const ps_sensor_slot *s);

static ps_sensor_slot *slot(const ps_world *w, ps_sensor_id id)
{
    if (id.gen == 0 || id.world != w->tag || id.index >= w->sensor_count) return NULL;
    ps_sensor_slot *s = &w->sensors[id.index];
    return s->alive && s->gen == id.gen ? s : NULL;
}

bool ps_sensor_valid(const ps_world *w, ps_sensor_id s) { return slot(w, s) != NULL; }

ps_sensor_id ps_sensor_find(const ps_world *w, const char *name)
{
    if (name)
        for (uint32_t i = 0; i < w->sensor_count; i++)
            if (w->sensors[i].alive && strcmp(w->sensors[i].name, name) == 0) return (ps_sensor_id){i, w->sensors[i].gen, w->tag};
    return PS_SENSOR_NONE;
}

size_t ps_world_sensor_count(const ps_world *w) { return w->sensor_count; }

ps_sensor_id ps_world_sensor_at(const ps_world *w, size_t i)
{
    return i < w->sensor_count ? (ps_sensor_id){(uint32_t)i, w->sensors[i].gen, w->tag} : PS_SENSOR_NONE;
}

const char *ps_sensor_name(const ps_world *w, ps_sensor_id id)
{
    ps_sensor_slot *s = slot(w, id);
    return s ? s->name : NULL;
}

ps_sensor_type ps_sensor_get_type(const ps_world *w, ps_sensor_id id)
{
    ps_sensor_slot *s = slot(w, id);
    return s ? s->def.type : PS_SENSOR_POSE;
}

ps_status ps_sensor_get_def(const ps_world *w, ps_sensor_id id, ps_sensor_def *out)
{
    ps_sensor_slot *s = slot(w, id);
    if (!s) return PS_ERR_STALE;
    *out = s->def;
    return PS_OK;
}

static size_t channels(const ps_sensor_def *d)
{
    switch (d->type) {
    case PS_SENSOR_JOINT_STATE: return 3;
    case PS_SENSOR_IMU: return 10;
    case PS_SENSOR_FORCE_TORQUE: return 6;
    case PS_SENSOR_CONTACT: return 3;
    case PS_SENSOR_LIDAR: return (size_t)d->h_beams * (size_t)d->v_beams;
    case PS_SENSOR_ODOMETRY: return 5;
    case PS_SENSOR_POSE: return 7;
    case PS_SENSOR_PROXIMITY: return 1;
    case PS_SENSOR_CAMERA: return (size_t)d->width * (size_t)d->height * (d->camera == PS_CAMERA_RGB ? 3u : 1u);
    }
    return 0;
}

static const char *check_def(const ps_world *w, const ps_sensor_def *d)
{
    const ps_noise_def *n = &d->noise;
    if ((unsigned)d->type > PS_SENSOR_CAMERA) return "unknown sensor type";
    if (!(d->rate >= 0) || !isfinite(d->rate)) return "rate must be >= 0 (samples per second)";
    if (!(n->stddev >= 0) || !isfinite(n->stddev) || !isfinite(n->bias) || !(n->drift >= 0) || !isfinite(n->drift) ||
        !(n->quantum >= 0) || !isfinite(n->quantum))
        return "noise: stddev, drift and quantum must be finite and >= 0, bias finite";
    if (!(n->dropout >= 0 && n->dropout < 1)) return "noise: dropout must be in [0, 1)";
    if (n->latency < 0 || n->latency > MAX_LATENCY) return "noise: latency must be 0..64 samples";
    bool needs_joint = d->type == PS_SENSOR_JOINT_STATE || d->type == PS_SENSOR_FORCE_TORQUE;
    if (needs_joint && !ps_joint_valid(w, d->joint)) return "needs a live joint";
    if (!needs_joint && !ps_body_valid(w, d->body)) return "needs a live body to be mounted on";
    ps_pose p = d->pose;
    if (!ps_vec3_finite(p.p) || !ps_quat_normalize(&p.q)) return "mount pose must be finite";
    if (d->type == PS_SENSOR_LIDAR) {
        if (d->h_beams < 1 || d->v_beams < 1 || (long)d->h_beams * d->v_beams > 1000000)
            return "lidar h_beams and v_beams must be >= 1 (h_beams * v_beams <= 1e6)";
        if (!(d->h_fov > 0 && d->h_fov <= 2 * 3.14159265358979323846 + 1e-9)) return "lidar h_fov must be in (0, 2 pi]";
        if (!isfinite(d->v_min) || !isfinite(d->v_max) || d->v_min > d->v_max || d->v_min < -1.5708 || d->v_max > 1.5708)
            return "lidar needs -pi/2 <= v_min <= v_max <= pi/2";
        if (!(d->attenuation >= 0 && d->attenuation < 1) || !(d->spurious >= 0 && d->spurious < 1))
            return "lidar attenuation and spurious must be in [0, 1)";
    }
    if (d->type == PS_SENSOR_LIDAR || d->type == PS_SENSOR_PROXIMITY)
        if (!(d->range_min >= 0) || !(d->range_max > d->range_min) || !isfinite(d->range_max))
            return "needs 0 <= range_min < range_max (m)";
    if (d->type == PS_SENSOR_CAMERA) {
        if (d->width < 1 || d->height < 1 || d->width > 8192 || d->height > 8192) return "camera size must be 1..8192 pixels";
        if (!(d->fov_y > 0 && d->fov_y < 3.14159) || !(d->near_clip > 0) || !(d->far_clip > d->near_clip))
            return "camera needs 0 < fov_y < pi and 0 < near_clip < far_clip";
        if (!(d->darkness >= 0 && d->darkness <= 1)) return "camera darkness must be in [0, 1]";
        if (!(d->lamp >= 0 && d->lamp <= 1000)) return "camera lamp must be in [0, 1000]";
        if (!w->render_fn)
            return "camera sensors need the renderer: build with PILOTSIM_RENDER=ON and run with a GL backend "
                   "(no camera image is ever faked)";
    }
    return NULL;
}

static void free_slot(ps_sensor_slot *s)
{
    ps_lidar_free(s);
    free(s->name);
    free(s->out);
    free(s->raw);
    free(s->ring);
    free(s->hits);
    free(s->hits_raw);
    free(s->hits_ring);
    free(s->skip_bodies);
    free(s->drift);
    free(s->stamp_ring);
    memset(s, 0, sizeof *s);
}

void ps_world_free_sensors(ps_world *w)
{
    for (uint32_t i = 0; i < w->sensor_count; i++) free_slot(&w->sensors[i]);
    free(w->sensors);
    w->sensors = NULL;
    w->sensor_count = w->sensor_cap = 0;
}

ps_sensor_id ps_sensor_create(ps_world *w, const ps_sensor_def *def)
{
    const ps_sensor_id none = PS_SENSOR_NONE;
    if (!def || !def->name || !*def->name) return ps_world_fail(w, PS_ERR_INVALID, "sensor needs a name"), none;
    const char *bad = check_def(w, def);
    if (bad) return ps_world_fail(w, PS_ERR_INVALID, "sensor '%s': %s", def->name, bad), none;
    if (ps_sensor_valid(w, ps_sensor_find(w, def->name)))
        return ps_world_fail(w, PS_ERR_INVALID, "sensor '%s' already exists", def->name), none;
    if (!ps_grow((void **)&w->sensors, &w->sensor_cap, w->sensor_count + 1, sizeof *w->sensors))
        return ps_world_fail(w, PS_ERR_NOMEM, "out of memory"), none;
    ps_sensor_slot *s = &w->sensors[w->sensor_count];
    memset(s, 0, sizeof *s);
    s->def = *def;
    ps_quat_normalize(&s->def.pose.q);
    s->name = ps_strdup(def->name);
    s->def.name = s->name;
    s->count = channels(def);
    size_t n = s->count, frames = (size_t)def->noise.latency + 1;
    s->out = calloc(n, sizeof *s->out);
    s->raw = calloc(n, sizeof *s->raw);
    s->ring = calloc(n * frames, sizeof *s->ring);
    s->drift = calloc(n, sizeof *s->drift);
    s->stamp_ring = calloc(frames, sizeof *s->stamp_ring);
    bool ok = s->name && s->out && s->raw && s->ring && s->drift && s->stamp_ring;
    if (ok && (def->type == PS_SENSOR_LIDAR || def->type == PS_SENSOR_PROXIMITY)) {
        s->hits = calloc(n, sizeof *s->hits);
        s->hits_raw = calloc(n, sizeof *s->hits_raw);
        s->hits_ring = calloc(n * frames, sizeof *s->hits_ring);
        ok = s->hits && s->hits_raw && s->hits_ring && ps_lidar_init(w, s);
    }
    if (!ok) {
        free_slot(s);
        return ps_world_fail(w, PS_ERR_NOMEM, "out of memory"), none;
    }
    // A contact sensor reads the contact forces (ps_world_set_contact_forces).
    if (def->type == PS_SENSOR_CONTACT) w->forces_on = true;
    // Joint sensors read ODE's joint feedback.
    if (def->type == PS_SENSOR_JOINT_STATE || def->type == PS_SENSOR_FORCE_TORQUE) {
        ps_joint_slot *js = ps_world_joint_slot(w, def->joint);
        dJointSetFeedback(js->joint, js->fb);
    }
    // A lidar or proximity sensor ignores the geoms of its own robot (or body).
    if (def->type == PS_SENSOR_LIDAR || def->type == PS_SENSOR_PROXIMITY) {
        ps_body_slot *b = ps_world_body_slot(w, def->body);
        if (b && b->first_geom != PS_NO_INDEX) s->skip_group = w->geoms[b->first_geom].def.group;
        // The robot's other links: every body joined to the mount body through joints.
        s->skip_bodies = calloc(w->body_count ? w->body_count : 1, sizeof *s->skip_bodies);
        if (!s->skip_bodies) {
            free_slot(s);
            return ps_world_fail(w, PS_ERR_NOMEM, "out of memory"), none;
        }
        s->skip_bodies[s->skip_count++] = def->body;
        for (size_t k = 0; k < s->skip_count; k++) {
            ps_body_id cur = s->skip_bodies[k];
            for (uint32_t j = 0; j < w->joint_count; j++) {
                const ps_joint_slot *js = &w->joints[j];
                if (!js->alive) continue;
                ps_body_id other = PS_BODY_NONE;
                if (js->body1.index == cur.index && js->body1.gen == cur.gen) other = js->body2;
                else if (js->body2.index == cur.index && js->body2.gen == cur.gen) other = js->body1;
                if (!ps_body_is_set(other)) continue;
                bool seen = false;
                for (size_t q = 0; q < s->skip_count && !seen; q++)
                    seen = s->skip_bodies[q].index == other.index && s->skip_bodies[q].gen == other.gen;
                if (!seen) s->skip_bodies[s->skip_count++] = other;
            }
        }
    }
    double per = def->rate > 0 ? 1.0 / (def->rate * w->def.timestep) : 1.0;
    s->period = per < 1 ? 1 : (uint64_t)llround(per);
    s->gen = 1;
    s->alive = true;
    // Readings before the first sample: NaN-free zeros, range sensors at max.
    if (def->type == PS_SENSOR_LIDAR || def->type == PS_SENSOR_PROXIMITY)
        for (size_t i = 0; i < n; i++) s->out[i] = (float)def->range_max;
    return (ps_sensor_id){w->sensor_count++, 1, w->tag};
}

/* ---------------------------------------------------------------- readout */

const float *ps_sensor_data(const ps_world *w, ps_sensor_id id, size_t *count)
{
    ps_sensor_slot *s = slot(w, id);
    if (count) *count = s ? s->count : 0;
    return s ? s->out : NULL;
}

const int32_t *ps_sensor_hits(const ps_world *w, ps_sensor_id id, size_t *count)
{
    ps_sensor_slot *s = slot(w, id);
    if (count) *count = s && s->hits ? s->count : 0;
    return s ? s->hits : NULL;
}

ps_status ps_sensor_cast(ps_world *w, ps_sensor_id id, bool exhaustive, float *dist, int32_t *hits)
{
    ps_sensor_slot *s = slot(w, id);
    if (!s) return PS_ERR_STALE;
    if (s->def.type != PS_SENSOR_LIDAR && s->def.type != PS_SENSOR_PROXIMITY) return PS_ERR_INVALID;
    if (!dist) return PS_ERR_INVALID;
    return ps_lidar_trace(w, s, mount_pose(w, s), exhaustive, dist, hits ? hits : s->hits_raw);
}

int ps_sensor_shape(const ps_world *w, ps_sensor_id id, int shape[3])
{
    ps_sensor_slot *s = slot(w, id);
    if (!s) return 0;
    switch (s->def.type) {
    case PS_SENSOR_LIDAR:
        if (s->def.v_beams == 1) {
            shape[0] = s->def.h_beams;
            return 1;
        }
        shape[0] = s->def.v_beams;
        shape[1] = s->def.h_beams;
        return 2;
    case PS_SENSOR_CAMERA:
        shape[0] = s->def.height;
        shape[1] = s->def.width;
        shape[2] = s->def.camera == PS_CAMERA_RGB ? 3 : 1;
        return 3;
    default: shape[0] = (int)s->count; return 1;
    }
}

double ps_sensor_stamp(const ps_world *w, ps_sensor_id id)
{
    ps_sensor_slot *s = slot(w, id);
    return s ? s->stamp : 0;
}

void ps_world_set_render_callback(ps_world *w, ps_render_fn fn, void *user)
{
    w->render_fn = fn;
    w->render_user = user;
}

void ps_world_set_render_error_fn(ps_world *w, ps_render_error_fn fn) { w->render_error = fn; }

/* --------------------------------------------------------------- sampling */

static ps_vec3 sub3(ps_vec3 a, ps_vec3 b) { return (ps_vec3){a.x - b.x, a.y - b.y, a.z - b.z}; }
static ps_vec3 cross3(ps_vec3 a, ps_vec3 b)
{
    return (ps_vec3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
static ps_vec3 inv_rotate(ps_quat q, ps_vec3 v) { return ps_quat_rotate((ps_quat){q.w, -q.x, -q.y, -q.z}, v); }

// World pose of the sensor's mount.
static ps_pose mount_pose(const ps_world *w, const ps_sensor_slot *s)
{
    ps_pose bp;
    if (ps_body_get_pose(w, s->def.body, &bp) != PS_OK) return s->def.pose;
    return ps_pose_mul(bp, s->def.pose);
}

// Velocity of the mount point (world frame).
static ps_vec3 mount_velocity(const ps_world *w, const ps_sensor_slot *s, ps_pose mount)
{
    ps_body_slot *b = ps_world_body_slot(w, s->def.body);
    if (!b || !b->body) return (ps_vec3){0, 0, 0};
    dVector3 v;
    dBodyGetPointVel(b->body, mount.p.x, mount.p.y, mount.p.z, v);
    return (ps_vec3){v[0], v[1], v[2]};
}

static void sample_raw(ps_world *w, ps_sensor_slot *s)
{
    float *r = s->raw;
    const ps_sensor_def *d = &s->def;
    switch (d->type) {
    case PS_SENSOR_JOINT_STATE: {
        double q = 0, qd = 0;
        ps_joint_get_position(w, d->joint, 0, &q);
        ps_joint_get_rate(w, d->joint, 0, &qd);
        ps_joint_slot *js = ps_world_joint_slot(w, d->joint);
        double effort = 0;
        if (js && (js->type == PS_JOINT_HINGE || js->type == PS_JOINT_SLIDER)) {
            dVector3 axis;
            if (js->type == PS_JOINT_HINGE) dJointGetHingeAxis(js->joint, axis);
            else dJointGetSliderAxis(js->joint, axis);
            const double *t = js->type == PS_JOINT_HINGE ? js->fb->t1 : js->fb->f1;
            effort = axis[0] * t[0] + axis[1] * t[1] + axis[2] * t[2];
        }
        r[0] = (float)q;
        r[1] = (float)qd;
        r[2] = (float)effort;
        break;
    }
    case PS_SENSOR_IMU: {
        ps_pose m = mount_pose(w, s);
        ps_vec3 v = mount_velocity(w, s, m), a = {0, 0, 0};
        double dt = w->def.timestep;
        if (s->have_prev) a = (ps_vec3){(v.x - s->prev_vel[0]) / dt, (v.y - s->prev_vel[1]) / dt, (v.z - s->prev_vel[2]) / dt};
        ps_vec3 f = inv_rotate(m.q, sub3(a, w->def.gravity)); // specific force
        ps_vec3 om = {0, 0, 0};
        ps_body_get_angvel(w, d->body, &om);
        om = inv_rotate(m.q, om);
        float vals[10] = {(float)f.x, (float)f.y, (float)f.z, (float)om.x, (float)om.y, (float)om.z,
                          (float)m.q.w, (float)m.q.x, (float)m.q.y, (float)m.q.z};
        memcpy(r, vals, sizeof vals);
        break;
    }
    case PS_SENSOR_FORCE_TORQUE: {
        ps_joint_slot *js = ps_world_joint_slot(w, d->joint);
        if (!js) break;
        ps_body_slot *b1 = ps_world_body_slot(w, js->body1);
        ps_pose bp = ps_pose_identity();
        ps_body_get_pose(w, js->body1, &bp);
        ps_pose m = ps_pose_mul(bp, d->pose);
        const dReal *com = dBodyGetPosition(b1->body);
        ps_vec3 f = {js->fb->f1[0], js->fb->f1[1], js->fb->f1[2]};
        ps_vec3 t = {js->fb->t1[0], js->fb->t1[1], js->fb->t1[2]};
        // Torque about the sensor origin instead of body1's centre of mass.
        ps_vec3 tp = cross3(sub3((ps_vec3){com[0], com[1], com[2]}, m.p), f);
        t = (ps_vec3){t.x + tp.x, t.y + tp.y, t.z + tp.z};
        f = inv_rotate(m.q, f);
        t = inv_rotate(m.q, t);
        float vals[6] = {(float)f.x, (float)f.y, (float)f.z, (float)t.x, (float)t.y, (float)t.z};
        memcpy(r, vals, sizeof vals);
        break;
    }
    case PS_SENSOR_CONTACT: {
        size_t n = 0;
        const ps_contact *c = ps_world_contacts(w, &n);
        double fn = 0;
        int count = 0;
        for (size_t i = 0; i < n; i++) {
            bool mine = (c[i].body1.index == d->body.index && c[i].body1.gen == d->body.gen) ||
                        (c[i].body2.index == d->body.index && c[i].body2.gen == d->body.gen);
            if (!mine) continue;
            count++;
            fn += fabs(c[i].force.x * c[i].normal.x + c[i].force.y * c[i].normal.y + c[i].force.z * c[i].normal.z);
        }
        r[0] = count > 0 ? 1.0f : 0.0f;
        r[1] = (float)fn;
        r[2] = (float)count;
        break;
    }
    case PS_SENSOR_LIDAR:
    case PS_SENSOR_PROXIMITY:
        ps_lidar_cast(w, s, mount_pose(w, s), r, s->hits_raw);
        break;
    case PS_SENSOR_ODOMETRY: {
        // Dead reckoning from the noisy forward speed and yaw rate: the noise
        // is applied to the rates (below, per channel 3 and 4), so the pose drifts.
        ps_pose m = mount_pose(w, s);
        ps_vec3 v = mount_velocity(w, s, m), om = {0, 0, 0};
        ps_body_get_angvel(w, d->body, &om);
        ps_vec3 vl = inv_rotate(m.q, v);
        r[3] = (float)vl.x;
        r[4] = (float)om.z;
        break;
    }
    case PS_SENSOR_POSE: {
        ps_pose m = mount_pose(w, s);
        float vals[7] = {(float)m.p.x, (float)m.p.y, (float)m.p.z, (float)m.q.w, (float)m.q.x, (float)m.q.y, (float)m.q.z};
        memcpy(r, vals, sizeof vals);
        break;
    }
    case PS_SENSOR_CAMERA:
        break; // rendered in ps_sensors_update
    }
}

// Noise on channel value x of channel i (dt: time since the last sample).
static double noisy(ps_world *w, ps_sensor_slot *s, size_t i, double x, double dt)
{
    const ps_noise_def *n = &s->def.noise;
    if (n->drift > 0) s->drift[i] += n->drift * sqrt(dt) * ps_rng_normal(&w->sensor_rng);
    x += n->bias + s->drift[i];
    if (n->stddev > 0) x += n->stddev * ps_rng_normal(&w->sensor_rng);
    if (n->quantum > 0) x = n->quantum * floor(x / n->quantum + 0.5);
    return x;
}

static bool has_noise(const ps_noise_def *n)
{
    return n->stddev > 0 || n->bias != 0 || n->drift > 0 || n->quantum > 0 || n->dropout > 0;
}

static void sample(ps_world *w, ps_sensor_slot *s)
{
    const ps_sensor_def *d = &s->def;
    double dt = (double)s->period * w->def.timestep;
    sample_raw(w, s);
    size_t n = s->count;
    float *r = s->raw;
    bool ranges = d->type == PS_SENSOR_LIDAR || d->type == PS_SENSOR_PROXIMITY;
    if (d->type == PS_SENSOR_ODOMETRY) {
        // Noise on the measured rates, then integrate them in the start frame.
        double vx = noisy(w, s, 3, r[3], dt), wz = noisy(w, s, 4, r[4], dt);
        s->odo[2] += wz * dt;
        s->odo[0] += vx * cos(s->odo[2]) * dt;
        s->odo[1] += vx * sin(s->odo[2]) * dt;
        float vals[5] = {(float)s->odo[0], (float)s->odo[1], (float)s->odo[2], (float)vx, (float)wz};
        memcpy(r, vals, sizeof vals);
    } else if (has_noise(&d->noise) && d->type != PS_SENSOR_CAMERA) {
        for (size_t i = 0; i < n; i++) {
            // An IMU's orientation quaternion stays a unit quaternion: no noise on it.
            if (d->type == PS_SENSOR_IMU && i >= 6) break;
            if (d->noise.dropout > 0 && ps_rng_uniform(&w->sensor_rng) < d->noise.dropout) {
                r[i] = ranges ? NAN : s->out[i]; // lost: NaN for ranges, else hold
                continue;
            }
            if (ranges && s->hits_raw[i] == 0 && r[i] >= d->range_max) continue; // no return: stays range_max
            double x = noisy(w, s, i, r[i], dt);
            if (ranges) x = fmin(fmax(x, d->range_min), d->range_max);
            r[i] = (float)x;
        }
    }
    // Latency: the reader sees the sample from `latency` samples ago.
    int frames = d->noise.latency + 1;
    memcpy(s->ring + (size_t)s->ring_head * n, r, n * sizeof *r);
    if (s->hits) memcpy(s->hits_ring + (size_t)s->ring_head * n, s->hits_raw, n * sizeof *s->hits);
    s->stamp_ring[s->ring_head] = ps_world_time(w);
    if (s->ring_fill < frames) s->ring_fill++;
    int oldest = s->ring_fill < frames ? 0 : (s->ring_head + 1) % frames;
    if (s->ring_fill == frames) {
        memcpy(s->out, s->ring + (size_t)oldest * n, n * sizeof *s->out);
        s->stamp = s->stamp_ring[oldest];
        if (s->hits) memcpy(s->hits, s->hits_ring + (size_t)oldest * n, n * sizeof *s->hits);
    }
    s->ring_head = (s->ring_head + 1) % frames;
}

ps_status ps_sensors_update(ps_world *w)
{
    uint64_t step = ps_world_step_count(w);
    for (uint32_t i = 0; i < w->sensor_count; i++) {
        ps_sensor_slot *s = &w->sensors[i];
        if (!s->alive) continue;
        if (s->def.type != PS_SENSOR_JOINT_STATE && s->def.type != PS_SENSOR_FORCE_TORQUE && !ps_body_valid(w, s->def.body))
            continue; // its body was destroyed: the reading freezes
        if (s->def.type == PS_SENSOR_IMU) {
            // Acceleration needs the velocity of every step, sampled or not.
            if (step % s->period == 0) sample(w, s);
            ps_pose m = mount_pose(w, s);
            ps_vec3 v = mount_velocity(w, s, m);
            s->prev_vel[0] = v.x;
            s->prev_vel[1] = v.y;
            s->prev_vel[2] = v.z;
            s->have_prev = true;
            continue;
        }
        if (step % s->period != 0) continue;
        if (s->def.type == PS_SENSOR_CAMERA) {
            if (!w->render_fn ||
                !w->render_fn(w->render_user, w, (ps_sensor_id){i, s->gen, w->tag}, mount_pose(w, s), &s->def, s->out)) {
                const char *why = w->render_fn && w->render_error ? w->render_error(w->render_user) : NULL;
                return ps_world_fail(w, PS_ERR_STATE, "camera '%s': rendering failed at step %llu%s%s", s->name,
                                     (unsigned long long)step, why && *why ? ": " : "", why && *why ? why : "");
            }
            s->stamp = ps_world_time(w);
            continue;
        }
        sample(w, s);
    }
    return PS_OK;
}
