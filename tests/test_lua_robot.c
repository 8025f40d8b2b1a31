// The Lua robot bindings: URDF robots from scenes, commands and their errors
// (file:line and the actuator's name), stale handles, assembled robots.
#include "harness.h"
#include "pilotsim/pilotsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PILOTSIM_SOURCE_DIR
#define PILOTSIM_SOURCE_DIR "."
#endif

static char err[PS_ERR_LEN];

// Runs a scene whose build and step bodies are given; returns the status and
// copies the message.
static ps_episode_status run(const char *build, const char *step, int steps, char *msg, size_t n, double *metric)
{
    char text[8192];
    snprintf(text, sizeof text,
             "local arm\n"
             "return { name = 'r', timestep = 0.002, time_limit = 10,\n"
             "build = function(world, ctx)\n%s\nend,\n"
             "step = function(ctx)\n%s\nend,\n"
             "metrics = function(ctx) return {m = arm and arm:position(1) or 0} end }\n",
             build, step);
    FILE *f = fopen("lr.lua", "w");
    if (!f) exit(2);
    fputs(text, f);
    fclose(f);
    ps_scene_options o = ps_default_scene_options();
    const char *pkg[] = {PILOTSIM_SOURCE_DIR "/assets"};
    o.package_paths = pkg;
    o.package_path_count = 1;
    ps_scene *s = ps_scene_load("lr.lua", &o, err, sizeof err);
    if (!s) {
        snprintf(msg, n, "%.*s", (int)(n - 1), err);
        return PS_EP_RUNNING;
    }
    ps_episode *e = ps_episode_begin(s, 1);
    ps_episode_status st = ps_episode_run(e, (uint64_t)steps);
    snprintf(msg, n, "%s", ps_episode_message(e));
    const char *const *names;
    const double *values;
    if (metric && st != PS_EP_SCRIPT_ERROR && ps_episode_metrics(e, &names, &values, err, sizeof err) == 1) *metric = values[0];
    ps_episode_end(e);
    ps_scene_destroy(s);
    return st;
}

#define UR5 "arm = world:robot{urdf = 'example-robot-data/robots/ur_description/urdf/ur5_robot.urdf', fixed_base = true,\n" \
            " actuator = {mode = 'position', kp = 1e5, kd = 2e3}, q = {shoulder_lift_joint = -1.0}}\n"

static void test_urdf_robot(void)
{
    char msg[4096];
    double q = 0;
    CHECK_EQ(run(UR5 "arm:command('shoulder_pan_joint', 0.5)", "", 1000, msg, sizeof msg, &q), PS_EP_TIMEOUT);
    CHECK_NEAR(q, 0.5, 0.01);
    // Named and listed commands, names, dof.
    CHECK_EQ(run(UR5 "assert(arm:dof() == 6) assert(#arm:joint_names() == 6) assert(arm:joint_names()[1] == 'shoulder_pan_joint')\n"
                     "arm:command{shoulder_pan_joint = 0.3} arm:command(arm:q())",
                 "", 10, msg, sizeof msg, NULL),
             PS_EP_TIMEOUT);
    // The initial configuration q = {...} holds.
    CHECK_EQ(run(UR5 "assert(math.abs(arm:position('shoulder_lift_joint') + 1.0) < 1e-9)", "", 1, msg, sizeof msg, NULL),
             PS_EP_TIMEOUT);
}

// An arm about z: j1 revolute, j2 continuous, j3 mimicking j1.
static const char *MIMIC_URDF =
    "<robot name='arm'>\n"
    " <link name='base'><inertial><mass value='1'/><inertia ixx='0.01' iyy='0.01' izz='0.01' ixy='0' ixz='0' iyz='0'/></inertial></link>\n"
    " <link name='l1'><inertial><origin xyz='0.25 0 0'/><mass value='2'/><inertia ixx='0.001' iyy='0.04' izz='0.04' ixy='0' ixz='0' iyz='0'/></inertial></link>\n"
    " <link name='l2'><inertial><origin xyz='0.1 0 0'/><mass value='1'/><inertia ixx='0.001' iyy='0.004' izz='0.004' ixy='0' ixz='0' iyz='0'/></inertial></link>\n"
    " <link name='l3'><inertial><mass value='0.5'/><inertia ixx='0.001' iyy='0.001' izz='0.001' ixy='0' ixz='0' iyz='0'/></inertial></link>\n"
    " <joint name='j1' type='revolute'><parent link='base'/><child link='l1'/><axis xyz='0 0 1'/>\n"
    "  <limit lower='-1' upper='1' effort='50' velocity='3'/></joint>\n"
    " <joint name='j2' type='continuous'><parent link='l1'/><child link='l2'/><origin xyz='0.5 0 0'/><axis xyz='0 0 1'/>\n"
    "  <limit effort='5' velocity='10'/></joint>\n"
    " <joint name='j3' type='revolute'><parent link='l2'/><child link='l3'/><origin xyz='0.2 0 0'/><axis xyz='0 0 1'/>\n"
    "  <limit lower='-2' upper='2' effort='50' velocity='10'/><mimic joint='j1' multiplier='-0.5' offset='0.1'/></joint>\n"
    "</robot>\n";

static void test_fidelity_api(void)
{
    // Armature in actuator options; commands listing a mimic joint; a link's
    // inertia getter and mass setter; a joint's world axis and anchor.
    FILE *f = fopen("mimic.urdf", "w");
    if (!f) return;
    fputs(MIMIC_URDF, f);
    fclose(f);
    char msg[4096];
    ps_episode_status st = run(
        "arm = world:robot{urdf = 'mimic.urdf', fixed_base = true,\n"
        "  actuator = {mode = 'position', kp = 100, kd = 2, armature = 0.02, rotor_inertia = 1e-5, gear = 10}}\n"
        "local a = arm:actuator('j1') assert(a.armature == 0.02 and a.rotor_inertia == 1e-5)\n"
        "arm:command(arm:q())\n"
        "arm:command{j1 = 0.2, j2 = 0.5, j3 = 0.7}\n"
        "local b = arm:link('l1') local I = b:inertia()\n"
        "assert(#I == 6 and math.abs(I[3] - 0.04) < 1e-12 and math.abs(b:mass() - 2) < 1e-12)\n"
        "b:set_mass(4) assert(math.abs(b:mass() - 4) < 1e-12 and math.abs(b:inertia()[3] - 0.08) < 1e-12)\n"
        "b:set_mass(3, {0.002, 0.05, 0.05, 0, 0, 0}) assert(math.abs(b:inertia()[2] - 0.05) < 1e-12)\n"
        "local j = world:find_joint('j2') local x, y, z = j:axis() assert(math.abs(z - 1) < 1e-12)\n"
        "x, y, z = j:anchor() assert(math.abs(x - 0.5) < 1e-9 and math.abs(y) < 1e-9)\n",
        "if ctx.t > 0.5 then local j = ctx.world:find_joint('j2') local x, y = j:anchor() local q = arm:position('j1')\n"
        "  assert(q > 0.05 and math.abs(x - 0.5 * math.cos(q)) < 1e-3 and math.abs(y - 0.5 * math.sin(q)) < 1e-3, x .. ' ' .. y) end",
        500, msg, sizeof msg, NULL);
    if (!CHECK_EQ(st, PS_EP_TIMEOUT)) NOTE("%s", msg);
}

static void test_dynamics_api(void)
{
    // UR5: sizes; gravity torques hold the arm when commanded as torques;
    // IK reaches a pose FK gives; an assembled robot has no tree (error).
    char msg[4096];
    ps_episode_status st = run(
        "arm = world:robot{urdf = 'example-robot-data/robots/ur_description/urdf/ur5_robot.urdf', fixed_base = true,\n"
        "  actuator = {mode = 'torque'}, q = {shoulder_lift_joint = -1.0, elbow_joint = 1.2}}\n"
        "local J = arm:jacobian('tool0', {0, 0, 0.1}) assert(#J == 6 and #J[1] == 6)\n"
        "local M = arm:mass_matrix() assert(#M == 6 and M[1][2] == M[2][1] and M[1][1] > 0)\n"
        "assert(#arm:bias_torques() == 6 and #arm:inverse_dynamics({0, 0, 0, 0, 0, 0}) == 6)\n"
        "local x, y, z, qw, qx, qy, qz = arm:fk('tool0', {0.3, -1.2, 1.0, -0.5, 0.4, 0.2})\n"
        "local q, ok, pe, re = arm:ik{link = 'tool0', pos = {x, y, z}, quat = {qw, qx, qy, qz}}\n"
        "assert(ok and pe < 1e-4 and re < 1e-3 and #q == 6, tostring(pe))\n"
        "local q2, ok2 = arm:ik{link = 'tool0', pos = {x + 5, y, z}} assert(not ok2)\n",
        "arm:command(arm:gravity_torques())", 500, msg, sizeof msg, NULL);
    if (!CHECK_EQ(st, PS_EP_TIMEOUT)) NOTE("%s", msg);
    double q = 0;
    st = run(
        "arm = world:robot{urdf = 'example-robot-data/robots/ur_description/urdf/ur5_robot.urdf', fixed_base = true,\n"
        "  actuator = {mode = 'torque'}, q = {shoulder_lift_joint = -1.0, elbow_joint = 1.2}}\n",
        "arm:command(arm:gravity_torques())", 500, msg, sizeof msg, &q);
    CHECK_EQ(st, PS_EP_TIMEOUT);
    CHECK_NEAR(q, 0, 0.01); // shoulder_pan stays put
    st = run("local b = world:body{mass = 1} local c = world:body{mass = 1, pos = {1, 0, 0}}\n"
             "local j = world:joint{type = 'hinge', body1 = c, body2 = b, anchor = {0.5, 0, 0}, axis = {0, 0, 1}}\n"
             "local r = world:robot{name = 'a', links = {b, c}, joints = {{joint = j}}} r:mass_matrix()",
             "", 1, msg, sizeof msg, NULL);
    CHECK(strstr(msg, "no kinematic tree") != NULL);
}

static void test_errors(void)
{
    char msg[4096];
    CHECK_EQ(run(UR5, "arm:command('shoulder_pan_joint', 0/0)", 5, msg, sizeof msg, NULL), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "lr.lua:9:");
    CHECK_HAS(msg, "actuator 'shoulder_pan_joint': command must be finite");
    CHECK_EQ(run(UR5, "arm:command('elbow', 1)", 5, msg, sizeof msg, NULL), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "has no joint 'elbow'");
    CHECK_EQ(run(UR5 "arm:command{1, 2}", "", 5, msg, sizeof msg, NULL), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "has 6 joints, got 2 values");
    CHECK_EQ(run("arm = world:robot{urdf = 'nope.urdf'}", "", 5, msg, sizeof msg, NULL), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "URDF 'nope.urdf' not found");
    CHECK_EQ(run(UR5 "arm:actuator(1, {mode = 'position', kp = -1})", "", 5, msg, sizeof msg, NULL), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "kp and kd must be finite and >= 0");
    CHECK_EQ(run(UR5 "arm:actuator(1, {mode = 'servo'})", "", 5, msg, sizeof msg, NULL), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "field 'mode' must be");
    // A malformed URDF reports its own file and line.
    FILE *f = fopen("bad.urdf", "w");
    if (f) {
        fputs("<robot name='b'>\n<link name='a'/>\n<joint name='j' type='revolute'><parent link='a'/><child link='zz'/></joint>\n</robot>\n", f);
        fclose(f);
    }
    CHECK_EQ(run("arm = world:robot{urdf = 'bad.urdf'}", "", 5, msg, sizeof msg, NULL), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(msg, "bad.urdf:3:");
}

static void test_assembled_and_stale(void)
{
    char msg[4096];
    double q = 0;
    // Assembled from bodies and a hinge, driven by a velocity servo.
    const char *build =
        "local base = world:body{kind = 'static'}\n"
        "local link = world:body{pos = {0.5, 0, 0}, mass = 1, gravity = false}\n"
        "local j = world:joint{type = 'hinge', body1 = link, body2 = base, anchor = {0, 0, 0}, axis = {0, 0, 1}}\n"
        "arm = world:robot{name = 'spinner', links = {base, link}, joints = {{joint = j, name = 'spin', actuator = {mode = 'velocity', effort = 10}}}}\n"
        "arm:command('spin', 1.0)";
    CHECK_EQ(run(build, "", 500, msg, sizeof msg, &q), PS_EP_TIMEOUT);
    CHECK_NEAR(q, 1.0, 0.02); // 1 rad/s for 1 s, minus the spin-up (10 N m on 0.25 kg m^2: ~0.013 rad)
    // A robot kept across episodes in a global is stale in the next one.
    FILE *f = fopen("stale.lua", "w");
    fputs("return { name = 's', timestep = 0.01, time_limit = 0.05, build = function(world, ctx)\n"
          " if saved then saved:q() end\n"
          " saved = world:robot{urdf = 'example-robot-data/robots/ur_description/urdf/ur5_robot.urdf', fixed_base = true} end }\n",
          f);
    fclose(f);
    ps_scene_options o = ps_default_scene_options();
    const char *pkg[] = {PILOTSIM_SOURCE_DIR "/assets"};
    o.package_paths = pkg;
    o.package_path_count = 1;
    ps_scene *s = ps_scene_load("stale.lua", &o, err, sizeof err);
    if (!CHECK(s != NULL)) return;
    ps_episode *e = ps_episode_begin(s, 1);
    CHECK_EQ(ps_episode_get_status(e), PS_EP_RUNNING);
    ps_episode_end(e);
    e = ps_episode_begin(s, 1);
    CHECK_EQ(ps_episode_get_status(e), PS_EP_SCRIPT_ERROR);
    CHECK_HAS(ps_episode_message(e), "stale.lua:2: stale robot handle");
    ps_episode_end(e);
    ps_scene_destroy(s);
}

static void test_servo_at_stop_and_holding_force(void)
{
    char msg[4096];
    double q = 1;
    // A position servo without an effort limit resting on its joint stop: ODE
    // applies a powered joint's force limit directly there, which must not be
    // infinite (this diverged at step 1).
    const char *stop =
        "local b = world:body{pos = {0, 0, 1}, mass = 1, geoms = {{type = 'box', size = {0.1, 0.1, 0.1}}}}\n"
        "local j = world:joint{type = 'slider', body1 = b, axis = {0, 0, 1}, lo = 0, hi = 0.2}\n"
        "arm = world:robot{name = 's', links = {b}, joints = {{joint = j, name = 's', actuator = {mode = 'position', kp = 1000, kd = 10}}}}\n"
        "arm:command('s', 0)";
    CHECK_EQ(run(stop, "", 500, msg, sizeof msg, &q), PS_EP_TIMEOUT);
    CHECK_NEAR(q, 0, 1e-6);
    // The velocity limit does not cap a position servo's holding force: a
    // 5 kg block hangs on a vertical slider held by a servo with effort 100 N
    // and velocity 0.1 m/s (the old clamp held only (h kp + kd) * 0.1 = 6 N).
    const char *hold =
        "local b = world:body{pos = {0, 0, 1}, mass = 5}\n"
        "local j = world:joint{type = 'slider', body1 = b, axis = {0, 0, 1}}\n"
        "arm = world:robot{name = 'h', links = {b}, joints = {{joint = j, name = 'h', actuator = {mode = 'position', kp = 5000, kd = 50, effort = 100, velocity = 0.1}}}}\n"
        "arm:command('h', 0)";
    CHECK_EQ(run(hold, "", 1000, msg, sizeof msg, &q), PS_EP_TIMEOUT);
    CHECK_NEAR(q, -5 * 9.81 / 5000, 1e-3); // static sag = m g / kp
}

int main(void)
{
    if (!ps_t_enter_tmpdir()) return 1; // the files this test writes go there
    RUN(test_fidelity_api);
    RUN(test_dynamics_api);
    RUN(test_urdf_robot);
    RUN(test_errors);
    RUN(test_assembled_and_stale);
    RUN(test_servo_at_stop_and_holding_force);
    return TEST_DONE();
}
