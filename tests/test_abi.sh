#!/usr/bin/env bash
# libpilotsim.so exports exactly the documented public API: every dynamic symbol is a
# ps_ function declared in a public header with a `///` comment (on the declaration or in the
# comment block right above its group of declarations), and nothing private leaks out
# (hidden visibility, sim/include/pilotsim/export.h).
# usage: test_abi.sh LIBPILOTSIM_SO SOURCE_DIR
set -eu
lib=$1 src=$2
nm -D --defined-only "$lib" | awk '$2 ~ /[TDBR]/ {print $3}' | sort >"${TMPDIR:-/tmp}/ps_abi_$$.txt"
trap 'rm -f "${TMPDIR:-/tmp}/ps_abi_$$.txt"' EXIT
/usr/bin/python3 - "${TMPDIR:-/tmp}/ps_abi_$$.txt" "$src"/sim/include/pilotsim/*.h <<'PY'
import re, sys
syms = [s for s in open(sys.argv[1]).read().split() if s]
decl = {}   # name -> (file, line, documented)
for path in sys.argv[2:]:
    lines = open(path).read().split('\n')
    doc_at = -100
    for i, line in enumerate(lines):
        t = line.strip()
        if t.startswith('///'):
            doc_at = i
            continue
        for m in re.finditer(r'\b(ps_\w+)\s*\(', line):
            name = m.group(1)
            # a declaration line (not a typedef'd function pointer or a call in a comment)
            if '(*' in line or t.startswith('//') or t.startswith('*'):
                continue
            if name not in decl:
                decl[name] = (path, i + 1, '///' in line or i - doc_at <= 6)
        if t == '' or t.startswith('#') or t.startswith('typedef') or t.startswith('}'):
            doc_at = -100 if t.startswith('#') or t.startswith('}') else doc_at
fail = []
if len(syms) < 100:
    fail.append(f'only {len(syms)} exported symbols')
for s in syms:
    if not s.startswith('ps_'):
        fail.append(f'exported symbol without the ps_ prefix: {s}')
    elif s not in decl:
        fail.append(f'{s} is exported but declared in no public header')
    elif not decl[s][2]:
        fail.append(f'{s} ({decl[s][0]}:{decl[s][1]}) has no /// comment')
for s in ('luaopen_ps', 'ps_log_emit', 'ps_ode_guard_begin', 'ps_lua_sandbox_open'):
    if s in syms:
        fail.append(f'internal symbol {s} exported')
for f in fail:
    print('FAIL:', f)
print(f'abi: {len(syms)} exported symbols checked: {len(syms) - len(fail)} passed, {len(fail)} failed')
sys.exit(1 if fail else 0)
PY
