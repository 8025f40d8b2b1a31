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
