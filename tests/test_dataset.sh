#!/usr/bin/env bash
# Datasets end to end: pilotsim record / replay --verify / info / merge / eval --record,
# robomimic's layout read back with h5py (Debian's /usr/bin/python3) and pilotsim.dataset,
# tampering detected, a recording killed with SIGKILL leaves a readable file and resumes,
# shards merge exactly once.
# usage: test_dataset.sh PILOTSIM SOURCE_DIR [camera MEDIA_PROBE VIDEO]
#   (camera: the renderer is built; VIDEO 1 when video files are)
set -u
ps=$1
src=$2
camera=${3:-}
probe=${4:-}
video=${5:-0}
py=/usr/bin/python3
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_COUNT JOB_COMPLETION_INDEX PILOTSIM_SHARD_COUNT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ps_out=.
source "$(dirname "$0")/sh_harness.sh"
cd "$tmp" || exit 1
export PYTHONPATH=$src/tools/python
# `import pilotsim` loads libpilotsim ($PILOTSIM_LIB); an ASan build needs its runtime first.
pyimp=("$py")
if [[ -n ${PILOTSIM_LIB:-} ]] && ldd "$PILOTSIM_LIB" 2>/dev/null | grep -q libasan; then
  pyimp=(env LD_PRELOAD="$(ldd "$PILOTSIM_LIB" | awk '/libasan/ {print $3; exit}')" ASAN_OPTIONS=detect_leaks=0 "$py")
fi

# pyq FILE EXPR: evaluates a python expression over `f` (h5py.File), true when truthy.
pyq() {
  "$py" - "$1" "$2" <<'EOF'
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)
EOF
}

# 1. Every pilot scene (whatever scenes/pilot holds), one short episode each: recorded,
# verified step by step, the middle step's recorded state restored one step later and
# into a fresh episode with every later hash checked, same final hash as `run`.
# Without the renderer the scenes that require a camera (they fail to build there, naming
# the missing renderer) are left out.
pilot=()
for f in "$src"/scenes/pilot/*.lua; do
  [[ -z $camera ]] && grep -q 'world:sensor{type = "camera"' "$f" && { echo "test_dataset: no renderer: skipping camera scene $(basename "$f")"; continue; }
  pilot+=("$f")
done
np=${#pilot[@]}
steps=40
expect_rc 0 record "${pilot[@]}" --episodes 1 --steps $steps --state-every 1 --out pilot.hdf5 --jobs 2 --quiet
expect_rc 0 info pilot.hdf5
check "info counts $np demos of $steps steps" has out "$np demos, $((np * steps)) steps"
expect_rc 0 replay pilot.hdf5 --verify
check "every pilot demo verified with a state restored one step later ($np)" \
  [ "$(grep -c 'restored one step later continues identically' out)" = "$np" ]
# (the middle step's state, or the latest one before it whose structure the scene builds)
check "every pilot demo verified with a mid-episode state restored into a fresh episode ($np)" \
  [ "$(grep -c "the state of step [0-9]* restored into a fresh episode too" out)" = "$np" ]
"$py" -c "
import h5py
f = h5py.File('pilot.hdf5', 'r')
for k in sorted(f['data'], key=lambda k: int(k[5:])):
    g = f['data'][k]
    print(g.attrs['scene'], g.attrs['seed'], g.attrs['final_hash'])
" >demos.txt
n=0
while read -r scene seed hash; do
  got=$("$ps" run "$scene" --seed "$seed" --steps $steps --json --quiet | "$py" -c "import json,sys; print(json.load(sys.stdin)['hash'])")
  [[ $got == "$hash" ]] && n=$((n + 1)) || echo "FAILED: $scene seed $seed: run hash $got, recorded $hash" >&2
done <demos.txt
check "recording leaves every pilot trajectory unchanged ($np final hashes as run's)" [ "$n" = "$np" ]
# the demo the tampering below changes: restaurant_table_bussing's
T=$(grep -n 'restaurant_table_bussing' demos.txt | cut -d: -f1)
T=$((T - 1))

# 2. robomimic's layout, read as robomimic does.
check "robomimic layout" pyq pilot.hdf5 '
all(k in f["data/demo_0"] for k in ("obs", "actions", "rewards", "dones", "states")) and
json.loads(f["data"].attrs["env_args"])["env_name"] == f["data/demo_0"].attrs["scene_name"] and
int(f["data"].attrs["total"]) == '$((np * steps))' and
sorted(e.decode() for e in np.concatenate([f["mask/train"][:], f["mask/valid"][:]])) == sorted(f["data"].keys()) and
sorted(e.decode() for e in f["mask/valid"][:]) == sorted("demo_%d" % j for j in range(9, '$np', 10)) and
all(f["data"][k]["actions"].shape[0] == f["data"][k].attrs["num_samples"] == '$steps' for k in f["data"]) and
all(f["data"][k]["dones"][-1] == 1 and f["data"][k]["dones"][:-1].sum() == 0 for k in f["data"]) and
f["data/demo_0/states"].compression == "gzip" and f["data/demo_0/states"].dtype == np.uint8 and
all((f["data"][k]["next_obs"][o][:-1] == f["data"][k]["obs"][o][1:]).all() and
    (f["data"][k]["next_obs"][o][-1] == f["data"][k]["final_obs"][o][0]).all()
    for k in f["data"] for o in f["data"][k]["obs"])'
check "pilotsim.dataset yields numpy demos" "${pyimp[@]}" -c "
import os
import numpy as np
from pilotsim import dataset
with dataset.open('pilot.hdf5') as ds:
    demos = list(ds)
    assert len(ds) == $np and [d.name for d in demos] == ['demo_%d' % i for i in range($np)]
    d = demos[3]
    assert isinstance(d.actions, np.ndarray) and d.actions.dtype == np.float32 and len(d) == $steps
    assert d.rewards.shape == ($steps,) and d.states.shape[0] == $steps and d.state_hashes.dtype == np.uint64
    assert sum(v.shape[1] for v in d.action_dict().values()) == d.actions.shape[1]
    assert all(v.shape[0] == $steps for v in d.obs.values()) and d.status == 'timeout'
    assert [x.name for x in ds.demos(mask='valid')] == ['demo_%d' % j for j in range(9, $np, 10)]
"

# 3. Tampering: one action changed => replay names the demo and the first diverging step.
# The table-bussing demo (its arm servos follow an action at once; a base behind an
# acceleration limit may not see a changed target within a few steps).
"$py" -c "
import h5py
f = h5py.File('pilot.hdf5', 'r+')
a = f['data/demo_$T/actions']
row = a[7]; row[0] += 0.5; a[7] = row
"
expect_rc 1 replay pilot.hdf5 --verify
check "tampered action found at its step" has out "demo_$T: DIVERGED at step 8 of $steps"
check "the other demos still verify" has out "replay: $((np - 1)) demos verified, 1 diverged"
expect_rc 0 replay pilot.hdf5 --demo 4 --verify

# 4. Bad input: a clear message and a non-zero exit.
echo "not hdf5" >junk.hdf5
expect_rc 3 info junk.hdf5
check "non-HDF5 file named" has err "junk.hdf5: not an HDF5 file"
expect_rc 3 replay missing.hdf5 --verify
check "missing file named" has err "missing.hdf5: No such file"
expect_rc 3 record "$src"/scenes/pilot/retail_shelf_picking.lua --episodes 1 --steps 5 --out pilot.hdf5 --quiet
check "another run's file refused" has err "pilot.hdf5 holds another run"
expect_rc 2 record "$src"/scenes/pilot/retail_shelf_picking.lua --out x.hdf5
expect_rc 1 replay pilot.hdf5 --demo $T --verify

# 4b. Per-step hashes are ps_world_state_digest's (attribute state_hash_fn); a file from
# before (no attribute, ps_world_state_hash at every step) still verifies and restores;
# an unknown function is refused. The recorder filters chunks itself: they must be the
# bytes HDF5's own shuffle and deflate write (a partial last chunk included).
tray=$src/scenes/pilot/restaurant_tray_delivery.lua
expect_rc 0 record "$tray" --episodes 1 --steps 60 --out hfn.hdf5 --quiet
check "state_hash_fn names ps_world_state_digest" pyq hfn.hdf5 '
f["data/demo_0"].attrs["state_hash_fn"] == "ps_world_state_digest"'
cp hfn.hdf5 old.hdf5
"${pyimp[@]}" -c "
import h5py, numpy as np, pilotsim
from pilotsim import dataset
with dataset.open('old.hdf5') as ds, pilotsim.make('$tray') as env:
    d = ds['demo_0']
    fnv = []
    for i in range(d.num_samples):
        d.restore(env, i)
        assert env.state_digest() == int(d.state_hashes[i]), i
        fnv.append(env.state_hash())
with h5py.File('old.hdf5', 'r+') as f:
    g = f['data/demo_0']
    del g.attrs['state_hash_fn']
    g['state_hashes'][:] = np.array(fnv, dtype=np.uint64)
"
expect_rc 0 replay old.hdf5 --verify
check "a file of ps_world_state_hash values (before session 6) verifies" has out "replay: 1 demo verified, 0 diverged"
check "pilotsim.dataset restores it too" "${pyimp[@]}" -c "
import pilotsim
from pilotsim import dataset
with dataset.open('old.hdf5') as ds, pilotsim.make('$tray') as env:
    d = ds['demo_0']
    assert d.state_hash_fn == 'ps_world_state_hash'
    d.restore(env, 45)
    assert env.state_hash() == int(d.state_hashes[45])
"
"$py" -c "
import h5py
with h5py.File('old.hdf5', 'r+') as f: f['data/demo_0'].attrs['state_hash_fn'] = 'md5'
"
expect_rc 3 replay old.hdf5 --verify
check "an unknown state_hash_fn is refused by name" has err "state_hashes are of 'md5', which this pilotsim does not know"
# ctx.state tables are saved with their keys sorted: a state's bytes are the same in every
# run (Lua's table order follows string hashes seeded per process).
expect_rc 0 record "$tray" --episodes 1 --steps 60 --out hfn2.hdf5 --quiet
check "the same run records the same state bytes" pyq hfn.hdf5 '
(f["data/demo_0/states"][()] == h5py.File("hfn2.hdf5", "r")["data/demo_0/states"][()]).all()'
expect_rc 0 record "$src"/scenes/pilot/logistics_parcel_sorting.lua --episodes 1 --steps 1500 --state-every 1 --out chunks.hdf5 --quiet
# The recorder filters chunks itself (shuffle as HDF5 does, then libdeflate in zlib's
# format): every chunk must inflate to the very bytes HDF5's own filters produce from
# the values it reads back, and be no larger than zlib's.
check "chunks inflate to the bytes HDF5's own filters make, and are no larger" "$py" -c "
import h5py, zlib
src = h5py.File('chunks.hdf5', 'r')
out = h5py.File('rewritten.hdf5', 'w')
n = ours = theirs = 0
for name in ['obs/' + k for k in src['data/demo_0/obs']] + ['actions', 'rewards', 'dones', 'state_hashes', 'states']:
    d = src['data/demo_0/' + name]
    assert d.compression == 'gzip', name
    e = out.create_dataset(name, shape=d.shape, dtype=d.dtype, chunks=d.chunks, compression='gzip',
                           compression_opts=1, shuffle=d.shuffle)
    e[...] = d[...]
    assert d.id.get_num_chunks() == e.id.get_num_chunks(), name
    for i in range(d.id.get_num_chunks()):
        off = d.id.get_chunk_info(i).chunk_offset
        mask, a = d.id.read_direct_chunk(off)
        _, b = e.id.read_direct_chunk(off)
        assert mask == 0 and zlib.decompress(a) == zlib.decompress(b), (name, i)
        n += 1
        ours += len(a)
        theirs += len(b)
assert src['data/demo_0/states'].shape[0] % src['data/demo_0/states'].chunks[0], 'no partial chunk'
assert n > 20, n
assert ours <= theirs, (ours, theirs)
"
expect_rc 0 replay chunks.hdf5 --verify
check "HDF5's filters read them back to the recorded run (the C reader: replay verifies every step)" \
  has out "replay: 1 demo verified, 0 diverged"

# bench --record: its figures' relations, not timings (a short scene, 2 runs a mode).
expect_rc 0 bench --record --scene "$src"/scenes/examples/pendulum.lua --episodes 1 --repeat 2 --json
check "bench --record: best <= median, page faults, instructions (or null: no counter), MB" "$py" -c "
import json
d = json.load(open('out'))
assert d['repeat'] == 2 and d['episodes'] == 1
sc = d['scenes'][0]
assert sc['steps'] > 0
modes = sc['modes']
assert [m['mode'] for m in modes] == ['eval (no recording)', 'eval --record (default states)', 'record --state-every 1']
for m in modes:
    assert 0 < m['wall_time'] <= m['wall_time_median'] and 0 < m['cpu_time'] <= m['cpu_time_median'], m
    assert m['page_faults_median'] > 0, m
    i = m['instructions_median']
    assert (i is None) == (m['instructions_overhead_pct'] is None) and (i is None or i > 1e6), m
base = modes[0]
for m in modes[1:]:
    assert m['mb_per_1000_steps'] > 0, m
    assert abs(m['cpu_overhead_pct_median'] - 100 * (m['cpu_time_median'] / base['cpu_time_median'] - 1)) < 3, m
    assert m['page_faults_median'] > base['page_faults_median'], m
"
expect_rc 0 bench --record --scene "$src"/scenes/examples/pendulum.lua --episodes 1 --repeat 1
check "bench --record's table has best and median columns" has out "median"

# 5. SIGKILL mid-recording: a readable file with every finished demo; a rerun resumes.
scene=$src/scenes/pilot/underground_tunnel_inspection.lua
"$ps" record "$scene" --episodes 6 --steps 400 --out kill.hdf5 --jobs 1 --quiet 2>kill.err &
pid=$!
for _ in $(seq 1 300); do
  [[ -f kill.hdf5 ]] && "$py" -c "import h5py,sys; sys.exit(0 if len(h5py.File('kill.hdf5','r')['data']) >= 2 else 1)" 2>/dev/null && break
  sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null
sleep 0.5
kept=$("$py" -c "import h5py; print(len(h5py.File('kill.hdf5','r')['data']))")
check "the killed recording's file opens and holds finished demos ($kept)" [ "$kept" -ge 2 ] && [ "$kept" -lt 6 ]
expect_rc 0 replay kill.hdf5 --verify
expect_rc 0 record "$scene" --episodes 6 --steps 400 --out kill.hdf5 --jobs 2
check "rerun resumes" has err "resuming kill.hdf5: $kept demos kept"
check "rerun completes the run" pyq kill.hdf5 'sorted(f["data"].keys()) == ["demo_%d" % i for i in range(6)] and int(f["data"].attrs["total"]) == 2400'
check "no parts left" [ ! -e kill.hdf5.parts ]
expect_rc 0 replay kill.hdf5 --verify
# States every 100 steps by default; Demo.restore reaches any step from the one before it.
check "default: a state every 100 steps, other rows empty" pyq kill.hdf5 '
(g := f["data/demo_3"]).attrs["state_every"] == 100 and
[i for i in range(400) if g["states"][i].any()] == [0, 100, 200, 300]'
check "Demo.restore: any step exactly (from the stored state before it and the actions)" "${pyimp[@]}" -c "
import pilotsim
from pilotsim import dataset
with dataset.open('kill.hdf5') as ds, pilotsim.make('$scene') as env:
    d = ds['demo_3']
    for i in (0, 57, 100, 399, 250):
        d.restore(env, i)
        assert env.state_digest() == int(d.state_hashes[i]), i
    d.restore(env, 400)
    assert env.state_hash() == int(d.attrs['final_hash'], 16)
    assert env.observation()['scan'].shape == d.obs['scan'].shape[1:]
    d.restore(env, 250)
    assert all((env.observation()[k] == d.obs[k][250]).all() for k in d.obs)
"
# The parcel sorter welds a parcel to its tool (a new joint: another world structure) a
# little before step 1900: Demo.restore looks up the stored state it needs in its index of
# stored steps and their structures, in the running episode or, when that cannot take it,
# the latest before the weld in a fresh one.
parcel=$src/scenes/pilot/logistics_parcel_sorting.lua
expect_rc 0 record "$parcel" --episodes 1 --steps 2000 --state-every 100 --out parcel.hdf5 --quiet
check "Demo.restore across a change of the world's structure (index of stored states)" "${pyimp[@]}" -c "
import numpy as np, pilotsim
from pilotsim import dataset
with dataset.open('parcel.hdf5') as ds, pilotsim.make('$parcel') as env:
    d = ds['demo_0']
    steps, structures = d.stored_states()
    assert list(steps) == list(range(0, 2000, 100)), steps
    changed = steps[structures != structures[0]]
    assert changed.size and changed[0] > 0 and all(changed == steps[steps >= changed[0]]), changed
    for i in (int(changed[0]) + 50, int(changed[0]) + 60, 1999, 120, int(changed[0]) + 1):
        d.restore(env, i)
        assert env.state_digest() == int(d.state_hashes[i]), i
"

# 6. Shards and merge: exactly once.
for i in 0 1 2; do
  expect_rc 0 record "$scene" --episodes 5 --steps 30 --out shard$i.hdf5 --shard $i/3 --quiet
done
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=3 expect_rc 0 record "$scene" --episodes 5 --steps 30 --out env1.hdf5 --quiet
check "Slurm index variables shard as --shard" pyq env1.hdf5 'sorted(f["data"].keys()) == ["demo_1", "demo_4"]'
expect_rc 3 merge shard0.hdf5 shard1.hdf5 --out part.hdf5
check "missing demos named" has err "demo_2 is missing"
expect_rc 3 merge shard0.hdf5 shard1.hdf5 shard2.hdf5 env1.hdf5 --out dup.hdf5
check "duplicates named" has err "demo_1 is in both shard1.hdf5 and env1.hdf5"
check "failed merges write nothing" [ ! -e part.hdf5 ] && [ ! -e dup.hdf5 ]
expect_rc 0 merge shard2.hdf5 shard0.hdf5 shard1.hdf5 --out all.hdf5
expect_rc 0 record "$scene" --episodes 5 --steps 30 --out whole.hdf5 --quiet
check "merged shards hold the unsharded run's demos (same final hashes)" "$py" -c "
import h5py
a, b = h5py.File('all.hdf5', 'r')['data'], h5py.File('whole.hdf5', 'r')['data']
assert sorted(a.keys()) == sorted(b.keys()) == ['demo_%d' % i for i in range(5)]
for k in a:
    assert a[k].attrs['final_hash'] == b[k].attrs['final_hash'] and a[k].attrs['seed'] == b[k].attrs['seed']
    assert (a[k]['state_hashes'][:] == b[k]['state_hashes'][:]).all()
    for o in a[k]['obs']:
        assert (a[k]['next_obs'][o][:] == b[k]['next_obs'][o][:]).all() and a[k]['next_obs'][o].is_virtual
"
expect_rc 0 replay all.hdf5 --verify

# 7. Cameras: RGB images stored as uint8, chunked and compressed; eval --record.
if [[ $camera == camera ]]; then
  expect_rc 0 record "$src"/tests/scenes/record_camera.lua --policy "$src"/tests/policies/record_camera_policy.lua --episodes 1 --param size=32 --out cam.hdf5 --quiet
  check "RGB camera as uint8 [N, 32, 32, 3], gzip" pyq cam.hdf5 '
(d := f["data/demo_0/obs/front"]).dtype == np.uint8 and d.shape == (200, 32, 32, 3) and d.compression == "gzip"
and d[:].max() > 100 and d.chunks[1:] == (32, 32, 3) and f["data/demo_0/obs/ball"].dtype == np.float32
and str(np.asarray(f["data/demo_0"].attrs["instruction"]).astype(str)) == "keep the ball in view"'
  expect_rc 0 replay cam.hdf5 --verify
  # The camera renders at 10 Hz: most steps repeat the image before, which the recorder
  # stores without converting or compressing it again. Every stored image, repeated or
  # not, is the one the camera gave at that step.
  check "stored images (repeated ones too) are the camera's at their step" env PILOTSIM_GL=${PILOTSIM_GL:-egl} "${pyimp[@]}" -c "
import numpy as np, pilotsim
from pilotsim import dataset
with dataset.open('cam.hdf5') as ds, pilotsim.make('$src/tests/scenes/record_camera.lua', params={'size': 32}) as env:
    d = ds['demo_0']
    img = d.obs['front']
    assert 1 < len(np.unique(img.reshape(len(img), -1), axis=0)) < len(img) // 2
    for i in (0, 1, 9, 10, 11, 57, 199):
        d.restore(env, i)
        want = np.rint(np.clip(env.observation()['front'], 0, 1) * 255).astype(np.uint8)
        assert (img[i] == want).all(), i
"
  if [[ $video == 1 ]]; then
    expect_rc 0 replay cam.hdf5 --demo 0 --verify --video demo0.mp4 --video-size 160x120
    "$probe" video demo0.mp4 >probe.txt 2>&1
    check "replay --video: 2 s at 30 fps = 61 frames ($(cat probe.txt))" grep -q "frames=61 width=160 height=120" probe.txt
  fi
  expect_rc 2 replay cam.hdf5 --video all.mp4
  expect_rc 0 eval "$src"/tests/scenes/record_camera.lua --policy "$src"/tests/policies/record_camera_policy.lua --episodes 2 --param size=16 --record evrec --quiet
  expect_rc 0 merge evrec/demo_0.hdf5 evrec/demo_1.hdf5 --out ev.hdf5
  expect_rc 0 replay ev.hdf5 --verify
  check "eval --record demos verified" has out "replay: 2 demos verified"
fi

# 8. eval --record ends an episode as eval does: a policy peer that dies is policy_error
# (an infrastructure failure, which eval retries), not script_error; its demo is kept.
cat >cart.lua <<'EOF'
local cart
return { name = 'cart', timestep = 0.01, time_limit = 5,
  observation = { x = {shape = {2}, fn = function(ctx, out) out[1] = cart:pos() out[2] = cart:linvel() end} },
  action = { force = {shape = {1}, low = -20, high = 20} },
  build = function(world, ctx) cart = world:body{pos = {1, 0, 0}, mass = 1, gravity = false} end,
  act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end,
}
EOF
expect_rc 3 eval cart.lua --policy "exec:$py $src/tests/policies/bad_peer.py exit3" --episodes 1 --jobs 1 \
  --record peerrec --out peer.jsonl --quiet
check "eval --record: a dead peer is policy_error" has peer.jsonl '"status":"policy_error"'
check "eval --record: the message names the exit" has peer.jsonl 'exited with status 3'
check "eval --record: its demo says policy_error" pyq peerrec/demo_0.hdf5 \
  'f["data/demo_0"].attrs["status"] == "policy_error"'

echo "test_dataset: $checks checks, $failed failed"
[[ $failed == 0 ]]
