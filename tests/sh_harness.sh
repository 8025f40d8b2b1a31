# Shared helpers of the shell tests (sourced). They count into $checks and
# $failed; expect_rc runs "$ps" and keeps its output in $ps_out/out and
# $ps_out/err ($ps_out defaults to $tmp).
checks=0
failed=0

check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  checks=$((checks + 1))
  if ! "$@"; then
    failed=$((failed + 1))
    echo "FAILED: $what" >&2
  fi
}

# expect_rc CODE ARGS...: runs pilotsim ARGS and checks its exit code.
expect_rc() {
  local want=$1; shift
  local dir=${ps_out:-$tmp}
  "$ps" "$@" >"$dir/out" 2>"$dir/err"
  local rc=$?
  checks=$((checks + 1))
  if [[ $rc != "$want" ]]; then
    failed=$((failed + 1))
    echo "FAILED: pilotsim $* exited $rc, expected $want" >&2
    sed 's/^/  stdout: /' "$dir/out" >&2
    sed 's/^/  stderr: /' "$dir/err" | head -40 >&2
  fi
}

# has FILE PATTERN: grep -q for a pattern.
has() { grep -q -- "$2" "$1"; }
# calc EXPR: true when the Python expression EXPR holds (numbers the tests read from output).
calc() { /usr/bin/python3 -c "import sys; sys.exit(0 if ($1) else 1)"; }

# x_viewer_setup NAME: for tests that open viewer windows. Fails unless there is an X
# display (run under xvfb-run -a), and under AddressSanitizer points $ps at a wrapper
# that preloads Mesa's DRI driver after the ASan runtime: when GLFW closes the X display,
# Mesa dlcloses that driver and LeakSanitizer would report its still-referenced
# allocations as leaks from "<unknown module>"; kept loaded they stay reachable, and
# leaks in pilotsim's own code are still reported. Needs $ps and $tmp.
x_viewer_setup() {
  unset PILOTSIM_GL
  if [[ -z ${DISPLAY:-} ]]; then
    echo "$1: no X display: run it under xvfb-run -a (tests/CMakeLists.txt does)" >&2
    exit 1
  fi
  local asan_rt dri
  asan_rt=$(ldd "$ps" 2>/dev/null | awk '/libasan/ {print $3}')
  dri=$(ls /usr/lib/*/dri/swrast_dri.so 2>/dev/null | head -1)
  if [[ -n $asan_rt && -n $dri ]]; then
    printf '#!/bin/sh\nLD_PRELOAD=%s:%s exec %s "$@"\n' "$asan_rt" "$dri" "$ps" >"$tmp/pilotsim"
    chmod +x "$tmp/pilotsim"
    ps=$tmp/pilotsim
  fi
}

# viewer_test_start NAME PILOTSIM SOURCE_DIR: the start of the viewer tests (test_view*.sh,
# after sourcing this file): $ps, $src, $py (Debian's python3), $stats (image_stats.py), a
# fresh $tmp removed at exit (KEEP=1 keeps it and says where), then x_viewer_setup NAME.
viewer_test_start() {
  ps=$2
  src=$3
  py=/usr/bin/python3
  stats=$src/tests/python/image_stats.py
  tmp=$(mktemp -d)
  trap '[[ -n ${KEEP:-} ]] && echo "kept $tmp" || rm -rf "$tmp"' EXIT
  x_viewer_setup "$1"
}

# ---- pilot scene runs (the tests/test_pilot_pack_*.sh): they set BIN (pilotsim), SRC (the
# source tree) and T (a mktemp -d folder) before calling these.
# ok / bad MESSAGE: count a passed / failed check (bad prints the message).
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $*"; }
# field JSON KEY / num JSON KEY: a string / number field of a --json result line.
field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" <<<"$1"; }
num() { sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" <<<"$1"; }

# run SCENE SEED EXPECTED_STATUS [run args...]: runs scenes/pilot/SCENE.lua with --json and
# checks its status; the JSON result is left in $LAST.
run() {
  local scene=$1 seed=$2 want=$3
  shift 3
  local out st
  out=$("$BIN" run "$SRC/scenes/pilot/$scene.lua" --seed "$seed" --json --quiet "$@" 2>"$T/err")
  st=$(field "$out" status)
  if [ "$st" = "$want" ]; then ok; else bad "$scene seed $seed $*: status '$st', expected '$want' ($(field "$out" message)$(head -c 300 "$T/err"))"; fi
  LAST=$out
}

# expect_msg SCENE PATTERN: the last run's message matches
expect_msg() {
  if grep -q "$2" <<<"$(field "$LAST" message)"; then ok; else bad "$1: message '$(field "$LAST" message)', expected /$2/"; fi
}

# want SCENE: SCENE is one of $SCENES (the PACK_*_SCENES variables narrow a pack down).
want() { [[ " $(echo $SCENES) " == *" $1 "* ]]; }

# force SCENE PATTERN [run args...] < POLICY: runs SCENE on seed 1 with the policy read
# from stdin (baselines found with --module-path scripts); it must fail with PATTERN.
force() {
  local s=$1 pat=$2
  shift 2
  cat >"$T/$s.force.lua"
  want "$s" || return 0
  run "$s" 1 failure --policy "$T/$s.force.lua" --module-path "$SRC/scripts" "$@"
  expect_msg "$s" "$pat"
}
