#!/usr/bin/env bash
# Image textures reach the picture: an OBJ whose .mtl names a PNG diffuse map
# (map_Kd), a COLLADA grid whose effect samples a PNG (also with its levels of
# detail; the same file with the image upside down in its UVs fails) and a URDF
# box with <material><texture filename=...>, all showing a 2 x 2 checkerboard
# of four colours (red, green / blue, yellow, so a flipped or turned image is
# caught) in `pilotsim run --screenshot`, in an RGB camera
# sensor's frames (--camera-out) and, under Xvfb, in `pilotsim view`. A missing
# texture file and a file that is not a PNG are warned about by name, and the
# shape is drawn in its colour.
# usage: test_textures.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$(cd "$2" && pwd)
py=/usr/bin/python3
stats=$src/tests/python/image_stats.py
tmp=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] && echo "kept $tmp" || rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"

# A 64 x 64 PNG: top left red, top right green, bottom left blue, bottom right yellow.
"$py" - "$tmp/checker.png" <<'PY'
import struct, sys, zlib
cols = {(0, 0): (230, 20, 20), (0, 1): (20, 230, 20), (1, 0): (20, 20, 230), (1, 1): (230, 230, 20)}
raw = b''.join(b'\0' + bytes(c for x in range(64) for c in cols[(y // 32, x // 32)]) for y in range(64))
def chunk(t, b): return struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b) & 0xffffffff)
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 64, 64, 8, 2, 0, 0, 0)) +
                              chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
PY
echo "not a png" >"$tmp/bad.png"

# A 1 m quad facing -x, u to the left (+y), v up (+z): seen from -x the image is upright.
cat >"$tmp/quad.obj" <<'EOF'
mtllib quad.mtl
v 0 0.5 -0.5
v 0 -0.5 -0.5
v 0 -0.5 0.5
v 0 0.5 0.5
vt 0 0
vt 1 0
vt 1 1
vt 0 1
vn -1 0 0
usemtl checker
f 1/1/1 2/2/1 3/3/1
f 1/1/1 3/3/1 4/4/1
EOF
mk_mtl() { printf 'newmtl checker\nKd 1 1 1\nmap_Kd %s\n' "$1" >"$tmp/quad.mtl"; }

# robot NAME VISUAL_GEOMETRY MATERIAL: a fixed one-link robot and a scene looking at it from -x,
# with an RGB camera at the same place.
robot() {
  cat >"$tmp/$1.urdf" <<EOF
<robot name="$1">
  <link name="base">
    <inertial><mass value="1"/><inertia ixx="0.01" iyy="0.01" izz="0.01" ixy="0" ixz="0" iyz="0"/></inertial>
    <visual><geometry>$2</geometry>$3</visual>
    <collision><geometry><box size="0.05 0.05 0.05"/></geometry></collision>
  </link>
</robot>
EOF
  cat >"$tmp/$1.lua" <<EOF
return {name = "$1", domain = "tests", timestep = 0.002, time_limit = 0.01,
  view = {eye = {-2.5, 0, 1}, target = {0, 0, 1}, fov = 40},
  build = function(world)
    world:robot{urdf = "$tmp/$1.urdf", name = "r", pos = {0, 0, 1}, fixed_base = true}
    local post = world:body{name = "post", kind = "kinematic", pos = {-2.5, 0, 1},
                            geoms = {{type = "sphere", radius = 0.01, collide = 0}}}
    world:sensor{name = "cam", type = "camera", body = post, width = 160, height = 120, fov_y = math.rad(40)}
  end}
EOF
}

# quadrants IMAGE X0 Y0 X1 Y1: the mean colour of the four quadrants' centres of the
# rectangle (the textured square on screen), as "r,g,b r,g,b r,g,b r,g,b" (TL TR BL BR).
quadrants() {
  local cells
  cells=$("$py" "$stats" cells "$1" "$2" "$3" "$4" "$5" 4 | sed -n '6p;7p;10p;11p' | tr ' ' ',')
  echo $cells
}
# checker "r,g,b r,g,b r,g,b r,g,b": red, green, blue, yellow in that order.
checker() {
  "$py" - "$@" <<'PY'
import sys
q = [tuple(map(float, c.split(','))) for c in sys.argv[1:5]]
want = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0)]
ok = len(q) == 4
for (r, g, b), (wr, wg, wb) in zip(q, want):
    hi = [v for v, w in zip((r, g, b), (wr, wg, wb)) if w]
    lo = [v for v, w in zip((r, g, b), (wr, wg, wb)) if not w]
    ok = ok and min(hi) > 60 and min(hi) > 2.5 * max(lo)
sys.exit(0 if ok else 1)
PY
}
not_checker() { ! checker "$@"; }
# The 1 m square seen from 2.5 m with a 40 degree field: 132 pixels of 240 high,
# centred (320 x 240); 66 of 120 in the 160 x 120 camera.
sq_big="94 54 226 186"
sq_cam="47 27 113 93"

# --- OBJ + MTL + PNG ----------------------------------------------------------------
# textured_mesh NAME FILE LABEL: the mesh FILE on a robot NAME shows the upright
# checkerboard, without a texture warning, in run --screenshot and the RGB camera's frame.
textured_mesh() {
  robot "$1" "<mesh filename=\"$2\"/>" ''
  expect_rc 0 run "$tmp/$1.lua" --quiet --steps 1 --video-size 320x240 --screenshot "$tmp/$1.png" --camera-out "$tmp/${1}cam"
  check "$3: no texture warning" bash -c "! grep -q texture '$tmp/err'"
  q=$(quadrants "$tmp/$1.png" $sq_big)
  check "$3: the checkerboard, upright, in run --screenshot ($q)" checker $q
  cam=$(ls "$tmp/${1}cam"/cam/*.png 2>/dev/null | head -1)
  q=$(quadrants "${cam:-/dev/null}" $sq_cam)
  check "$3: the checkerboard in the RGB camera's frame ($q)" checker $q
}
mk_mtl checker.png
textured_mesh obj quad.obj "OBJ with a map_Kd PNG"

# --- COLLADA with a PNG diffuse map -----------------------------------------------------
# The same square as an 8 x 8 grid (so it has coarser levels of detail, drawn part by
# part with their texture), its effect's diffuse a sampler of checker.png. Flipped (1):
# the image upside down in the UVs, which must fail the checkerboard check.
mk_dae() {
  "$py" - "$1" "$2" <<'PY'
import sys
out, flip = sys.argv[1], sys.argv[2] == '1'
n = 8
pos, uv, tri = [], [], []
for j in range(n + 1):
    for i in range(n + 1):
        u, v = i / n, j / n
        pos += [0.0, 0.5 - u, v - 0.5]
        uv += [u, 1 - v if flip else v]
for j in range(n):
    for i in range(n):
        a, b, c, d = j * (n + 1) + i, j * (n + 1) + i + 1, (j + 1) * (n + 1) + i + 1, (j + 1) * (n + 1) + i
        for k in (a, b, c, a, c, d):
            tri += [k, 0, k]
f = lambda xs: ' '.join('%g' % x for x in xs)
nv = (n + 1) ** 2
xyz = '<param name="X" type="float"/><param name="Y" type="float"/><param name="Z" type="float"/>'
open(out, 'w').write(f"""<?xml version="1.0" encoding="utf-8"?>
<COLLADA xmlns="http://www.collada.org/2005/11/COLLADASchema" version="1.4.1">
  <asset><unit name="meter" meter="1"/><up_axis>Z_UP</up_axis></asset>
  <library_images><image id="img"><init_from>checker.png</init_from></image></library_images>
  <library_effects><effect id="fx"><profile_COMMON>
    <newparam sid="surf"><surface type="2D"><init_from>img</init_from></surface></newparam>
    <newparam sid="samp"><sampler2D><source>surf</source></sampler2D></newparam>
    <technique sid="common"><lambert><diffuse><texture texture="samp" texcoord="UVMap"/></diffuse></lambert></technique>
  </profile_COMMON></effect></library_effects>
  <library_materials><material id="mat"><instance_effect url="#fx"/></material></library_materials>
  <library_geometries><geometry id="quad"><mesh>
    <source id="pos"><float_array id="pos-a" count="{3 * nv}">{f(pos)}</float_array>
      <technique_common><accessor source="#pos-a" count="{nv}" stride="3">{xyz}</accessor></technique_common></source>
    <source id="nrm"><float_array id="nrm-a" count="3">-1 0 0</float_array>
      <technique_common><accessor source="#nrm-a" count="1" stride="3">{xyz}</accessor></technique_common></source>
    <source id="uv"><float_array id="uv-a" count="{2 * nv}">{f(uv)}</float_array>
      <technique_common><accessor source="#uv-a" count="{nv}" stride="2">
        <param name="S" type="float"/><param name="T" type="float"/></accessor></technique_common></source>
    <vertices id="vtx"><input semantic="POSITION" source="#pos"/></vertices>
    <triangles material="m" count="{2 * n * n}">
      <input semantic="VERTEX" source="#vtx" offset="0"/><input semantic="NORMAL" source="#nrm" offset="1"/>
      <input semantic="TEXCOORD" source="#uv" offset="2" set="0"/>
      <p>{' '.join(map(str, tri))}</p></triangles>
  </mesh></geometry></library_geometries>
  <library_visual_scenes><visual_scene id="vs"><node id="n"><instance_geometry url="#quad"><bind_material>
    <technique_common><instance_material symbol="m" target="#mat">
      <bind_vertex_input semantic="UVMap" input_semantic="TEXCOORD" input_set="0"/></instance_material></technique_common>
  </bind_material></instance_geometry></node></visual_scene></library_visual_scenes>
  <scene><instance_visual_scene url="#vs"/></scene>
</COLLADA>
""")
PY
}
mk_dae "$tmp/quad.dae" 0
mk_dae "$tmp/flip.dae" 1
textured_mesh dae quad.dae "COLLADA with a PNG diffuse map"
robot flip '<mesh filename="flip.dae"/>' ''
expect_rc 0 run "$tmp/flip.lua" --quiet --steps 1 --video-size 320x240 --screenshot "$tmp/flip.png"
q=$(quadrants "$tmp/flip.png" $sq_big)
check "COLLADA with the image upside down in its UVs: not the upright checkerboard ($q)" not_checker $q

# --- URDF <texture> on a box ---------------------------------------------------------
robot box '<box size="0.05 1 1"/>' '<material name="tex"><texture filename="checker.png"/></material>'
expect_rc 0 run "$tmp/box.lua" --quiet --steps 1 --video-size 320x240 --screenshot "$tmp/box.png" --camera-out "$tmp/boxcam"
q=$(quadrants "$tmp/box.png" 94 54 226 186)
check "URDF <texture> on a box: the checkerboard, upright, in run --screenshot ($q)" checker $q
cam=$(ls "$tmp"/boxcam/cam/*.png 2>/dev/null | head -1)
q=$(quadrants "${cam:-/dev/null}" $sq_cam)
check "URDF <texture> in the RGB camera's frame ($q)" checker $q

# --- the viewer (under Xvfb) ------------------------------------------------------------
if [[ -n ${DISPLAY:-} ]]; then
  x_viewer_setup test_textures
  printf '%s\n' "wait 2" "screenshot $tmp/view.ppm" quit >"$tmp/s.txt"
  expect_rc 0 view "$tmp/obj.lua" --size 320x240 --no-panels --paused --frame-dt 0.0333 --script "$tmp/s.txt"
  q=$(quadrants "$tmp/view.ppm" $sq_big)
  check "OBJ texture in pilotsim view ($q)" checker $q
else
  echo "test_textures: no X display: the viewer part is skipped (ctest runs it under xvfb-run)"
fi

# --- missing and bad files: warned by name, drawn in colour ------------------------------
robot miss '<box size="0.05 1 1"/>' '<material name="m"><color rgba="0.1 0.2 0.9 1"/><texture filename="nope.png"/></material>'
expect_rc 0 run "$tmp/miss.lua" --quiet --steps 1 --video-size 320x240 --screenshot "$tmp/miss.png"
check "a missing URDF texture is warned about by name" has "$tmp/err" "texture file 'nope.png' not found"
read -r r g b <<<"$("$py" "$stats" mean "$tmp/miss.png" 140 100 180 140)"
check "a missing URDF texture: the box in its colour ($r $g $b)" calc "${b:-0} > 2 * ${r:-255} and ${b:-0} > 1.5 * ${g:-255}"
robot bad '<box size="0.05 1 1"/>' '<material name="m"><color rgba="0.1 0.2 0.9 1"/><texture filename="bad.png"/></material>'
expect_rc 0 run "$tmp/bad.lua" --quiet --steps 1 --video-size 320x240 --screenshot "$tmp/bad.png"
check "a texture that is not a PNG is warned about by name" has "$tmp/err" "cannot use texture '$tmp/bad.png'"
read -r r g b <<<"$("$py" "$stats" mean "$tmp/bad.png" 140 100 180 140)"
check "a texture that is not a PNG: the box in its colour ($r $g $b)" calc "${b:-0} > 2 * ${r:-255} and ${b:-0} > 1.5 * ${g:-255}"
mk_mtl missing.png
robot objmiss '<mesh filename="quad.obj"/>' '<material name="m"><color rgba="0.1 0.8 0.15 1"/></material>'
expect_rc 0 run "$tmp/objmiss.lua" --quiet --steps 1 --video-size 320x240 --screenshot "$tmp/objmiss.png"
check "an OBJ's missing map_Kd file is warned about by name" has "$tmp/err" "cannot use texture '$tmp/missing.png' of visual mesh"
read -r r g b <<<"$("$py" "$stats" mean "$tmp/objmiss.png" 140 100 180 140)"
check "an OBJ's missing map_Kd: the quad in a plain colour, no checkerboard ($r $g $b)" \
  calc "abs(${r:-0} - ${g:-99}) < 10 and abs(${g:-0} - ${b:-99}) < 10 and ${r:-0} > 60"

echo "test_textures: $checks checks, $failed failed"
[[ $failed == 0 ]]
