/// @file urdf.h
/// URDF reader: parses a robot description into a plain, read-only C data
/// model (links, their inertials, visual and collision shapes, joints,
/// materials) and validates it. Building bodies and joints from the model is a
/// separate step.
///
/// Conventions follow the URDF specification (wiki.ros.org/urdf/XML): lengths
/// in m, angles in rad, masses in kg, inertias in kg m^2 about the link's
/// inertial frame. An origin's rpy are fixed-axis roll (x), pitch (y), yaw (z):
/// R = Rz(yaw) * Ry(pitch) * Rx(roll).
///
/// Errors and warnings read "file:line: message", the file as given to
/// ps_urdf_load and the line of the XML element at fault.
#ifndef PILOTSIM_URDF_H
#define PILOTSIM_URDF_H

#include "pilotsim/export.h"

#include "pilotsim/types.h"

PS_BEGIN_DECLS

/// Size limits of an accepted document.
#define PS_URDF_MAX_FILE_BYTES (64u * 1024u * 1024u) ///< larger files are rejected
#define PS_URDF_MAX_DEPTH 64                          ///< max element nesting (`<robot>` is level 1)
#define PS_URDF_MAX_ELEMENTS 100000                   ///< max elements in the document

/// Environment variable read by ps_urdf_options_add_env: colon-separated
/// package directories.
#define PS_URDF_PACKAGE_PATH_ENV "PILOTSIM_PACKAGE_PATH"

/// Loading options. Start from ps_urdf_default_options(), add directories with
/// the ps_urdf_options_add_* calls, release with ps_urdf_options_clear().
typedef struct ps_urdf_options {
    /// Package directories searched, in order, to resolve "package://PKG/rest":
    /// a directory D matches if D/PKG/rest exists, or if D's last component is
    /// PKG and D/rest exists. Owned copies (add/clear with the calls below);
    /// NULL when the count is 0.
    char **package_paths;
    size_t package_path_count;
    /// After package_paths, also search the URDF's folder and each of its
    /// ancestors up to "/" (so "package://example-robot-data/..." resolves when
    /// the file lies under .../example-robot-data/). Default true.
    bool search_ancestors;
    /// A non-positive-definite inertia is an error instead of a warning.
    /// Default false.
    bool strict_inertia;
} ps_urdf_options;

/// Default options: no package directories, search_ancestors = true,
/// strict_inertia = false.
ps_urdf_options ps_urdf_default_options(void);

/// Appends a copy of `dir` (non-NULL; "" is ignored) to opt->package_paths.
/// A trailing '/' is removed. Returns PS_OK, PS_ERR_INVALID (NULL argument) or
/// PS_ERR_NOMEM.
ps_status ps_urdf_options_add_package_path(ps_urdf_options *opt, const char *dir);

/// Appends each entry of a colon-separated list (e.g. a --package-path flag's
/// value; empty entries skipped). `list` may be NULL (nothing added). Returns
/// PS_OK, PS_ERR_INVALID (NULL opt) or PS_ERR_NOMEM.
ps_status ps_urdf_options_add_path_list(ps_urdf_options *opt, const char *list);

/// Appends the entries of the environment variable PILOTSIM_PACKAGE_PATH
/// (colon-separated; unset or empty adds nothing). Same returns as
/// ps_urdf_options_add_path_list. A typical caller (CLI, scene) adds, in this
/// order: the --package-path flag's list, the environment, the scene's folder;
/// the URDF's folder and its ancestors come last through search_ancestors.
ps_status ps_urdf_options_add_env(ps_urdf_options *opt);

/// Frees the copied directories and resets the list (other fields kept).
/// `opt` may be NULL.
void ps_urdf_options_clear(ps_urdf_options *opt);

/// A frame offset: translation then fixed-axis rotation.
typedef struct ps_urdf_origin {
    ps_vec3 xyz;    ///< m; default 0 0 0
    ps_vec3 rpy;    ///< rad, roll about x, pitch about y, yaw about z; default 0 0 0
} ps_urdf_origin;

/// The pose an origin describes (unit quaternion from rpy).
ps_pose ps_urdf_origin_pose(ps_urdf_origin o);

typedef enum ps_urdf_geometry_type {
    PS_URDF_GEOM_BOX,
    PS_URDF_GEOM_CYLINDER,   ///< axis along the shape frame's z, centred
    PS_URDF_GEOM_SPHERE,
    PS_URDF_GEOM_MESH,
} ps_urdf_geometry_type;

/// One geometry. Only the fields of `type` are meaningful (others are 0/NULL).
typedef struct ps_urdf_geometry {
    ps_urdf_geometry_type type;
    ps_vec3 size;            ///< box: full side lengths, m (>= 0)
    double radius;           ///< cylinder, sphere: m (>= 0)
    double length;           ///< cylinder: m (>= 0)
    const char *mesh_path;   ///< mesh: absolute path of an existing file (owned by the model)
    const char *mesh_uri;    ///< mesh: the filename attribute as written (owned by the model)
    ps_vec3 mesh_scale;      ///< mesh: per-axis scale; default 1 1 1
} ps_urdf_geometry;

/// A `<visual>` or `<collision>` element of a link.
typedef struct ps_urdf_shape {
    const char *name;        ///< name attribute; NULL when absent (owned by the model)
    ps_urdf_origin origin;   ///< shape frame relative to the link frame
    ps_urdf_geometry geometry;
    /// Visuals only (collisions: NULL/false). Material name; NULL when the
    /// visual has no `<material>`, "" when it is unnamed.
    const char *material;
    bool has_rgba;           ///< rgba is set (inline `<color>` or the named material's)
    double rgba[4];          ///< red, green, blue, alpha as written (nominally 0..1)
    const char *texture;     ///< texture filename as written (not resolved); NULL when none
    /// The texture file's absolute path (resolved as mesh filenames are: package://,
    /// file:// or relative to the URDF); NULL when none or not found (then warned)
    const char *texture_path;
    int line;                ///< line of the `<visual>`/`<collision>` element
} ps_urdf_shape;

/// A link's `<inertial>`.
typedef struct ps_urdf_inertial {
    double mass;             ///< kg, >= 0
    ps_urdf_origin origin;   ///< centre of mass frame relative to the link frame
    /// Inertia tensor about the centre of mass, in the inertial frame, kg m^2.
    double ixx, ixy, ixz, iyy, iyz, izz;
} ps_urdf_inertial;

typedef struct ps_urdf_link {
    const char *name;            ///< unique, non-empty (owned by the model)
    bool has_inertial;           ///< false: no `<inertial>` (a massless frame)
    ps_urdf_inertial inertial;   ///< zeroed when !has_inertial
    const ps_urdf_shape *visuals;    ///< document order (owned by the model); NULL when count is 0
    size_t visual_count;
    const ps_urdf_shape *collisions; ///< document order (owned by the model); NULL when count is 0
    size_t collision_count;
    int parent_joint;            ///< index into joints of the joint whose child this is; -1 for the root
    int line;                    ///< line of the `<link>` element
} ps_urdf_link;

typedef enum ps_urdf_joint_type {
    PS_URDF_REVOLUTE,     ///< rotation about axis, limited
    PS_URDF_CONTINUOUS,   ///< rotation about axis, unlimited
    PS_URDF_PRISMATIC,    ///< translation along axis, limited
    PS_URDF_FIXED,
    PS_URDF_FLOATING,     ///< 6 DOF
    PS_URDF_PLANAR,       ///< motion in the plane normal to axis
} ps_urdf_joint_type;

/// URDF spelling of a joint type ("revolute", ...); "?" when out of range.
const char *ps_urdf_joint_type_name(ps_urdf_joint_type t);

typedef struct ps_urdf_joint {
    const char *name;            ///< unique, non-empty (owned by the model)
    ps_urdf_joint_type type;
    const char *parent;          ///< parent link name (owned by the model)
    const char *child;           ///< child link name (owned by the model)
    int parent_link;             ///< index into links
    int child_link;              ///< index into links
    ps_urdf_origin origin;       ///< joint frame = child link frame, relative to the parent link frame
    /// Unit axis in the joint frame (default 1 0 0). For revolute, continuous,
    /// prismatic and planar joints a zero axis is an error; for fixed and
    /// floating joints it is unused (a zero one is replaced by the default).
    ps_vec3 axis;
    bool has_limit;              ///< a `<limit>` element was given (always true for revolute and prismatic)
    double lower, upper;         ///< rad or m; default 0; lower <= upper
    double effort;               ///< N m or N, >= 0
    double velocity;             ///< rad/s or m/s, >= 0
    bool has_dynamics;
    double damping;              ///< N m s/rad or N s/m; default 0
    double friction;             ///< N m or N; default 0
    bool has_mimic;
    const char *mimic_joint;     ///< mimicked joint's name (owned by the model); NULL without mimic
    int mimic_index;             ///< index into joints; -1 without mimic
    double mimic_multiplier;     ///< default 1: q = multiplier * q_mimicked + offset
    double mimic_offset;         ///< rad or m; default 0
    int line;                    ///< line of the `<joint>` element
} ps_urdf_joint;

/// A named material: those defined at robot level, then those first defined
/// inline (with a name and a colour or texture) in a visual, in document order.
typedef struct ps_urdf_material {
    const char *name;            ///< (owned by the model)
    bool has_rgba;
    double rgba[4];
    const char *texture;         ///< filename as written, or NULL
    int line;
} ps_urdf_material;

/// A parsed, validated robot. Read-only for callers; everything it points to
/// is owned by it and freed by ps_urdf_free.
typedef struct ps_urdf_model {
    const char *path;            ///< the path given to ps_urdf_load
    const char *name;            ///< the `name` attribute of `<robot>`
    const ps_urdf_link *links;   ///< document order
    size_t link_count;           ///< >= 1
    const ps_urdf_joint *joints; ///< document order
    size_t joint_count;          ///< link_count - 1 (a tree)
    const ps_urdf_material *materials;
    size_t material_count;
    int root_link;               ///< index of the one link without a parent joint
    /// link_count link indices, parents before children (depth-first from the
    /// root, children in joint document order); topo_order[0] == root_link.
    const int *topo_order;
    /// Warnings, each "file:line: message": non-positive-definite inertias
    /// (unless strict_inertia), ignored element kinds (one per kind, e.g.
    /// "`<transmission>` ignored (6 elements)"). NULL when the count is 0.
    const char *const *warnings;
    size_t warning_count;
} ps_urdf_model;

/// Reads and validates the URDF file at `path` (non-NULL). `opt` may be NULL
/// (defaults). Returns a model to release with ps_urdf_free, or NULL with
/// "file:line: message" in `err` (truncated to `errlen`; `err` may be NULL
/// when errlen is 0). Mesh filenames must resolve to existing files. Files
/// over PS_URDF_MAX_FILE_BYTES, deeper than PS_URDF_MAX_DEPTH or with more than
/// PS_URDF_MAX_ELEMENTS elements are rejected; external entities are never
/// loaded. Numbers are read in the C locale's format (decimal point '.').
ps_urdf_model *ps_urdf_load(const char *path, const ps_urdf_options *opt,
                            char *err, size_t errlen);

/// Frees a model and everything it owns. `m` may be NULL.
void ps_urdf_free(ps_urdf_model *m);

/// Sum of the links' inertial masses, kg.
double ps_urdf_total_mass(const ps_urdf_model *m);

/// Index of the link named `name`, or -1 (also for NULL arguments).
int ps_urdf_link_find(const ps_urdf_model *m, const char *name);

/// Index of the joint named `name`, or -1 (also for NULL arguments).
int ps_urdf_joint_find(const ps_urdf_model *m, const char *name);

PS_END_DECLS
#endif
