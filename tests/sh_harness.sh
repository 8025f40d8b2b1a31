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
