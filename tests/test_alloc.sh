#!/usr/bin/env bash
# No per-step allocation in pilotsim's step loop (world step, collision callback,
# sensors, Lua step, episode step): heap allocations counted with an LD_PRELOAD shim
# (tests/malloc_count.c), each scene run to W and to W + K steps with the same seed;
# the difference over K is the count per step after warm-up. "own" excludes ODE's
# (its sweep-and-prune space allocates its pair list every step, inside Debian's libode;
# worlds with the default space collide through pilotsim's own broad phase, sim/src/core/
# broad.c, instead of ODE's hash space, which allocated its cell lists every step).
# Bounds, per step after warm-up:
#   bench fleet (10 robots with lidars, static quadtree + SAP):  own = 0 over 3300 steps (they
#       include a rebuild of the lidars' moving tree, every 64 refits), ODE <= 10 (the SAP pair list: 6)
#   bench humanoid, diffdrive_obstacles (default space):       own = 0, ODE = 0
#   pilot restaurant_tray_delivery (people, safety monitor):  own <= 8 (its Lua: 5), ODE = 0
#   pilot logistics_amr_fleet (12 AMRs, default space since session 6): own <= 20, ODE = 0
# Also: glibc's heap trimming is off the step loop (cli_tune_malloc): in a hash-space
# fleet of 130 robots the heap neither shrinks nor grows from step to step (brk).
# usage: test_alloc.sh PILOTSIM SOURCE_DIR MALLOC_COUNT_SO
set -u
ps=$1
src=$2
shim=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$src/tests/sh_harness.sh"

# counts SCENE STEPS ARGS...: "TOTAL ODE" allocations of one run.
counts() {
  local scene=$1 steps=$2
  shift 2
  rm -f "$tmp/count"
  PS_MALLOC_COUNT_OUT=$tmp/count LD_PRELOAD=$shim "$ps" run "$scene" --seed 3 --steps "$steps" --quiet "$@" \
    >"$tmp/out" 2>"$tmp/err"
  cat "$tmp/count" 2>/dev/null || echo "0 0"
}

# per_step NAME SCENE W K OWN_BOUND ODE_BOUND ARGS...
per_step() {
  local name=$1 scene=$2 w=$3 k=$4 own_max=$5 ode_max=$6
  shift 6
  read -r t1 o1 <<<"$(counts "$scene" "$w" "$@")"
  read -r t2 o2 <<<"$(counts "$scene" $((w + k)) "$@")"
  local own ode
  own=$(awk -v a=$((t2 - o2 - t1 + o1)) -v k="$k" 'BEGIN {printf "%.3f", a / k}')
  ode=$(awk -v a=$((o2 - o1)) -v k="$k" 'BEGIN {printf "%.2f", a / k}')
  echo "test_alloc: $name: $own own + $ode ODE allocations per step after $w steps"
  check "$name: counted (the shim loaded)" test "$t1" -gt 0
  check "$name: own allocations per step $own <= $own_max" awk -v a="$own" -v b="$own_max" 'BEGIN {exit !(a <= b)}'
  check "$name: ODE allocations per step $ode <= $ode_max" awk -v a="$ode" -v b="$ode_max" 'BEGIN {exit !(a <= b)}'
}

per_step "fleet n=10" "$src/scenes/bench/fleet.lua" 300 3300 0 10 --param n=10
per_step "humanoid" "$src/scenes/bench/humanoid.lua" 300 300 0 0
per_step "diffdrive_obstacles" "$src/scenes/bench/diffdrive_obstacles.lua" 300 300 0 0
per_step "restaurant_tray_delivery" "$src/scenes/pilot/restaurant_tray_delivery.lua" 300 300 8 0
per_step "logistics_amr_fleet" "$src/scenes/pilot/logistics_amr_fleet.lua" 300 300 20 0

# Heap trimming: the fleet in the default space (130 robots, 400 obstacles): with ODE's
# hash space, which freed its cell lists at the end of every step, glibc gave the memory
# back (brk) and took it again next step without cli_tune_malloc, about 4 system calls
# per step; the own broad phase keeps its buffers.
if command -v strace >/dev/null 2>&1; then
  sed 's/world = {static_space = true, space = "sap"},/world = {},/' "$src/scenes/bench/fleet.lua" >"$tmp/fleet_hash.lua"
  check "hash-space fleet scene made" grep -q 'world = {},' "$tmp/fleet_hash.lua"
  brks() {
    PILOTSIM_MODULE_PATH=$src/scripts strace -f -c -e trace=brk -o "$tmp/strace" "$ps" run "$tmp/fleet_hash.lua" \
      --param n=130 --steps "$1" --quiet >/dev/null 2>&1
    awk '$NF == "brk" {print $4}' "$tmp/strace"
  }
  b1=$(brks 60)
  b2=$(brks 160)
  echo "test_alloc: hash-space fleet of 130: brk calls $b1 after 60 steps, $b2 after 160"
  check "no heap growing and trimming per step (brk $b1 -> $b2 over 100 steps)" test $((b2 - b1)) -le 5
else
  echo "test_alloc: strace not found: the heap trimming check is skipped" >&2
fi

echo "test_alloc: $checks checks, $failed failed"
((failed == 0))
