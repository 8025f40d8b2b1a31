// pilotsim new NAME: writes a starter scene (NAME.lua) and its baseline Lua policy
// (NAME_policy.lua, found beside the scene) that pass `pilotsim check` and
// `pilotsim eval` as written, built on the scene kit (scripts/kit).
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char scene_text[] =
    "-- %1$s: a differential-drive robot drives through a door to a goal.\n"
    "-- Written by `pilotsim new %1$s`; see docs/lua-api.md for every field and the scene kit.\n"
    "local diffdrive = require \"robots.diffdrive\"\n"
    "local room = require \"kit.room\"\n"
    "local props = require \"kit.props\"\n"
    "local track = require \"kit.track\"\n"
    "\n"
    "local ROOM = {-1, -2, 7, 2}          -- m: xmin, ymin, xmax, ymax\n"
    "local bot                            -- the robot of the running episode (set in build)\n"
    "\n"
    "local scene = {\n"
    "    name = \"%1$s\",\n"
    "    domain = \"examples\",\n"
    "    description = \"A differential-drive robot drives through a doorway to a goal\",\n"
    "    timestep = 0.002,                -- s\n"
    "    time_limit = 20,                 -- s\n"
    "    policy = \"%1$s_policy\",          -- %1$s_policy.lua beside this file\n"
    "    params = {\n"
    "        goal_x = {default = 5.5, min = 4.5, max = 6.5, randomize = true, description = \"goal x, m\"},\n"
    "        goal_y = {default = 0.0, min = -1.2, max = 1.2, randomize = true, description = \"goal y, m\"},\n"
    "        goal_radius = {default = 0.3, min = 0.1, max = 1.0, description = \"success radius, m\"},\n"
    "    },\n"
    "    view = {eye = {3, -7, 6}, target = {3, 0, 0}},\n"
    "}\n"
    "\n"
    "local function goal_dist(ctx)\n"
    "    local x, y = bot:pose2d()\n"
    "    return math.sqrt((ctx.params.goal_x - x) ^ 2 + (ctx.params.goal_y - y) ^ 2)\n"
    "end\n"
    "\n"
    "function scene.build(world, ctx)\n"
    "    room.floor(world, {friction = 0.9})\n"
    "    room.walls(world, ROOM, {height = 1.0})\n"
    "    -- a partition at x = 2.5 with a 1.2 m doorway in its middle\n"
    "    room.wall(world, {2.5, -2}, {2.5, -0.6}, {height = 1.0})\n"
    "    room.wall(world, {2.5, 0.6}, {2.5, 2}, {height = 1.0})\n"
    "    props.table(world, {x = 5.5, y = 1.6, size = {0.6, 0.6}})\n"
    "    bot = diffdrive.build(world, {name = \"bot\", pos = {0, 0}, yaw = 0})\n"
    "    -- the goal, drawn on the floor (no collisions)\n"
    "    world:geom{type = \"cylinder\", radius = ctx.params.goal_radius, length = 0.004,\n"
    "               pos = {ctx.params.goal_x, ctx.params.goal_y, 0.002}, color = {0.2, 0.8, 0.2, 0.6},\n"
    "               category = 0, collide = 0}\n"
    "    local s = ctx.state               -- plain data only (snapshots save it)\n"
    "    local x, y = bot:pose2d()\n"
    "    s.path, s.px, s.py = 0, x, y\n"
    "    s.prev_d = goal_dist(ctx)\n"
    "end\n"
    "\n"
    "scene.observation = {\n"
    "    pose = {shape = {3}, fn = function(ctx, out) out[1], out[2], out[3] = bot:pose2d() end},\n"
    "    goal = {shape = {2}, fn = function(ctx, out) out[1], out[2] = ctx.params.goal_x, ctx.params.goal_y end},\n"
    "}\n"
    "\n"
    "scene.action = {twist = {shape = {2}, low = {-0.5, -1.5}, high = {0.8, 1.5}}}   -- m/s, rad/s\n"
    "\n"
    "function scene.act(ctx, action) bot:set_twist(action.twist[1], action.twist[2]) end\n"
    "\n"
    "function scene.step(ctx)\n"
    "    local x, y = bot:pose2d()\n"
    "    track.odometer(ctx.state, x, y)\n"
    "end\n"
    "\n"
    "function scene.reward(ctx)\n"
    "    local d = goal_dist(ctx)\n"
    "    local r = ctx.state.prev_d - d    -- progress toward the goal, m\n"
    "    ctx.state.prev_d = d\n"
    "    return r\n"
    "end\n"
    "\n"
    "function scene.failure(ctx)\n"
    "    if bot:up_z() < 0.8 then return true, \"the robot tipped over\" end\n"
    "    return false\n"
    "end\n"
    "\n"
    "function scene.success(ctx) return goal_dist(ctx) < ctx.params.goal_radius end\n"
    "\n"
    "function scene.metrics(ctx)\n"
    "    return {goal_distance = goal_dist(ctx), path_length = ctx.state.path}\n"
    "end\n"
    "\n"
    "return scene\n";

static const char policy_text[] =
    "-- Baseline policy of %1$s.lua: drive to the doorway, then to the goal.\n"
    "-- reset(spec, seed) starts an episode (spec: observation and action shapes and bounds,\n"
    "-- timestep and control_hz); act(obs, action) runs before every step: read obs.NAME[i],\n"
    "-- write action.NAME[i].\n"
    "local clamp = require(\"kit.util\").clamp\n"
    "local wrap = require(\"kit.util\").wrap\n"
    "\n"
    "local M = {}\n"
    "local DOOR = {2.5, 0}\n"
    "local through                         -- passed the doorway (per episode)\n"
    "\n"
    "function M.reset(spec, seed)\n"
    "    through = false\n"
    "end\n"
    "\n"
    "function M.act(obs, action)\n"
    "    local x, y, yaw = obs.pose[1], obs.pose[2], obs.pose[3]\n"
    "    if x > DOOR[1] + 0.4 then through = true end\n"
    "    -- before the door: aim at a point 0.6 m in front of it, on its axis\n"
    "    local tx, ty = obs.goal[1], obs.goal[2]\n"
    "    if not through then tx, ty = (x < DOOR[1] - 0.5) and DOOR[1] - 0.3 or DOOR[1] + 0.6, DOOR[2] end\n"
    "    local d = math.sqrt((tx - x) ^ 2 + (ty - y) ^ 2)\n"
    "    local err = wrap(math.atan(ty - y, tx - x) - yaw)\n"
    "    local v = clamp(0.8 * d, 0, 0.6) * math.max(0, math.cos(err))\n"
    "    action.twist[1] = v\n"
    "    action.twist[2] = clamp(2.5 * err, -1.5, 1.5)\n"
    "end\n"
    "\n"
    "return M\n";

static bool valid_name(const char *n)
{
    if (!isalpha((unsigned char)n[0])) return false;
    for (const char *c = n; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_') return false;
    return strlen(n) <= 64;
}

static int write_file(const char *path, const char *fmt, const char *name, bool force)
{
    struct stat st;
    if (!force && stat(path, &st) == 0) {
        fprintf(stderr, "pilotsim new: %s exists (--force overwrites it)\n", path);
        return EXIT_USAGE;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "pilotsim new: cannot write %s: %s\n", path, strerror(errno));
        return EXIT_RUNTIME;
    }
    fprintf(f, fmt, name);
    if (fclose(f) != 0) {
        fprintf(stderr, "pilotsim new: cannot write %s: %s\n", path, strerror(errno));
        return EXIT_RUNTIME;
    }
    printf("wrote %s\n", path);
    return EXIT_OK;
}

int cmd_new(int argc, char **argv)
{
    const char *name = NULL, *dir = ".";
    bool force = false;
    const cli_opt opts[] = {
        {.name = "--dir", .kind = CLI_STRING, .metavar = "DIR", .target = &dir, .need = "a folder",
         .help = "where to write (created if missing; default: the current directory)"},
        {.name = "--force", .kind = CLI_FLAG, .target = &force, .help = "overwrite existing files"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "new",
        .synopsis = "NAME [--dir DIR] [--force]",
        .about = "Writes a starter scenario: DIR/NAME.lua (a walled room with a door, a differential-drive robot, "
                 "a randomized goal, observation and action spaces, success, reward and metrics) and "
                 "DIR/NAME_policy.lua (its baseline Lua policy, named by the scene's `policy` field). Both pass "
                 "`pilotsim check DIR/NAME.lua` and `pilotsim eval DIR/NAME.lua` as written; docs/lua-api.md walks "
                 "through changing them. NAME: letters, digits and _ (a Lua module name), starting with a letter.",
        .opts = opts,
        .exits = "0 written, 2 usage error (also a file that exists, without --force), 3 write error\n",
        .pos_name = "NAME",
        .min_pos = 1,
        .max_pos = 1,
    };
    size_t npos;
    int prc = cli_parse(&cmd, argc, argv, &name, &npos);
    if (prc != CLI_CONTINUE) return prc;
    if (!valid_name(name)) {
        fprintf(stderr, "pilotsim new: NAME '%s' must be letters, digits and _, starting with a letter (at most 64)\n",
                name);
        return EXIT_USAGE;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "pilotsim new: cannot create %s: %s\n", dir, strerror(errno));
        return EXIT_RUNTIME;
    }
    char scene[4200], policy[4200];
    snprintf(scene, sizeof scene, "%s/%s.lua", dir, name);
    snprintf(policy, sizeof policy, "%s/%s_policy.lua", dir, name);
    int rc = write_file(scene, scene_text, name, force);
    if (rc == EXIT_OK) rc = write_file(policy, policy_text, name, force);
    if (rc == EXIT_OK)
        printf("next: pilotsim check %s && pilotsim eval %s --episodes 10\n", scene, scene);
    return rc;
}
