// Private to render/: the GL loader glad generated into the build tree, and
// how it finds entry points for whichever context is current.
#ifndef PS_GL_INTERNAL_H
#define PS_GL_INTERNAL_H

#include <glad/gl.h>

typedef void (*ps_gl_proc)(void);
// The address of GL function `name` for the current context (EGL or GLFW); NULL if none is current.
ps_gl_proc ps_gl_get_proc(const char *name);


// The context current on this thread (EGL or GLFW), to restore after work in another one.
typedef struct ps_gl_saved {
    void *egl_dpy, *egl_draw, *egl_read, *egl_ctx;
    void *glfw_win;
} ps_gl_saved;
ps_gl_saved ps_gl_save_current(void);
void ps_gl_restore_current(const ps_gl_saved *s);

#endif
