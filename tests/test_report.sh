#!/usr/bin/env bash
# The HTML report and eval's progress: `pilotsim report` on a known results
# file is opened in headless Chromium (Debian's chromium) and the screenshot's
# pixels are checked where the charts must be (status bars in the right
# colours and proportions, success-rate bars of the right lengths); the HTML
# holds no external URL, script or stylesheet link; a replay command taken from
# the report reproduces its episode; A/B reports carry compare's test; the
# progress bar on a terminal, one line per N% without one, --quiet; --videos
# embeds the failed episodes' videos (MP4 box header and decoded PNG checked).
# usage: test_report.sh PILOTSIM [RENDER: 1 built with the renderer (default), 0 without]
set -u
ps=$1
render=${2:-1}
py=/usr/bin/python3
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_COUNT JOB_COMPLETION_INDEX PILOTSIM_SHARD_COUNT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ps_out=.
source "$(dirname "$0")/sh_harness.sh"
cd "$tmp" || exit 1

browser=$(command -v chromium || true)
if [[ -z $browser ]]; then
  echo "test_report: Debian's chromium is not installed (tools/setup-deps.sh installs it)" >&2
  exit 1
fi

# A known results file: alpha 8 success + 2 failure; beta 3 success, 5 failure,
# 2 timeout (one record of each written by a real eval gives the fields).
cat >coin.lua <<'EOF'
return { name = "coin", timestep = 0.01, time_limit = 1,
  params = { p = { default = 0.6, min = 0, max = 1 }, g = { default = 1, min = 0.5, max = 2, randomize = true } },
  build = function(world, ctx) ctx.state.win = math.random() < ctx.params.p ctx.state.r = math.random() end,
  reward = function(ctx) return ctx.state.r end,
  failure = function(ctx) return (not ctx.state.win) and ctx.t >= 0.2, "lost the toss <&>" end,
  success = function(ctx) return ctx.state.win and ctx.t >= 0.1 end,
  metrics = function(ctx) return { r = ctx.state.r, safety_violations = ctx.state.r < 0.3 and 1 or 0 } end,
}
EOF
expect_rc 0 eval coin.lua --episodes 24 --jobs 2 --out real.jsonl --html real.html --quiet
check "eval --html writes the report" has real.html "pilotsim evaluation"
"$py" - real.jsonl <<'EOF'
import json, sys
base = json.loads(open(sys.argv[1]).readline())
with open("known.jsonl", "w") as f:
    for name, statuses in (("alpha", ["success"] * 8 + ["failure"] * 2),
                           ("beta", ["success"] * 3 + ["failure"] * 5 + ["timeout"] * 2)):
        for e, st in enumerate(statuses):
            f.write(json.dumps(dict(base, scene=name, path=name + ".lua", episode=e, episodes=10, scenes=2,
                                    seed=1000 + e, status=st, message="" if st == "success" else "why " + st)) + "\n")
EOF
expect_rc 0 report known.jsonl --html known.html
check "report names its output" has err "report: known.html"

# No network: no external URL, no script, no stylesheet or image link.
no_external() {
  ! grep -Eiq '(https?|ftp|file|data|javascript):|//[a-z0-9.-]+\.[a-z]|<script|<link|<img|<iframe|@import|url\(' "$1" &&
  ! grep -Eo '(href|src)="[^"]*"' "$1" | grep -Ev '^(href|src)="(#[a-z0-9-]+|[A-Za-z0-9_./-]+\.(jsonl|xml))"$' | grep -q .
}
check "known.html: no external URL" no_external known.html
check "real.html: no external URL" no_external real.html
check "text is escaped" has real.html "lost the toss &lt;&amp;&gt;"

shot() { # shot HTML PNG
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$(mktemp -d -p "$tmp")" --hide-scrollbars \
    --force-device-scale-factor=1 --window-size=1280,1400 --screenshot="$2" "file://$tmp/$1" >shot.log 2>&1
}
shot known.html known.png
check "chromium took a screenshot" test -s known.png
"$py" - known.png <<'EOF' >pixels.txt 2>&1
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
        bpp = 4 if ctype == 6 else 3
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
rows, prev, i = [], bytearray(stride), 0
for y in range(h):
    f = raw[i]; cur = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = cur[x - bpp] if x >= bpp else 0
        b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: cur[x] = (cur[x] + a) & 255
        elif f == 2: cur[x] = (cur[x] + b) & 255
        elif f == 3: cur[x] = (cur[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            cur[x] = (cur[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append([tuple(cur[x:x + 3]) for x in range(0, stride, bpp)])
    prev = cur
def rgb(s): return tuple(int(s[k:k + 2], 16) for k in (1, 3, 5))
GREEN, RED, YELLOW = rgb("#2e7d32"), rgb("#c62828"), rgb("#f9a825")
BLUE, TRACK = rgb("#1565c0"), rgb("#e3e3e3")
def bands(colours, min_px):
    """Runs of consecutive rows holding at least min_px pixels of the colours: per band, the row with most."""
    out, cur = [], None
    for y, row in enumerate(rows):
        counts = {c: sum(1 for p in row if p == c) for c in colours}
        if sum(counts.values()) >= min_px:
            if cur is None or y != cur[0] + 1:
                cur = [y, counts]; out.append(cur)
            else:
                cur[0] = y
                if sum(counts.values()) > sum(cur[1].values()): cur[1] = counts
    return [b[1] for b in out]
# Status bars: 520 px wide, alpha 8:2 green:red, beta 3:5:2 green:red:yellow.
st = bands((GREEN, RED, YELLOW), 300)
assert len(st) == 2, ("status bands", len(st), st)
total = [sum(b.values()) for b in st]
assert all(abs(t - 520) <= 3 for t in total), total
a, b = st
assert abs(a[GREEN] - 416) <= 3 and abs(a[RED] - 104) <= 3 and a[YELLOW] == 0, a
assert abs(b[GREEN] - 156) <= 3 and abs(b[RED] - 260) <= 3 and abs(b[YELLOW] - 104) <= 3, b
# Success-rate bars on their grey track: alpha 80%, beta 30% of 520 px.
rt = bands((BLUE, TRACK), 100)  # the interval line crosses the bar's middle rows
assert len(rt) == 2, ("rate bands", len(rt))
fr = [r[BLUE] / (r[BLUE] + r[TRACK]) for r in rt]
assert abs(fr[0] - 0.8) < 0.02 and abs(fr[1] - 0.3) < 0.02, fr
print("pixels ok: status", [dict((("g", x[GREEN]), ("r", x[RED]), ("y", x[YELLOW]))) for x in st],
      "rates %.3f %.3f" % tuple(fr))
EOF
check "pixels where the bars must be ($(tail -n 1 pixels.txt))" has pixels.txt "pixels ok"

# A replay command from the report reproduces its episode (same final hash).
"$py" - real.html real.jsonl <<'EOF' >replay.txt
import html, json, re, sys
text = open(sys.argv[1]).read()
cmds = [html.unescape(c) for c in re.findall(r"<code>(pilotsim run [^<]*)</code>", text)]
recs = {r["seed"]: r for r in map(json.loads, open(sys.argv[2]))}
cmd = cmds[0]
seed = int(re.search(r"--seed (\d+)", cmd).group(1))
print(cmd[len("pilotsim "):], recs[seed]["hash"])
EOF
read -r -a words < <(sed 's/ [0-9a-f]*$//' replay.txt)
want=$(awk '{print $NF}' replay.txt)
"$ps" "${words[@]}" --json >replay.json 2>/dev/null
check "the report's replay command gives the recorded hash ($want)" has replay.json "\"hash\":\"$want\""
check "failures carry the drawn params" "$py" -c '
import re, sys
t = open("real.html").read()
sys.exit(0 if re.search(r"<td>g=[0-9.]+ p=0.6 </td>", t) else 1)'

# A/B: the comparison as compare computes it.
expect_rc 0 eval coin.lua --episodes 24 --jobs 2 --param p=0.95 --out hi.jsonl --quiet
expect_rc 0 report real.jsonl hi.jsonl --html ab.html
"$ps" compare real.jsonl hi.jsonl >out 2>err
read -r p padj < <("$py" -c '
import re
m = re.search(r"^coin .*?(\d\.\d{4})\s+(\d\.\d{4})", open("out").read(), re.M)
print(m.group(1), m.group(2))')
check "A/B report shows compare's p ($p) and Holm p ($padj)" has ab.html "<td>$p</td><td>$padj</td>"
check "A/B report names the test" has ab.html "Holm&ndash;Bonferroni"
check "ab.html: no external URL" no_external ab.html
shot ab.html ab.png
check "chromium renders the A/B report" test -s ab.png

if [[ $render == 0 ]]; then
  # Without the renderer --videos is refused, naming it.
  expect_rc 2 report known.jsonl --html novids.html --videos 1
  check "--videos without the renderer names it" has err "built without the renderer (PILOTSIM_RENDER=OFF)"
  expect_rc 2 eval coin.lua --episodes 1 --html novids.html --videos 1
  check "eval --videos without the renderer names it" has err "built without the renderer (PILOTSIM_RENDER=OFF)"
else
# --videos N: failed episodes re-run headless from their records, embedded as
# data: MP4 videos (PNG poster) or PNG thumbnails; one per failing scene with
# --videos 1, the lowest failing episode index; none for a scene that never fails.
cat >toss.lua <<'EOF'
return { name = "toss", timestep = 0.01, time_limit = 0.5,
  params = { p = { default = 0.5, min = 0, max = 1 } },
  view = {eye = {6, 0, 0.5}, target = {0, 0, 0.5}, fov = 40},
  build = function(world, ctx)
    ctx.state.win = math.random() < ctx.params.p
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.5, 0.5, 0.5}}
    world:geom{type = "box", size = {1, 1, 1}, pos = {0, 0, 0.5}, color = {0.9, 0.05, 0.05}}
    world:body{name = "ball", pos = {-1, 0, 2}, mass = 1,
               geoms = {{type = "sphere", radius = 0.25, color = {0.9, 0.9, 0.1}}}}
  end,
  failure = function(ctx) return (not ctx.state.win) and ctx.t >= 0.3, "lost the toss" end,
  success = function(ctx) return ctx.state.win and ctx.t >= 0.1 end,
}
EOF
sed 's/name = "toss"/name = "drop"/; s/default = 0.5/default = 0/' toss.lua >drop.lua
sed 's/name = "toss"/name = "win"/; s/default = 0.5/default = 1/' toss.lua >win.lua
expect_rc 0 eval toss.lua drop.lua win.lua --episodes 6 --jobs 2 --out vids.jsonl --quiet
expect_rc 0 report vids.jsonl --html vids.html --videos 1
check "--videos 1: one clip per failing scene (toss, drop), none for win" \
  test "$(grep -o '<figure class="clip">' vids.html | wc -l)" = 2
check "--videos: every clip has media" test "$(grep -c 'no media' vids.html)" = 0
check "--videos: a re-run reproduces its record's final state hash" test "$(grep -c 'the re-run ended' vids.html)" = 0
"$py" - vids.jsonl vids.html <<'EOF' >media.txt 2>&1
import base64, json, re, struct, sys, zlib
recs = [json.loads(l) for l in open(sys.argv[1])]
t = open(sys.argv[2]).read()
for scene in ("toss", "drop"):
    first = min(r["episode"] for r in recs if r["scene"] == scene and r["status"] != "success")
    assert re.search(r'>%s</a> episode %d, seed' % (scene, first), t), "%s: clip is not episode %d" % (scene, first)
figs = re.findall(r'<figure class="clip">(.*?)</figure>', t, re.S)
assert len(figs) == 2, figs
for fig in figs:
    uris = re.findall(r'(?:src|poster)="data:([a-z/0-9]+);base64,([A-Za-z0-9+/=]+)"', fig)
    assert uris, "no data: URI in a clip"
    for mime, b64 in uris:
        raw = base64.b64decode(b64, validate=True)
        if mime == "video/mp4":  # an ISO BMFF file: ftyp box first, a movie box, H.264 or MPEG-4 samples
            size, kind = struct.unpack(">I4s", raw[:8])
            assert kind == b"ftyp" and 8 <= size < len(raw), raw[:16]
            assert b"moov" in raw and (b"avc1" in raw or b"mp4v" in raw), "mp4 without moov/codec"
        elif mime == "image/png":  # decode: 320x180 RGB, and not one flat colour
            assert raw[:8] == b"\x89PNG\r\n\x1a\n"
            pos, idat = 8, b""
            while pos < len(raw):
                n, kind = struct.unpack(">I4s", raw[pos:pos + 8])
                if kind == b"IHDR": w, h, depth, ctype = struct.unpack(">IIBB", raw[pos + 8:pos + 18])
                if kind == b"IDAT": idat += raw[pos + 8:pos + 8 + n]
                pos += 12 + n
            assert (w, h, depth, ctype) == (320, 180, 8, 2), (w, h, depth, ctype)
            px = zlib.decompress(idat)
            assert len(px) == h * (1 + 3 * w)
            assert len(set(px)) > 8, "a flat image"
        else:
            raise AssertionError("unexpected media type " + mime)
print("media ok")
EOF
check "--videos: the chosen episodes, MP4 box header, decoded PNG ($(tail -1 media.txt))" has media.txt "media ok"
# Only the embedded media may be data: URIs; nothing else changes.
sed -E 's#(src|poster)="data:(video/mp4|image/png);base64,[A-Za-z0-9+/=]*"#\1="\#media"#g; s#<img alt#<figure-img alt#g' \
  vids.html >vids-stripped.html
check "vids.html: no external URL besides the embedded media" no_external vids-stripped.html
check "vids.html: says what it embedded" has vids.html "kB embedded"
# A size cap: nothing embedded, and the report says so.
expect_rc 0 report vids.jsonl --html capped.html --videos 1 --videos-max-mb 0
check "--videos-max-mb 0: no media" test "$(grep -c 'data:' capped.html)" = 0
check "--videos-max-mb 0: the report says it capped" has capped.html "capped at 0 kB"
# A record whose scene is gone: a placeholder naming why; the report is still written.
sed 's/"path":"drop.lua"/"path":"gone.lua"/' vids.jsonl >gone.jsonl
expect_rc 0 report gone.jsonl --html gone.html --videos 1
check "a scene that cannot be loaded: a placeholder naming the file" has gone.html "the scene gone.lua cannot be loaded"
# A record whose final state the re-run does not reach: the clip says so.
sed -E 's/"hash":"[0-9a-f]{16}"/"hash":"0000000000000001"/' vids.jsonl >otherhash.jsonl
expect_rc 0 report otherhash.jsonl --html otherhash.html --videos 1
check "a re-run that ends elsewhere than its record says so" has otherhash.html \
  "the re-run ended failure with state hash [0-9a-f]\{16\}, the record says failure with 0000000000000001"
expect_rc 2 report vids.jsonl --html bad.html --videos many
check "--videos many: names the option" has err "videos needs a count"
# eval --html --videos: the same clips in eval's own report.
expect_rc 0 eval toss.lua drop.lua win.lua --episodes 6 --jobs 2 --html evvids.html --videos 1 --quiet
check "eval --html --videos 1: one clip per failing scene" \
  test "$(grep -o '<figure class="clip">' evvids.html | wc -l)" = 2
expect_rc 2 eval toss.lua --episodes 1 --videos 1
check "eval --videos without --html says so" has err "videos needs --html"
fi

# Outputs that are not reports are refused.
echo "my notes" >notes.html
expect_rc 2 report known.jsonl --html notes.html
check "a file that is not a report is not overwritten" test "$(cat notes.html)" = "my notes"
expect_rc 2 report known.jsonl
expect_rc 3 report missing.jsonl --html x.html

# Progress: without a terminal one line per --progress-every share; --quiet
# silences it; on a terminal (script's pty) a live bar with ETA.
expect_rc 0 eval coin.lua --episodes 20 --jobs 1 --progress-every 25
check "non-terminal progress: percentage lines, the last at 100%" test "$(grep -c '^eval: .*% .*/20 episodes, .* successes (.*%), .* episodes/s, ETA' err)" -ge 2
check "non-terminal progress: ends at 100%" has err "^eval: 100% 20/20 episodes"
check "non-terminal progress: no carriage returns" test "$(grep -c $'\r' err)" = 0
expect_rc 0 eval coin.lua --episodes 20 --jobs 1 --quiet
check "--quiet: nothing on stderr" test ! -s err
expect_rc 2 eval coin.lua --episodes 2 --progress-every 0
script -qec "$ps eval $tmp/coin.lua --episodes 40 --jobs 1" /dev/null >tty.txt 2>&1
check "terminal: a live bar with successes, rate and ETA" grep -aq 'eval \[[#.]*\] [0-9]*/40, [0-9]* ok ([0-9]*%), [0-9.]* episodes/s, ETA ' tty.txt

echo "test_report: $checks checks, $failed failed"
[[ $failed == 0 ]]
