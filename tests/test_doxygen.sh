#!/usr/bin/env bash
# The API reference builds with Doxygen (Debian's doxygen) and zero warnings.
# usage: test_doxygen.sh SOURCE_DIR OUT_DIR
set -euo pipefail
src=$1 out=$2
command -v doxygen >/dev/null || { echo "FAIL: doxygen is not installed (tools/setup-deps.sh installs it)"; exit 1; }
mkdir -p "$out"
cd "$src"
log=$out/doxygen-warnings.txt
PILOTSIM_DOXYGEN_OUT=$out doxygen docs/api/Doxyfile 2>"$log" >/dev/null
if [[ -s $log ]]; then
  echo "FAIL: doxygen warnings:"; head -40 "$log"; exit 1
fi
[[ -f $out/html/index.html ]] || { echo "FAIL: no $out/html/index.html"; exit 1; }
n=$(ls "$out"/html/*_8h.html 2>/dev/null | wc -l)
(( n >= 15 )) || { echo "FAIL: only $n header pages"; exit 1; }
echo "doxygen: $n header pages, 0 warnings: 1 passed, 0 failed"
