"""ctypes declarations for libpilotsim.so (sim/include/pilotsim/scene.h, world.h).

Every function the binding calls has its argtypes and restype declared, so
64-bit integers and pointers are never truncated to C int. The structs mirror
the C layout field by field; their sizes are checked at import against the
size the C rules give for this platform (``_c_layout``), and
tests/test_python.sh also compares them with a compiled sizeof/offsetof.
"""

import ctypes
import ctypes.util
import os
import platform

# ---------------------------------------------------------------- locating

_HERE = os.path.dirname(os.path.abspath(__file__))


def repo_root():
    """The pilotsim source tree: $PILOTSIM_ROOT, else the tree this package
    sits in (tools/python/pilotsim -> three levels up)."""
    env = os.environ.get("PILOTSIM_ROOT")
    if env:
        return os.path.abspath(env)
    return os.path.abspath(os.path.join(_HERE, "..", "..", ".."))


def _candidates():
    env = os.environ.get("PILOTSIM_LIB")
    if env:
        # A build directory or the library file itself.
        if os.path.isdir(env):
            return [os.path.join(env, "sim", "libpilotsim.so"), os.path.join(env, "libpilotsim.so")]
        return [env]
    root = repo_root()
    out = [os.path.join(root, "build", p, "sim", "libpilotsim.so") for p in ("release", "debug")]
    found = ctypes.util.find_library("pilotsim")
    if found:
        out.append(found)
    return out


def _load():
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path + " (missing)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:  # e.g. an ASan build loaded without its runtime
            tried.append("%s (%s)" % (path, e))
    raise ImportError("pilotsim: cannot load libpilotsim.so; set PILOTSIM_LIB to the library or its "
                      "build directory (build with `cmake --preset release && cmake --build --preset "
                      "release`). Tried: " + "; ".join(tried or ["nothing"]))


lib, lib_path = _load()

# ---------------------------------------------------------------- structs

c_float_p = ctypes.POINTER(ctypes.c_float)
c_char_pp = ctypes.POINTER(ctypes.c_char_p)

LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p)


class ps_logger(ctypes.Structure):
    _fields_ = [("fn", LOG_FN), ("user", ctypes.c_void_p)]


class ps_scene_options(ctypes.Structure):
    _fields_ = [
        ("module_paths", c_char_pp),
        ("module_path_count", ctypes.c_size_t),
        ("package_paths", c_char_pp),
        ("package_path_count", ctypes.c_size_t),
        ("params", c_char_pp),
        ("param_count", ctypes.c_size_t),
        ("instruction_budget", ctypes.c_uint64),
        ("memory_limit", ctypes.c_size_t),
        ("wall_limit", ctypes.c_double),
        ("trusted", ctypes.c_bool),
        ("log", ps_logger),
        ("process_memory_limit", ctypes.c_size_t),
    ]


class ps_space_entry(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("ndim", ctypes.c_int),
        ("shape", ctypes.c_int * 4),
        ("count", ctypes.c_size_t),
        ("data", c_float_p),
        ("low", c_float_p),
        ("high", c_float_p),
        ("dtype", ctypes.c_int),      # ps_dtype: 0 float32, 1 uint8 (camera RGB), 2 int32 (segmentation)
        ("values", ctypes.c_void_p),  # count elements of dtype (== data for float32)
        ("nbytes", ctypes.c_size_t),
    ]


class ps_param_info(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("type", ctypes.c_char_p),
        ("description", ctypes.c_char_p),
        ("min", ctypes.c_double),
        ("max", ctypes.c_double),
        ("randomize", ctypes.c_bool),
        ("overridden", ctypes.c_bool),
        ("value", ctypes.c_char * 64),
    ]


def _c_layout(fields):
    """(size, offsets) of a C struct of (size, alignment) members, by the C rules
    (each member at the next multiple of its alignment, the size padded to the
    largest one). Computed independently of ctypes' own layout."""
    off, align, offsets = 0, 1, []
    for size, al in fields:
        off = (off + al - 1) // al * al
        offsets.append(off)
        off += size
        align = max(align, al)
    return (off + align - 1) // align * align, offsets


def _sa(t):
    return ctypes.sizeof(t), ctypes.alignment(t)


_PTR = _sa(ctypes.c_void_p)
_INT = _sa(ctypes.c_int)
_SIZE = _sa(ctypes.c_size_t)
_U64 = _sa(ctypes.c_uint64)
_DBL = _sa(ctypes.c_double)
_BOOL = _sa(ctypes.c_bool)

EXPECTED = {
    # name char*, ndim int, shape int[4], count size_t, data/low/high float*, dtype int, values void*, nbytes size_t
    "ps_space_entry": _c_layout([_PTR, _INT, (_INT[0] * 4, _INT[1]), _SIZE, _PTR, _PTR, _PTR, _INT, _PTR, _SIZE]),
    # 3 x (char** + size_t), uint64_t, size_t, double, bool, ps_logger {fn, user}, size_t
    "ps_scene_options": _c_layout([_PTR, _SIZE, _PTR, _SIZE, _PTR, _SIZE, _U64, _SIZE, _DBL, _BOOL,
                                   (2 * _PTR[0], _PTR[1]), _SIZE]),
    # 3 x char*, 2 x double, 2 x bool, char[64]
    "ps_param_info": _c_layout([_PTR, _PTR, _PTR, _DBL, _DBL, _BOOL, _BOOL, (64, 1)]),
}


def _check_layout():
    for cls in (ps_space_entry, ps_scene_options, ps_param_info):
        size, offsets = EXPECTED[cls.__name__]
        got = [getattr(cls, f[0]).offset for f in cls._fields_]
        if ctypes.sizeof(cls) != size or got != offsets:
            raise ImportError("pilotsim: ctypes layout of %s (size %d, offsets %s) differs from the C "
                              "layout (size %d, offsets %s)" % (cls.__name__, ctypes.sizeof(cls), got,
                                                                size, offsets))
    if platform.machine() in ("x86_64", "AMD64", "aarch64", "arm64") and ctypes.sizeof(ctypes.c_void_p) == 8:
        # LP64: name 0, ndim 8, shape 12..28, count 32 (aligned to 8), data 40, low 48, high 56,
        # dtype 64, values 72, nbytes 80.
        assert ctypes.sizeof(ps_space_entry) == 88, ctypes.sizeof(ps_space_entry)
        assert ctypes.sizeof(ps_scene_options) == 104, ctypes.sizeof(ps_scene_options)
        assert ctypes.sizeof(ps_param_info) == 112, ctypes.sizeof(ps_param_info)


_check_layout()

# ---------------------------------------------------------------- functions

_vp = ctypes.c_void_p  # opaque handles: ps_scene*, ps_episode*, ps_world*


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


ps_default_scene_options = _fn("ps_default_scene_options", ps_scene_options)
ps_scene_load = _fn("ps_scene_load", _vp, ctypes.c_char_p, ctypes.POINTER(ps_scene_options),
                    ctypes.c_char_p, ctypes.c_size_t)
ps_scene_destroy = _fn("ps_scene_destroy", None, _vp)
ps_scene_name = _fn("ps_scene_name", ctypes.c_char_p, _vp)
ps_scene_domain = _fn("ps_scene_domain", ctypes.c_char_p, _vp)
ps_scene_description = _fn("ps_scene_description", ctypes.c_char_p, _vp)
ps_scene_path = _fn("ps_scene_path", ctypes.c_char_p, _vp)
ps_scene_timestep = _fn("ps_scene_timestep", ctypes.c_double, _vp)
ps_scene_time_limit = _fn("ps_scene_time_limit", ctypes.c_double, _vp)
ps_scene_content_hash = _fn("ps_scene_content_hash", ctypes.c_uint64, _vp)
ps_scene_param_count = _fn("ps_scene_param_count", ctypes.c_size_t, _vp)
ps_scene_param = _fn("ps_scene_param", ctypes.c_int, _vp, ctypes.c_size_t, ctypes.POINTER(ps_param_info))

ps_episode_status_name = _fn("ps_episode_status_name", ctypes.c_char_p, ctypes.c_int)
ps_episode_begin = _fn("ps_episode_begin", _vp, _vp, ctypes.c_uint64)
ps_episode_end = _fn("ps_episode_end", None, _vp)
ps_episode_step = _fn("ps_episode_step", ctypes.c_int, _vp, ctypes.c_uint64)
ps_episode_abort = _fn("ps_episode_abort", None, _vp, ctypes.c_int, ctypes.c_char_p)
ps_episode_get_status = _fn("ps_episode_get_status", ctypes.c_int, _vp)
ps_episode_world = _fn("ps_episode_world", _vp, _vp)
ps_episode_steps = _fn("ps_episode_steps", ctypes.c_uint64, _vp)
ps_episode_return = _fn("ps_episode_return", ctypes.c_double, _vp)
ps_episode_message = _fn("ps_episode_message", ctypes.c_char_p, _vp)
ps_episode_observation_count = _fn("ps_episode_observation_count", ctypes.c_size_t, _vp)
ps_episode_observation = _fn("ps_episode_observation", ctypes.POINTER(ps_space_entry), _vp, ctypes.c_size_t)
ps_episode_action_count = _fn("ps_episode_action_count", ctypes.c_size_t, _vp)
ps_episode_action = _fn("ps_episode_action", ctypes.POINTER(ps_space_entry), _vp, ctypes.c_size_t)
ps_episode_action_clamps = _fn("ps_episode_action_clamps", ctypes.c_uint64, _vp)
ps_episode_metrics = _fn("ps_episode_metrics", ctypes.c_int, _vp,
                         ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)),
                         ctypes.POINTER(ctypes.POINTER(ctypes.c_double)),
                         ctypes.c_char_p, ctypes.c_size_t)

ps_episode_state_create = _fn("ps_episode_state_create", _vp)
ps_episode_state_destroy = _fn("ps_episode_state_destroy", None, _vp)
ps_episode_save_state = _fn("ps_episode_save_state", ctypes.c_int, _vp, _vp, ctypes.c_char_p, ctypes.c_size_t)
ps_episode_restore_state = _fn("ps_episode_restore_state", ctypes.c_int, _vp, _vp, ctypes.c_char_p, ctypes.c_size_t)

ps_world_state_hash = _fn("ps_world_state_hash", ctypes.c_uint64, _vp)
ps_world_time = _fn("ps_world_time", ctypes.c_double, _vp)

# ps_episode_status values (scene.h)
EP_RUNNING, EP_SUCCESS, EP_FAILURE, EP_TIMEOUT, EP_DIVERGED, EP_SCRIPT_ERROR = range(6)
# ps_log_level values (log.h)
LOG_LEVELS = ("debug", "info", "warn", "error")


def text(b):
    """A borrowed C string as str ("" for NULL)."""
    return b.decode("utf-8", "replace") if b else ""
