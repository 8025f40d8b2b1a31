#!/usr/bin/env bash
# Colours from robot descriptions reach the picture (`pilotsim run --screenshot`,
# offscreen, EGL or GLFW): a URDF visual's
# <material><color> on a box and on an STL mesh (STL has no colours of its
# own), and a Collada file's own material diffuse colours (the Go2: its URDF
# says white, its .dae files say light grey and near-black). Pixels are read
# where the segmentation screenshot of the same view shows the robot.
# usage: test_material_colors.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$(cd "$2" && pwd)
py=/usr/bin/python3
tmp=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] && echo "kept $tmp" || rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"

# stats RGB.png SEG.png: the robot's pixels (non-black in SEG): count, mean R G B,
# and the fraction that are near black (every channel < 30).
cat >"$tmp/stats.py" <<'PY'
import struct, sys, zlib
def png(path):
    d = open(path, 'rb').read(); pos = 8; idat = b''; w = h = 0; ch = 3
    while pos < len(d):
        n, t = struct.unpack('>I4s', d[pos:pos + 8]); body = d[pos + 8:pos + 8 + n]; pos += 12 + n
        if t == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10]); ch = {2: 3, 6: 4, 0: 1}[ctype]
        elif t == b'IDAT': idat += body
    raw = zlib.decompress(idat); stride = w * ch; out = bytearray(); prev = bytearray(stride); p = 0
    for y in range(h):
        f = raw[p]; line = bytearray(raw[p + 1:p + 1 + stride]); p += 1 + stride
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0; b = prev[i]; c = prev[i - ch] if i >= ch else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += line; prev = line
    return w, h, ch, out
w, h, ch, rgb = png(sys.argv[1]); w2, h2, ch2, seg = png(sys.argv[2])
assert (w, h) == (w2, h2)
n = 0; s = [0, 0, 0]; dark = 0
for i in range(w * h):
    if max(seg[i * ch2:i * ch2 + 3]) == 0: continue
    px = rgb[i * ch:i * ch + 3]; n += 1
    for c in range(3): s[c] += px[c]
    if max(px) < 30: dark += 1
n1 = max(n, 1)
print(n, '%.1f %.1f %.1f' % (s[0] / n1, s[1] / n1, s[2] / n1), '%.3f' % (dark / n1))
PY
shots() { # shots SCENE NAME [run options...]: NAME.png (colour) and NAME_seg.png
  local scene=$1 name=$2; shift 2
  expect_rc 0 run "$scene" --quiet --steps 1 --video-size 320x240 --screenshot "$tmp/$name.png" "$@"
  expect_rc 0 run "$scene" --quiet --steps 1 --video-size 320x240 --screenshot "$tmp/${name}_seg.png" \
    --screenshot-mode segmentation "$@"
}

# --- URDF <material><color> on a box and on an STL mesh -----------------------------
stl=$src/assets/example-robot-data/robots/double_pendulum_description/meshes/link1.stl
for part in box mesh; do
  if [[ $part == box ]]; then geom='<box size="0.3 0.3 0.3"/>'; rgba="0.1 0.2 0.9 1"
  else geom="<mesh filename=\"$stl\"/>"; rgba="0.1 0.8 0.15 1"; fi
  cat >"$tmp/$part.urdf" <<EOF
<robot name="painted">
  <link name="base">
    <inertial><mass value="1"/><inertia ixx="0.01" iyy="0.01" izz="0.01" ixy="0" ixz="0" iyz="0"/></inertial>
    <visual><geometry>$geom</geometry><material name="paint"><color rgba="$rgba"/></material></visual>
    <collision><geometry><box size="0.3 0.3 0.3"/></geometry></collision>
  </link>
</robot>
EOF
  cat >"$tmp/$part.lua" <<EOF
return {name = "painted_$part", domain = "tests", timestep = 0.002, time_limit = 0.01,
  build = function(world) world:robot{urdf = "$tmp/$part.urdf", name = "r", pos = {0, 0, 1}, fixed_base = true} end}
EOF
  shots "$tmp/$part.lua" "$part" --trusted
  read -r n r g b _ <<<"$("$py" "$tmp/stats.py" "$tmp/$part.png" "$tmp/${part}_seg.png")"
  check "URDF colour on a $part: the robot is in the picture ($n pixels)" calc "${n:-0} >= 300"
  if [[ $part == box ]]; then
    check "URDF colour on a box: blue ($r $g $b)" calc "${b:-0} > 2 * ${r:-255} and ${b:-0} > 1.5 * ${g:-255}"
  else
    check "URDF colour on an STL mesh: green ($r $g $b)" calc "${g:-0} > 2 * ${r:-255} and ${g:-0} > 2 * ${b:-255}"
  fi
done

# --- Collada material colours (the Go2) -----------------------------------------------
go2=$src/tests/scenes/robots/go2.lua
shots "$go2" vis --view-angles -40,30
shots "$go2" col --view-angles -40,30 --collision-shapes
read -r nv rv gv bv dv <<<"$("$py" "$tmp/stats.py" "$tmp/vis.png" "$tmp/vis_seg.png")"
read -r nc rc gc bc dc <<<"$("$py" "$tmp/stats.py" "$tmp/col.png" "$tmp/col_seg.png")"
check "Go2 in the picture ($nv visual, $nc collision pixels)" calc "${nv:-0} >= 500 and ${nc:-0} >= 500"
# Its .dae files colour the legs and parts of the body near-black; the URDF's
# white (used for the collision shapes too) has no such pixels.
check "Go2 Collada colours: near-black parts (${dv:-?} of its pixels; collision shapes ${dc:-?})" \
  calc "${dv:-0} > 0.02 and ${dv:-0} > ${dc:-1} + 0.02"
check "Go2 Collada colours: the light grey body is blue-tinted (mean $rv $gv $bv)" calc "${bv:-0} > ${rv:-255}"

echo "test_material_colors: $checks checks, $failed failed"
[[ $failed == 0 ]]
