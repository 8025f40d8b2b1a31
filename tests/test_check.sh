#!/usr/bin/env bash
# pilotsim check: URDF link trees, masses, reader and builder warnings, JSON
# output, errors that name file:line (parse and build), package paths, scenes
# (params, build without stepping, build errors) and usage errors.
# usage: test_check.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
robots=$src/assets/example-robot-data/robots
go2=$robots/go2_description/urdf/go2.urdf
ur5=$robots/ur_description/urdf/ur5_robot.urdf
dp=$robots/double_pendulum_description/urdf/double_pendulum.urdf
dpc=$robots/double_pendulum_description/urdf/double_pendulum_continuous.urdf
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"
unset PILOTSIM_PACKAGE_PATH

hasnt() { ! grep -q -- "$2" "$1"; }
# json_check PYTHON_EXPR: $tmp/out parses as JSON and the expression (over `d`) is true.
json_check() {
  "$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))
ok = eval("(" + sys.argv[2] + "\n)")
if not ok: print("  json:", json.dumps(d)[:2000], file=sys.stderr)
sys.exit(0 if ok else 1)' "$tmp/out" "$1"
}

# Help and usage errors (exit 2).
expect_rc 0 --help
check "--help lists check" has "$tmp/out" "check FILE"
expect_rc 0 check --help
check "check --help lists --package-path" has "$tmp/out" "--package-path"
check "check --help lists --fixed-base" has "$tmp/out" "--fixed-base"
expect_rc 2 check
check "missing FILE named" has "$tmp/err" "missing FILE"
expect_rc 2 check "$go2" --bogus
check "unknown option named" has "$tmp/err" "unknown option '--bogus'"
expect_rc 2 check "$go2" "$ur5"
expect_rc 2 check "$go2" --package-path
expect_rc 2 check "$go2" --param x=1
check "scene option on a URDF named" has "$tmp/err" "--param applies to scenes"
expect_rc 2 check "$src/scenes/examples/pendulum.lua" --fixed-base
check "URDF option on a scene named" has "$tmp/err" "--fixed-base applies to URDFs"
expect_rc 2 check "$src/scenes/examples/pendulum.lua" --param nonsense

# Go2: the tree from the root, 12 revolute joints, 16.085 kg (the URDF's own sum).
expect_rc 0 check "$go2"
check "go2 robot line" has "$tmp/out" "^robot 'go2_description' ("
check "go2 root first" has "$tmp/out" "^link tree (31 links, root 'base'):"
check "go2 root line" has "$tmp/out" "^  base  6.921 kg$"
check "go2 hip: joint, type, limits, effort, velocity" has "$tmp/out" \
  "^    FL_hip  0.678 kg  <- FL_hip_joint (revolute \[-1.0472, 1.0472\] effort 23.7 N m, velocity 30.1 rad/s)$"
check "go2 calf indented under the thigh" has "$tmp/out" "^        FL_calf  0.154 kg  <- FL_calf_joint (revolute"
check "go2 foot: fixed joint" has "$tmp/out" "^          FL_foot  0.04 kg  <- FL_foot_joint (fixed)$"
check "go2 massless link" has "$tmp/out" "^    imu  0 kg  <- imu_joint (fixed)$"
check "go2 joint counts" has "$tmp/out" "^joints: 30 (12 revolute, 18 fixed)$"
check "go2 total mass" has "$tmp/out" "^total mass: 16.085 kg"
check "go2 builds" has "$tmp/out" "^build (floating base): 13 bodies, 12 joints, .* 16.085 kg$"
# Thigh limits [-1.5708, 3.4907] reach beyond pi: kept as written, no warning.
check "go2 thigh limits kept (no builder warning)" hasnt "$tmp/out" "reach beyond"
check "go2 warning count" has "$tmp/out" "^warnings: 0$"
check "go2 verdict" has "$tmp/out" "^check: ok (0 warnings)$"
check "go2 nothing on stderr" test ! -s "$tmp/err"
# The tree has 31 link lines, 12 of them revolute.
check "go2 31 tree lines" test "$(sed -n '/^link tree/,/^joints:/p' "$tmp/out" | grep -c ' kg')" -eq 31
check "go2 12 revolute lines" test "$(grep -c '(revolute \[' "$tmp/out")" -eq 12

expect_rc 0 check "$go2" --json
check "go2 json" json_check '
d["kind"] == "urdf" and d["ok"] and d["robot"] == "go2_description" and d["root"] == "base"
and d["link_count"] == 31 and len(d["links"]) == 31 and d["joint_count"] == 30
and d["joint_types"] == {"revolute": 12, "fixed": 18} and d["moving_joint_count"] == 12
and abs(d["total_mass"] - 16.085) < 1e-9
and abs(sum(l["mass"] for l in d["links"]) - d["total_mass"]) < 1e-9
and d["links"][0]["name"] == "base" and d["links"][0]["parent"] is None and d["links"][0]["joint"] is None
and sum(1 for l in d["links"] if l["type"] == "revolute") == 12
and all(len(l["limits"]) == 2 and l["limits"][0] <= l["limits"][1] and l["effort"] > 0 and l["velocity"] > 0
        for l in d["links"] if l["type"] == "revolute")
and [l for l in d["links"] if l["name"] == "FL_thigh"][0]["parent"] == "FL_hip"
and [l for l in d["links"] if l["name"] == "FL_thigh"][0]["joint"] == "FL_thigh_joint"
and [l for l in d["links"] if l["name"] == "FL_calf"][0]["limits"] == [-2.7227, -0.83776]
and d["build"]["ok"] and d["build"]["bodies"] == 13 and d["build"]["joints"] == 12
and abs(d["build"]["mass"] - 16.085) < 1e-9
and d["warnings"] == [] and d["errors"] == []'
# Parents come before children in the links array.
check "go2 json tree order" json_check '
all(l["parent"] is None or l["parent"] in [p["name"] for p in d["links"][:i]] for i, l in enumerate(d["links"]))'

# UR5: a massless world root merged into the base; reader warnings (ignored
# elements); its [-2 pi, 2 pi] limits are enforced as written (no builder warning).
expect_rc 0 check "$ur5"
check "ur5 root" has "$tmp/out" "^  world  0 kg (no inertial)$"
check "ur5 base under world" has "$tmp/out" "^    base_link  4 kg  <- world_joint (fixed)$"
check "ur5 joint counts" has "$tmp/out" "^joints: 10 (6 revolute, 4 fixed)$"
check "ur5 total mass" has "$tmp/out" "^total mass: 20.9939 kg"
check "ur5 reader warning" has "$tmp/out" "ur5_robot.urdf:[0-9]*: <transmission> ignored"
check "ur5 limits kept (no full-turn warning)" hasnt "$tmp/out" "span a full turn"
expect_rc 0 check --json "$ur5" --fixed-base
check "ur5 json" json_check '
d["ok"] and d["fixed_base"] and d["link_count"] == 11 and d["joint_types"] == {"revolute": 6, "fixed": 4}
and abs(d["total_mass"] - 20.9939) < 1e-9 and d["build"]["ok"] and d["build"]["joints"] == 6
and any("<gazebo> ignored" in w for w in d["warnings"]) and not any("span a full turn" in w for w in d["warnings"])'

# Double pendulums: continuous joints; a revolute with limits [0, 0] is locked.
expect_rc 0 check "$dpc" --fixed-base
check "double pendulum continuous joints" has "$tmp/out" "^joints: 2 (2 continuous)$"
check "double pendulum fixed base" has "$tmp/out" "^build (fixed base): "
check "double pendulum mass" has "$tmp/out" "^total mass: 0.701 kg"
expect_rc 0 check "$dp" --json
check "double pendulum json" json_check '
d["ok"] and d["link_count"] == 3 and d["joint_types"] == {"revolute": 2}
and [l["parent"] for l in d["links"]] == [None, "base_link", "link1"]
and any("joint1" in w and "locked" in w for w in d["warnings"])'

# Malformed URDFs: exit 3, "error: file:line: message" on stderr.
printf '<robot name="r">\n  <link name="a">\n    <inertial><mass value="1"/>\n</robot>\n' >"$tmp/unclosed.urdf"
expect_rc 3 check "$tmp/unclosed.urdf"
check "unclosed tag names file:line" has "$tmp/err" "^error: $tmp/unclosed.urdf:4: "
printf '<robot name="r">\n  <link name="a"/>\n  <link name="b"/>\n  <joint name="j" type="fixed">\n    <parent link="nope"/>\n    <child link="b"/>\n  </joint>\n</robot>\n' >"$tmp/badparent.urdf"
expect_rc 3 check "$tmp/badparent.urdf"
check "unknown parent names file:line" has "$tmp/err" "^error: $tmp/badparent.urdf:5: .*'nope'"
I='<inertial><mass value="1"/><inertia ixx="0.01" iyy="0.01" izz="0.01" ixy="0" ixz="0" iyz="0"/></inertial>'
printf '<robot name="r">\n  <link name="a">%s</link>\n  <link name="b">%s</link>\n  <joint name="j" type="revolute">\n    <parent link="a"/>\n    <child link="b"/>\n    <axis xyz="0 0 1"/>\n  </joint>\n</robot>\n' "$I" "$I" >"$tmp/nolimit.urdf"
expect_rc 3 check "$tmp/nolimit.urdf"
check "revolute without limit names file:line" has "$tmp/err" "^error: $tmp/nolimit.urdf:4: .*<limit>"
expect_rc 3 check "$tmp/nolimit.urdf" --json
check "malformed json" json_check '
not d["ok"] and d["kind"] == "urdf" and len(d["errors"]) == 1 and ".urdf:4:" in d["errors"][0] and "links" not in d'
check "malformed json error on stderr too" has "$tmp/err" "nolimit.urdf:4:"
expect_rc 3 check "$tmp/missing.urdf"
check "missing file named" has "$tmp/err" "missing.urdf"

# Build errors: exit 3 with file:line, the tree still printed.
: >"$tmp/part.dae"
printf '<robot name="r">\n  <link name="a">%s\n    <collision><geometry><mesh filename="part.dae"/></geometry></collision>\n  </link>\n</robot>\n' "$I" >"$tmp/dae.urdf"
expect_rc 3 check "$tmp/dae.urdf"
check "collision mesh not STL/OBJ names file:line" has "$tmp/err" "^error: $tmp/dae.urdf:3: .*must be STL or OBJ"
check "build failure reported" has "$tmp/out" "^build (floating base): failed$"
check "tree printed on build failure" has "$tmp/out" "^  a  1 kg$"
check "verdict on build failure" has "$tmp/out" "^check: failed (1 error)$"
printf '<robot name="r">\n  <link name="a">%s</link>\n  <link name="b"/>\n  <joint name="j" type="continuous">\n    <parent link="a"/>\n    <child link="b"/>\n  </joint>\n  <transmission name="t"/>\n</robot>\n' "$I" >"$tmp/massless.urdf"
expect_rc 3 check "$tmp/massless.urdf" --fixed-base
check "moving massless link names file:line" has "$tmp/err" "^error: $tmp/massless.urdf:3: link 'b' moves but has no mass"
check "reader warning kept on build failure" has "$tmp/out" "massless.urdf:8: <transmission> ignored"
expect_rc 3 check "$tmp/massless.urdf" --json
check "build error json" json_check '
not d["ok"] and not d["build"]["ok"] and len(d["links"]) == 2 and d["links"][1]["type"] == "continuous"
and d["links"][1]["limits"] is None and "massless.urdf:3:" in d["errors"][0] and len(d["warnings"]) == 1'

# XML detection without the .urdf extension; a non-<robot> root is an error.
cp "$tmp/massless.urdf" "$tmp/robot.description"
expect_rc 3 check "$tmp/robot.description"
check "XML sniffed as URDF" has "$tmp/err" "link 'b' moves but has no mass"
printf '<?xml version="1.0"?>\n<mujoco model="m">\n</mujoco>\n' >"$tmp/model.xml"
expect_rc 3 check "$tmp/model.xml"
check "wrong root element named" has "$tmp/err" "model.xml:2: .*<robot>"

# Package paths: --package-path, PILOTSIM_PACKAGE_PATH, and the project's assets/.
mkdir -p "$tmp/pkgs/mypkg/meshes"
printf 'solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 0.1 0 0\nvertex 0 0.1 0\nendloop\nendfacet\nfacet normal 0 0 -1\nouter loop\nvertex 0 0 0\nvertex 0 0.1 0\nvertex 0 0 0.1\nendloop\nendfacet\nendsolid t\n' >"$tmp/pkgs/mypkg/meshes/t.stl"
mkdir -p "$tmp/elsewhere"
printf '<robot name="p">\n  <link name="a">%s\n    <collision><geometry><mesh filename="package://mypkg/meshes/t.stl"/></geometry></collision>\n  </link>\n</robot>\n' "$I" >"$tmp/elsewhere/pkg.urdf"
expect_rc 3 check "$tmp/elsewhere/pkg.urdf"
check "unresolved package names file:line" has "$tmp/err" "pkg.urdf:3: cannot resolve mesh 'package://mypkg/meshes/t.stl'"
expect_rc 0 check "$tmp/elsewhere/pkg.urdf" --package-path "$tmp/nowhere" --package-path "$tmp/pkgs"
check "--package-path resolves" has "$tmp/out" "^check: ok"
PILOTSIM_PACKAGE_PATH="$tmp/nowhere:$tmp/pkgs" expect_rc 0 check "$tmp/elsewhere/pkg.urdf"
printf '<robot name="q">\n  <link name="a">%s\n    <collision><geometry><mesh filename="package://example-robot-data/robots/go2_description/collisions/foot_convex.stl"/></geometry></collision>\n  </link>\n</robot>\n' "$I" >"$tmp/elsewhere/assets.urdf"
expect_rc 0 check "$tmp/elsewhere/assets.urdf"
check "project assets/ searched" has "$tmp/out" "^build (floating base): 1 body, 0 joints, 1 geom, 1 kg$"

# Scenes: metadata, params, the world after build (no step).
expect_rc 0 check "$src/scenes/examples/pendulum.lua"
check "scene name" has "$tmp/out" "^scene 'pendulum' ("
check "scene domain" has "$tmp/out" "^  domain       examples$"
check "scene description" has "$tmp/out" "^  description  Simple pendulum"
check "scene timestep" has "$tmp/out" "^  timestep     0.001 s$"
check "scene time limit" has "$tmp/out" "^  time limit   10 s$"
check "scene params" has "$tmp/out" "^params: 3$"
check "scene param row" has "$tmp/out" "^  length   number  *1  *\[0.2, 3\]  *no  *pivot to bob centre, m$"
check "scene world counts" has "$tmp/out" "^build (seed 0): 1 body, 1 joint, 3 geoms$"
check "scene verdict" has "$tmp/out" "^check: ok"
expect_rc 0 check "$src/scenes/examples/pendulum.lua" --param length=2 --json
check "scene json" json_check '
d["kind"] == "scene" and d["ok"] and d["name"] == "pendulum" and d["domain"] == "examples"
and d["timestep"] == 0.001 and d["time_limit"] == 10 and [p["name"] for p in d["params"]] == ["angle0", "damping", "length"]
and [p for p in d["params"] if p["name"] == "length"][0]["value"] == "2"
and [p for p in d["params"] if p["name"] == "length"][0]["overridden"]
and d["world"] == {"bodies": 1, "joints": 1, "geoms": 3} and d["errors"] == []'
printf 'return { name = "r", timestep = 0.01, time_limit = 1,\n params = { mu = {default = 0.5, min = 0.1, max = 0.9, randomize = true}, on = {default = true} },\n build = function(world, ctx) world:body{mass = 1} end,\n step = function(ctx) error("stepped") end }\n' >"$tmp/nostep.lua"
expect_rc 0 check "$tmp/nostep.lua"
check "build runs, step does not" has "$tmp/out" "^build (seed 0): 1 body, 0 joints, 0 geoms$"
check "randomized param" has "$tmp/out" "^  mu    number   0.5  *\[0.1, 0.9\]  *yes"
check "boolean param without range" has "$tmp/out" "^  on    boolean  true  *-  *no"

# Scenes with URDF robots: --package-path (also as a list), the robot's warnings reported.
printf '<robot name="arm">\n  <link name="a">%s</link>\n  <link name="b">%s</link>\n  <joint name="j" type="revolute">\n    <parent link="a"/>\n    <child link="b"/>\n    <limit lower="-1" upper="4" effort="5" velocity="2"/>\n  </joint>\n  <transmission name="t"/>\n</robot>\n' "$I" "$I" >"$tmp/pkgs/mypkg/arm.urdf"
printf 'return { name = "rs", timestep = 0.01, time_limit = 1,\n build = function(world, ctx) world:robot{urdf = "mypkg/arm.urdf", fixed_base = true} end }\n' >"$tmp/elsewhere/robot_scene.lua"
expect_rc 3 check "$tmp/elsewhere/robot_scene.lua"
check "scene robot not found names the scene's line" has "$tmp/err" "robot_scene.lua:2:"
expect_rc 0 check "$tmp/elsewhere/robot_scene.lua" --package-path "$tmp/nowhere:$tmp/pkgs"
check "scene robot built" has "$tmp/out" "^build (seed 0): 2 bodies, 1 joint, 0 geoms$"
check "scene robot's URDF warning" has "$tmp/out" "arm.urdf:9: <transmission> ignored"
check "scene verdict with warnings" has "$tmp/out" "^check: ok (1 warning)$"
expect_rc 0 check "$tmp/elsewhere/robot_scene.lua" --package-path "$tmp/pkgs" --json
check "scene robot json" json_check '
d["ok"] and d["world"]["joints"] == 1 and len(d["warnings"]) == 1 and "arm.urdf:9:" in d["warnings"][0]'
printf 'return { name = "rb", timestep = 0.01, time_limit = 1,\n build = function(world, ctx) world:robot{urdf = "%s"} end }\n' "$tmp/nolimit.urdf" >"$tmp/badrobot.lua"
expect_rc 3 check "$tmp/badrobot.lua"
check "scene robot URDF error names the URDF's file:line" has "$tmp/err" "nolimit.urdf:4:"

# Scene errors: exit 3 naming file:line.
printf 'return { name = "e", timestep = 0.01, time_limit = 1,\n build = function(world, ctx)\n  local b = world:body{mass = 1}\n  b:set_pos(1, 2)\n end }\n' >"$tmp/builderr.lua"
expect_rc 3 check "$tmp/builderr.lua"
check "build error names file:line" has "$tmp/err" "^error: .*builderr.lua:4:"
check "build failure reported" has "$tmp/out" "^build (seed 0): failed$"
expect_rc 3 check "$tmp/builderr.lua" --json
check "build error json" json_check 'not d["ok"] and "builderr.lua:4:" in d["errors"][0] and "world" not in d'
printf 'return { name = "m", timestep = 0.01, time_limit = 1,\n build = function(world, ctx) world:body{name = "ghost"} end }\n' >"$tmp/nomass.lua"
expect_rc 3 check "$tmp/nomass.lua"
check "massless body named" has "$tmp/err" "nomass.lua: build: .*ghost"
printf 'return {\n  name = "x",\n  timestep = = 1,\n}\n' >"$tmp/syntax.lua"
expect_rc 3 check "$tmp/syntax.lua"
check "syntax error names file:line" has "$tmp/err" "^error: .*syntax.lua:3:"
check "nothing on stdout for a load error" test ! -s "$tmp/out"
printf 'return {\n  name = "x",\n  timestep = "fast",\n  time_limit = 1,\n  build = function() end,\n}\n' >"$tmp/mistyped.lua"
expect_rc 3 check "$tmp/mistyped.lua"
check "field error names file:line" has "$tmp/err" "mistyped.lua:3: field 'timestep'"
expect_rc 2 check "$src/scenes/examples/pendulum.lua" --param nope=1
check "unknown param named" has "$tmp/err" "unknown param 'nope'"
expect_rc 3 check "$tmp/missing.lua"

echo "test_check: $checks checks, $failed failed"
[[ $failed == 0 ]]
