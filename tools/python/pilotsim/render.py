"""The offscreen renderer for camera sensors and render(): libpilotsim_render.so
(built with -DPILOTSIM_RENDER=ON), loaded on first use.

Found as $PILOTSIM_RENDER_LIB, else beside libpilotsim.so (an installed
prefix's lib/), else the build tree's render/ directory. It links the same
libpilotsim.so.0 this package loaded, so worlds pass between the two. Its GL
context is created the first time a camera renders or render() is called
(EGL without a display, or a hidden GLFW window; PILOTSIM_GL=egl|glfw picks).
"""

import ctypes
import os

import numpy as np

from . import _lib as L

_NAME = "libpilotsim_render.so"
_state = {"lib": None, "path": None, "error": None}


def _candidates():
    env = os.environ.get("PILOTSIM_RENDER_LIB")
    if env:
        return [env]
    d = os.path.dirname(os.path.realpath(L.lib_path))
    return [os.path.join(d, _NAME), os.path.join(os.path.dirname(d), "render", _NAME)]


def library():
    """The loaded render library, or None (reason in error())."""
    if _state["lib"] is None and _state["error"] is None:
        tried = []
        for p in _candidates():
            if not os.path.exists(p):
                tried.append(p + " (missing)")
                continue
            try:
                lib = ctypes.CDLL(p)
            except OSError as e:
                tried.append("%s (%s)" % (p, e))
                continue
            vp = ctypes.c_void_p
            lib.ps_camera_renderer_create_lazy.restype = vp
            lib.ps_camera_renderer_create_lazy.argtypes = [ctypes.c_int]
            lib.ps_camera_renderer_destroy.restype = None
            lib.ps_camera_renderer_destroy.argtypes = [vp]
            lib.ps_camera_renderer_error.restype = ctypes.c_char_p
            lib.ps_camera_renderer_error.argtypes = [vp]
            lib.ps_camera_render_scene.restype = ctypes.c_int  # ps_status: 0 = PS_OK
            lib.ps_camera_render_scene.argtypes = [vp, vp, vp, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
            _state["lib"], _state["path"] = lib, p
            break
        else:
            _state["error"] = ("pilotsim: no camera renderer (%s): build with -DPILOTSIM_RENDER=ON or set "
                               "PILOTSIM_RENDER_LIB. Tried: %s" % (_NAME, "; ".join(tried)))
    return _state["lib"]


def available():
    return library() is not None


def error():
    return _state["error"] or ""


class Renderer:
    """A lazily created ps_camera_renderer installed on one scene."""

    def __init__(self, lib, scene_ptr):
        self.lib = lib
        self.ptr = lib.ps_camera_renderer_create_lazy(0)  # PS_GL_AUTO
        if not self.ptr:
            raise MemoryError("pilotsim: ps_camera_renderer_create_lazy failed")
        fn = ctypes.cast(lib.ps_camera_render, ctypes.c_void_p)
        err_fn = ctypes.cast(lib.ps_camera_render_error, ctypes.c_void_p)
        L.ps_scene_set_render_callback(scene_ptr, fn, self.ptr)
        L.ps_scene_set_render_error_fn(scene_ptr, err_fn)

    def __del__(self):
        if self.ptr:
            self.lib.ps_camera_renderer_destroy(self.ptr)
            self.ptr = None


def install(scene_ptr):
    """A Renderer for the scene, or None when the render library is missing."""
    lib = library()
    return Renderer(lib, scene_ptr) if lib else None


def render_view(scene, world_ptr, width, height):
    """The world seen from the scene's view as a (height, width, 3) uint8 array."""
    r = scene.renderer
    if r is None:
        from .env import PilotsimError
        raise PilotsimError(error() or "pilotsim: this Env was made with renderer=False")
    out = np.empty((height, width, 3), np.uint8)
    if r.lib.ps_camera_render_scene(r.ptr, scene.ptr, world_ptr, width, height, out.ctypes.data) != 0:
        from .env import PilotsimError
        raise PilotsimError("pilotsim: render(): " + L.text(r.lib.ps_camera_renderer_error(r.ptr)))
    return out
