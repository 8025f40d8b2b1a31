#!/usr/bin/python3
"""An example policy server for pilotsim's exec: and tcp:// policies.

It speaks protocol version 1 of docs/protocol.md with the Python standard
library only (no msgpack package, no numpy): a minimal msgpack codec for the
subset the protocol uses, struct for the float32 arrays.

    pilotsim run scene.lua --policy "exec:/usr/bin/python3 tools/python/policy_server.py --stdio"
    /usr/bin/python3 tools/python/policy_server.py --tcp 5555 &
    pilotsim run scene.lua --policy tcp://127.0.0.1:5555

The policy: with an observation "x" of shape [2] (position, velocity) and an
action "force" of shape [1] it is the cart's PD controller, force = -20 x - 8 v;
otherwise every action is zeros. Replace `act` to serve your own model.

--tcp PORT listens on 127.0.0.1 (--host to change), serving each connection
in its own thread; PORT 0 picks a free port. It prints "listening on PORT"
(one line on stdout, flushed) once it accepts connections. --once exits after
the first connection ends. In --stdio mode stdout carries the protocol:
logs go to stderr.
"""

import argparse
import socket
import struct
import sys
import threading

PROTOCOL_VERSION = 1
MAX_FRAME = 64 * 1024 * 1024

# ----------------------------------------------------------------- msgpack


def packb(obj):
    """Encodes None, bool, int, float, str, bytes, list/tuple and dict."""
    out = bytearray()
    _pack(obj, out)
    return bytes(out)


def _pack(o, out):
    if o is None:
        out.append(0xC0)
    elif o is True:
        out.append(0xC3)
    elif o is False:
        out.append(0xC2)
    elif isinstance(o, int):
        if 0 <= o <= 0x7F:
            out.append(o)
        elif -32 <= o < 0:
            out.append(o & 0xFF)
        elif 0 <= o <= 0xFFFFFFFFFFFFFFFF:
            out += b"\xcf" + struct.pack(">Q", o)
        elif -(1 << 63) <= o < 0:
            out += b"\xd3" + struct.pack(">q", o)
        else:
            raise ValueError("integer out of msgpack range")
    elif isinstance(o, float):
        out += b"\xcb" + struct.pack(">d", o)
    elif isinstance(o, str):
        b = o.encode("utf-8")
        n = len(b)
        if n < 32:
            out.append(0xA0 | n)
        elif n < 0x100:
            out += b"\xd9" + struct.pack(">B", n)
        elif n < 0x10000:
            out += b"\xda" + struct.pack(">H", n)
        else:
            out += b"\xdb" + struct.pack(">I", n)
        out += b
    elif isinstance(o, (bytes, bytearray, memoryview)):
        b = bytes(o)
        n = len(b)
        if n < 0x100:
            out += b"\xc4" + struct.pack(">B", n)
        elif n < 0x10000:
            out += b"\xc5" + struct.pack(">H", n)
        else:
            out += b"\xc6" + struct.pack(">I", n)
        out += b
    elif isinstance(o, (list, tuple)):
        n = len(o)
        if n < 16:
            out.append(0x90 | n)
        elif n < 0x10000:
            out += b"\xdc" + struct.pack(">H", n)
        else:
            out += b"\xdd" + struct.pack(">I", n)
        for x in o:
            _pack(x, out)
    elif isinstance(o, dict):
        n = len(o)
        if n < 16:
            out.append(0x80 | n)
        elif n < 0x10000:
            out += b"\xde" + struct.pack(">H", n)
        else:
            out += b"\xdf" + struct.pack(">I", n)
        for k, v in o.items():
            _pack(k, out)
            _pack(v, out)
    else:
        raise TypeError("cannot encode %r" % type(o))


class DecodeError(ValueError):
    pass


def unpackb(data):
    """Decodes one msgpack object filling `data` exactly (ext is an error)."""
    obj, pos = _unpack(memoryview(data), 0, 0)
    if pos != len(data):
        raise DecodeError("%d trailing bytes" % (len(data) - pos))
    return obj


_FIXED = {
    0xCA: (">f", 4), 0xCB: (">d", 8),
    0xCC: (">B", 1), 0xCD: (">H", 2), 0xCE: (">I", 4), 0xCF: (">Q", 8),
    0xD0: (">b", 1), 0xD1: (">h", 2), 0xD2: (">i", 4), 0xD3: (">q", 8),
}


def _take(d, pos, n):
    if pos + n > len(d):
        raise DecodeError("truncated")
    return d[pos:pos + n], pos + n


def _unpack(d, pos, depth):
    if depth > 32:
        raise DecodeError("nested too deeply")
    b, pos = _take(d, pos, 1)
    t = b[0]
    if t <= 0x7F:
        return t, pos
    if t >= 0xE0:
        return t - 0x100, pos
    if 0x80 <= t <= 0x8F:
        return _map(d, pos, t & 0x0F, depth)
    if 0x90 <= t <= 0x9F:
        return _array(d, pos, t & 0x0F, depth)
    if 0xA0 <= t <= 0xBF:
        s, pos = _take(d, pos, t & 0x1F)
        return str(s, "utf-8"), pos
    if t == 0xC0:
        return None, pos
    if t == 0xC2:
        return False, pos
    if t == 0xC3:
        return True, pos
    if t in _FIXED:
        fmt, n = _FIXED[t]
        s, pos = _take(d, pos, n)
        return struct.unpack(fmt, s)[0], pos
    if t in (0xC4, 0xC5, 0xC6, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF):
        width = {0xC4: 1, 0xD9: 1, 0xC5: 2, 0xDA: 2, 0xDC: 2, 0xDE: 2}.get(t, 4)
        s, pos = _take(d, pos, width)
        n = int.from_bytes(s, "big")
        if t in (0xDC, 0xDD):
            return _array(d, pos, n, depth)
        if t in (0xDE, 0xDF):
            return _map(d, pos, n, depth)
        s, pos = _take(d, pos, n)
        return (bytes(s) if t in (0xC4, 0xC5, 0xC6) else str(s, "utf-8")), pos
    raise DecodeError("unsupported msgpack byte 0x%02x" % t)


def _array(d, pos, n, depth):
    if n > len(d) - pos:
        raise DecodeError("array longer than the data")
    out = []
    for _ in range(n):
        x, pos = _unpack(d, pos, depth + 1)
        out.append(x)
    return out, pos


def _map(d, pos, n, depth):
    if 2 * n > len(d) - pos:
        raise DecodeError("map longer than the data")
    out = {}
    for _ in range(n):
        k, pos = _unpack(d, pos, depth + 1)
        v, pos = _unpack(d, pos, depth + 1)
        out[k] = v
    return out, pos


# ------------------------------------------------------------------ framing


class Closed(Exception):
    pass


def read_exact(read, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = read(n - len(buf))
        if not chunk:
            if buf:
                raise Closed("connection closed in the middle of a frame")
            raise Closed("connection closed")
        buf += chunk
    return bytes(buf)


def read_frame(read):
    (n,) = struct.unpack(">I", read_exact(read, 4))
    if n == 0 or n > MAX_FRAME:
        raise DecodeError("bad frame length %d" % n)
    msg = unpackb(read_exact(read, n))
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        raise DecodeError("a frame must hold a map with a 'type'")
    return msg


def frame(msg):
    body = packb(msg)
    return struct.pack(">I", len(body)) + body


def float32_array(values, shape):
    return {"dtype": "float32", "shape": list(shape), "data": struct.pack("<%df" % len(values), *values)}


def floats_of(arr):
    data = arr["data"]
    return struct.unpack("<%df" % (len(data) // 4), data)


# ------------------------------------------------------------------- policy


class Policy:
    """One connection's policy: told the spaces by hello, then reset/act."""

    name = "pd-example"

    def __init__(self):
        self.observation = {}  # name -> spec
        self.action = {}

    def hello(self, msg):
        self.observation = {s["name"]: s for s in msg["observation"]}
        self.action = {s["name"]: s for s in msg["action"]}

    def reset(self, seed):
        pass

    def act(self, step, arrays):
        out = {}
        for name, spec in self.action.items():
            count = 1
            for d in spec["shape"]:
                count *= d
            out[name] = float32_array([0.0] * count, spec["shape"])
        x = arrays.get("x")
        force = self.action.get("force")
        if x is not None and x["shape"] == [2] and force is not None and force["shape"] == [1]:
            pos, vel = floats_of(x)
            out["force"] = float32_array([-20.0 * pos - 8.0 * vel], [1])
        return out


def serve(read, write, flush=lambda: None, log=sys.stderr):
    """Serves one connection until close or EOF."""
    policy = Policy()

    def send(msg):
        write(frame(msg))
        flush()

    while True:
        try:
            msg = read_frame(read)
        except Closed:
            return
        except (DecodeError, UnicodeDecodeError, struct.error) as e:
            send({"type": "error", "message": "policy_server: bad frame: %s" % e})
            return
        t = msg["type"]
        try:
            if t == "hello":
                # pilotsim offers its newest version; this server speaks 1 and says so
                # (pilotsim then sends the hello again in version 1).
                if not isinstance(msg.get("version"), int) or msg["version"] < PROTOCOL_VERSION:
                    send({"type": "error", "message": "policy_server speaks protocol %d" % PROTOCOL_VERSION})
                    return
                policy.hello(msg)
                send({"type": "hello", "version": PROTOCOL_VERSION, "name": policy.name})
            elif t == "reset":
                policy.reset(msg["seed"])
                send({"type": "ok"})
            elif t == "observation":
                send({"type": "action", "arrays": policy.act(msg["step"], msg["arrays"])})
            elif t == "close":
                return
            elif t == "error":
                print("policy_server: pilotsim reported: %s" % msg.get("message"), file=log)
                return
            else:
                send({"type": "error", "message": "policy_server: unexpected message type %r" % t})
                return
        except (KeyError, TypeError, ValueError, struct.error) as e:
            send({"type": "error", "message": "policy_server: %s: %s" % (type(e).__name__, e)})


def serve_stdio():
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # Nothing else may write to the protocol stream.
    sys.stdout = sys.stderr
    serve(stdin.read, stdout.write, stdout.flush)


def serve_tcp(host, port, once):
    srv = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(16)
    print("listening on %d" % srv.getsockname()[1], flush=True)

    def handle(conn):
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            f = conn.makefile("rb")
            try:
                serve(f.read, conn.sendall)
            except OSError as e:
                print("policy_server: connection: %s" % e, file=sys.stderr)

    while True:
        conn, _ = srv.accept()
        if once:
            handle(conn)
            return
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--stdio", action="store_true", help="serve on stdin/stdout (for exec:)")
    mode.add_argument("--tcp", type=int, metavar="PORT", help="listen on PORT (0: a free one)")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--once", action="store_true", help="with --tcp: exit after the first connection")
    args = ap.parse_args()
    if args.stdio:
        serve_stdio()
    else:
        try:
            serve_tcp(args.host, args.tcp, args.once)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
