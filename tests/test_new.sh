#!/usr/bin/env bash
# pilotsim new NAME: the scaffold a tutorial starts from passes check, luacheck and a
# 6-episode eval with every episode a success; bad names and existing files are usage errors.
# usage: test_new.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"

expect_rc 0 new my_task --dir "$tmp/work"
check "scene written" test -s "$tmp/work/my_task.lua"
check "policy written beside it" test -s "$tmp/work/my_task_policy.lua"
expect_rc 0 check "$tmp/work/my_task.lua"
check "check: no warnings" has "$tmp/out" "check: ok (0 warnings)"
if command -v luacheck >/dev/null; then
  (cd "$src" && luacheck --no-color -q --config .luacheckrc "$tmp/work") >"$tmp/lc" 2>&1
  check "scaffold is luacheck-clean" has "$tmp/lc" "^Total: 0 warnings / 0 errors"
fi
(cd "$tmp/work" && "$ps" eval my_task.lua --episodes 6 --jobs 2 --min-success 1 --out "$tmp/ev.jsonl") >"$tmp/out" 2>&1
rc=$?
check "eval of the scaffold passes (exit 0)" test "$rc" = 0
check "6 of 6 successes" has "$tmp/out" "success=6"
check "its baseline policy was the file beside it" has "$tmp/ev.jsonl" '"policy":"my_task_policy"'

expect_rc 2 new my_task --dir "$tmp/work"
check "an existing file is not overwritten" has "$tmp/err" "exists (--force overwrites it)"
expect_rc 0 new my_task --dir "$tmp/work" --force
expect_rc 2 new 9lives
expect_rc 2 new "a-b"
expect_rc 2 new
expect_rc 0 new --help

echo "test_new: $checks checks, $failed failed"
[[ $failed == 0 ]]
