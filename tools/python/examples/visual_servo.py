#!/usr/bin/python3
"""A protocol-2 policy peer that looks at a camera image and answers action
chunks: the template for serving a learned model (an ACT, diffusion or
openpi-style policy) to pilotsim. Needs numpy and msgpack (Debian:
python3-numpy, python3-msgpack).

    pilotsim run tests/scenes/servo_camera.lua \\
        --policy "exec:exec /usr/bin/python3 tools/python/examples/visual_servo.py --stdio"
    /usr/bin/python3 tools/python/examples/visual_servo.py --tcp 5555 &
    pilotsim eval tests/scenes/servo_camera.lua --episodes 8 --policy tcp://127.0.0.1:5555

The "model" here is a scripted visual servo: it finds the red pixels in the
first uint8 H x W x 3 observation, and commands the first action (a lateral
speed) proportional to how far their centroid is from the image centre,
repeated over a chunk of CHUNK actions. To serve your own model, replace
`Model`: load the weights in __init__ (before the first hello arrives, so
the first call is not slow), read the spaces in `hello`, the language
instruction in `reset`, and return a dict name -> numpy array of shape
[H, *action_shape] from `act` (H = 1 for a single action).

Protocol: docs/protocol.md. Logs go to stderr (in --stdio mode stdout is the
protocol stream).
"""

import argparse
import socket
import struct
import sys

import msgpack
import numpy as np

DTYPES = {"float32": "<f4", "uint8": "u1", "int32": "<i4"}
CHUNK = 5       # actions per reply (at the scene's control rate)
GAIN = 1.7      # lateral speed (m/s) per unit of normalized image error


class Model:
    """The policy: replace with your network."""

    def hello(self, observation, action, control_hz):
        self.image = next((s["name"] for s in observation if s["dtype"] == "uint8" and len(s["shape"]) == 3
                           and s["shape"][2] == 3), None)
        if self.image is None:
            raise ValueError("needs an RGB camera observation (uint8 H x W x 3)")
        self.action = action[0]
        self.control_hz = control_hz

    def reset(self, seed, instruction):
        self.instruction = instruction
        print("visual_servo: episode (seed %d): %r" % (seed, instruction), file=sys.stderr)

    def act(self, obs):
        img = obs[self.image]                      # H x W x 3 uint8
        r, g, b = (img[..., k].astype(np.int16) for k in range(3))
        red = (r > 120) & (g < 80) & (b < 80)
        n = self.action["shape"]
        out = np.zeros([CHUNK] + n, np.float32)
        if red.any():
            cx = np.nonzero(red)[1].mean()
            w = img.shape[1]
            err = (cx + 0.5 - w / 2) / (w / 2)    # -1 (left edge) .. 1 (right edge)
            out[:, 0] = -GAIN * err               # image x runs towards the camera's -y
        return {self.action["name"]: out}


def array(a):
    return {"dtype": "float32", "shape": list(a.shape), "data": a.astype("<f4").tobytes()}


def serve(read, write, model):
    def send(msg):
        body = msgpack.packb(msg, use_bin_type=True)
        write(struct.pack(">I", len(body)) + body)

    version = 2
    while True:
        hdr = read(4)
        if len(hdr) < 4:
            return
        (n,) = struct.unpack(">I", hdr)
        body = read(n)
        if len(body) < n:
            return
        msg = msgpack.unpackb(body, raw=False)
        t = msg["type"]
        try:
            if t == "hello":
                version = min(msg["version"], 2)
                model.hello(msg["observation"], msg["action"], msg.get("control_hz", 0.0))
                send({"type": "hello", "version": version, "name": "visual_servo"})
            elif t == "reset":
                model.reset(msg["seed"], msg.get("instruction", ""))
                send({"type": "ok"})
            elif t == "observation":
                obs = {k: np.frombuffer(v["data"], DTYPES[v["dtype"]]).reshape(v["shape"])
                       for k, v in msg["arrays"].items()}
                chunk = model.act(obs)
                if version < 2:  # version 1: one action, no chunks
                    chunk = {k: v[0] for k, v in chunk.items()}
                send({"type": "action", "arrays": {k: array(v) for k, v in chunk.items()}})
            elif t == "episode_end":
                print("visual_servo: episode ended: %s, return %.3f, metrics %s" % (
                    msg["status"], msg["return"], msg["metrics"]), file=sys.stderr)
                send({"type": "ok"})
            elif t in ("close", "error"):
                if t == "error":
                    print("visual_servo: pilotsim reported: %s" % msg["message"], file=sys.stderr)
                return
        except (KeyError, ValueError, TypeError) as e:
            send({"type": "error", "message": "visual_servo: %s: %s" % (type(e).__name__, e)})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--stdio", action="store_true", help="serve pilotsim on stdin/stdout (exec:)")
    g.add_argument("--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT (tcp://), 0 = any free port")
    a = ap.parse_args()
    model = Model()  # load weights here, before serving
    if a.stdio:
        rd, wr = sys.stdin.buffer, sys.stdout.buffer
        sys.stdout = sys.stderr

        def write(b):
            wr.write(b)
            wr.flush()
        serve(rd.read, write, model)
        return
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", a.tcp))
    srv.listen(8)
    print("listening on %d" % srv.getsockname()[1], flush=True)
    while True:  # one connection at a time (start one server per eval worker, or add threads)
        c, _ = srv.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = c.makefile("rb")
        try:
            serve(f.read, c.sendall, Model())
        except OSError:
            pass
        f.close()
        c.close()


if __name__ == "__main__":
    main()
