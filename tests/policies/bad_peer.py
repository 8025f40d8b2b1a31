#!/usr/bin/python3
"""A misbehaving policy peer for the remote-policy tests (run by exec:).

    bad_peer.py MODE [ARG]

It answers hello and reset correctly (unless the mode is about them), then
misbehaves at the first observation as MODE says:
  garbage      writes text instead of a frame (as a policy printing to stdout)
  badmsgpack   a frame whose body is not msgpack
  bigcount     a frame announcing a 4-billion-element array in 6 bytes
  truncated    half a frame, then exits
  stall        half a frame, then hangs
  shape        action 'force' with shape [2]
  dtype        action 'force' with dtype float64
  unknown      an extra action 'torque'
  missing      no action at all
  size         'force' shape [1] but 8 data bytes
  wrongtype    replies with type 'ok' instead of 'action'
  peererror    replies {"type": "error"} (the connection stays usable)
  crash        kills itself with SIGKILL
  exit3        exits with status 3
  hang         never replies
  version      answers hello with protocol version 99
  hellogarbage writes text in reply to hello
  flaky FILE   hangs at the first observation unless FILE exists, creating it
               (so a restarted peer behaves)
"""

import os
import signal
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "python"))
import policy_server as ps  # noqa: E402

mode = sys.argv[1]
arg = sys.argv[2] if len(sys.argv) > 2 else None
rd, wr = sys.stdin.buffer, sys.stdout.buffer
sys.stdout = sys.stderr


def send_raw(b):
    wr.write(b)
    wr.flush()


def send(msg):
    send_raw(ps.frame(msg))


def force(data, shape=(1,), dtype="float32"):
    return {"dtype": dtype, "shape": list(shape), "data": data}


def misbehave():
    zero = struct.pack("<f", 0.0)
    if mode == "garbage":
        send_raw(b"hello from the policy, not a frame\n")
    elif mode == "badmsgpack":
        send_raw(struct.pack(">I", 3) + b"\xc1\xc1\xc1")
    elif mode == "bigcount":
        send_raw(struct.pack(">I", 6) + b"\xdd\xff\xff\xff\xff\x00")
    elif mode == "truncated":
        body = ps.packb({"type": "action", "arrays": {"force": force(zero)}})
        send_raw(struct.pack(">I", len(body)) + body[: len(body) // 2])
        sys.exit(0)
    elif mode == "stall":
        body = ps.packb({"type": "action", "arrays": {"force": force(zero)}})
        send_raw(struct.pack(">I", len(body)) + body[: len(body) // 2])
        time.sleep(100)
    elif mode == "shape":
        send({"type": "action", "arrays": {"force": force(zero * 2, (2,))}})
    elif mode == "dtype":
        send({"type": "action", "arrays": {"force": force(struct.pack("<d", 0.0), dtype="float64")}})
    elif mode == "unknown":
        send({"type": "action", "arrays": {"force": force(zero), "torque": force(zero)}})
    elif mode == "missing":
        send({"type": "action", "arrays": {}})
    elif mode == "size":
        send({"type": "action", "arrays": {"force": force(zero * 2)}})
    elif mode == "wrongtype":
        send({"type": "ok"})
    elif mode == "peererror":
        send({"type": "error", "message": "model not loaded"})
        return
    elif mode == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    elif mode == "exit3":
        sys.exit(3)
    elif mode in ("hang",):
        time.sleep(100)
    elif mode == "flaky":
        open(arg, "w").close()  # the first peer hangs; a restarted one finds the file
        time.sleep(100)
    # After misbehaving, wait for pilotsim to end us (or for EOF).
    try:
        while rd.read(1):
            pass
    except OSError:
        pass
    sys.exit(0)


while True:
    try:
        msg = ps.read_frame(rd.read)
    except ps.Closed:
        sys.exit(0)
    t = msg["type"]
    if t == "hello":
        if mode == "version":
            send({"type": "hello", "version": 99})
        elif mode == "hellogarbage":
            send_raw(b"Traceback (most recent call last):\n")
        else:
            send({"type": "hello", "version": 1, "name": "bad_peer " + mode})
    elif t == "reset":
        send({"type": "ok"})
    elif t == "observation":
        if mode == "flaky" and os.path.exists(arg):
            # The restarted peer: behaves from now on.
            x = ps.floats_of(msg["arrays"]["x"])
            send({"type": "action", "arrays": {"force": force(struct.pack("<f", -20 * x[0] - 8 * x[1]))}})
            continue
        misbehave()
    elif t in ("close", "error"):
        sys.exit(0)
