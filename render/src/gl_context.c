// OpenGL 3.3 core contexts: EGL without a window system (Mesa's surfaceless
// platform, or an EGL device such as NVIDIA's) and GLFW windows (visible or
// hidden). Rendering always goes to framebuffer objects; offscreen contexts
// have no default framebuffer at all.
#include "pilotsim/gl_context.h"
#include "gl_internal.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ps_gl_context {
    ps_gl_backend backend;
    EGLDisplay dpy;
    EGLContext ctx;
    GLFWwindow *win;
};

// GLFW is process-wide state of its own: it is initialised once, on first use
// (pthread_once), and terminated at exit, never while a context may live.
// `glfw_ready` is written only by that one-time initialisation.
static pthread_once_t glfw_once = PTHREAD_ONCE_INIT;
static atomic_bool glfw_ready;

static void glfw_init_once(void)
{
    if (glfwInit()) {
        atexit(glfwTerminate);
        atomic_store(&glfw_ready, true);
    }
}

static void fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static const char *egl_error_name(EGLint e)
{
    switch (e) {
    case EGL_SUCCESS: return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
    case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
    case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
    default: return "EGL error";
    }
}

static bool has_ext(const char *list, const char *ext)
{
    if (!list) return false;
    size_t n = strlen(ext);
    for (const char *p = list; (p = strstr(p, ext)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return true;
    return false;
}

// Initialises an EGL display on the surfaceless platform (Mesa) or, failing
// that, on the first EGL device (NVIDIA's driver offers no surfaceless platform).
static EGLDisplay egl_display(char *why, size_t whylen)
{
    const char *cext = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    if (!cext) {
        snprintf(why, whylen, "EGL client extensions unavailable (libEGL without EGL_EXT_client_extensions)");
        return EGL_NO_DISPLAY;
    }
    PFNEGLGETPLATFORMDISPLAYEXTPROC get_platform_display =
        (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
    if (!get_platform_display) {
        snprintf(why, whylen, "eglGetPlatformDisplayEXT missing");
        return EGL_NO_DISPLAY;
    }
    EGLint major, minor;
    if (has_ext(cext, "EGL_MESA_platform_surfaceless")) {
        EGLDisplay d = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
        if (d != EGL_NO_DISPLAY && eglInitialize(d, &major, &minor)) return d;
        snprintf(why, whylen, "surfaceless platform: %s", egl_error_name(eglGetError()));
    } else {
        snprintf(why, whylen, "no EGL_MESA_platform_surfaceless");
    }
    // EGL devices (NVIDIA). Not exercised on the Mesa-only test machines.
    if (has_ext(cext, "EGL_EXT_device_enumeration") && has_ext(cext, "EGL_EXT_platform_device")) {
        PFNEGLQUERYDEVICESEXTPROC query_devices = (PFNEGLQUERYDEVICESEXTPROC)eglGetProcAddress("eglQueryDevicesEXT");
        EGLDeviceEXT devs[16];
        EGLint n = 0;
        if (query_devices && query_devices(16, devs, &n))
            for (EGLint i = 0; i < n; i++) {
                EGLDisplay d = get_platform_display(EGL_PLATFORM_DEVICE_EXT, devs[i], NULL);
                if (d != EGL_NO_DISPLAY && eglInitialize(d, &major, &minor)) return d;
            }
        size_t l = strlen(why);
        snprintf(why + l, whylen - l, "; no usable EGL device (%d found)", (int)n);
    }
    return EGL_NO_DISPLAY;
}

static ps_gl_context *create_egl(char *err, size_t errlen)
{
    char why[256] = "";
    EGLDisplay dpy = egl_display(why, sizeof why);
    if (dpy == EGL_NO_DISPLAY) {
        fail(err, errlen, "EGL: no display: %s", why);
        return NULL;
    }
    const char *dext = eglQueryString(dpy, EGL_EXTENSIONS);
    if (!has_ext(dext, "EGL_KHR_surfaceless_context")) {
        fail(err, errlen, "EGL: the display lacks EGL_KHR_surfaceless_context");
        return NULL; // the display stays initialised; EGL shares it process-wide
    }
    if (!eglBindAPI(EGL_OPENGL_API)) {
        fail(err, errlen, "EGL: desktop OpenGL unavailable (eglBindAPI: %s)", egl_error_name(eglGetError()));
        return NULL;
    }
    EGLConfig cfg = NULL;
    EGLint ncfg = 0;
    const EGLint cattr[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8,
                            EGL_BLUE_SIZE, 8, EGL_DEPTH_SIZE, 24, EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_NONE};
    if (!eglChooseConfig(dpy, cattr, &cfg, 1, &ncfg) || ncfg < 1) {
        if (!has_ext(dext, "EGL_KHR_no_config_context")) {
            fail(err, errlen, "EGL: no OpenGL config");
            return NULL;
        }
        cfg = (EGLConfig)0; // EGL_NO_CONFIG_KHR
    }
    const EGLint attr[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                           EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
    EGLContext ctx = eglCreateContext(dpy, cfg, EGL_NO_CONTEXT, attr);
    if (ctx == EGL_NO_CONTEXT) {
        fail(err, errlen, "EGL: cannot create an OpenGL 3.3 core context (%s)", egl_error_name(eglGetError()));
        return NULL;
    }
    ps_gl_context *c = calloc(1, sizeof *c);
    if (!c) {
        eglDestroyContext(dpy, ctx);
        fail(err, errlen, "EGL: out of memory");
        return NULL;
    }
    c->backend = PS_GL_EGL;
    c->dpy = dpy;
    c->ctx = ctx;
    if (!ps_gl_context_make_current(c)) {
        fail(err, errlen, "EGL: eglMakeCurrent without a surface failed (%s)", egl_error_name(eglGetError()));
        ps_gl_context_destroy(c);
        return NULL;
    }
    return c;
}

static bool glfw_acquire(char *err, size_t errlen)
{
    pthread_once(&glfw_once, glfw_init_once);
    if (atomic_load(&glfw_ready)) return true;
    const char *d = NULL;
    glfwGetError(&d);
    fail(err, errlen, "GLFW: glfwInit failed: %s", d ? d : "unknown error (no display?)");
    return false;
}

static ps_gl_context *create_glfw(int width, int height, const char *title, bool visible, int samples, char *err,
                                  size_t errlen)
{
    if (!glfw_acquire(err, errlen)) return NULL;
    glfwDefaultWindowHints();
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE);
    glfwWindowHint(GLFW_DEPTH_BITS, 24);
    glfwWindowHint(GLFW_SAMPLES, samples > 0 ? samples : 0);
    GLFWwindow *win = glfwCreateWindow(width, height, title ? title : "pilotsim", NULL, NULL);
    if (!win) {
        const char *d = NULL;
        glfwGetError(&d);
        fail(err, errlen, "GLFW: cannot open a%s window with an OpenGL 3.3 core context: %s", visible ? "" : " hidden",
             d ? d : "unknown error");
        return NULL;
    }
    ps_gl_context *c = calloc(1, sizeof *c);
    if (!c) {
        glfwDestroyWindow(win);
        fail(err, errlen, "GLFW: out of memory");
        return NULL;
    }
    c->backend = PS_GL_GLFW;
    c->win = win;
    glfwMakeContextCurrent(win);
    return c;
}

ps_gl_context *ps_gl_context_create_offscreen(ps_gl_backend backend, char *err, size_t errlen)
{
    if (backend == PS_GL_AUTO) {
        const char *env = getenv("PILOTSIM_GL");
        if (env && *env) {
            if (!strcmp(env, "egl")) backend = PS_GL_EGL;
            else if (!strcmp(env, "glfw")) backend = PS_GL_GLFW;
            else if (strcmp(env, "auto")) {
                fail(err, errlen, "PILOTSIM_GL='%s': expected egl, glfw or auto", env);
                return NULL;
            }
        }
    }
    if (backend == PS_GL_EGL) return create_egl(err, errlen);
    if (backend == PS_GL_GLFW) return create_glfw(64, 64, "pilotsim offscreen", false, 0, err, errlen);
    char e1[256] = "", e2[256] = "";
    ps_gl_context *c = create_egl(e1, sizeof e1);
    if (c) return c;
    c = create_glfw(64, 64, "pilotsim offscreen", false, 0, e2, sizeof e2);
    if (c) return c;
    fail(err, errlen, "no offscreen OpenGL 3.3 context: %s; %s", e1, e2);
    return NULL;
}

ps_gl_context *ps_gl_context_create_window(int width, int height, const char *title, char *err, size_t errlen)
{
    return ps_gl_context_create_window_msaa(width, height, title, 0, err, errlen);
}

ps_gl_context *ps_gl_context_create_window_msaa(int width, int height, const char *title, int samples, char *err,
                                                size_t errlen)
{
    if (width < 1 || height < 1) {
        fail(err, errlen, "GLFW: window size %dx%d must be positive", width, height);
        return NULL;
    }
    if (samples < 0 || samples > 16) {
        fail(err, errlen, "GLFW: %d MSAA samples (0..16)", samples);
        return NULL;
    }
    return create_glfw(width, height, title, true, samples, err, errlen);
}

void ps_gl_context_destroy(ps_gl_context *c)
{
    if (!c) return;
    if (c->backend == PS_GL_EGL) {
        if (eglGetCurrentContext() == c->ctx) eglMakeCurrent(c->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        eglDestroyContext(c->dpy, c->ctx);
        // The display is left initialised: EGL shares it with every other context.
        if (eglGetCurrentContext() == EGL_NO_CONTEXT) eglReleaseThread();
    } else {
        if (glfwGetCurrentContext() == c->win) glfwMakeContextCurrent(NULL);
        glfwDestroyWindow(c->win);
    }
    free(c);
}

bool ps_gl_context_make_current(ps_gl_context *c)
{
    if (!c) return false;
    if (c->backend == PS_GL_EGL) {
        if (!eglBindAPI(EGL_OPENGL_API)) return false;
        // Already current (a camera after another of the same step): no rebind.
        if (eglGetCurrentContext() == c->ctx && eglGetCurrentSurface(EGL_DRAW) == EGL_NO_SURFACE) return true;
        return eglMakeCurrent(c->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, c->ctx) == EGL_TRUE;
    }
    if (glfwGetCurrentContext() == c->win) return true;
    glfwMakeContextCurrent(c->win);
    return glfwGetCurrentContext() == c->win;
}

void ps_gl_context_swap(ps_gl_context *c)
{
    if (c && c->backend == PS_GL_GLFW && c->win) glfwSwapBuffers(c->win);
}

ps_gl_backend ps_gl_context_backend(const ps_gl_context *c) { return c ? c->backend : PS_GL_AUTO; }

void *ps_gl_context_window(ps_gl_context *c) { return c && c->backend == PS_GL_GLFW ? (void *)c->win : NULL; }

void ps_gl_context_framebuffer_size(ps_gl_context *c, int *width, int *height)
{
    int w = 0, h = 0;
    if (c && c->win) glfwGetFramebufferSize(c->win, &w, &h);
    if (width) *width = w;
    if (height) *height = h;
}

// GL entry points for glad: EGL's loader when an EGL context is current, else GLFW's.
ps_gl_proc ps_gl_get_proc(const char *name)
{
    if (eglGetCurrentContext() != EGL_NO_CONTEXT) return (ps_gl_proc)eglGetProcAddress(name);
    bool glfw = atomic_load(&glfw_ready);
    if (glfw && glfwGetCurrentContext()) return (ps_gl_proc)glfwGetProcAddress(name);
    return NULL;
}

ps_gl_saved ps_gl_save_current(void)
{
    ps_gl_saved s = {0};
    s.egl_ctx = eglGetCurrentContext();
    if (s.egl_ctx != EGL_NO_CONTEXT) {
        s.egl_dpy = eglGetCurrentDisplay();
        s.egl_draw = eglGetCurrentSurface(EGL_DRAW);
        s.egl_read = eglGetCurrentSurface(EGL_READ);
    }
    bool glfw = atomic_load(&glfw_ready);
    if (glfw) s.glfw_win = glfwGetCurrentContext();
    return s;
}

void ps_gl_restore_current(const ps_gl_saved *s)
{
    if (s->glfw_win) {
        if (glfwGetCurrentContext() != s->glfw_win) glfwMakeContextCurrent(s->glfw_win);
    } else if (s->egl_ctx != EGL_NO_CONTEXT) {
        if (eglGetCurrentContext() != s->egl_ctx) eglMakeCurrent(s->egl_dpy, s->egl_draw, s->egl_read, s->egl_ctx);
    }
}
