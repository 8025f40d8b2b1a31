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
import sys
import sysconfig

# ---------------------------------------------------------------- locating

_HERE = os.path.dirname(os.path.abspath(__file__))
_SONAME = "libpilotsim.so"


def _source_tree():
    """The source tree this package sits in (tools/python/pilotsim), or None
    when it is installed elsewhere."""
    root = os.path.abspath(os.path.join(_HERE, "..", "..", ".."))
    return root if os.path.isdir(os.path.join(root, "scenes", "pilot")) else None


def _installed_prefixes():
    """Prefixes an installed package may belong to: walking up from the package
    (<prefix>/lib/python3/dist-packages/pilotsim, <prefix>/local/lib/python3.11/
    dist-packages/pilotsim, a venv's site-packages), then sys.prefix."""
    out, d = [], _HERE
    for _ in range(6):
        d = os.path.dirname(d)
        out.append(d)
    out.append(sys.prefix)
    return out


def _lib_dirs(prefix):
    return [os.path.join(prefix, "lib"), os.path.join(prefix, "lib64"),
            os.path.join(prefix, "lib", sysconfig.get_config_var("MULTIARCH") or "-")]


def _candidates():
    """(path, origin) pairs in the order tried: $PILOTSIM_LIB (the .so or a build
    directory); when the package runs from the source tree, its build/release
    and build/debug; the library installed by `cmake --install` under a prefix
    the package belongs to (<prefix>/lib, lib64, lib/<multiarch>); then the
    dynamic loader's search (ldconfig)."""
    out = []
    env = os.environ.get("PILOTSIM_LIB")
    if env:
        if os.path.isdir(env):
            out += [(os.path.join(env, "sim", _SONAME), "PILOTSIM_LIB"), (os.path.join(env, _SONAME), "PILOTSIM_LIB")]
        else:
            out.append((env, "PILOTSIM_LIB"))
        return out
    tree = _source_tree()
    if tree:
        out += [(os.path.join(tree, "build", p, "sim", _SONAME), "build tree") for p in ("release", "debug")]
    for prefix in _installed_prefixes():
        for d in _lib_dirs(prefix):
            out.append((os.path.join(d, _SONAME), "installed"))
    found = ctypes.util.find_library("pilotsim")
    if found:
        out.append((found, "loader"))
    return out


def repo_root():
    """Where scenes/, scripts/ and assets/ are: $PILOTSIM_ROOT, else the source
    tree this package sits in, else <prefix>/share/pilotsim beside the installed
    library (None when none exists)."""
    env = os.environ.get("PILOTSIM_ROOT")
    if env:
        return os.path.abspath(env)
    tree = _source_tree()
    if tree:
        return tree
    share = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(lib_path))), "share", "pilotsim")
    return share if os.path.isdir(share) else None


def _load():
    tried = []
    seen = set()
    for path, origin in _candidates():
        if path in seen:
            continue
        seen.add(path)
        if os.path.sep in path and not os.path.exists(path):
            if origin != "installed":
                tried.append(path + " (missing)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:  # e.g. an ASan build loaded without its runtime
            tried.append("%s (%s)" % (path, e))
    raise ImportError("pilotsim: cannot load libpilotsim.so; install it (`cmake --install build/release "
                      "--prefix P` and install this package into the same prefix) or set PILOTSIM_LIB to the "
                      "library or its build directory. Tried: " + "; ".join(tried or ["nothing"]))


lib, lib_path = _load()

# ---------------------------------------------------------------- structs

c_float_p = ctypes.POINTER(ctypes.c_float)
c_char_pp = ctypes.POINTER(ctypes.c_char_p)

# PS_ERR_LEN (pilotsim/types.h): an error buffer of this size holds any message of the API.
ERR_LEN = 4096

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

class ps_episode_progress(ctypes.Structure):
    _fields_ = [("steps", ctypes.c_uint64), ("hash", ctypes.c_uint64), ("time", ctypes.c_double),
                ("ret", ctypes.c_double), ("status", ctypes.c_int), ("taken", ctypes.c_int)]


ps_episode_step_repeat = _fn("ps_episode_step_repeat", ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int,
                             ctypes.POINTER(ps_episode_progress))
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

ps_episode_state_serialize = _fn("ps_episode_state_serialize", ctypes.c_int, _vp,
                                 ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t))
ps_episode_state_free_bytes = _fn("ps_episode_state_free_bytes", None, _vp)
ps_episode_state_deserialize = _fn("ps_episode_state_deserialize", _vp, ctypes.c_char_p, ctypes.c_size_t,
                                   ctypes.c_char_p, ctypes.c_size_t)
ps_episode_state_seed = _fn("ps_episode_state_seed", ctypes.c_uint64, _vp)
ps_episode_state_structure = _fn("ps_episode_state_structure", ctypes.c_uint64, _vp)
ps_episode_structure = _fn("ps_episode_structure", ctypes.c_uint64, _vp)
ps_scene_set_render_callback = _fn("ps_scene_set_render_callback", None, _vp, _vp, _vp)
ps_scene_set_render_error_fn = _fn("ps_scene_set_render_error_fn", None, _vp, _vp)
ps_scene_view = _fn("ps_scene_view", ctypes.c_bool, _vp, ctypes.POINTER(ctypes.c_double * 3),
                    ctypes.POINTER(ctypes.c_double * 3), ctypes.POINTER(ctypes.c_double))

ps_world_state_hash = _fn("ps_world_state_hash", ctypes.c_uint64, _vp)
ps_world_state_digest = _fn("ps_world_state_digest", ctypes.c_uint64, _vp)
ps_world_time = _fn("ps_world_time", ctypes.c_double, _vp)

# ps_episode_status values (scene.h)
EP_RUNNING, EP_SUCCESS, EP_FAILURE, EP_TIMEOUT, EP_DIVERGED, EP_SCRIPT_ERROR = range(6)
# ps_log_level values (log.h)
LOG_LEVELS = ("debug", "info", "warn", "error")


def text(b):
    """A borrowed C string as str ("" for NULL)."""
    return b.decode("utf-8", "replace") if b else ""
