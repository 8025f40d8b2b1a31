#!/usr/bin/env bash
# The table-driven option parser (tools/pilotsim/cli_opts.h) across every command:
# --help lists every option of the command's table, every option is known to the
# parser (an empty --opt= value is refused naming the option, never as unknown), an
# unknown option exits 2 naming it, the command and the nearest option, a bad value
# exits 2 naming option and value, --opt=value works like --opt value; and
# docs/cli.md is what `pilotsim help --markdown` prints (when the build has every
# command: HDF5 datasets and the renderer; `view` lives in the renderer plugin, so a build
# without the renderer has no view table).
# usage: test_cli_opts.sh PILOTSIM SOURCE_DIR HAVE_HDF5(0|1) HAVE_RENDER(0|1)
set -u
ps=$1
src=$2
have_hdf5=${3:-1}
have_render=${4:-1}
full=0
[[ $have_hdf5 == 1 && $have_render == 1 ]] && full=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"

scene=$src/scenes/examples/pendulum.lua
commands=(run eval merge compare report list check new bench)
[[ $have_hdf5 == 1 ]] && commands+=(record replay info)
[[ $have_render == 1 ]] && commands+=(view)

"$ps" help --markdown >"$tmp/cli.md" 2>"$tmp/md.err"
md_rc=$?
[[ $full == 1 ]] && check "help --markdown exits 0" test "$md_rc" = 0

# The option names of one command's section of the Markdown reference (its table).
options_of() {
  awk -v cmd="## pilotsim $1" '$0 == cmd {on = 1; next} /^## pilotsim / {on = 0} on' "$tmp/cli.md" |
    grep -o '^| `-[^` ]*' | sed 's/^| `//' | sed 's/^-., //' | sort -u
}

total=0
declare -A tried # each option name is fed to the parser once (the shared groups recur)
for cmd in "${commands[@]}"; do
  expect_rc 0 "$cmd" --help
  cp "$tmp/out" "$tmp/help"
  check "$cmd --help starts with its usage" has "$tmp/help" "^usage: pilotsim $cmd"
  check "$cmd --help lists -h, --help" has "$tmp/help" "^  -h, --help"
  opts=$(options_of "$cmd")
  check "$cmd has options in docs/cli.md's table" test -n "$opts"
  for opt in $opts; do
    total=$((total + 1))
    check "$cmd --help lists $opt" grep -qE -- "^  (-., )?$opt( |\$)" "$tmp/help"
    [[ -n ${tried[$opt]:-} ]] && continue
    tried[$opt]=1
    # Known to the parser: an empty value (or a value given to a flag) is refused naming it.
    expect_rc 2 "$cmd" "$opt="
    check "$cmd $opt= names $opt" has "$tmp/err" "^pilotsim $cmd: $opt"
    check "$cmd $opt is not unknown" bash -c "! grep -q 'unknown option' '$tmp/err'"
  done
  expect_rc 2 "$cmd" --no-such-option
  check "$cmd: unknown option named with the command" has "$tmp/err" "^pilotsim $cmd: unknown option '--no-such-option'"
done
check "every command's table has options ($total)" test "$total" -gt 60

# The nearest option is suggested.
expect_rc 2 run "$scene" --sed 1
check "run --sed suggests --seed" has "$tmp/err" "unknown option '--sed' (did you mean --seed?)"
expect_rc 2 eval "$scene" --episode 1
check "eval --episode suggests --episodes" has "$tmp/err" "did you mean --episodes?"
expect_rc 2 run "$scene" --policy-tmeout=3
check "a group's option is suggested too" has "$tmp/err" "unknown option '--policy-tmeout' (did you mean --policy-timeout?)"

# A bad value names the command, the option and the value, for every command.
bad() { # bad CMD EXPECTED ARGS...
  local cmd=$1 want=$2; shift 2
  expect_rc 2 "$cmd" "$@"
  check "$cmd $*: '$want'" grep -qF -- "$want" "$tmp/err"
}
bad run "pilotsim run: --seed needs a non-negative integer, got 'x'" "$scene" --seed x
bad run "pilotsim run: --steps needs a positive integer, got '0'" "$scene" --steps=0
bad run "pilotsim run: --param needs NAME=VALUE, got 'oops'" "$scene" --param oops
bad run "pilotsim run: --policy-hz needs a rate > 0 (calls per second), got '-1'" "$scene" --policy-hz=-1
bad eval "pilotsim eval: --episodes needs a positive integer, got 'many'" "$scene" --episodes many
bad eval "pilotsim eval: --shard needs i/k with 0 <= i < k, got '3/3'" "$scene" --episodes 1 --shard=3/3
bad eval "pilotsim eval: --timeout needs seconds (0 = none), got '-5'" "$scene" --episodes 1 --timeout -5
bad merge "pilotsim merge: --min-success needs a rate in [0, 1] or a percentage, got '150%'" a.jsonl --min-success=150%
bad compare "pilotsim compare: --alpha needs a level between 0 and 1, got '1'" a b --alpha 1
bad report "pilotsim report: --videos needs a count of episodes per scene in 0..1000, got '5000'" a --videos=5000
if [[ $have_render == 1 ]]; then
  bad view "pilotsim view: --msaa needs 0, 2, 4, 8 or 16 samples, got '3'" "$scene" --msaa=3
  bad view "pilotsim view: --speed needs 1/16..16 (e.g. 1/4, 0.5, 8) or max, got '1/32'" "$scene" --speed 1/32
else
  expect_rc 0 view --help
  check "view --help without the renderer says so" has "$tmp/out" "this build has no renderer"
  expect_rc 3 view "$scene"
  check "view without the renderer says so" has "$tmp/err" "built without the renderer"
fi
bad list "pilotsim list: --json takes no value (got '--json=yes')" --json=yes
bad check "pilotsim check: --memory-limit needs a number of MiB (0 = no cap), got 'lots'" "$scene" --memory-limit lots
bad new "pilotsim new: --dir needs a folder" x --dir=
bad bench "pilotsim bench: --repeat needs a number of samples in 1..999, got '0'" --repeat=0
bad bench "pilotsim bench: --n needs a number of robots in 1..361, got '400'" --scale --n 400
if [[ $have_hdf5 == 1 ]]; then
  bad record "pilotsim record: --state-every needs a positive integer, got '0'" "$scene" --state-every=0
  bad replay "pilotsim replay: --demo needs a demo index, got 'first'" x.hdf5 --demo first
  bad info "pilotsim info: --json takes no value (got '--json=1')" x.hdf5 --json=1
fi
# Positional arguments: missing ones and extra ones are named.
bad run "pilotsim run: missing SCENE" --seed=3
bad run "pilotsim run: unexpected argument 'extra.lua'" "$scene" extra.lua
bad compare "pilotsim compare: missing two JSONL files" only.jsonl
bad info "unexpected argument" a.hdf5 b.hdf5

# --opt=value is --opt value: the same episode, the same hash.
expect_rc 0 run "$scene" --seed 3 --steps 50 --param angle0=20
cp "$tmp/out" "$tmp/spaced"
expect_rc 0 run "$scene" --seed=3 --steps=50 --param=angle0=20
check "run --seed=3 --steps=50 --param=... prints what the spaced form does" \
  diff <(sed 's/wall_time=[0-9.]*s//' "$tmp/out") <(sed 's/wall_time=[0-9.]*s//' "$tmp/spaced")
check "run --seed=3 ran 50 steps" has "$tmp/out" "steps=50 "
expect_rc 0 run "$scene" --seed=4 --steps=50
check "another seed gives another state" bash -c "! cmp -s <(grep -o 'hash=[0-9a-f]*' '$tmp/out') <(grep -o 'hash=[0-9a-f]*' '$tmp/spaced')"
# A scalar given twice keeps the last value; a repeatable one keeps each.
expect_rc 0 run "$scene" --seed 9 --seed=3 --steps 50 --param angle0=20
check "the last --seed wins" bash -c "diff <(grep -o 'hash=[0-9a-f]*' '$tmp/out') <(grep -o 'hash=[0-9a-f]*' '$tmp/spaced')"
expect_rc 0 eval "$scene" --episodes=2 --jobs=1 --quiet --out="$tmp/r.jsonl" --seed=5
check "eval --episodes=2 --out=FILE wrote two records" test "$(wc -l <"$tmp/r.jsonl")" = 2
expect_rc 0 new demo_scene --dir="$tmp/new" --force
check "new --dir=DIR wrote there" test -f "$tmp/new/demo_scene.lua"
expect_rc 0 list "$src/scenes/examples" --json
check "list DIR --json lists DIR's scenes" has "$tmp/out" '"name":"pendulum"' 
expect_rc 0 compare "$tmp/r.jsonl" "$tmp/r.jsonl" --alpha=0.01
expect_rc 0 merge "$tmp/r.jsonl" --min-success=0% --out="$tmp/m.jsonl"
check "merge --out=FILE wrote it" test -s "$tmp/m.jsonl"
# `--` ends the options: a file named like an option is a positional argument.
expect_rc 3 run -- --weird.lua
check "after --, '--weird.lua' is a scene" has "$tmp/err" "error: --weird.lua: cannot open"

# pilotsim help COMMAND is COMMAND --help.
expect_rc 0 help eval
check "help eval prints eval's usage" has "$tmp/out" "^usage: pilotsim eval"
expect_rc 2 help nosuch

# docs/cli.md is generated from the tables and must not be stale.
if [[ $full == 1 ]]; then
  if ! diff -u "$src/docs/cli.md" "$tmp/cli.md" >"$tmp/cli.diff"; then
    check "docs/cli.md is up to date (regenerate: pilotsim help --markdown > docs/cli.md)" false
    head -40 "$tmp/cli.diff" >&2
  else
    check "docs/cli.md is up to date" true
  fi
else
  echo "test_cli_opts: built without libhdf5 or the renderer: docs/cli.md not compared (commands missing)"
fi

echo "test_cli_opts: $checks checks, $failed failed"
[[ $failed == 0 ]]
