/// @file material.h
/// Contact materials. Each geom has one; when two geoms touch, their materials
/// are combined (or a pair override is used) into the contact's parameters.
#ifndef PILOTSIM_MATERIAL_H
#define PILOTSIM_MATERIAL_H

#include "pilotsim/export.h"

#include "pilotsim/world.h"

PS_BEGIN_DECLS

/// Material parameters. Start from ps_default_material_def().
typedef struct ps_material_def {
    const char *name;       ///< copied; must be unique in the world
    double friction;        ///< Coulomb coefficient mu >= 0 (tangential force <= mu * normal force); default 0.8
    double rolling;         ///< rolling-resistance coefficient >= 0, m (torque <= rolling * normal force); default 0
    double restitution;     ///< [0, 1]; default 0
    double bounce_vel;      ///< m/s: impacts slower than this do not bounce; default 0.01
    double softness_erp;    ///< contact ERP (0,1]; 0 = use the world's; default 0
    double softness_cfm;    ///< contact CFM >= 0 (m/N-ish: compliance); 0 = the world's; default 0
} ps_material_def;

/// The defaults every def starts from (each field states its default above).
ps_material_def ps_default_material_def(void);

/// Adds a material. Returns its id, or (ps_material_id)-1 on an invalid def or a
/// duplicate name (see ps_world_last_error). Material 0 is "default".
ps_material_id ps_material_create(ps_world *w, const ps_material_def *def);

/// Looks a material up by name; (ps_material_id)-1 if absent.
ps_material_id ps_material_find(const ps_world *w, const char *name);

/// Current parameters of material `m` (name borrowed). PS_ERR_INVALID if `m` is unknown.
ps_status ps_material_get(const ps_world *w, ps_material_id m, ps_material_def *out);

/// Sets explicit contact parameters for the pair (a, b), order-independent,
/// instead of combining the two materials. `def->name` is ignored.
ps_status ps_material_set_pair(ps_world *w, ps_material_id a, ps_material_id b,
                               const ps_material_def *def);

/// The parameters a contact between `a` and `b` gets: the pair override if any,
/// else friction = sqrt(mu_a * mu_b), rolling = max, restitution = max,
/// bounce_vel = max; softness: CFM the larger, ERP the smaller of the two when
/// both set one, else the one that is set (0 = neither: the world's).
ps_status ps_material_combine(const ps_world *w, ps_material_id a, ps_material_id b,
                              ps_material_def *out);

PS_END_DECLS
#endif
