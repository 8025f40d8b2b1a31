// The Lua sensor bindings: world:sensor{...} in a scene reads the same
// numbers as the C API (sensor:data() views, read(), value(), hits(),
// shape(), stamp()); a view is zero-copy (a view taken in build shows later
// samples); stale handles and views from an earlier episode are errors;
// invalid defs are errors naming the sensor, the field and the scene line.
#include "harness.h"
#include "pilotsim/pilotsim.h"
#include "pilotsim/sensor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char err[PS_ERR_LEN];

// The scene: the room of test_sensor.c (walls at x = +-2 and y = +3, open
// towards -y), a robot box at the centre with a noisy 90-beam lidar (4 deg
// apart, beam 45 along +x) and an IMU at 50 Hz. `mode` selects an error case.
static const char *SCENE =
    "local lidar, imu, saved, saved_view, build_view\n"
    "return {\n"
    "  name = 'lua_sensor', timestep = 0.002, time_limit = 1,\n"
    "  world = {gravity = {0, 0, 0}},\n"
    "  params = {mode = {default = 'ok', choices = {'ok', 'stale', 'stale_view', 'stale_value',\n"
    "                                               'badrange', 'nobody', 'badfield', 'badtype', 'camera'}}},\n"
    "  build = function(world, ctx)\n"
    "    local m = ctx.params.mode\n"
    "    if saved and m == 'stale' then saved:read() end\n"
    "    if saved_view and m == 'stale_view' then local _ = #saved_view end\n"
    "    if saved_view and m == 'stale_value' then local _ = saved_view[1] end\n"
    "    world:geom{type = 'plane'}\n"
    "    world:geom{type = 'box', size = {0.1, 6.2, 2}, pos = {2.05, 0, 1}}\n"
    "    world:geom{type = 'box', size = {0.1, 6.2, 2}, pos = {-2.05, 0, 1}}\n"
    "    world:geom{type = 'box', size = {4, 0.1, 2}, pos = {0, 3.05, 1}}\n"
    "    local b = world:body{name = 'robot', pos = {0, 0, 0.4}, geoms = {{type = 'box', size = {0.4, 0.4, 0.2}}}}\n"
    "    local def = {type = 'lidar', name = 'lidar', body = b, pos = {0, 0, 0.2}, h_beams = 90,\n"
    "                 range_max = 20, noise = {stddev = 0.05, dropout = 0.1}}\n"
    "    if m == 'badrange' then def.range_min = 5; def.range_max = 4 end\n"
    "    if m == 'nobody' then def.body = nil end\n"
    "    if m == 'badfield' then def.beams = 10 end\n"
    "    if m == 'badtype' then def.type = 'radar' end\n"
    "    lidar = world:sensor(def)\n"
    "    if m == 'camera' then world:sensor{type = 'camera', name = 'eye', body = b} end\n"
    "    imu = world:sensor{type = 'imu', name = 'imu', body = b, rate = 50, noise = {stddev = 0.01}}\n"
    "    saved = lidar\n"
    "    saved_view = lidar:data()\n"
    "    build_view = saved_view\n"
    "  end,\n"
    "  metrics = function(ctx)\n"
    "    local v, t = lidar:data(), lidar:read()\n"
    "    local sum, nan, same, bsum = 0, 0, 1, 0\n"
    "    for i = 1, #v do\n"
    "      local x = v[i]\n"
    "      if x ~= x then nan = nan + 1 else sum = sum + x end\n"
    "      if not (x == t[i] or (x ~= x and t[i] ~= t[i])) then same = 0 end\n"
    "      local y = build_view[i]\n"
    "      if y == y then bsum = bsum + y end\n"
    "    end\n"
    "    local h, hsum = lidar:hits(), 0\n"
    "    for i = 1, #h do hsum = hsum + h[i] end\n"
    "    local sh, iv = lidar:shape(), imu:data()\n"
    "    local b45 = v[46]\n"
    "    if b45 ~= b45 then b45 = -1 end\n"
    "    return {n = #v, ntable = #t, sum = sum, nan = nan, same = same, build_view_sum = bsum,\n"
    "            beam45 = b45, value_same = (lidar:value(46) == v[46] or b45 == -1) and 1 or 0,\n"
    "            hsum = hsum, nhits = #h, shape1 = sh[1], nshape = #sh, stamp = lidar:stamp(),\n"
    "            imu_z = iv[3], imu_n = #iv, imu_stamp = imu:stamp(),\n"
    "            typed = (lidar:type() == 'lidar' and lidar:name() == 'lidar') and 1 or 0}\n"
    "  end,\n"
    "}\n";

static ps_scene *load(const char *mode)
{
    FILE *f = fopen("ls.lua", "w");
    if (!f) exit(2);
    fputs(SCENE, f);
    fclose(f);
    char kv[64];
    snprintf(kv, sizeof kv, "mode=%s", mode);
    const char *params[] = {kv};
    ps_scene_options o = ps_default_scene_options();
    o.params = params;
    o.param_count = 1;
    ps_scene *s = ps_scene_load("ls.lua", &o, err, sizeof err);
    if (!s) NOTE("load: %s", err);
    return s;
}

// The metric `name` (NaN if absent).
static double metric(const char *const *names, const double *values, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return values[i];
    NOTE("no metric '%s'", name);
    return NAN;
}

static void test_same_numbers(void)
{
    ps_scene *s = load("ok");
    if (!CHECK(s != NULL)) return;
    ps_episode *e = ps_episode_begin(s, 1);
    // 100 steps: the lidar samples every step, the IMU (50 Hz) every 10th.
    CHECK_EQ(ps_episode_run(e, 100), PS_EP_TIMEOUT);
    const char *const *names;
    const double *values;
    int n = ps_episode_metrics(e, &names, &values, err, sizeof err);
    if (!CHECK(n > 0)) NOTE("metrics: %s", err);
    ps_world *w = ps_episode_world(e);
    ps_sensor_id lidar = ps_sensor_find(w, "lidar"), imu = ps_sensor_find(w, "imu");
    CHECK(ps_sensor_valid(w, lidar));
    CHECK(ps_sensor_valid(w, imu));
    size_t count = 0, hc = 0, ic = 0;
    const float *v = ps_sensor_data(w, lidar, &count);
    const int32_t *h = ps_sensor_hits(w, lidar, &hc);
    const float *iv = ps_sensor_data(w, imu, &ic);
    // The same numbers, exactly (Lua numbers are the floats widened to double;
    // the sums run in the same order in double on both sides).
    double sum = 0;
    long nan = 0, hsum = 0;
    for (size_t i = 0; i < count; i++) {
        if (isnan(v[i])) nan++;
        else sum += v[i];
        hsum += h[i];
    }
    CHECK_EQ(count, 90);
    CHECK_EQ(metric(names, values, n, "n"), 90);
    CHECK_EQ(metric(names, values, n, "ntable"), 90);
    CHECK(metric(names, values, n, "sum") == sum);
    CHECK_EQ(metric(names, values, n, "nan"), nan);
    CHECK(nan > 0 && nan < 30); // dropout 0.1 of 90 beams: some, not most (binomial: 9 +- 3)
    CHECK_EQ(metric(names, values, n, "same"), 1);          // read() == data()
    CHECK_EQ(metric(names, values, n, "value_same"), 1);    // value(i) == data()[i]
    CHECK(metric(names, values, n, "build_view_sum") == sum); // zero-copy: the build-time view shows the last sample
    double b45 = isnan(v[45]) ? -1 : (double)v[45];
    CHECK(metric(names, values, n, "beam45") == b45);
    if (!isnan(v[45])) CHECK_NEAR(v[45], 2.0, 0.05 * 5); // beam 45 looks at the x = 2 wall (5 sigma)
    CHECK_EQ(hc, 90);
    CHECK_EQ(metric(names, values, n, "nhits"), 90);
    CHECK_EQ(metric(names, values, n, "hsum"), hsum);
    int shape[3];
    CHECK_EQ(ps_sensor_shape(w, lidar, shape), 1);
    CHECK_EQ(metric(names, values, n, "nshape"), 1);
    CHECK_EQ(metric(names, values, n, "shape1"), shape[0]);
    CHECK(metric(names, values, n, "stamp") == ps_sensor_stamp(w, lidar));
    CHECK_NEAR(ps_sensor_stamp(w, lidar), 0.2, 1e-12);
    CHECK_EQ(metric(names, values, n, "imu_n"), 10);
    CHECK_EQ(ic, 10);
    CHECK(metric(names, values, n, "imu_z") == (double)iv[2]);
    CHECK(metric(names, values, n, "imu_stamp") == ps_sensor_stamp(w, imu));
    CHECK_NEAR(ps_sensor_stamp(w, imu), 0.2, 1e-12); // the 10th IMU sample, at step 100
    CHECK_EQ(metric(names, values, n, "typed"), 1);
    ps_episode_end(e);

    // The same seed gives the same noisy readings in a new episode.
    e = ps_episode_begin(s, 1);
    ps_episode_run(e, 100);
    w = ps_episode_world(e);
    size_t c2 = 0;
    const float *v2 = ps_sensor_data(w, ps_sensor_find(w, "lidar"), &c2);
    double sum2 = 0;
    for (size_t i = 0; i < c2; i++)
        if (!isnan(v2[i])) sum2 += v2[i];
    CHECK(sum2 == sum);
    ps_episode_end(e);
    ps_scene_destroy(s);
}

// Runs episode seed 1, then seed 2 of a scene in `mode`; returns the
// second episode's status and message.
static ps_episode_status second_episode(const char *mode, char *msg, size_t n)
{
    ps_scene *s = load(mode);
    if (!s) {
        snprintf(msg, n, "%.*s", (int)(n - 1), err);
        return PS_EP_RUNNING;
    }
    ps_episode *e = ps_episode_begin(s, 1);
    ps_episode_run(e, 5);
    ps_episode_end(e);
    e = ps_episode_begin(s, 2);
    ps_episode_status st = ps_episode_get_status(e);
    if (st == PS_EP_RUNNING) st = ps_episode_run(e, 5);
    snprintf(msg, n, "%s", ps_episode_message(e));
    ps_episode_end(e);
    ps_scene_destroy(s);
    return st;
}

// The first episode's status and message.
static ps_episode_status first_episode(const char *mode, char *msg, size_t n)
{
    ps_scene *s = load(mode);
    if (!s) {
        snprintf(msg, n, "%.*s", (int)(n - 1), err);
        return PS_EP_RUNNING;
    }
    ps_episode *e = ps_episode_begin(s, 1);
    ps_episode_status st = ps_episode_get_status(e);
    if (st == PS_EP_RUNNING) st = ps_episode_run(e, 5);
    snprintf(msg, n, "%s", ps_episode_message(e));
    ps_episode_end(e);
    ps_scene_destroy(s);
    return st;
}

static void test_stale(void)
{
    char msg[4096];
    // A sensor handle kept from episode 1 and used in episode 2's build.
    CHECK_EQ(second_episode("stale", msg, sizeof msg), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "stale sensor handle");
    CHECK_HAS(msg, "ls.lua:9:");
    // A view kept from episode 1: #view and view[i].
    CHECK_EQ(second_episode("stale_view", msg, sizeof msg), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "stale sensor view");
    CHECK_EQ(second_episode("stale_value", msg, sizeof msg), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "stale sensor view");
    // Without the stale use the second episode runs.
    CHECK_EQ(second_episode("ok", msg, sizeof msg), PS_EP_TIMEOUT);
}

static void test_errors(void)
{
    char msg[4096];
    // Invalid defs: the scene line of world:sensor, the sensor's name and the field.
    CHECK_EQ(first_episode("badrange", msg, sizeof msg), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "ls.lua:23:");
    CHECK_HAS(msg, "'lidar'");
    CHECK_HAS(msg, "range_min");
    CHECK_EQ(first_episode("nobody", msg, sizeof msg), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "'lidar'");
    CHECK_HAS(msg, "body");
    CHECK_EQ(first_episode("badfield", msg, sizeof msg), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "beams");
    CHECK_EQ(first_episode("badtype", msg, sizeof msg), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "radar");
    // A camera without a renderer (tests run without one) is refused.
    CHECK_EQ(first_episode("camera", msg, sizeof msg), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "renderer");
    CHECK_HAS(msg, "'eye'");
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    RUN(test_same_numbers);
    RUN(test_stale);
    RUN(test_errors);
    return TEST_DONE();
}
