#!/usr/bin/env bash
# Editor support for scene authors: the LuaLS stubs and .luacheckrc are what
# tools/lua-api/gen.py writes from the API table; every method the runtime registers
# has a stub and every stub a method (a binding added without a stub fails here);
# `luacheck scenes scripts` is clean with the sandbox's std and flags what the
# sandbox removes (os, io, debug).
# usage: test_lua_api.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"
stubs=$src/tools/lua-api/types/pilotsim.lua
cov=$src/tests/scenes/api_stub_coverage.lua

check "generated stubs and .luacheckrc are up to date" /usr/bin/python3 "$src/tools/lua-api/gen.py" --check

# The runtime's methods against the stubs, both ways.
expect_rc 0 run "$cov" --trusted --param "stubs=$stubs" --quiet
# ... and the check can fail: a stub file missing one method, and one with an extra.
grep -v '^function Body:mass(' "$stubs" >"$tmp/missing.lua"
expect_rc 3 run "$cov" --trusted --param "stubs=$tmp/missing.lua" --quiet
check "a missing stub is named" grep -q "Body:mass has no stub" "$tmp/err"
{ cat "$stubs"; printf '\nfunction Joint:spin() end\n'; } >"$tmp/extra.lua"
expect_rc 3 run "$cov" --trusted --param "stubs=$tmp/extra.lua" --quiet
check "a stub without a binding is named" grep -q "Joint:spin is stubbed but not registered" "$tmp/err"

# luacheck with the sandbox's std.
check "luacheck is installed (tools/setup-deps.sh)" bash -c 'command -v luacheck >/dev/null'
(cd "$src" && luacheck --no-color -q scenes scripts) >"$tmp/lc" 2>&1
check "luacheck scenes scripts is clean" grep -q "^Total: 0 warnings / 0 errors" "$tmp/lc" || cat "$tmp/lc" >&2
printf 'local t = os.clock() + io.read("n")\nreturn debug.traceback(t)\n' >"$tmp/bad.lua"
(cd "$src" && luacheck --no-color --config .luacheckrc "$tmp/bad.lua") >"$tmp/lc" 2>&1
for g in os io debug; do
  check "luacheck flags $g" grep -q "undefined variable '$g'" "$tmp/lc"
done
printf 'return math.normal(0, 1) + math.random()\n' >"$tmp/good.lua"
(cd "$src" && luacheck --no-color --config .luacheckrc "$tmp/good.lua") >"$tmp/lc" 2>&1
check "math.normal is part of the std" grep -q "0 warnings" "$tmp/lc"

echo "test_lua_api: $checks checks, $failed failed"
[[ $failed == 0 ]]
