// The renderer: draws a ps_snapshot with OpenGL 3.3 core. A lit program
// (Lambert diffuse + Blinn specular, a directional light with a PCF shadow
// map, a procedural grid on planes), a small one for linear depth and
// segmentation ids; a sky gradient; unlit debug overlays; a 2D overlay
// program for rectangles, images and text.
#include "render_internal.h"

#include <cglm/cglm.h>

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

// Spheres and cylinders in two levels of detail: the coarse ones (a tenth of
// the triangles) for shapes under LOD_PIXELS across on screen, where software
// rasterisers spent most of a small camera frame transforming vertices.
enum { PRIM_BOX, PRIM_SPHERE, PRIM_CYLINDER, PRIM_SPHERE_LO, PRIM_CYLINDER_LO, PRIM_QUAD, PRIM_COUNT };
#define LOD_PIXELS 40.0
// Visual mesh files: a coarser level where no vertex moves by more than this on
// screen (the default of ps_renderer_set_lod_pixels).
#define LOD_ERROR_PIXELS 1.0
// Static shadow casters with fewer triangles are drawn each frame rather than
// copied from the cached part of the shadow map (shadow_pass).
#define STATIC_SHADOW_TRIS 2000

// A lit program (lit_fs with or without its shadow lookup and grid) and its uniform locations.
typedef struct lit_locs {
    GLuint prog;
    GLint u_model, u_nmat, u_vp, u_view, u_color, u_mode, u_light_dir, u_light_vp, u_shadow, u_shadows, u_dim,
        u_segment, u_grid, u_grid_u, u_grid_v, u_eye, u_unlit, u_shadow_offset, u_lamp, u_textured, u_tex, u_inst;
} lit_locs;

struct ps_renderer {
    GLuint prog, shadow_prog, sky_prog, line_prog, ui_prog, id_prog;
    GLuint empty_vao;
    ps_gpu_mesh prim[PRIM_COUNT];
    ps_mesh_cache *cache;
    ps_texture_cache *textures;
    uint64_t frame;
    // shadow map
    GLuint shadow_fbo, shadow_tex;
    int shadow_size;
    // The static casters' part of the shadow map (shadow_pass): drawn once while
    // the light's box and the static shapes stay the same, copied in each frame.
    GLuint static_fbo, static_tex;
    uint64_t static_key, last_key;   // of the cached part (0: none); of the last frame's casters
    size_t static_tris;              // triangles of this frame's static casters
    void *casters; size_t casters_n, casters_cap; // a frame's shadow casters (draw_items)
    bool casters_lost;               // some of them drawn without being collected (out of memory)
    // dynamic buffers: debug lines (x y z r g b a), 2D quads (x y u v)
    GLuint line_vao, line_vbo, ui_vao, ui_vbo;
    float *lines; size_t line_cap;
    // textures: font atlas (lazy), image overlay
    GLuint font_tex, image_tex;
    bool font_failed;
    float *scratch; size_t scratch_cap;
    float *quads; size_t quads_n, quads_cap; // 2D rectangles and glyphs waiting for ps_renderer_flush (floats)
    // The cached 2D overlay (ps_renderer_overlay_cache_begin): its target, the
    // framebuffer and viewport to go back to, and the box drawn into it.
    ps_render_target *ov_target;
    GLuint ov_prog; GLint ov_view, ov_tex;   // compiled at the first cache_begin
    int ov_mode;                             // OV_DIRECT, OV_CACHE or OV_DISCARD
    GLint ov_prev_fbo, ov_prev_vp[4];
    // Which OV_TILE-pixel tiles of the cache hold anything (row-major, top row first).
    unsigned char *ov_tiles; int ov_cols, ov_rows;
    bool *fallback; size_t fallback_cap;   // per segment: visual mesh failed, draw collision
    void *trans; size_t trans_n, trans_cap; // translucent draw_items of a frame, drawn back to front
    void *batch; size_t batch_n, batch_cap; // instanced draw_items waiting for flush_batch
    GLuint inst_vbo;
    float *inst; size_t inst_cap;            // instance data, PS_INST_FLOATS per instance
    ps_render_target *pick_target;
    ps_body_id tint_body;                    // shapes tinted in colour passes (PS_BODY_NONE: none)
    float tint[4];                           // RGB, strength
    char error[PS_ERR_LEN];
    // The lit programs: everything (prog); planes where no caster can shade
    // them (no shadow lookup); opaque shapes other than planes (no grid). The
    // last two are optional (prog 0 when they failed to build: prog instead).
    // L: the current one.
    lit_locs lit, plain, obj;
    const lit_locs *L;
    int shadow_rect[4];                      // a frame's plane pixels that may lie in shadow (x y w h; w 0: none)
    int view_w, view_h;                      // the frame's view (pixels)
    bool shadow_split;                       // planes drawn split by shadow_rect (else all with prog)
    void *planes; size_t planes_n, planes_cap; // a frame's opaque planes (draw_items), drawn after the other opaque shapes
    float lamp;                              // ps_renderer_set_lamp
    double lod_pixels;                       // ps_renderer_set_lod_pixels
    bool cull_mesh_backs;                    // ps_renderer_set_cull_mesh_backs
    GLint s_model, s_vp, s_inst;
    GLint d_model, d_vp, d_view, d_mode, d_segment, d_inst;
    GLint k_inv_vp, k_eye, k_dim;
    GLint l_vp;
    GLint i_view, i_kind, i_color, i_tex;
};

struct ps_render_target {
    ps_renderer *r;
    GLuint fbo, color, depth;
    int w, h;
    bool fl;
};

static bool set_error(ps_renderer *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool set_error(ps_renderer *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    return false;
}

/* ------------------------------------------------------------- shaders */

// Shapes drawn many times (boxes, spheres, cylinders) go in one instanced draw
// per mesh: per instance a model matrix, a normal matrix, a colour and a
// segment id (PS_INST_FLOATS floats, attribute locations 3..11).
#define PS_INST_FLOATS 30
#define INSTANCE_ATTRIBS \
    "layout(location=3) in mat4 i_model; layout(location=7) in vec3 i_n0; layout(location=8) in vec3 i_n1;\n" \
    "layout(location=9) in vec3 i_n2; layout(location=10) in vec4 i_col; layout(location=11) in float i_seg;\n"

static const char *lit_vs =
    "#version 330 core\n"
    "layout(location=0) in vec3 a_pos; layout(location=1) in vec3 a_nrm; layout(location=2) in vec4 a_col;\n"
    INSTANCE_ATTRIBS "layout(location=12) in vec2 a_uv;\n"
    "uniform mat4 u_model, u_vp, u_light_vp; uniform mat3 u_nmat; uniform int u_inst; uniform float u_shadow_offset;\n"
    "out vec3 v_world; out vec3 v_nrm; out vec4 v_col; out vec4 v_light; out vec2 v_uv;\n"
    "void main() {\n"
    "  v_uv = a_uv;\n"
    "  mat4 m = u_inst == 1 ? i_model : u_model; mat3 n = u_inst == 1 ? mat3(i_n0, i_n1, i_n2) : u_nmat;\n"
    "  vec4 w = m * vec4(a_pos, 1.0);\n"
    "  v_world = w.xyz; v_nrm = n * a_nrm; v_col = u_inst == 1 ? a_col * i_col : a_col;\n"
    "  // normal offset: the shadow lookup starts a texel or so off the surface (no acne)\n"
    "  v_light = u_light_vp * vec4(w.xyz + normalize(v_nrm) * u_shadow_offset, 1.0);\n"
    "  gl_Position = u_vp * w;\n"
    "}\n";

static const char *lit_fs =
    "#version 330 core\n"
    "in vec3 v_world; in vec3 v_nrm; in vec4 v_col; in vec4 v_light; in vec2 v_uv;\n"
    "uniform vec4 u_color; uniform vec3 u_light_dir; uniform sampler2DShadow u_shadow;\n"
    "uniform int u_textured; uniform sampler2D u_tex;\n"
    "uniform int u_shadows; uniform float u_dim; uniform int u_grid; uniform float u_lamp;\n"
    "uniform vec3 u_grid_u, u_grid_v, u_eye; uniform int u_unlit;\n"
    "out vec4 o;\n"
    "float shadow() {\n"
    "#ifdef NO_SHADOW_LOOKUP\n"
    "  return 1.0;\n"
    "#endif\n"
    "  if (u_shadows == 0) return 1.0;\n"
    "  vec3 p = v_light.xyz / v_light.w * 0.5 + 0.5;\n"
    "  if (p.x <= 0.0 || p.x >= 1.0 || p.y <= 0.0 || p.y >= 1.0 || p.z >= 1.0) return 1.0;\n"
    "  // one bilinear PCF tap: the sampler compares and filters 2 x 2 texels\n"
    "  return texture(u_shadow, vec3(p.xy, p.z - 0.0005));\n"
    "}\n"
    "void main() {\n"
    "  vec4 base = u_color * v_col;\n"
    "  if (u_textured == 1) base *= texture(u_tex, v_uv);\n"
    "  if (u_unlit == 1) { o = vec4(base.rgb * u_dim, base.a); return; }\n"
    "#ifndef NO_GRID\n"
    "  if (u_grid == 1) {\n"
    "    vec2 g = vec2(dot(v_world, u_grid_u), dot(v_world, u_grid_v));\n"
    "    vec2 fw = max(fwidth(g), vec2(1e-6));\n"
    "    vec2 d = abs(fract(g - 0.5) - 0.5) / fw;\n"
    "    // lines fade out where a cell spans fewer than about 8 pixels (no moire far away)\n"
    "    float line = (1.0 - min(min(d.x, d.y), 1.0)) * (1.0 - smoothstep(0.06, 0.2, max(fw.x, fw.y)));\n"
    "    base.rgb = mix(base.rgb, base.rgb * 0.6, line);\n"
    "  }\n"
    "#endif\n"
    "  vec3 n = normalize(v_nrm); if (!gl_FrontFacing) n = -n;\n"
    "  vec3 l = -u_light_dir; vec3 v = normalize(u_eye - v_world); vec3 h = normalize(l + v);\n"
    "  float diff = max(dot(n, l), 0.0); float sh = shadow();\n"
    "  // x^32 by squaring: a software rasteriser's pow() is a log2 and an exp2 per pixel\n"
    "  float s = max(dot(n, h), 0.0); s *= s; s *= s; s *= s; s *= s; s *= s;\n"
    "  float spec = diff > 0.0 ? s * 0.25 : 0.0;\n"
    "  vec3 c = base.rgb * (0.35 + 0.65 * diff * sh) + vec3(spec * sh);\n"
    "  // the camera's own lamp at the eye, not dimmed: cosine and inverse square (1 m floor)\n"
    "  vec3 lit = c * u_dim;\n"
    "  if (u_lamp > 0.0) {\n"
    "    vec3 e = u_eye - v_world; lit += base.rgb * (u_lamp * max(dot(n, normalize(e)), 0.0) / max(dot(e, e), 1.0));\n"
    "  }\n"
    "  o = vec4(lit, base.a);\n"
    "}\n";

// Depth and segmentation passes: a vertex shader without lighting outputs and
// a trivial fragment shader (software rasterisers pay for every instruction).
static const char *id_vs =
    "#version 330 core\n"
    "layout(location=0) in vec3 a_pos;\n" INSTANCE_ATTRIBS
    "uniform mat4 u_model, u_vp, u_view; uniform int u_inst; uniform float u_segment;\n"
    "out float v_depth; flat out float v_seg;\n"
    "void main() { vec4 w = (u_inst == 1 ? i_model : u_model) * vec4(a_pos, 1.0); v_depth = -(u_view * w).z;\n"
    "  v_seg = u_inst == 1 ? i_seg : u_segment; gl_Position = u_vp * w; }\n";
static const char *id_fs =
    "#version 330 core\n"
    "in float v_depth; flat in float v_seg; uniform int u_mode; out vec4 o;\n"
    "void main() { o = u_mode == 1 ? vec4(v_depth, 0.0, 0.0, 1.0) : vec4(v_seg, v_depth, 0.0, 1.0); }\n";

static const char *shadow_vs =
    "#version 330 core\n"
    "layout(location=0) in vec3 a_pos;\n" INSTANCE_ATTRIBS "uniform mat4 u_model, u_vp; uniform int u_inst;\n"
    "void main() { gl_Position = u_vp * (u_inst == 1 ? i_model : u_model) * vec4(a_pos, 1.0); }\n";
static const char *shadow_fs = "#version 330 core\nvoid main() {}\n";

static const char *sky_vs =
    "#version 330 core\n"
    "out vec2 v_ndc;\n"
    "void main() { vec2 p = vec2((gl_VertexID << 1) & 2, gl_VertexID & 2) * 2.0 - 1.0;\n"
    "  v_ndc = p; gl_Position = vec4(p, 1.0, 1.0); }\n"; // on the far plane: drawn last, only where nothing is
static const char *sky_fs =
    "#version 330 core\n"
    "in vec2 v_ndc; uniform mat4 u_inv_vp; uniform vec3 u_eye; uniform float u_dim; out vec4 o;\n"
    "void main() {\n"
    "  vec4 p = u_inv_vp * vec4(v_ndc, 1.0, 1.0); vec3 d = normalize(p.xyz / p.w - u_eye);\n"
    "  vec3 zenith = vec3(0.25, 0.45, 0.78), horizon = vec3(0.80, 0.86, 0.93), ground = vec3(0.36, 0.35, 0.33);\n"
    "  vec3 c = d.z >= 0.0 ? mix(horizon, zenith, pow(d.z, 0.6)) : mix(horizon, ground, min(-d.z * 8.0, 1.0));\n"
    "  o = vec4(c * u_dim, 1.0);\n"
    "}\n";

static const char *line_vs =
    "#version 330 core\n"
    "layout(location=0) in vec3 a_pos; layout(location=1) in vec4 a_col; uniform mat4 u_vp; out vec4 v_col;\n"
    "void main() { v_col = a_col; gl_Position = u_vp * vec4(a_pos, 1.0); }\n";
static const char *line_fs =
    "#version 330 core\nin vec4 v_col; out vec4 o; void main() { o = v_col; }\n";

// 2D quads: x y u v r g b a per vertex. Kind 1: an image (texture RGB);
// else batched rectangles (u < 0: the vertex colour) and glyphs (the font
// atlas' coverage times the vertex colour).
static const char *ui_vs =
    "#version 330 core\n"
    "layout(location=0) in vec2 a_pos; layout(location=1) in vec2 a_uv; layout(location=2) in vec4 a_col;\n"
    "uniform vec2 u_view; out vec2 v_uv; out vec4 v_col;\n"
    "void main() { v_uv = a_uv; v_col = a_col;\n"
    "  gl_Position = vec4(a_pos.x / u_view.x * 2.0 - 1.0, 1.0 - a_pos.y / u_view.y * 2.0, 0.0, 1.0); }\n";
static const char *ui_fs =
    "#version 330 core\n"
    "in vec2 v_uv; in vec4 v_col; uniform int u_kind; uniform vec4 u_color; uniform sampler2D u_tex; out vec4 o;\n"
    "void main() {\n"
    "  if (u_kind == 1) o = vec4(texture(u_tex, v_uv).rgb, 1.0) * u_color;\n"
    "  else if (v_uv.x < 0.0) o = v_col;\n"
    "  else o = vec4(v_col.rgb, v_col.a * texture(u_tex, v_uv).r);\n"
    "}\n";

// The cached 2D overlay, composited: its texture as it is (premultiplied
// alpha). A program of its own: a bare texture fetch is what llvmpipe draws fastest.
static const char *ov_fs =
    "#version 330 core\nin vec2 v_uv; uniform sampler2D u_tex; out vec4 o; void main() { o = texture(u_tex, v_uv); }\n";

static GLuint compile(ps_renderer *r, GLenum type, const char *src, const char *what)
{
    GLuint s = glCreateShader(type);
    glShaderSource(s, 1, &src, NULL);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[400];
        glGetShaderInfoLog(s, sizeof log, NULL, log);
        set_error(r, "shader %s: %s", what, log);
        glDeleteShader(s);
        return 0;
    }
    return s;
}

static GLuint program(ps_renderer *r, const char *vs, const char *fs, const char *what)
{
    GLuint v = compile(r, GL_VERTEX_SHADER, vs, what), f = compile(r, GL_FRAGMENT_SHADER, fs, what);
    if (!v || !f) {
        if (v) glDeleteShader(v);
        if (f) glDeleteShader(f);
        return 0;
    }
    GLuint p = glCreateProgram();
    glAttachShader(p, v);
    glAttachShader(p, f);
    glLinkProgram(p);
    glDeleteShader(v);
    glDeleteShader(f);
    GLint ok = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[400];
        glGetProgramInfoLog(p, sizeof log, NULL, log);
        set_error(r, "program %s: %s", what, log);
        glDeleteProgram(p);
        return 0;
    }
    return p;
}

/* ---------------------------------------------------------- primitives */

static void lit_locations(GLuint p, lit_locs *l)
{
    l->prog = p;
#define LOC(f) l->f = glGetUniformLocation(p, #f)
    LOC(u_model); LOC(u_nmat); LOC(u_vp); LOC(u_view); LOC(u_color); LOC(u_mode); LOC(u_light_dir);
    LOC(u_light_vp); LOC(u_shadow); LOC(u_shadows); LOC(u_dim); LOC(u_segment); LOC(u_grid); LOC(u_grid_u);
    LOC(u_grid_v); LOC(u_eye); LOC(u_unlit); LOC(u_shadow_offset); LOC(u_lamp); LOC(u_textured); LOC(u_tex);
    LOC(u_inst);
#undef LOC
}

// Builds lit_fs with `defines` after its version line into *l (l->prog 0 when it fails).
static void lit_variant(ps_renderer *r, const char *defines, const char *what, lit_locs *l)
{
    const char *v = "#version 330 core\n";
    size_t n = strlen(lit_fs) + strlen(defines) + 1;
    char *fs = malloc(n);
    GLuint p = 0;
    if (fs) {
        snprintf(fs, n, "%s%s%s", v, defines, lit_fs + strlen(v));
        p = program(r, lit_vs, fs, what);
        free(fs);
    }
    r->error[0] = 0; // optional: prog is used without it
    if (p) lit_locations(p, l);
    else l->prog = 0;
}

// Makes *l (or, when it failed to build, the full lit program) the current program.
static void use_lit(ps_renderer *r, const lit_locs *l)
{
    r->L = l->prog ? l : &r->lit;
    glUseProgram(r->L->prog);
}

static void vtx(float *v, float x, float y, float z, float nx, float ny, float nz)
{
    v[0] = x; v[1] = y; v[2] = z; v[3] = nx; v[4] = ny; v[5] = nz;
    v[6] = v[7] = v[8] = v[9] = 1;
    v[10] = v[11] = 0;
}

// Texture coordinates of the vertex at v (a URDF <texture> on a primitive).
static void vtx_uv(float *v, float u, float w)
{
    v[10] = u;
    v[11] = w;
}

static bool build_sphere(ps_gpu_mesh *m, int sl, int st);
static bool build_cylinder(ps_gpu_mesh *m, int cs);
static bool build_quad(ps_gpu_mesh *m);

static bool build_prims(ps_renderer *r)
{
    // Unit box [-0.5, 0.5]^3: 6 faces x 4 vertices.
    float bv[24 * PS_VTX_FLOATS];
    uint32_t bi[36];
    static const float fn[6][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    for (int f = 0; f < 6; f++) {
        float n[3] = {fn[f][0], fn[f][1], fn[f][2]};
        // two tangents u, w with u x w = n
        float u[3], w[3];
        if (fabsf(n[2]) > 0.5f) { u[0] = 1; u[1] = 0; u[2] = 0; }
        else { u[0] = 0; u[1] = 0; u[2] = 1; }
        w[0] = n[1] * u[2] - n[2] * u[1]; w[1] = n[2] * u[0] - n[0] * u[2]; w[2] = n[0] * u[1] - n[1] * u[0];
        u[0] = w[1] * n[2] - w[2] * n[1]; u[1] = w[2] * n[0] - w[0] * n[2]; u[2] = w[0] * n[1] - w[1] * n[0];
        static const float cs[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
        for (int k = 0; k < 4; k++) {
            float *p = bv + (size_t)(f * 4 + k) * PS_VTX_FLOATS;
            vtx(p, 0.5f * (n[0] + cs[k][0] * u[0] + cs[k][1] * w[0]), 0.5f * (n[1] + cs[k][0] * u[1] + cs[k][1] * w[1]),
                0.5f * (n[2] + cs[k][0] * u[2] + cs[k][1] * w[2]), n[0], n[1], n[2]);
            // The whole image on each face, upright and unmirrored seen from outside:
            // on the sides u runs to the right and v up (+z); on the top u along +x,
            // v along +y; on the bottom u along +x, v along -y.
            if (fabsf(n[2]) < 0.5f) vtx_uv(p, 0.5f - n[1] * p[0] + n[0] * p[1], 0.5f + p[2]);
            else vtx_uv(p, 0.5f + p[0], 0.5f + n[2] * p[1]);
        }
        uint32_t b = (uint32_t)f * 4;
        uint32_t *q = bi + f * 6;
        q[0] = b; q[1] = b + 1; q[2] = b + 2; q[3] = b; q[4] = b + 2; q[5] = b + 3;
    }
    if (!ps_gpu_mesh_upload(&r->prim[PRIM_BOX], bv, 24, bi, 36)) return false;

    return build_sphere(&r->prim[PRIM_SPHERE], 32, 16) && build_sphere(&r->prim[PRIM_SPHERE_LO], 12, 6) &&
           build_cylinder(&r->prim[PRIM_CYLINDER], 32) && build_cylinder(&r->prim[PRIM_CYLINDER_LO], 12) &&
           build_quad(&r->prim[PRIM_QUAD]);
}

// Unit sphere with `sl` slices and `st` stacks.
static bool build_sphere(ps_gpu_mesh *m, int sl, int st)
{
    size_t nv = (size_t)(sl + 1) * (size_t)(st + 1);
    float *sv = malloc(nv * PS_VTX_FLOATS * sizeof *sv);
    uint32_t *si = malloc((size_t)sl * (size_t)st * 6 * sizeof *si);
    bool ok = sv && si;
    size_t k = 0;
    for (int i = 0; ok && i <= st; i++) {
        double th = M_PI * i / st;
        for (int j = 0; j <= sl; j++) {
            double ph = 2 * M_PI * j / sl;
            float x = (float)(sin(th) * cos(ph)), y = (float)(sin(th) * sin(ph)), z = (float)cos(th);
            float *p = sv + (size_t)(i * (sl + 1) + j) * PS_VTX_FLOATS;
            vtx(p, x, y, z, x, y, z);
            vtx_uv(p, (float)j / (float)sl, 1.0f - (float)i / (float)st); // longitude, latitude
        }
    }
    for (int i = 0; ok && i < st; i++)
        for (int j = 0; j < sl; j++) {
            uint32_t a = (uint32_t)(i * (sl + 1) + j), b = a + (uint32_t)sl + 1;
            si[k++] = a; si[k++] = b; si[k++] = a + 1;
            si[k++] = a + 1; si[k++] = b; si[k++] = b + 1;
        }
    ok = ok && ps_gpu_mesh_upload(m, sv, nv, si, k);
    free(sv);
    free(si);
    return ok;
}

// Unit cylinder with `cs` sides: radius 1, z in [-0.5, 0.5], with caps.
static bool build_cylinder(ps_gpu_mesh *m, int cs)
{
    size_t maxv = (size_t)(cs + 1) * 2 + 2 * (size_t)(cs + 2);
    float *cv = malloc(maxv * PS_VTX_FLOATS * sizeof *cv);
    uint32_t *ci = malloc(((size_t)cs * 6 + 2 * (size_t)cs * 3) * sizeof *ci);
    if (!cv || !ci) {
        free(cv);
        free(ci);
        return false;
    }
    size_t nv = 0, k = 0;
    for (int j = 0; j <= cs; j++) {
        double ph = 2 * M_PI * j / cs;
        float x = (float)cos(ph), y = (float)sin(ph);
        vtx(cv + nv * PS_VTX_FLOATS, x, y, -0.5f, x, y, 0);
        vtx_uv(cv + nv++ * PS_VTX_FLOATS, (float)j / (float)cs, 0);
        vtx(cv + nv * PS_VTX_FLOATS, x, y, 0.5f, x, y, 0);
        vtx_uv(cv + nv++ * PS_VTX_FLOATS, (float)j / (float)cs, 1);
    }
    for (uint32_t j = 0; j < (uint32_t)cs; j++) {
        uint32_t a = 2 * j;
        ci[k++] = a; ci[k++] = a + 2; ci[k++] = a + 1;
        ci[k++] = a + 1; ci[k++] = a + 2; ci[k++] = a + 3;
    }
    for (int cap = 0; cap < 2; cap++) {
        float z = cap ? 0.5f : -0.5f, nz = cap ? 1.0f : -1.0f;
        uint32_t centre = (uint32_t)nv;
        vtx(cv + nv * PS_VTX_FLOATS, 0, 0, z, 0, 0, nz);
        vtx_uv(cv + nv++ * PS_VTX_FLOATS, 0.5f, 0.5f);
        for (int j = 0; j <= cs; j++) {
            double ph = 2 * M_PI * j / cs;
            vtx(cv + nv * PS_VTX_FLOATS, (float)cos(ph), (float)sin(ph), z, 0, 0, nz);
            vtx_uv(cv + nv++ * PS_VTX_FLOATS, 0.5f + 0.5f * (float)cos(ph), 0.5f + 0.5f * (float)sin(ph));
        }
        for (uint32_t j = 0; j < (uint32_t)cs; j++) {
            ci[k++] = centre;
            ci[k++] = cap ? centre + 1 + j : centre + 2 + j;
            ci[k++] = cap ? centre + 2 + j : centre + 1 + j;
        }
    }
    bool ok = ps_gpu_mesh_upload(m, cv, nv, ci, k);
    free(cv);
    free(ci);
    return ok;
}

// Unit quad [-1, 1]^2 at z = 0 facing +z (planes).
static bool build_quad(ps_gpu_mesh *m)
{
    float qv[4 * PS_VTX_FLOATS];
    vtx(qv, -1, -1, 0, 0, 0, 1);
    vtx(qv + PS_VTX_FLOATS, 1, -1, 0, 0, 0, 1);
    vtx(qv + 2 * PS_VTX_FLOATS, 1, 1, 0, 0, 0, 1);
    vtx(qv + 3 * PS_VTX_FLOATS, -1, 1, 0, 0, 0, 1);
    uint32_t qi[6] = {0, 1, 2, 0, 2, 3};
    return ps_gpu_mesh_upload(m, qv, 4, qi, 6);
}

/* ------------------------------------------------------------ lifetime */

// glad keeps its entry points in process-wide variables: load them once, with
// a context current (every context of a process shares the same GL library).
static pthread_mutex_t glad_lock = PTHREAD_MUTEX_INITIALIZER;
static bool glad_loaded;

static bool load_gl(char *err, size_t errlen)
{
    pthread_mutex_lock(&glad_lock);
    if (!glad_loaded) {
        int version = gladLoadGL((GLADloadfunc)ps_gl_get_proc);
        if (version && GLAD_VERSION_MAJOR(version) * 10 + GLAD_VERSION_MINOR(version) >= 33) glad_loaded = true;
        else if (err && errlen)
            snprintf(err, errlen, "renderer: %s", version ? "OpenGL 3.3 core is not available" :
                                                            "no current GL context to load OpenGL from");
    }
    bool ok = glad_loaded;
    pthread_mutex_unlock(&glad_lock);
    return ok;
}

ps_renderer *ps_renderer_create(char *err, size_t errlen)
{
    if (!load_gl(err, errlen)) return NULL;
    ps_renderer *r = calloc(1, sizeof *r);
    if (!r) {
        if (err && errlen) snprintf(err, errlen, "renderer: out of memory");
        return NULL;
    }
    r->lod_pixels = LOD_ERROR_PIXELS;
    r->textures = ps_texture_cache_create();
    r->cache = r->textures ? ps_mesh_cache_create(r->textures) : NULL;
    r->prog = program(r, lit_vs, lit_fs, "lit");
    r->shadow_prog = r->prog ? program(r, shadow_vs, shadow_fs, "shadow") : 0;
    r->sky_prog = r->shadow_prog ? program(r, sky_vs, sky_fs, "sky") : 0;
    r->line_prog = r->sky_prog ? program(r, line_vs, line_fs, "line") : 0;
    r->ui_prog = r->line_prog ? program(r, ui_vs, ui_fs, "ui") : 0;
    r->id_prog = r->ui_prog ? program(r, id_vs, id_fs, "id") : 0;
    if (!r->cache || !r->id_prog || !build_prims(r)) {
        if (err && errlen) snprintf(err, errlen, "renderer: %s", r->error[0] ? r->error : "GL setup failed");
        ps_renderer_destroy(r);
        return NULL;
    }
    lit_locations(r->prog, &r->lit);
    r->L = &r->lit;
    // llvmpipe runs both sides of every branch, so a uniform switch would not
    // save a lookup or the grid: variants compiled without them instead.
    lit_variant(r, "#define NO_SHADOW_LOOKUP\n", "lit without shadows", &r->plain);
    lit_variant(r, "#define NO_GRID\n", "lit without grid", &r->obj);
#define LOC(f, p, n) r->f = glGetUniformLocation(r->p, n)
    LOC(s_model, shadow_prog, "u_model"); LOC(s_vp, shadow_prog, "u_vp"); LOC(s_inst, shadow_prog, "u_inst");
    LOC(d_model, id_prog, "u_model"); LOC(d_vp, id_prog, "u_vp"); LOC(d_view, id_prog, "u_view");
    LOC(d_mode, id_prog, "u_mode"); LOC(d_segment, id_prog, "u_segment"); LOC(d_inst, id_prog, "u_inst");
    LOC(k_inv_vp, sky_prog, "u_inv_vp"); LOC(k_eye, sky_prog, "u_eye"); LOC(k_dim, sky_prog, "u_dim");
    LOC(l_vp, line_prog, "u_vp");
    LOC(i_view, ui_prog, "u_view"); LOC(i_kind, ui_prog, "u_kind"); LOC(i_color, ui_prog, "u_color");
    LOC(i_tex, ui_prog, "u_tex");
#undef LOC
    // Instance attributes on the primitive meshes' VAOs (always enabled; the
    // shaders read them only when u_inst is 1). One zeroed instance to start.
    glGenBuffers(1, &r->inst_vbo);
    glBindBuffer(GL_ARRAY_BUFFER, r->inst_vbo);
    {
        float zero[PS_INST_FLOATS] = {0};
        glBufferData(GL_ARRAY_BUFFER, sizeof zero, zero, GL_STREAM_DRAW);
    }
    for (int k = 0; k < PRIM_COUNT; k++) {
        glBindVertexArray(r->prim[k].vao);
        glBindBuffer(GL_ARRAY_BUFFER, r->inst_vbo);
        const GLsizei stride = PS_INST_FLOATS * sizeof(float);
        static const struct { GLuint loc; GLint n; size_t off; } at[] = {
            {3, 4, 0}, {4, 4, 4}, {5, 4, 8}, {6, 4, 12}, {7, 3, 16}, {8, 3, 19}, {9, 3, 22}, {10, 4, 25}, {11, 1, 29}};
        for (size_t a = 0; a < sizeof at / sizeof *at; a++) {
            glEnableVertexAttribArray(at[a].loc);
            glVertexAttribPointer(at[a].loc, at[a].n, GL_FLOAT, GL_FALSE, stride, (void *)(at[a].off * sizeof(float)));
            glVertexAttribDivisor(at[a].loc, 1);
        }
    }
    glBindVertexArray(0);
    glGenVertexArrays(1, &r->empty_vao);
    glGenVertexArrays(1, &r->line_vao);
    glGenBuffers(1, &r->line_vbo);
    glBindVertexArray(r->line_vao);
    glBindBuffer(GL_ARRAY_BUFFER, r->line_vbo);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 7 * sizeof(float), (void *)0);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 4, GL_FLOAT, GL_FALSE, 7 * sizeof(float), (void *)(3 * sizeof(float)));
    glGenVertexArrays(1, &r->ui_vao);
    glGenBuffers(1, &r->ui_vbo);
    glBindVertexArray(r->ui_vao);
    glBindBuffer(GL_ARRAY_BUFFER, r->ui_vbo);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 8 * sizeof(float), (void *)0);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 8 * sizeof(float), (void *)(2 * sizeof(float)));
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 4, GL_FLOAT, GL_FALSE, 8 * sizeof(float), (void *)(4 * sizeof(float)));
    glBindVertexArray(0);
    GLenum e = glGetError();
    if (e != GL_NO_ERROR) {
        if (err && errlen) snprintf(err, errlen, "renderer: GL error 0x%x during setup", e);
        ps_renderer_destroy(r);
        return NULL;
    }
    return r;
}

void ps_renderer_destroy(ps_renderer *r)
{
    if (!r) return;
    free(r->quads);
    ps_render_target_destroy(r->pick_target);
    ps_render_target_destroy(r->ov_target);
    free(r->ov_tiles);
    for (int i = 0; i < PRIM_COUNT; i++) ps_gpu_mesh_free(&r->prim[i]);
    ps_mesh_cache_destroy(r->cache);
    ps_texture_cache_destroy(r->textures);
    GLuint progs[] = {r->prog, r->shadow_prog, r->sky_prog, r->line_prog, r->ui_prog, r->id_prog, r->ov_prog,
                      r->plain.prog, r->obj.prog};
    for (size_t i = 0; i < sizeof progs / sizeof *progs; i++)
        if (progs[i]) glDeleteProgram(progs[i]);
    if (r->shadow_fbo) glDeleteFramebuffers(1, &r->shadow_fbo);
    if (r->static_fbo) glDeleteFramebuffers(1, &r->static_fbo);
    GLuint tex[] = {r->shadow_tex, r->static_tex, r->font_tex, r->image_tex};
    for (size_t i = 0; i < 4; i++)
        if (tex[i]) glDeleteTextures(1, &tex[i]);
    free(r->casters);
    GLuint bufs[] = {r->line_vbo, r->ui_vbo, r->inst_vbo};
    for (size_t i = 0; i < 3; i++)
        if (bufs[i]) glDeleteBuffers(1, &bufs[i]);
    GLuint vaos[] = {r->empty_vao, r->line_vao, r->ui_vao};
    for (size_t i = 0; i < 3; i++)
        if (vaos[i]) glDeleteVertexArrays(1, &vaos[i]);
    free(r->lines);
    free(r->scratch);
    free(r->fallback);
    free(r->trans);
    free(r->planes);
    free(r->batch);
    free(r->inst);
    free(r);
}

const char *ps_renderer_error(const ps_renderer *r) { return r ? r->error : "no renderer"; }

bool ps_renderer_is_software(ps_renderer *r)
{
    if (!r) return false;
    const char *name = (const char *)glGetString(GL_RENDERER);
    if (!name) return false;
    static const char *const soft[] = {"llvmpipe", "softpipe", "swrast", "SwiftShader"};
    for (size_t i = 0; i < sizeof soft / sizeof *soft; i++)
        if (strstr(name, soft[i])) return true;
    return false;
}

int ps_renderer_framebuffer_samples(ps_renderer *r)
{
    if (!r) return 0;
    GLint n = 0;
    glGetIntegerv(GL_SAMPLES, &n);
    return n;
}

/* ---------------------------------------------------------------- maths */

// Column-major model matrix of a pose with per-axis scale.
static void pose_matrix(ps_pose p, double sx, double sy, double sz, mat4 m, mat3 nm)
{
    double w = p.q.w, x = p.q.x, y = p.q.y, z = p.q.z;
    double R[3][3] = {{1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
                      {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
                      {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}};
    double s[3] = {sx, sy, sz};
    memset(m, 0, sizeof(mat4));
    for (int c = 0; c < 3; c++)
        for (int row = 0; row < 3; row++) {
            m[c][row] = (float)(R[row][c] * s[c]);
            nm[c][row] = (float)(R[row][c] / (s[c] != 0 ? s[c] : 1));
        }
    m[3][0] = (float)p.p.x;
    m[3][1] = (float)p.p.y;
    m[3][2] = (float)p.p.z;
    m[3][3] = 1;
}

typedef struct frame_ctx {
    mat4 view, proj, vp, light_vp;
    vec3 eye, fwd;
    ps_render_mode mode;
    unsigned flags;
    float dim;
    double far_clip;
    float light_extent;   // half width of the light's ortho box (m)
    double px_per_rad;    // pixels per radian of view angle (level of detail)
    double lod_pixels;    // a mesh level's error may span this many pixels
} frame_ctx;

static bool make_view(const ps_render_view *v, frame_ctx *f)
{
    if (v->width < 1 || v->height < 1 || !(v->fov_y > 0 && v->fov_y < M_PI) || !(v->near_clip > 0) ||
        !(v->far_clip > v->near_clip))
        return false;
    vec3 eye = {(float)v->eye.x, (float)v->eye.y, (float)v->eye.z};
    vec3 tgt = {(float)v->target.x, (float)v->target.y, (float)v->target.z};
    vec3 up = {(float)v->up.x, (float)v->up.y, (float)v->up.z};
    vec3 d;
    glm_vec3_sub(tgt, eye, d);
    if (glm_vec3_norm(d) < 1e-9f) return false;
    glm_vec3_normalize(d);
    vec3 c;
    glm_vec3_cross(d, up, c);
    if (glm_vec3_norm(c) < 1e-6f) { // up parallel to the view: pick another
        vec3 alt = {1, 0, 0};
        if (fabsf(d[0]) > 0.9f) { alt[0] = 0; alt[1] = 1; }
        glm_vec3_copy(alt, up);
    }
    glm_lookat(eye, tgt, up, f->view);
    glm_perspective((float)v->fov_y, (float)v->width / (float)v->height, (float)v->near_clip, (float)v->far_clip,
                    f->proj);
    glm_mat4_mul(f->proj, f->view, f->vp);
    glm_vec3_copy(eye, f->eye);
    glm_vec3_copy(d, f->fwd);
    f->far_clip = v->far_clip;
    f->px_per_rad = v->height / (2.0 * tan(v->fov_y / 2));
    return true;
}

// Direction the light travels: (0.35, 0.25, -1) normalised: a high sun behind
// and to the right of a robot looking along +x (REP-103), so what it faces is lit.
static const float light_dir[3] = {0.32152f, 0.22966f, -0.91862f};

static void light_matrix(frame_ctx *f, const ps_render_view *v)
{
    double dist = sqrt((v->target.x - v->eye.x) * (v->target.x - v->eye.x) +
                       (v->target.y - v->eye.y) * (v->target.y - v->eye.y) +
                       (v->target.z - v->eye.z) * (v->target.z - v->eye.z));
    float R = (float)fmin(fmax(dist * 2.0, 6.0), 30.0);
    if (R > (float)v->far_clip) R = (float)fmax(v->far_clip, 1.0);
    vec3 centre, eye, up = {0, 1, 0};
    glm_vec3_scale(f->fwd, R * 0.6f, centre);
    glm_vec3_add(centre, f->eye, centre);
    vec3 ld = {light_dir[0], light_dir[1], light_dir[2]};
    glm_vec3_normalize(ld);
    glm_vec3_scale(ld, -2.0f * R, eye);
    glm_vec3_add(eye, centre, eye);
    mat4 lv, lp;
    glm_lookat(eye, centre, up, lv);
    glm_ortho(-R, R, -R, R, 0.05f, 4.0f * R, lp);
    f->light_extent = R;
    glm_mat4_mul(lp, lv, f->light_vp);
}

/* ----------------------------------------------------------- drawing */

typedef struct draw_item {
    const ps_gpu_mesh *mesh;
    mat4 model;
    mat3 nmat;
    float rgba[4];
    float segment;
    bool grid, translucent;
    GLuint tex;         // a URDF <texture> over the whole shape (0: none)
    bool dynamic;       // belongs to a body (static geometry does not move)
    bool mesh_file;     // a visual mesh file (closed surfaces: back faces may be culled)
    vec3 gu, gv;
    float key;          // squared distance from the eye (translucent sorting)
} draw_item;

static void set_item_uniforms(ps_renderer *r, const draw_item *it, bool color_pass)
{
    glUniformMatrix4fv(r->L->u_model, 1, GL_FALSE, (const float *)it->model);
    glUniformMatrix3fv(r->L->u_nmat, 1, GL_FALSE, (const float *)it->nmat);
    glUniform4fv(r->L->u_color, 1, it->rgba);
    glUniform1f(r->L->u_segment, it->segment);
    glUniform1i(r->L->u_grid, color_pass && it->grid);
    glUniform3fv(r->L->u_grid_u, 1, it->gu);
    glUniform3fv(r->L->u_grid_v, 1, it->gv);
}

// Calls `emit` for each mesh part of a shape (capsules have three).
typedef void (*emit_fn)(ps_renderer *r, draw_item *it, void *ctx);

static bool shape_visible(const ps_draw_shape *s, unsigned flags, const bool *fallback, size_t nfb)
{
    bool has_vis = s->robot_has_visuals;
    bool failed = s->segment > 0 && (size_t)s->segment < nfb && fallback[s->segment];
    if (s->role == PS_ROLE_VISUAL) return (flags & PS_DRAW_VISUAL) && !failed;
    // collision shapes
    if (!has_vis) return true;                       // no visuals: always drawn
    if (!(flags & PS_DRAW_VISUAL)) return (flags & PS_DRAW_COLLISION) != 0;
    return failed;                                   // visuals on: only where they failed
}

// The coarse mesh for a round shape of bounding radius `rad` (m) at `p` that
// spans fewer than LOD_PIXELS on screen.
static bool coarse(const frame_ctx *f, ps_vec3 p, double rad)
{
    double dx = p.x - f->eye[0], dy = p.y - f->eye[1], dz = p.z - f->eye[2];
    double d = sqrt(dx * dx + dy * dy + dz * dz);
    return d > rad && 2.0 * rad / d * f->px_per_rad < LOD_PIXELS;
}

// The coarsest level of a mesh file (at `p`, scaled by `scale`) whose error
// spans less than f->lod_pixels on screen at the mesh's nearest point.
static const ps_gpu_mesh *mesh_level(const frame_ctx *f, const ps_mesh_levels *lv, ps_vec3 p, double scale)
{
    double dx = p.x - f->eye[0], dy = p.y - f->eye[1], dz = p.z - f->eye[2];
    double d = sqrt(dx * dx + dy * dy + dz * dz) - lv->radius * scale;
    const ps_gpu_mesh *m = lv->mesh[0];
    if (d <= 0) return m;
    for (int l = 1; l < PS_MESH_LEVELS && lv->mesh[l]; l++)
        if (lv->error[l] * scale / d * f->px_per_rad < f->lod_pixels) m = lv->mesh[l];
    return m;
}

static void tint(float rgba[4], const float t[4])
{
    for (int k = 0; k < 3; k++) rgba[k] = (1 - t[3]) * rgba[k] + t[3] * t[k];
}

static void for_each_part(ps_renderer *r, const ps_snapshot *snap, const frame_ctx *f, emit_fn emit, void *ctx)
{
    size_t n, nm;
    const ps_draw_shape *sh = ps_snapshot_shapes(snap, &n);
    const ps_snapshot_mesh *meshes = ps_snapshot_meshes(snap, &nm);
    for (size_t i = 0; i < n; i++) {
        const ps_draw_shape *s = &sh[i];
        if (!shape_visible(s, f->flags, r->fallback, r->fallback_cap)) continue;
        draw_item it;
        memset(&it, 0, sizeof it);
        memcpy(it.rgba, s->rgba, sizeof it.rgba);
        bool tinted = f->mode == PS_RENDER_COLOR && ps_body_is_set(r->tint_body) && ps_body_id_eq(s->body, r->tint_body);
        if (tinted) tint(it.rgba, r->tint);
        it.segment = (float)s->segment;
        it.dynamic = ps_body_is_set(s->body);
        it.translucent = s->rgba[3] < 0.999f;
        if (f->mode == PS_RENDER_COLOR && s->texture_path)
            it.tex = ps_texture_cache_get(r->textures, s->texture_path, "a URDF visual's <texture>");
        switch (s->type) {
        case PS_SHAPE_BOX:
            it.mesh = &r->prim[PRIM_BOX];
            pose_matrix(s->pose, s->size.x, s->size.y, s->size.z, it.model, it.nmat);
            emit(r, &it, ctx);
            break;
        case PS_SHAPE_SPHERE:
            it.mesh = &r->prim[coarse(f, s->pose.p, s->radius) ? PRIM_SPHERE_LO : PRIM_SPHERE];
            pose_matrix(s->pose, s->radius, s->radius, s->radius, it.model, it.nmat);
            emit(r, &it, ctx);
            break;
        case PS_SHAPE_CYLINDER:
            it.mesh = &r->prim[coarse(f, s->pose.p, fmax(s->radius, s->length / 2)) ? PRIM_CYLINDER_LO : PRIM_CYLINDER];
            pose_matrix(s->pose, s->radius, s->radius, s->length, it.model, it.nmat);
            emit(r, &it, ctx);
            break;
        case PS_SHAPE_CAPSULE: {
            bool lo = coarse(f, s->pose.p, s->radius + s->length / 2);
            it.mesh = &r->prim[lo ? PRIM_CYLINDER_LO : PRIM_CYLINDER];
            pose_matrix(s->pose, s->radius, s->radius, s->length, it.model, it.nmat);
            emit(r, &it, ctx);
            it.mesh = &r->prim[lo ? PRIM_SPHERE_LO : PRIM_SPHERE];
            for (int e = -1; e <= 1; e += 2) {
                ps_pose p = s->pose;
                double h = e * s->length / 2, w = p.q.w, x = p.q.x, y = p.q.y, z = p.q.z;
                // local +z axis in world
                p.p.x += h * 2 * (x * z + w * y);
                p.p.y += h * 2 * (y * z - w * x);
                p.p.z += h * (1 - 2 * (x * x + y * y));
                pose_matrix(p, s->radius, s->radius, s->radius, it.model, it.nmat);
                emit(r, &it, ctx);
            }
            break;
        }
        case PS_SHAPE_PLANE: {
            // A square centred under the eye, as wide as the far clip distance.
            ps_pose p = s->pose;
            double w = p.q.w, x = p.q.x, y = p.q.y, z = p.q.z;
            double nx = 2 * (x * z + w * y), ny = 2 * (y * z - w * x), nz = 1 - 2 * (x * x + y * y);
            double d = (f->eye[0] - p.p.x) * nx + (f->eye[1] - p.p.y) * ny + (f->eye[2] - p.p.z) * nz;
            // snap to whole metres so the grid does not swim
            p.p.x = floor(f->eye[0] - d * nx + 0.5);
            p.p.y = floor(f->eye[1] - d * ny + 0.5);
            p.p.z = f->eye[2] - d * nz;
            if (fabs(nz) > 0.999) p.p.z = s->pose.p.z;
            double half = fmax(f->far_clip, 10.0);
            it.mesh = &r->prim[PRIM_QUAD];
            pose_matrix(p, half, half, 1, it.model, it.nmat);
            it.grid = (f->flags & PS_DRAW_GRID) != 0;
            it.gu[0] = (float)(1 - 2 * (y * y + z * z)); it.gu[1] = (float)(2 * (x * y + w * z)); it.gu[2] = (float)(2 * (x * z - w * y));
            it.gv[0] = (float)(2 * (x * y - w * z)); it.gv[1] = (float)(1 - 2 * (x * x + z * z)); it.gv[2] = (float)(2 * (y * z + w * x));
            emit(r, &it, ctx);
            break;
        }
        case PS_SHAPE_HEIGHTFIELD:
        case PS_SHAPE_MESH:
            if (s->mesh >= nm) break;
            it.mesh = ps_mesh_cache_snapshot(r->cache, &meshes[s->mesh], &s->size, r->frame);
            if (!it.mesh) break;
            if (s->type == PS_SHAPE_HEIGHTFIELD) pose_matrix(s->pose, 1, 1, 1, it.model, it.nmat);
            else pose_matrix(s->pose, s->size.x, s->size.y, s->size.z, it.model, it.nmat);
            emit(r, &it, ctx);
            break;
        case PS_SHAPE_MESH_FILE: {
            bool fc = false;
            ps_mesh_levels lv;
            if (!s->mesh_path) break;
            it.mesh = ps_mesh_cache_file(r->cache, s->mesh_path, &fc, &lv, r->frame);
            if (!it.mesh) break;
            it.mesh = mesh_level(f, &lv, s->pose.p, fmax(fabs(s->size.x), fmax(fabs(s->size.y), fabs(s->size.z))));
            if (fc) { // the file's colours are in the vertices; the shape's colour multiplies them
                it.rgba[0] = it.rgba[1] = it.rgba[2] = 1;
                if (tinted) tint(it.rgba, r->tint);
            }
            pose_matrix(s->pose, s->size.x, s->size.y, s->size.z, it.model, it.nmat);
            it.mesh_file = true;
            emit(r, &it, ctx);
            break;
        }
        }
    }
}

// Marks the segments whose visual mesh files fail to load: their collision
// shapes are drawn instead.
static bool mark_fallbacks(ps_renderer *r, const ps_snapshot *snap, unsigned flags)
{
    size_t n;
    const ps_draw_shape *sh = ps_snapshot_shapes(snap, &n);
    int32_t maxseg = 0;
    for (size_t i = 0; i < n; i++)
        if (sh[i].segment > maxseg) maxseg = sh[i].segment;
    if ((size_t)maxseg + 1 > r->fallback_cap) {
        bool *fb = realloc(r->fallback, (size_t)maxseg + 1);
        if (!fb) return set_error(r, "out of memory");
        r->fallback = fb;
        r->fallback_cap = (size_t)maxseg + 1;
    }
    memset(r->fallback, 0, r->fallback_cap);
    if (!(flags & PS_DRAW_VISUAL)) return true;
    for (size_t i = 0; i < n; i++) {
        if (sh[i].role != PS_ROLE_VISUAL || sh[i].type != PS_SHAPE_MESH_FILE || sh[i].segment <= 0) continue;
        bool fc;
        if (!sh[i].mesh_path || !ps_mesh_cache_file(r->cache, sh[i].mesh_path, &fc, NULL, r->frame))
            r->fallback[sh[i].segment] = true;
    }
    return true;
}

// Boxes, spheres and cylinders are batched for instanced drawing.
static bool batchable(const ps_renderer *r, const draw_item *it)
{
    return !it->grid && !it->tex && it->mesh >= &r->prim[PRIM_BOX] && it->mesh <= &r->prim[PRIM_CYLINDER_LO];
}

static bool batch_push(ps_renderer *r, const draw_item *it)
{
    if (r->batch_n == r->batch_cap) {
        size_t n = r->batch_cap ? 2 * r->batch_cap : 64;
        void *b = realloc(r->batch, n * sizeof(draw_item));
        if (!b) return false; // the caller draws it alone
        r->batch = b;
        r->batch_cap = n;
    }
    ((draw_item *)r->batch)[r->batch_n++] = *it;
    return true;
}

// Draws the batched items, one instanced call per primitive mesh, with the
// current program (whose u_inst location is `inst_loc`).
static void flush_batch(ps_renderer *r, GLint inst_loc)
{
    const draw_item *items = r->batch;
    if (!r->batch_n) return;
    if (r->batch_n * PS_INST_FLOATS > r->inst_cap) {
        size_t n = r->inst_cap ? r->inst_cap : 64 * PS_INST_FLOATS;
        while (n < r->batch_n * PS_INST_FLOATS) n *= 2;
        float *p = realloc(r->inst, n * sizeof *p);
        if (!p) { // out of memory: one draw each
            for (size_t i = 0; i < r->batch_n; i++) {
                glUniform1i(inst_loc, 0);
                ps_gpu_mesh_draw(items[i].mesh);
            }
            r->batch_n = 0;
            return;
        }
        r->inst = p;
        r->inst_cap = n;
    }
    glUniform1i(inst_loc, 1);
    for (int k = 0; k < PRIM_COUNT; k++) {
        const ps_gpu_mesh *m = &r->prim[k];
        size_t n = 0;
        for (size_t i = 0; i < r->batch_n; i++) {
            if (items[i].mesh != m) continue;
            float *d = r->inst + n++ * PS_INST_FLOATS;
            memcpy(d, items[i].model, 16 * sizeof(float));
            for (int c = 0; c < 3; c++) memcpy(d + 16 + 3 * c, items[i].nmat[c], 3 * sizeof(float));
            memcpy(d + 25, items[i].rgba, 4 * sizeof(float));
            d[29] = items[i].segment;
        }
        if (!n) continue;
        glBindVertexArray(m->vao);
        glBindBuffer(GL_ARRAY_BUFFER, r->inst_vbo);
        glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(n * PS_INST_FLOATS * sizeof(float)), r->inst, GL_STREAM_DRAW);
        glDrawElementsInstanced(GL_TRIANGLES, m->count, GL_UNSIGNED_INT, 0, (GLsizei)n);
    }
    glUniform1i(inst_loc, 0);
    r->batch_n = 0;
}

// FNV-1a over n bytes, continuing from h (never 0: 0 means "not cacheable").
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h ? h : 1;
}

// Collects a frame's shadow casters (planes receive, never cast; translucent
// shapes neither) and hashes the static ones into *(uint64_t *)ctx.
static void emit_shadow(ps_renderer *r, draw_item *it, void *ctx)
{
    if (it->mesh == &r->prim[PRIM_QUAD] || it->translucent) return;
    if (r->casters_n == r->casters_cap) {
        size_t n = r->casters_cap ? 2 * r->casters_cap : 64;
        void *c = realloc(r->casters, n * sizeof(draw_item));
        if (!c) { // out of memory: drawn at once, never cached (nor split planes: shadow_rect)
            *(uint64_t *)ctx = 0;
            r->casters_lost = true;
            glUniformMatrix4fv(r->s_model, 1, GL_FALSE, (const float *)it->model);
            ps_gpu_mesh_draw(it->mesh);
            return;
        }
        r->casters = c;
        r->casters_cap = n;
    }
    ((draw_item *)r->casters)[r->casters_n++] = *it;
    uint64_t *h = ctx;
    if (it->dynamic || !*h) return;
    r->static_tris += (size_t)it->mesh->count / 3;
    const void *m = it->mesh;
    *h = hash_bytes(*h, &m, sizeof m);
    *h = hash_bytes(*h, it->model, sizeof it->model);
}

typedef struct pass_ctx { bool translucent; const float *eye; } pass_ctx;

static void bind_texture(GLuint tex)
{
    glActiveTexture(GL_TEXTURE1); // unit 0 holds the shadow map
    glBindTexture(GL_TEXTURE_2D, tex);
    glActiveTexture(GL_TEXTURE0);
}

// One lit item: its own texture (a URDF <texture>) over the whole mesh, else
// the mesh file's parts each with its texture, else the vertex colours.
static void draw_lit(ps_renderer *r, const draw_item *it)
{
    const ps_gpu_mesh *m = it->mesh;
    set_item_uniforms(r, it, true);
    if (it->tex || !m->part_count) {
        if (it->tex) {
            bind_texture(it->tex);
            glUniform1i(r->L->u_textured, 1);
        }
        ps_gpu_mesh_draw(m);
    } else {
        for (size_t i = 0; i < m->part_count; i++) {
            const ps_mesh_part *p = &m->parts[i];
            if (p->tex) bind_texture(p->tex);
            glUniform1i(r->L->u_textured, p->tex != 0);
            ps_gpu_mesh_draw_range(m, p->first, p->count);
        }
    }
    glUniform1i(r->L->u_textured, 0);
}

// An opaque plane, split by r->shadow_rect: the shadow lookup only inside it,
// the plain program in the bands around it (scissored, so no pixel is drawn twice).
static void draw_plane(ps_renderer *r, const draw_item *it)
{
    const lit_locs *was = r->L;
    use_lit(r, &r->lit);
    const int *sr = r->shadow_rect;
    if (!r->shadow_split) {
        draw_lit(r, it);
    } else {
        int W = r->view_w, H = r->view_h, x0 = sr[0], y0 = sr[1], x1 = sr[0] + sr[2], y1 = sr[1] + sr[3];
        glEnable(GL_SCISSOR_TEST);
        if (sr[2] > 0 && sr[3] > 0) {
            glScissor(sr[0], sr[1], sr[2], sr[3]);
            draw_lit(r, it);
        } else { // nothing in shadow: one band, the whole view
            x0 = y0 = x1 = y1 = 0;
        }
        use_lit(r, &r->plain);
        const int band[4][4] = {{0, 0, W, y0}, {0, y1, W, H - y1}, {0, y0, x0, y1 - y0}, {x1, y0, W - x1, y1 - y0}};
        for (int b = 0; b < 4; b++) {
            if (band[b][2] <= 0 || band[b][3] <= 0) continue;
            glScissor(band[b][0], band[b][1], band[b][2], band[b][3]);
            draw_lit(r, it);
        }
        glDisable(GL_SCISSOR_TEST);
    }
    use_lit(r, was);
}

// Opaque items draw at once; translucent ones are collected and drawn back to front.
static void emit_lit(ps_renderer *r, draw_item *it, void *ctx)
{
    const pass_ctx *p = ctx;
    if (it->translucent != p->translucent) return;
    if (p->translucent) {
        if (r->trans_n == r->trans_cap) {
            size_t n = r->trans_cap ? 2 * r->trans_cap : 64;
            void *t = realloc(r->trans, n * sizeof(draw_item));
            if (!t) return; // out of memory: this translucent part is not drawn
            r->trans = t;
            r->trans_cap = n;
        }
        float dx = it->model[3][0] - p->eye[0], dy = it->model[3][1] - p->eye[1], dz = it->model[3][2] - p->eye[2];
        it->key = dx * dx + dy * dy + dz * dz;
        ((draw_item *)r->trans)[r->trans_n++] = *it;
        return;
    }
    if (it->mesh == &r->prim[PRIM_QUAD]) { // drawn after the other opaque shapes (draw_impl)
        if (r->planes_n == r->planes_cap) {
            size_t n = r->planes_cap ? 2 * r->planes_cap : 4;
            void *pl = realloc(r->planes, n * sizeof(draw_item));
            if (!pl) { // out of memory: drawn at once
                draw_plane(r, it);
                return;
            }
            r->planes = pl;
            r->planes_cap = n;
        }
        ((draw_item *)r->planes)[r->planes_n++] = *it;
        return;
    }
    if (batchable(r, it) && batch_push(r, it)) return;
    bool cull = it->mesh_file && r->cull_mesh_backs;
    if (cull) { // a mirroring scale turns the winding over
        glEnable(GL_CULL_FACE);
        glCullFace(GL_BACK);
        glFrontFace(glm_mat3_det((vec3 *)it->nmat) < 0 ? GL_CW : GL_CCW);
    }
    draw_lit(r, it);
    if (cull) {
        glFrontFace(GL_CCW);
        glDisable(GL_CULL_FACE);
    }
}

static int farther_first(const void *a, const void *b)
{
    float x = ((const draw_item *)a)->key, y = ((const draw_item *)b)->key;
    return (x < y) - (x > y);
}

static void emit_id(ps_renderer *r, draw_item *it, void *ctx)
{
    (void)ctx;
    if (batchable(r, it) && batch_push(r, it)) return;
    glUniformMatrix4fv(r->d_model, 1, GL_FALSE, (const float *)it->model);
    glUniform1f(r->d_segment, it->segment);
    ps_gpu_mesh_draw(it->mesh);
}

// A depth texture of size^2 for shadow maps (compared in the lit shader) and
// its framebuffer; false with the error set.
static bool shadow_target(ps_renderer *r, GLuint *tex, GLuint *fbo, int size)
{
    if (!*tex) glGenTextures(1, tex);
    glBindTexture(GL_TEXTURE_2D, *tex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_DEPTH_COMPONENT24, size, size, 0, GL_DEPTH_COMPONENT, GL_FLOAT, NULL);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_COMPARE_MODE, GL_COMPARE_REF_TO_TEXTURE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_COMPARE_FUNC, GL_LEQUAL);
    if (!*fbo) glGenFramebuffers(1, fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, *fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_TEXTURE_2D, *tex, 0);
    glDrawBuffer(GL_NONE);
    glReadBuffer(GL_NONE);
    return glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE ||
           set_error(r, "shadow framebuffer incomplete");
}

// Draws the collected casters that are dynamic (or static) into the bound framebuffer.
static void draw_casters(ps_renderer *r, bool dynamic)
{
    const draw_item *c = r->casters;
    r->batch_n = 0;
    for (size_t i = 0; i < r->casters_n; i++) {
        if (c[i].dynamic != dynamic) continue;
        if (batchable(r, &c[i]) && batch_push(r, &c[i])) continue;
        glUniformMatrix4fv(r->s_model, 1, GL_FALSE, (const float *)c[i].model);
        ps_gpu_mesh_draw(c[i].mesh);
    }
    flush_batch(r, r->s_inst);
}

// The shadow map. Static geometry (walls, shelves, terrain) usually costs most
// of it and rarely changes: once the light's box and the static casters were
// the same two frames running (the camera stopped), they are drawn once into
// a map of their own, which later frames copy before drawing only the bodies.
// Depth is the nearest caster's either way, so the map is the same as drawing
// everything each frame (with the same polygon offset in both).
static bool shadow_pass(ps_renderer *r, const ps_snapshot *snap, frame_ctx *f, int size)
{
    if (r->shadow_size != size) {
        if (!shadow_target(r, &r->shadow_tex, &r->shadow_fbo, size)) return false;
        if (r->static_tex && !shadow_target(r, &r->static_tex, &r->static_fbo, size)) return false;
        r->shadow_size = size;
        r->static_key = r->last_key = 0;
    }
    glEnable(GL_DEPTH_TEST);
    glEnable(GL_POLYGON_OFFSET_FILL);
    glPolygonOffset(2.0f, 4.0f);
    glUseProgram(r->shadow_prog);
    glUniformMatrix4fv(r->s_vp, 1, GL_FALSE, (const float *)f->light_vp);
    glUniform1i(r->s_inst, 0);
    // Robots cast shadows with their collision shapes (convex hulls, boxes):
    // the Go2's visual meshes have 80k triangles, which a software rasteriser
    // would transform twice a frame; a shadow does not show the difference.
    frame_ctx sf = *f;
    sf.flags = (f->flags & ~(unsigned)PS_DRAW_VISUAL) | PS_DRAW_COLLISION;
    uint64_t key = hash_bytes(1469598103934665603ULL, f->light_vp, sizeof f->light_vp);
    key = hash_bytes(key, &size, sizeof size);
    r->casters_n = 0;
    r->casters_lost = false;
    r->static_tris = 0;
    glBindFramebuffer(GL_FRAMEBUFFER, r->shadow_fbo); // casters drawn at once when out of memory
    glViewport(0, 0, size, size);
    glClear(GL_DEPTH_BUFFER_BIT);
    for_each_part(r, snap, &sf, emit_shadow, &key);
    // Copying the map costs about as much as a few thousand small triangles.
    if (r->static_tris < STATIC_SHADOW_TRIS) key = 0;
    bool cached = key && key == r->static_key;
    if (key && !cached && key == r->last_key) { // the same two frames running: cache the static part
        if (!r->static_tex && !shadow_target(r, &r->static_tex, &r->static_fbo, size)) return false;
        glBindFramebuffer(GL_FRAMEBUFFER, r->static_fbo);
        glClear(GL_DEPTH_BUFFER_BIT);
        draw_casters(r, false);
        r->static_key = key;
        cached = true;
    }
    r->last_key = key;
    if (cached) {
        glBindFramebuffer(GL_READ_FRAMEBUFFER, r->static_fbo);
        glBindFramebuffer(GL_DRAW_FRAMEBUFFER, r->shadow_fbo);
        glBlitFramebuffer(0, 0, size, size, 0, 0, size, size, GL_DEPTH_BUFFER_BIT, GL_NEAREST);
        glBindFramebuffer(GL_FRAMEBUFFER, r->shadow_fbo);
    } else {
        draw_casters(r, false);
    }
    draw_casters(r, true);
    glDisable(GL_POLYGON_OFFSET_FILL);
    return true;
}

static float *line_reserve(ps_renderer *r, size_t nverts)
{
    if (nverts * 7 > r->line_cap) {
        size_t n = r->line_cap ? r->line_cap : 7 * 256;
        while (n < nverts * 7) n *= 2;
        float *p = realloc(r->lines, n * sizeof *p);
        if (!p) return NULL;
        r->lines = p;
        r->line_cap = n;
    }
    return r->lines;
}

// Four lines from the tip of the arrow a -> b back to a ring around its shaft
// (a quarter of its length back, half that out): a head a force arrow reads by.
// Writes 8 line vertices into v; returns how many (0 for a degenerate arrow).
static size_t arrow_head(float *v, const float a[3], const float b[3], const float rgba[4])
{
    vec3 d = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    float len = glm_vec3_norm(d);
    if (len < 1e-4f) return 0;
    glm_vec3_scale(d, 1.0f / len, d);
    vec3 u, w, ref = {0, 0, 1};
    if (fabsf(d[2]) > 0.9f) ref[0] = 1, ref[2] = 0;
    glm_vec3_crossn(d, ref, u);
    glm_vec3_crossn(d, u, w);
    float back = 0.25f * len, out = 0.125f * len;
    for (int k = 0; k < 4; k++) {
        float cu = k == 0 ? 1.0f : k == 2 ? -1.0f : 0.0f, cw = k == 1 ? 1.0f : k == 3 ? -1.0f : 0.0f;
        float *q0 = v + 14 * k, *q1 = q0 + 7;
        memcpy(q0, b, 3 * sizeof(float));
        for (int i = 0; i < 3; i++) q1[i] = b[i] - back * d[i] + out * (cu * u[i] + cw * w[i]);
        memcpy(q0 + 3, rgba, 4 * sizeof(float));
        memcpy(q1 + 3, rgba, 4 * sizeof(float));
    }
    return 8;
}

static void draw_debug(ps_renderer *r, const ps_snapshot *snap, const frame_ctx *f)
{
    size_t n;
    const ps_debug_prim *d = ps_snapshot_debug(snap, &n);
    if (!n) return;
    unsigned fl = f->flags;
    // Lines: contact force arrows, joint axes, lidar rays, zone edges.
    float *v = line_reserve(r, n * 24);
    size_t nv = 0;
    if (v) {
        for (size_t i = 0; i < n; i++) {
            const ps_debug_prim *p = &d[i];
            bool on = (p->kind == PS_DEBUG_CONTACT && (fl & PS_DRAW_CONTACTS)) ||
                      (p->kind == PS_DEBUG_JOINT_AXIS && (fl & PS_DRAW_JOINTS)) ||
                      (p->kind == PS_DEBUG_LIDAR && (fl & PS_DRAW_LIDAR));
            if (on) {
                float seg[2][3] = {{(float)p->a.x, (float)p->a.y, (float)p->a.z}, {(float)p->b.x, (float)p->b.y, (float)p->b.z}};
                for (int k = 0; k < 2; k++) {
                    float *q = v + 7 * nv++;
                    memcpy(q, seg[k], sizeof seg[k]);
                    memcpy(q + 3, p->rgba, 4 * sizeof(float));
                }
                if (p->kind == PS_DEBUG_CONTACT) nv += arrow_head(v + 7 * nv, seg[0], seg[1], p->rgba);
            } else if (p->kind == PS_DEBUG_ZONE && (fl & PS_DRAW_ZONES)) {
                double c[2][3] = {{p->a.x, p->a.y, p->a.z}, {p->b.x, p->b.y, p->b.z}};
                for (int e = 0; e < 12; e++) { // the 12 edges of the box
                    int axis = e / 4, k1 = e % 2, k2 = (e / 2) % 2;
                    for (int end = 0; end < 2; end++) {
                        int sel[3];
                        sel[axis] = end;
                        sel[(axis + 1) % 3] = k1;
                        sel[(axis + 2) % 3] = k2;
                        float *q = v + 7 * nv++;
                        for (int a = 0; a < 3; a++) q[a] = (float)c[sel[a]][a];
                        q[3] = p->rgba[0]; q[4] = p->rgba[1]; q[5] = p->rgba[2]; q[6] = 0.9f;
                    }
                }
            }
        }
    }
    glEnable(GL_BLEND);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
    if (nv) {
        glUseProgram(r->line_prog);
        glUniformMatrix4fv(r->l_vp, 1, GL_FALSE, (const float *)f->vp);
        glBindVertexArray(r->line_vao);
        glBindBuffer(GL_ARRAY_BUFFER, r->line_vbo);
        glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(nv * 7 * sizeof(float)), v, GL_STREAM_DRAW);
        glDrawArrays(GL_LINES, 0, (GLsizei)nv);
    }
    // Markers: contact points, joint anchors, centres of mass (seen through bodies), zones.
    use_lit(r, &r->lit);
    glUniform1i(r->L->u_unlit, 1);
    glUniform1i(r->L->u_grid, 0);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) { // translucent zone boxes last, without depth writes
            glDepthMask(GL_FALSE);
        }
        for (size_t i = 0; i < n; i++) {
            const ps_debug_prim *p = &d[i];
            draw_item it;
            memset(&it, 0, sizeof it);
            memcpy(it.rgba, p->rgba, sizeof it.rgba);
            ps_pose pose = {p->a, {1, 0, 0, 0}};
            double rad = 0;
            if (pass == 0 && p->kind == PS_DEBUG_CONTACT && (fl & PS_DRAW_CONTACTS)) rad = 0.015;
            else if (pass == 0 && p->kind == PS_DEBUG_JOINT_AXIS && (fl & PS_DRAW_JOINTS)) rad = 0.012;
            else if (pass == 0 && p->kind == PS_DEBUG_COM && (fl & PS_DRAW_COM)) rad = 0.025;
            if (rad > 0) {
                it.mesh = &r->prim[PRIM_SPHERE];
                pose_matrix(pose, rad, rad, rad, it.model, it.nmat);
                if (p->kind == PS_DEBUG_COM) glDisable(GL_DEPTH_TEST);
                set_item_uniforms(r, &it, false);
                ps_gpu_mesh_draw(it.mesh);
                if (p->kind == PS_DEBUG_COM) glEnable(GL_DEPTH_TEST);
            } else if (pass == 1 && p->kind == PS_DEBUG_ZONE && (fl & PS_DRAW_ZONES)) {
                pose.p = (ps_vec3){(p->a.x + p->b.x) / 2, (p->a.y + p->b.y) / 2, (p->a.z + p->b.z) / 2};
                it.mesh = &r->prim[PRIM_BOX];
                pose_matrix(pose, p->b.x - p->a.x, p->b.y - p->a.y, p->b.z - p->a.z, it.model, it.nmat);
                set_item_uniforms(r, &it, false);
                // A zone face on a wall or the floor is pulled towards the eye,
                // so it wins the depth test every frame instead of flickering.
                glEnable(GL_POLYGON_OFFSET_FILL);
                glPolygonOffset(-1.0f, -4.0f);
                ps_gpu_mesh_draw(it.mesh);
                glDisable(GL_POLYGON_OFFSET_FILL);
            }
        }
    }
    glDepthMask(GL_TRUE);
    glUniform1i(r->L->u_unlit, 0);
    glDisable(GL_BLEND);
}

// The frame's uniforms of the current lit program (r->L).
static void lit_frame_uniforms(ps_renderer *r, const frame_ctx *f, ps_render_mode mode, bool shadows)
{
    glUniformMatrix4fv(r->L->u_vp, 1, GL_FALSE, (const float *)f->vp);
    glUniformMatrix4fv(r->L->u_view, 1, GL_FALSE, (const float *)f->view);
    glUniformMatrix4fv(r->L->u_light_vp, 1, GL_FALSE, (const float *)f->light_vp);
    glUniform3f(r->L->u_light_dir, light_dir[0], light_dir[1], light_dir[2]);
    glUniform3fv(r->L->u_eye, 1, f->eye);
    glUniform1i(r->L->u_mode, mode == PS_RENDER_DEPTH ? 1 : mode == PS_RENDER_SEGMENTATION ? 2 : 0);
    glUniform1f(r->L->u_dim, f->dim);
    glUniform1f(r->L->u_lamp, mode == PS_RENDER_COLOR ? r->lamp : 0.0f);
    glUniform1i(r->L->u_unlit, 0);
    glUniform1i(r->L->u_inst, 0);
    glUniform1i(r->L->u_shadows, shadows);
    // 1.5 shadow texels along the normal
    glUniform1f(r->L->u_shadow_offset, shadows ? 1.5f * 2.0f * f->light_extent / (float)r->shadow_size : 0.0f);
    glUniform1i(r->L->u_shadow, 0);
    glUniform1i(r->L->u_tex, 1);
    glUniform1i(r->L->u_textured, 0);
}

// The pixels of planes that may lie in a shadow, into r->shadow_rect (x, y,
// w, h in the view; w 0: none): the screen box of the casters' bounds (their
// meshes' boxes, widened by the lookup's normal offset and filter footprint)
// pushed along the light onto each plane. Planes are drawn with the shadow
// lookup only there and without it elsewhere (draw_plane): elsewhere every
// lookup would find nothing nearer the light, so the pixels are the same.
static void shadow_rect(ps_renderer *r, const ps_snapshot *snap, const frame_ctx *f, const ps_render_view *view)
{
    int *sr = r->shadow_rect;
    sr[0] = sr[1] = sr[2] = sr[3] = 0;
    r->shadow_split = !r->casters_lost && !r->casters_n; // nothing casts: no lookups anywhere
    if (r->casters_lost || !r->casters_n) return;        // (casters lost: lookups everywhere)
    const draw_item *c = r->casters;
    vec3 lo = {INFINITY, INFINITY, INFINITY}, hi = {-INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < r->casters_n; i++) {
        const ps_gpu_mesh *m = c[i].mesh;
        for (int k = 0; k < 8; k++) {
            vec4 p = {k & 1 ? m->hi[0] : m->lo[0], k & 2 ? m->hi[1] : m->lo[1], k & 4 ? m->hi[2] : m->lo[2], 1}, w;
            glm_mat4_mulv((vec4 *)c[i].model, p, w);
            glm_vec3_minv(lo, w, lo);
            glm_vec3_maxv(hi, w, hi);
        }
    }
    // The lookup starts 1.5 texels off the surface and filters 2 x 2 texels: 6 texels of margin.
    float margin = 6.0f * 2.0f * f->light_extent / (float)r->shadow_size;
    glm_vec3_subs(lo, margin, lo);
    glm_vec3_adds(hi, margin, hi);
    if (!(hi[0] - lo[0] < 1e6f && hi[1] - lo[1] < 1e6f && hi[2] - lo[2] < 1e6f)) return; // not finite: everywhere
    size_t n;
    const ps_draw_shape *sh = ps_snapshot_shapes(snap, &n);
    float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (sh[i].type != PS_SHAPE_PLANE) continue;
        ps_quat q = sh[i].pose.q;
        vec3 nrm = {(float)(2 * (q.x * q.z + q.w * q.y)), (float)(2 * (q.y * q.z - q.w * q.x)),
                    (float)(1 - 2 * (q.x * q.x + q.y * q.y))};
        vec3 p0 = {(float)sh[i].pose.p.x, (float)sh[i].pose.p.y, (float)sh[i].pose.p.z};
        float ln = glm_vec3_dot((float *)light_dir, nrm);
        if (fabsf(ln) < 0.05f) return; // light grazing the plane: shadows may reach anywhere
        for (int k = 0; k < 8; k++) {
            vec3 x = {k & 1 ? hi[0] : lo[0], k & 2 ? hi[1] : lo[1], k & 4 ? hi[2] : lo[2]}, d;
            glm_vec3_sub(p0, x, d);
            float t = glm_vec3_dot(d, nrm) / ln;
            vec4 y = {x[0] + t * light_dir[0], x[1] + t * light_dir[1], x[2] + t * light_dir[2], 1}, cl;
            glm_mat4_mulv((vec4 *)f->vp, y, cl);
            if (cl[3] < 1e-4f) return; // behind the eye: the whole view
            float sx = (cl[0] / cl[3] * 0.5f + 0.5f) * (float)view->width;
            float sy = (cl[1] / cl[3] * 0.5f + 0.5f) * (float)view->height;
            x0 = fminf(x0, sx); x1 = fmaxf(x1, sx);
            y0 = fminf(y0, sy); y1 = fmaxf(y1, sy);
            any = true;
        }
    }
    if (!any) return;
    // two pixels of margin, clamped to the view
    int ix0 = (int)fmaxf(floorf(x0) - 2, 0), iy0 = (int)fmaxf(floorf(y0) - 2, 0);
    int ix1 = (int)fminf(ceilf(x1) + 2, (float)view->width), iy1 = (int)fminf(ceilf(y1) + 2, (float)view->height);
    sr[0] = ix0;
    sr[1] = iy0;
    sr[2] = ix1 > ix0 && iy1 > iy0 ? ix1 - ix0 : 0;
    sr[3] = iy1 > iy0 ? iy1 - iy0 : 0;
    // a split costs a second depth-tested pass over the plane: only where it saves lookups
    r->shadow_split = (double)sr[2] * sr[3] < 0.8 * view->width * view->height;
}

static bool draw_impl(ps_renderer *r, const ps_snapshot *snap, const ps_render_view *view, unsigned flags,
                      double darkness, ps_render_mode mode)
{
    if (!r || !snap || !view) return false;
    ps_renderer_flush(r);
    frame_ctx f;
    memset(&f, 0, sizeof f);
    if (!make_view(view, &f))
        return set_error(r, "bad view: needs width, height >= 1, 0 < fov_y < pi, 0 < near < far, eye != target");
    f.mode = mode;
    f.flags = flags;
    f.lod_pixels = r->lod_pixels;
    if (!(darkness >= 0)) darkness = 0;
    if (darkness > 1) darkness = 1;
    f.dim = (float)(1.0 - darkness);
    r->frame++;
    while (glGetError() != GL_NO_ERROR) {}
    if (!mark_fallbacks(r, snap, flags)) return false;
    GLint fbo = 0;
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &fbo);
    bool shadows = mode == PS_RENDER_COLOR && (flags & PS_DRAW_SHADOWS) && darkness < 1;
    if (shadows) {
        light_matrix(&f, view);
        // The smallest power of two >= 0.8 x the wider side, 512..2048: the
        // depth pass of a 1024^2 map cost a 320 x 240 camera more than its
        // image, a 2048^2 one a 1280 x 720 viewer frame a third of its time.
        int side = view->width > view->height ? view->width : view->height;
        int size = 512;
        while (size * 5 < side * 4 && size < 2048) size *= 2;
        if (!shadow_pass(r, snap, &f, size)) return false;
        glBindFramebuffer(GL_FRAMEBUFFER, (GLuint)fbo);
    }
    glViewport(0, 0, view->width, view->height);
    glDisable(GL_CULL_FACE);
    glDisable(GL_BLEND);
    glDepthMask(GL_TRUE);
    if (mode == PS_RENDER_DEPTH) glClearColor((float)view->far_clip, 0, 0, 1);
    else if (mode == PS_RENDER_SEGMENTATION) glClearColor(0, (float)view->far_clip, 0, 1);
    else glClearColor(0.18f * f.dim, 0.20f * f.dim, 0.23f * f.dim, 1);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LESS);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, shadows ? r->shadow_tex : 0);
    r->shadow_split = false;
    r->view_w = view->width;
    r->view_h = view->height;
    if (mode == PS_RENDER_COLOR) {
        if (r->obj.prog) {
            use_lit(r, &r->obj);
            lit_frame_uniforms(r, &f, mode, shadows);
        }
        if (r->plain.prog) {
            use_lit(r, &r->plain);
            lit_frame_uniforms(r, &f, mode, shadows);
            if (shadows) {
                shadow_rect(r, snap, &f, view);
            } else { // no lookups anywhere
                r->shadow_split = true;
                r->shadow_rect[2] = 0;
            }
        }
    }
    use_lit(r, &r->lit);
    lit_frame_uniforms(r, &f, mode, shadows);
    if (mode == PS_RENDER_COLOR) {
        pass_ctx opaque = {false, f.eye}, trans = {true, f.eye};
        use_lit(r, &r->obj); // planes switch to theirs (draw_plane)
        r->batch_n = 0;
        r->planes_n = 0;
        for_each_part(r, snap, &f, emit_lit, &opaque);
        // instanced: colour and segment per instance, so the uniform colour is white
        static const float white4[4] = {1, 1, 1, 1};
        glUniform4fv(r->L->u_color, 1, white4);
        glUniform1i(r->L->u_grid, 0);
        flush_batch(r, r->L->u_inst);
        // Planes after the other opaque shapes: the floor's pixels behind them
        // fail the depth test before they are shaded (the floor is most of a
        // view and its shading, grid and shadow lookup, the dearest).
        // In reverse order and winning ties (GL_LEQUAL), so that of coplanar
        // surfaces the same one shows as when planes came first (GL_LESS).
        glDepthFunc(GL_LEQUAL);
        for (size_t i = r->planes_n; i-- > 0;) draw_plane(r, &((const draw_item *)r->planes)[i]);
        glDepthFunc(GL_LESS);
        r->planes_n = 0;
        if (flags & PS_DRAW_SKY) {
            // After the opaque shapes, on the far plane: a software rasteriser
            // shades only the background pixels instead of the whole frame.
            glDepthFunc(GL_LEQUAL);
            glDepthMask(GL_FALSE);
            glUseProgram(r->sky_prog);
            mat4 inv;
            glm_mat4_inv(f.vp, inv);
            glUniformMatrix4fv(r->k_inv_vp, 1, GL_FALSE, (const float *)inv);
            glUniform3fv(r->k_eye, 1, f.eye);
            glUniform1f(r->k_dim, f.dim);
            glBindVertexArray(r->empty_vao);
            glDrawArrays(GL_TRIANGLES, 0, 3);
            glDepthFunc(GL_LESS);
        }
        use_lit(r, &r->lit);
        glEnable(GL_BLEND);
        glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
        glDepthMask(GL_FALSE);
        r->trans_n = 0;
        for_each_part(r, snap, &f, emit_lit, &trans);
        if (r->trans_n > 1) qsort(r->trans, r->trans_n, sizeof(draw_item), farther_first);
        // Back faces culled, or a closed translucent shape would blend twice.
        glEnable(GL_CULL_FACE);
        glCullFace(GL_BACK);
        for (size_t i = 0; i < r->trans_n; i++) {
            const draw_item *it = &((const draw_item *)r->trans)[i];
            // a mirroring scale turns the winding over
            float det = glm_mat3_det((vec3 *)it->nmat);
            glFrontFace(det < 0 ? GL_CW : GL_CCW);
            draw_lit(r, it);
        }
        glFrontFace(GL_CCW);
        glDisable(GL_CULL_FACE);
        glDepthMask(GL_TRUE);
        glDisable(GL_BLEND);
        if (flags & (PS_DRAW_CONTACTS | PS_DRAW_JOINTS | PS_DRAW_COM | PS_DRAW_LIDAR | PS_DRAW_ZONES))
            draw_debug(r, snap, &f);
    } else {
        glUseProgram(r->id_prog);
        glUniformMatrix4fv(r->d_vp, 1, GL_FALSE, (const float *)f.vp);
        glUniformMatrix4fv(r->d_view, 1, GL_FALSE, (const float *)f.view);
        glUniform1i(r->d_mode, mode == PS_RENDER_DEPTH ? 1 : 2);
        glUniform1i(r->d_inst, 0);
        r->batch_n = 0;
        for_each_part(r, snap, &f, emit_id, NULL);
        flush_batch(r, r->d_inst);
    }
    glBindVertexArray(0);
    if (r->frame % 600 == 0) ps_mesh_cache_evict(r->cache, r->frame, 1200);
    GLenum e = glGetError();
    if (e != GL_NO_ERROR) return set_error(r, "GL error 0x%x while drawing", e);
    return true;
}

void ps_renderer_set_tint(ps_renderer *r, ps_body_id body, const float rgba[4])
{
    if (!r) return;
    r->tint_body = rgba ? body : PS_BODY_NONE;
    if (rgba) memcpy(r->tint, rgba, sizeof r->tint);
}

ps_status ps_renderer_draw(ps_renderer *r, const ps_snapshot *snap, const ps_render_view *view, unsigned flags,
                           double darkness)
{
    return draw_impl(r, snap, view, flags, darkness, PS_RENDER_COLOR) ? PS_OK : PS_ERR_IO;
}

void ps_renderer_set_lod_pixels(ps_renderer *r, double pixels)
{
    if (!r) return;
    r->lod_pixels = pixels >= 0.25 ? (pixels <= 16 ? pixels : 16) : pixels < 0.25 ? 0.25 : LOD_ERROR_PIXELS;
}

void ps_renderer_set_cull_mesh_backs(ps_renderer *r, bool on)
{
    if (r) r->cull_mesh_backs = on;
}

void ps_renderer_set_lamp(ps_renderer *r, double intensity)
{
    if (r) r->lamp = intensity > 0 ? (float)intensity : 0.0f;
}

ps_status ps_renderer_draw_mode(ps_renderer *r, const ps_snapshot *snap, const ps_render_view *view, unsigned flags,
                                double darkness, ps_render_mode mode)
{
    return draw_impl(r, snap, view, flags, darkness, mode) ? PS_OK : PS_ERR_IO;
}

ps_status ps_renderer_load_mesh(ps_renderer *r, const char *path, size_t *triangles, char *err, size_t errlen)
{
    bool fc;
    const ps_gpu_mesh *m = r && path ? ps_mesh_cache_file(r->cache, path, &fc, NULL, r->frame) : NULL;
    if (!m) {
        if (err && errlen) {
            const char *why = r && path ? ps_mesh_cache_file_error(r->cache, path) : "no renderer or path";
            snprintf(err, errlen, "cannot load visual mesh '%s': %s", path ? path : "(null)", why);
        }
        return r && path ? PS_ERR_IO : PS_ERR_INVALID;
    }
    if (triangles) *triangles = (size_t)m->count / 3;
    return PS_OK;
}

/* ------------------------------------------------------------------ pick */

// The pick pass (ps_renderer_pick once the pixel is known to be in the view).
static bool pick_impl(ps_renderer *r, const ps_snapshot *snap, const ps_render_view *view, unsigned flags, int px,
                      int py, int32_t *segment, ps_vec3 *point);

ps_status ps_renderer_pick(ps_renderer *r, const ps_snapshot *snap, const ps_render_view *view, unsigned flags,
                           int px, int py, int32_t *segment, ps_vec3 *point)
{
    if (!r || !view || px < 0 || py < 0 || px >= view->width || py >= view->height) {
        if (r) set_error(r, "pick: pixel outside the view");
        return PS_ERR_INVALID;
    }
    return pick_impl(r, snap, view, flags, px, py, segment, point) ? PS_OK : PS_ERR_IO;
}

static bool pick_impl(ps_renderer *r, const ps_snapshot *snap, const ps_render_view *view, unsigned flags, int px,
                      int py, int32_t *segment, ps_vec3 *point)
{
    ps_renderer_flush(r);
    if (!r->pick_target || r->pick_target->w != view->width || r->pick_target->h != view->height) {
        ps_render_target_destroy(r->pick_target);
        char err[PS_ERR_LEN];
        r->pick_target = ps_render_target_create(r, view->width, view->height, true, err, sizeof err);
        if (!r->pick_target) return set_error(r, "pick: %s", err);
    }
    GLint prev = 0;
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &prev);
    GLint vp[4];
    glGetIntegerv(GL_VIEWPORT, vp);
    ps_render_target_bind(r->pick_target);
    bool ok = draw_impl(r, snap, view, flags, 0, PS_RENDER_SEGMENTATION);
    float px2[4] = {0, 0, 0, 0};
    if (ok) {
        glReadBuffer(GL_COLOR_ATTACHMENT0);
        glReadPixels(px, view->height - 1 - py, 1, 1, GL_RGBA, GL_FLOAT, px2);
        ok = glGetError() == GL_NO_ERROR || set_error(r, "pick: glReadPixels failed");
    }
    glBindFramebuffer(GL_FRAMEBUFFER, (GLuint)prev);
    glViewport(vp[0], vp[1], vp[2], vp[3]);
    if (!ok) return false;
    if (segment) *segment = (int32_t)lrintf(px2[0]);
    if (point) {
        // Ray through the pixel centre; planar depth along the view axis.
        frame_ctx f;
        make_view(view, &f);
        double ndc_x = (px + 0.5) / view->width * 2 - 1, ndc_y = 1 - (py + 0.5) / view->height * 2;
        double t = tan(view->fov_y / 2), aspect = (double)view->width / view->height;
        vec3 right, up;
        glm_vec3_cross(f.fwd, (vec3){(float)view->up.x, (float)view->up.y, (float)view->up.z}, right);
        if (glm_vec3_norm(right) < 1e-6f) glm_vec3_cross(f.fwd, (vec3){1, 0, 0}, right);
        glm_vec3_normalize(right);
        glm_vec3_cross(right, f.fwd, up);
        double depth = px2[1];
        double dx = ndc_x * t * aspect, dy = ndc_y * t;
        point->x = f.eye[0] + depth * (f.fwd[0] + dx * right[0] + dy * up[0]);
        point->y = f.eye[1] + depth * (f.fwd[1] + dx * right[1] + dy * up[1]);
        point->z = f.eye[2] + depth * (f.fwd[2] + dx * right[2] + dy * up[2]);
    }
    return true;
}

/* -------------------------------------------------------------------- 2D */

enum { OV_DIRECT, OV_CACHE, OV_DISCARD };

static void ui_begin(ps_renderer *r, int kind, const float rgba[4], float *vw, float *vh)
{
    GLint vp[4];
    glGetIntegerv(GL_VIEWPORT, vp);
    *vw = (float)vp[2];
    *vh = (float)vp[3];
    glDisable(GL_DEPTH_TEST);
    glEnable(GL_BLEND);
    // Into the overlay cache the colour is stored premultiplied by its alpha
    // (and alpha accumulates as coverage), so that compositing the cache with
    // (1, 1 - alpha) gives what drawing straight onto the picture would.
    if (r->ov_mode == OV_CACHE) glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    else glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
    glUseProgram(r->ui_prog);
    glUniform2f(r->i_view, *vw, *vh);
    glUniform1i(r->i_kind, kind);
    static const float white4[4] = {1, 1, 1, 1};
    glUniform4fv(r->i_color, 1, rgba ? rgba : white4);
    glUniform1i(r->i_tex, 0);
    glActiveTexture(GL_TEXTURE0);
    glBindVertexArray(r->ui_vao);
    glBindBuffer(GL_ARRAY_BUFFER, r->ui_vbo);
}

static void ui_end(void)
{
    glBindVertexArray(0);
    glDisable(GL_BLEND);
    glEnable(GL_DEPTH_TEST);
}

enum { QUAD_FLOATS = 48 }; // 6 vertices of x y u v r g b a

// Two triangles for the rectangle (x, y, w, h) with texture coordinates (u0, v0)-(u1, v1), colour c.
static void quad(float *q, float x, float y, float w, float h, float u0, float v0, float u1, float v1, const float c[4])
{
    float p[6][4] = {{x, y, u0, v0}, {x + w, y, u1, v0}, {x + w, y + h, u1, v1},
                     {x, y, u0, v0}, {x + w, y + h, u1, v1}, {x, y + h, u0, v1}};
    for (int i = 0; i < 6; i++) {
        memcpy(q + 8 * i, p[i], sizeof p[i]);
        memcpy(q + 8 * i + 4, c, 4 * sizeof *c);
    }
}

// Room for n more quads in the batch; NULL when out of memory.
static float *batch_quads(ps_renderer *r, size_t n)
{
    if (r->quads_n + n * QUAD_FLOATS > r->quads_cap) {
        size_t cap = r->quads_cap ? r->quads_cap : 4096;
        while (cap < r->quads_n + n * QUAD_FLOATS) cap *= 2;
        float *q = realloc(r->quads, cap * sizeof *q);
        if (!q) return NULL;
        r->quads = q;
        r->quads_cap = cap;
    }
    float *q = r->quads + r->quads_n;
    r->quads_n += n * QUAD_FLOATS;
    return q;
}

enum { OV_TILE = 32 }; // the cached overlay is composited in tiles of this many pixels

// Marks the cache's tiles that the pixels from (x0, y0) to (x1, y1) touch.
static void ov_mark(ps_renderer *r, float x0, float y0, float x1, float y1)
{
    int c0 = (int)floorf(x0 / OV_TILE), r0 = (int)floorf(y0 / OV_TILE);
    int c1 = (int)ceilf(x1 / OV_TILE), r1 = (int)ceilf(y1 / OV_TILE);
    if (c0 < 0) c0 = 0;
    if (r0 < 0) r0 = 0;
    if (c1 > r->ov_cols) c1 = r->ov_cols;
    if (r1 > r->ov_rows) r1 = r->ov_rows;
    for (int y = r0; y < r1; y++)
        for (int x = c0; x < c1; x++) r->ov_tiles[y * r->ov_cols + x] = 1;
}

void ps_renderer_flush(ps_renderer *r)
{
    if (!r || !r->quads_n) return;
    if (r->ov_mode == OV_DISCARD) {
        r->quads_n = 0;
        return;
    }
    if (r->ov_mode == OV_CACHE) // vertices 0 and 2 of each quad are opposite corners
        for (size_t i = 0; i < r->quads_n; i += QUAD_FLOATS)
            ov_mark(r, r->quads[i], r->quads[i + 1], r->quads[i + 16], r->quads[i + 17]);
    float vw, vh;
    ui_begin(r, 0, NULL, &vw, &vh);
    glBindTexture(GL_TEXTURE_2D, r->font_tex);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(r->quads_n * sizeof(float)), r->quads, GL_STREAM_DRAW);
    glDrawArrays(GL_TRIANGLES, 0, (GLsizei)(r->quads_n / 8));
    ui_end();
    r->quads_n = 0;
}

void ps_renderer_rect(ps_renderer *r, int x, int y, int w, int h, const float rgba[4])
{
    if (!r || w <= 0 || h <= 0) return;
    float *q = batch_quads(r, 1);
    if (q) quad(q, (float)x, (float)y, (float)w, (float)h, -1, -1, -1, -1, rgba);
}

void ps_renderer_text(ps_renderer *r, int x, int y, float scale, const float rgba[4], const char *text)
{
    if (!r || !text || !(scale > 0)) return;
    if (!r->font_tex && !r->font_failed) {
        char err[PS_ERR_LEN];
        if (!ps_font_atlas_create(&r->font_tex, err, sizeof err)) {
            r->font_failed = true;
            set_error(r, "%s", err);
            fprintf(stderr, "pilotsim render: warning: %s; text is not drawn\n", err);
        }
    }
    if (r->font_failed) return;
    size_t n = strlen(text);
    static const float white4[4] = {1, 1, 1, 1};
    const float *tint = rgba ? rgba : white4;
    float *out = batch_quads(r, n);
    if (!out) return;
    float cw = 8 * scale, ch = 16 * scale, cx = (float)x, cy = (float)y;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') { cx = (float)x; cy += ch; continue; }
        if (c == '\t') { // to the next multiple of 4 columns (Lua tracebacks indent with tabs)
            int col = (int)lrintf((cx - (float)x) / cw);
            cx = (float)x + (float)((col / 4 + 1) * 4) * cw;
            continue;
        }
        if (c < 32 || c > 126) c = '?';
        if (c != ' ') {
            int g = c - 32;
            float u0 = (float)(g % PS_FONT_COLS) / PS_FONT_COLS, v0 = (float)(g / PS_FONT_COLS) / PS_FONT_ROWS;
            quad(out + QUAD_FLOATS * k++, cx, cy, cw, ch, u0, v0, u0 + 1.0f / PS_FONT_COLS, v0 + 1.0f / PS_FONT_ROWS, tint);
        }
        cx += cw;
    }
    r->quads_n -= (n - k) * QUAD_FLOATS; // spaces and line breaks took no quad
}

void ps_renderer_image(ps_renderer *r, int x, int y, int w, int h, const float *rgb, int img_w, int img_h, int channels)
{
    if (!r || !rgb || img_w < 1 || img_h < 1 || w <= 0 || h <= 0 || channels < 1 || channels > 4) return;
    if (r->ov_mode == OV_DISCARD) return;
    ps_renderer_flush(r); // what was drawn before stays below the image
    if (r->ov_mode == OV_CACHE) ov_mark(r, (float)x, (float)y, (float)(x + w), (float)(y + h));
    if (!r->image_tex) {
        glGenTextures(1, &r->image_tex);
        glBindTexture(GL_TEXTURE_2D, r->image_tex);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, r->image_tex);
    static const GLenum fmt[4] = {GL_RED, GL_RG, GL_RGB, GL_RGBA};
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexImage2D(GL_TEXTURE_2D, 0, channels == 1 ? GL_R32F : channels == 2 ? GL_RG32F : channels == 3 ? GL_RGB32F : GL_RGBA32F,
                 img_w, img_h, 0, fmt[channels - 1], GL_FLOAT, rgb);
    // Single-channel images show as grey.
    GLint sw[4] = {GL_RED, channels == 1 ? GL_RED : GL_GREEN, channels == 1 ? GL_RED : channels >= 3 ? GL_BLUE : GL_ZERO, GL_ONE};
    glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, sw);
    float vw, vh, q[QUAD_FLOATS];
    static const float white4[4] = {1, 1, 1, 1};
    ui_begin(r, 1, NULL, &vw, &vh);
    glBindTexture(GL_TEXTURE_2D, r->image_tex);
    quad(q, (float)x, (float)y, (float)w, (float)h, 0, 0, 1, 1, white4); // row 0 (top) at v = 0
    glBufferData(GL_ARRAY_BUFFER, sizeof q, q, GL_STREAM_DRAW);
    glDrawArrays(GL_TRIANGLES, 0, 6);
    ui_end();
}

bool ps_renderer_overlay_cache_begin(ps_renderer *r)
{
    if (!r || r->ov_mode != OV_DIRECT) return false;
    ps_renderer_flush(r); // what was drawn before stays below the cached overlay
    GLint vp[4], prev = 0;
    glGetIntegerv(GL_VIEWPORT, vp);
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &prev);
    if (vp[2] < 1 || vp[3] < 1) return false;
    if (!r->ov_prog) {
        r->ov_prog = program(r, ui_vs, ov_fs, "overlay");
        if (!r->ov_prog) return false; // drawn straight onto the picture instead
        r->ov_view = glGetUniformLocation(r->ov_prog, "u_view");
        r->ov_tex = glGetUniformLocation(r->ov_prog, "u_tex");
    }
    if (!r->ov_target || r->ov_target->w != vp[2] || r->ov_target->h != vp[3]) {
        ps_render_target_destroy(r->ov_target);
        free(r->ov_tiles);
        r->ov_cols = (vp[2] + OV_TILE - 1) / OV_TILE;
        r->ov_rows = (vp[3] + OV_TILE - 1) / OV_TILE;
        r->ov_tiles = malloc((size_t)r->ov_cols * (size_t)r->ov_rows);
        r->ov_target = r->ov_tiles ? ps_render_target_create(r, vp[2], vp[3], false, NULL, 0) : NULL;
        if (!r->ov_target) return false; // drawn straight onto the picture instead
    }
    memcpy(r->ov_prev_vp, vp, sizeof vp);
    r->ov_prev_fbo = prev;
    ps_render_target_bind(r->ov_target);
    glClearColor(0, 0, 0, 0);
    glClear(GL_COLOR_BUFFER_BIT);
    memset(r->ov_tiles, 0, (size_t)r->ov_cols * (size_t)r->ov_rows);
    r->ov_mode = OV_CACHE;
    return true;
}

void ps_renderer_overlay_cache_end(ps_renderer *r)
{
    if (!r) return;
    if (r->ov_mode == OV_CACHE) {
        ps_renderer_flush(r);
        glBindFramebuffer(GL_FRAMEBUFFER, (GLuint)r->ov_prev_fbo);
        glViewport(r->ov_prev_vp[0], r->ov_prev_vp[1], r->ov_prev_vp[2], r->ov_prev_vp[3]);
    }
    r->ov_mode = OV_DIRECT;
}

void ps_renderer_overlay_cache_skip(ps_renderer *r)
{
    if (!r || r->ov_mode != OV_DIRECT) return;
    ps_renderer_flush(r); // what was drawn before is kept
    r->ov_mode = OV_DISCARD;
}

void ps_renderer_overlay_cache_draw(ps_renderer *r)
{
    if (!r || r->ov_mode != OV_DIRECT || !r->ov_target) return;
    ps_renderer_flush(r);
    const ps_render_target *t = r->ov_target;
    // One quad per run of marked tiles along a row, inside the picture.
    float W = (float)t->w, H = (float)t->h; // texture rows bottom first
    static const float white4[4] = {1, 1, 1, 1};
    size_t n = 0;
    for (int y = 0; y < r->ov_rows; y++)
        for (int x = 0; x < r->ov_cols; x++) {
            if (!r->ov_tiles[y * r->ov_cols + x]) continue;
            int x_end = x;
            while (x_end + 1 < r->ov_cols && r->ov_tiles[y * r->ov_cols + x_end + 1]) x_end++;
            float x0 = (float)(x * OV_TILE), y0 = (float)(y * OV_TILE);
            float x1 = fminf((float)((x_end + 1) * OV_TILE), W), y1 = fminf((float)((y + 1) * OV_TILE), H);
            float *q = batch_quads(r, 1);
            if (!q) break;
            quad(q, x0, y0, x1 - x0, y1 - y0, x0 / W, 1 - y0 / H, x1 / W, 1 - y1 / H, white4);
            n++;
            x = x_end;
        }
    if (!n) return;
    float vw, vh;
    ui_begin(r, 0, NULL, &vw, &vh);
    glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glUseProgram(r->ov_prog);
    glUniform2f(r->ov_view, vw, vh);
    glUniform1i(r->ov_tex, 0);
    glBindTexture(GL_TEXTURE_2D, t->color);
    glBufferData(GL_ARRAY_BUFFER, (GLsizeiptr)(r->quads_n * sizeof(float)), r->quads, GL_STREAM_DRAW);
    glDrawArrays(GL_TRIANGLES, 0, (GLsizei)(r->quads_n / 8));
    r->quads_n = 0;
    ui_end();
}

/* -------------------------------------------------------- render targets */

ps_render_target *ps_render_target_create(ps_renderer *r, int width, int height, bool float_color, char *err,
                                          size_t errlen)
{
    if (width < 1 || height < 1 || width > 16384 || height > 16384) {
        if (err && errlen) snprintf(err, errlen, "render target: size %dx%d out of range", width, height);
        return NULL;
    }
    ps_render_target *t = calloc(1, sizeof *t);
    if (!t) {
        if (err && errlen) snprintf(err, errlen, "render target: out of memory");
        return NULL;
    }
    t->r = r;
    t->w = width;
    t->h = height;
    t->fl = float_color;
    GLint prev = 0;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev);
    glGenFramebuffers(1, &t->fbo);
    glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
    glGenTextures(1, &t->color);
    glBindTexture(GL_TEXTURE_2D, t->color);
    glTexImage2D(GL_TEXTURE_2D, 0, float_color ? GL_RG32F : GL_RGBA8, width, height, 0, float_color ? GL_RG : GL_RGBA,
                 float_color ? GL_FLOAT : GL_UNSIGNED_BYTE, NULL);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, t->color, 0);
    glGenRenderbuffers(1, &t->depth);
    glBindRenderbuffer(GL_RENDERBUFFER, t->depth);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, width, height);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, t->depth);
    GLenum st = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    glBindFramebuffer(GL_FRAMEBUFFER, (GLuint)prev);
    if (st != GL_FRAMEBUFFER_COMPLETE) {
        if (err && errlen) snprintf(err, errlen, "render target: framebuffer incomplete (0x%x)", st);
        ps_render_target_destroy(t);
        return NULL;
    }
    return t;
}

void ps_render_target_destroy(ps_render_target *t)
{
    if (!t) return;
    if (t->fbo) glDeleteFramebuffers(1, &t->fbo);
    if (t->color) glDeleteTextures(1, &t->color);
    if (t->depth) glDeleteRenderbuffers(1, &t->depth);
    free(t);
}

void ps_render_target_size(const ps_render_target *t, int *width, int *height)
{
    if (width) *width = t ? t->w : 0;
    if (height) *height = t ? t->h : 0;
}

void ps_render_target_bind(ps_render_target *t)
{
    glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
    glViewport(0, 0, t->w, t->h);
}

void ps_render_target_unbind(ps_render_target *t)
{
    (void)t;
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

void ps_render_target_blit(ps_render_target *t, int width, int height)
{
    glBindFramebuffer(GL_READ_FRAMEBUFFER, t->fbo);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    glBlitFramebuffer(0, 0, t->w, t->h, 0, 0, width, height, GL_COLOR_BUFFER_BIT, GL_LINEAR);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, width, height);
}

// Reads the colour attachment into the renderer's scratch buffer (bottom row
// first) in the target's own layout: RGBA bytes for RGBA8, RG floats for RG32F.
// Asking for exactly the stored layout lets Mesa copy rows instead of
// converting through a temporary image (which cost a third of a camera frame).
static bool read_raw(ps_render_target *t)
{
    ps_renderer *r = t->r;
    ps_renderer_flush(r);
    size_t bytes = (size_t)t->w * (size_t)t->h * (t->fl ? 2 * sizeof(float) : 4);
    size_t floats = (bytes + sizeof(float) - 1) / sizeof(float);
    if (floats > r->scratch_cap) {
        float *s = realloc(r->scratch, floats * sizeof *s);
        if (!s) return set_error(r, "out of memory");
        r->scratch = s;
        r->scratch_cap = floats;
    }
    GLint prev = 0;
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &prev);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, t->fbo);
    glReadBuffer(GL_COLOR_ATTACHMENT0);
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    if (t->fl) glReadPixels(0, 0, t->w, t->h, GL_RG, GL_FLOAT, r->scratch);
    else glReadPixels(0, 0, t->w, t->h, GL_RGBA, GL_UNSIGNED_BYTE, r->scratch);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, (GLuint)prev);
    GLenum e = glGetError();
    return e == GL_NO_ERROR || set_error(r, "glReadPixels: GL error 0x%x", e);
}

ps_status ps_render_target_read_rgb8(ps_render_target *t, uint8_t *rgb8)
{
    if (!t || !rgb8 || t->fl) return PS_ERR_INVALID;
    if (!read_raw(t)) return PS_ERR_IO;
    const uint8_t *src = (const uint8_t *)t->r->scratch;
    size_t w = (size_t)t->w;
    for (int y = 0; y < t->h; y++) {
        const uint8_t *s = src + (size_t)(t->h - 1 - y) * w * 4;
        uint8_t *d = rgb8 + (size_t)y * w * 3;
        for (size_t x = 0; x < w; x++) {
            d[3 * x] = s[4 * x];
            d[3 * x + 1] = s[4 * x + 1];
            d[3 * x + 2] = s[4 * x + 2];
        }
    }
    return PS_OK;
}

ps_status ps_render_target_read_float(ps_render_target *t, float *f, int channels)
{
    if (!t || !f || channels < 1 || channels > 4) return PS_ERR_INVALID;
    if (!read_raw(t)) return PS_ERR_IO;
    size_t w = (size_t)t->w, c = (size_t)channels;
    if (t->fl) {
        const float *src = t->r->scratch;
        for (int y = 0; y < t->h; y++) {
            const float *s = src + (size_t)(t->h - 1 - y) * w * 2;
            float *d = f + (size_t)y * w * c;
            for (size_t x = 0; x < w; x++)
                for (size_t k = 0; k < c; k++) d[x * c + k] = k < 2 ? s[2 * x + k] : k == 3 ? 1.0f : 0.0f;
        }
    } else {
        const uint8_t *src = (const uint8_t *)t->r->scratch;
        for (int y = 0; y < t->h; y++) {
            const uint8_t *s = src + (size_t)(t->h - 1 - y) * w * 4;
            float *d = f + (size_t)y * w * c;
            for (size_t x = 0; x < w; x++)
                for (size_t k = 0; k < c; k++) d[x * c + k] = (float)s[4 * x + k] * (1.0f / 255.0f);
        }
    }
    return PS_OK;
}

ps_status ps_renderer_read_window(ps_renderer *r, int width, int height, uint8_t *rgb, char *err, size_t errlen)
{
    ps_renderer_flush(r); // the context is current: GL state is per context
    if (width <= 0 || height <= 0) {
        snprintf(err, errlen, "the window has no pixels");
        return PS_ERR_INVALID;
    }
    size_t row = (size_t)width * 3;
    uint8_t *tmp = malloc(row);
    if (!tmp) {
        snprintf(err, errlen, "out of memory");
        return PS_ERR_NOMEM;
    }
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glReadBuffer(GL_BACK);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, rgb);
    GLenum e = glGetError();
    if (e != GL_NO_ERROR) {
        snprintf(err, errlen, "glReadPixels failed (GL error 0x%x)", (unsigned)e);
        free(tmp);
        return PS_ERR_IO;
    }
    for (int y = 0; y < height / 2; y++) { // GL rows start at the bottom; images at the top
        memcpy(tmp, rgb + row * (size_t)y, row);
        memcpy(rgb + row * (size_t)y, rgb + row * (size_t)(height - 1 - y), row);
        memcpy(rgb + row * (size_t)(height - 1 - y), tmp, row);
    }
    free(tmp);
    return PS_OK;
}
