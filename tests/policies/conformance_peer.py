#!/usr/bin/python3
"""A conformance peer for pilotsim's exec: and tcp:// policies (tests).

    conformance_peer.py --stdio [--report FILE] [--max-version N]
    conformance_peer.py --tcp PORTFILE [--report FILE] [--max-version N]

It checks every frame against the spaces announced in the episode's hello:
every observation entry arrives whole (the names of hello, in name order,
each with its dtype, its shape, product(shape) x itemsize data bytes and
finite values) and every name is a printable identifier. It answers every
action entry of hello (the middle of its bounds, zeros when unbounded). Any
violation is answered with an `error` message naming it, so the episode ends
as script_error with that text. --report appends one line per episode:
"episode scene=S obs=N act=M steps=K version=V". --replay FILE answers with
the actions recorded in FILE instead (per step, every action array's float32
values in name order), for the cross-interface identity test.

--tcp binds 127.0.0.1 on a free port, writes it to PORTFILE and serves one
connection at a time until killed. --max-version caps the protocol version
it accepts (1: behave as a version-1 peer).
"""

import argparse
import re
import socket
import struct
import sys

import msgpack
import numpy as np

DTYPES = {"float32": "<f4", "uint8": "u1", "int32": "<i4"}
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


class Violation(Exception):
    pass


def read_exact(rd, n):
    buf = b""
    while len(buf) < n:
        chunk = rd(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def check_spec_list(specs, what):
    names = []
    for s in specs:
        name = s.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            raise Violation("%s spec name %r is not a printable identifier" % (what, name))
        if s.get("dtype") not in DTYPES:
            raise Violation("%s '%s': unknown dtype %r" % (what, name, s.get("dtype")))
        shape = s.get("shape")
        if not (isinstance(shape, list) and 1 <= len(shape) <= 4 and all(isinstance(d, int) and d > 0 for d in shape)):
            raise Violation("%s '%s': bad shape %r" % (what, name, shape))
        n = int(np.prod(shape))
        for b in ("low", "high"):
            if s.get(b) is not None and len(s[b]) != n * np.dtype(DTYPES[s["dtype"]]).itemsize:
                raise Violation("%s '%s': %s has %d bytes for %d values" % (what, name, b, len(s[b]), n))
        names.append(name)
    if names != sorted(names) or len(set(names)) != len(names):
        raise Violation("%s names are not sorted and unique: %s" % (what, names))
    return names


def check_observation(arrays, specs):
    if list(arrays.keys()) != [s["name"] for s in specs]:
        raise Violation("observation arrays %s, hello announced %s" % (list(arrays.keys()), [s["name"] for s in specs]))
    for s in specs:
        a = arrays[s["name"]]
        if set(a.keys()) != {"dtype", "shape", "data"}:
            raise Violation("observation '%s' has keys %s" % (s["name"], sorted(a.keys())))
        if a["dtype"] != s["dtype"] or a["shape"] != s["shape"]:
            raise Violation("observation '%s' is %s %s, hello said %s %s" % (s["name"], a["dtype"], a["shape"],
                                                                           s["dtype"], s["shape"]))
        dt = np.dtype(DTYPES[s["dtype"]])
        n = int(np.prod(s["shape"]))
        if not isinstance(a["data"], bytes) or len(a["data"]) != n * dt.itemsize:
            raise Violation("observation '%s': %d data bytes, expected %d" % (s["name"], len(a["data"]), n * dt.itemsize))
        v = np.frombuffer(a["data"], dt)
        if dt.kind == "f" and not np.all(np.isfinite(v)):
            bad = int(np.flatnonzero(~np.isfinite(v))[0])
            raise Violation("observation '%s'[%d] is not finite (%r)" % (s["name"], bad, float(v[bad])))


def action_for(specs):
    out = {}
    for s in specs:
        n = int(np.prod(s["shape"]))
        if s.get("low") is not None:
            lo = np.frombuffer(s["low"], "<f4")
            hi = np.frombuffer(s["high"], "<f4")
            v = ((lo.astype(np.float64) + hi) / 2).astype("<f4")
        else:
            v = np.zeros(n, "<f4")
        out[s["name"]] = {"dtype": "float32", "shape": s["shape"], "data": v.tobytes()}
    return out


def serve(rd, wr, report, max_version, replay=None):
    def send(msg):
        body = msgpack.packb(msg, use_bin_type=True)
        wr(struct.pack(">I", len(body)) + body)

    obs_specs = act_specs = None
    version = 1
    episode = None

    def flush_episode():
        if episode and report:
            with open(report, "a") as f:
                f.write("episode scene=%s obs=%d act=%d steps=%d version=%d\n" % (
                    episode["scene"], len(obs_specs), len(act_specs), episode["steps"], version))

    while True:
        hdr = read_exact(rd, 4)
        if hdr is None:
            break
        body = read_exact(rd, struct.unpack(">I", hdr)[0])
        if body is None:
            break
        msg = msgpack.unpackb(body, raw=False)
        t = msg.get("type")
        try:
            if t == "hello":
                flush_episode()
                episode = None
                offered = msg["version"]
                if offered > max_version and max_version == 1:
                    send({"type": "error", "message": "this peer speaks protocol 1 only"})
                    continue
                version = min(offered, max_version)
                obs_specs, act_specs = msg["observation"], msg["action"]
                check_spec_list(obs_specs, "observation")
                check_spec_list(act_specs, "action")
                send({"type": "hello", "version": version, "name": "conformance"})
            elif t == "reset":
                episode = {"scene": msg.get("scene", "?") if version >= 2 else "?", "steps": 0}
                send({"type": "ok"})
            elif t == "observation":
                check_observation(msg["arrays"], obs_specs)
                episode["steps"] += 1
                arrays = action_for(act_specs)
                if replay:
                    for s in act_specs:
                        n = int(np.prod(s["shape"]))
                        data = replay.read(4 * n)
                        if len(data) != 4 * n:
                            raise Violation("the replay file ends at step %d" % (episode["steps"] - 1))
                        arrays[s["name"]]["data"] = data
                send({"type": "action", "arrays": arrays})
            elif t == "episode_end":
                send({"type": "ok"})
            elif t in ("close", "error"):
                break
            else:
                raise Violation("unexpected message type %r" % t)
        except Violation as v:
            print("conformance_peer: %s" % v, file=sys.stderr)
            send({"type": "error", "message": "conformance: %s" % v})
    flush_episode()


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--stdio", action="store_true")
    g.add_argument("--tcp", metavar="PORTFILE")
    ap.add_argument("--report")
    ap.add_argument("--max-version", type=int, default=2)
    ap.add_argument("--replay")
    a = ap.parse_args()
    replay = open(a.replay, "rb") if a.replay else None
    if a.stdio:
        rd, wr = sys.stdin.buffer, sys.stdout.buffer
        sys.stdout = sys.stderr

        def write(b):
            wr.write(b)
            wr.flush()
        serve(rd.read, write, a.report, a.max_version, replay)
        return
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    with open(a.tcp + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    import os
    os.rename(a.tcp + ".tmp", a.tcp)
    while True:
        c, _ = srv.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            serve(lambda n: c.recv(n), c.sendall, a.report, a.max_version, replay)
        except (ConnectionError, OSError):
            pass
        c.close()


if __name__ == "__main__":
    main()
