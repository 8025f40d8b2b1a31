// pilotsim check: validates a URDF or a scene without running it.
//
// A URDF is parsed, printed as a link tree, then built into a throwaway world
// so that the builder's warnings and errors (limits a hinge cannot enforce,
// replaced inertias, non-STL/OBJ collision meshes, massless moving links) are
// reported too. A scene is loaded and its build() run once (seed 0) without
// stepping.
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "pilotsim/policy.h"
#include "pilotsim/robot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


typedef struct strlist { char **v; size_t n, cap; } strlist;

static void strlist_add(strlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return;
        l->v = v;
        l->cap = cap;
    }
    char *c = strdup(s);
    if (c) l->v[l->n++] = c;
}

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    *l = (strlist){0};
}

typedef struct check_log { strlist warnings, errors; } check_log;

// World log sink of the throwaway build: warnings and errors are collected.
static void collect_log(void *user, ps_log_level level, const char *msg)
{
    check_log *c = user;
    if (level == PS_LOG_WARN) strlist_add(&c->warnings, msg);
    else if (level == PS_LOG_ERROR) strlist_add(&c->errors, msg);
}

static void json_strlist(FILE *f, const strlist *l)
{
    fputc('[', f);
    for (size_t i = 0; i < l->n; i++) {
        if (i) fputc(',', f);
        cli_json_string(f, l->v[i]);
    }
    fputc(']', f);
}

static void print_errors(const strlist *errors)
{
    for (size_t i = 0; i < errors->n; i++) fprintf(stderr, "error: %s\n", errors->v[i]);
}

// "1 link", "2 links".
static const char *plural(size_t n, const char *one, const char *many) { return n == 1 ? one : many; }

// The closing line of the text report.
static void print_verdict(size_t warnings, size_t errors)
{
    if (errors) printf("check: failed (%zu %s)\n", errors, plural(errors, "error", "errors"));
    else printf("check: ok (%zu %s)\n", warnings, plural(warnings, "warning", "warnings"));
}

// ---------------------------------------------------------------------------
// URDF

static bool has_range(ps_urdf_joint_type t) { return t == PS_URDF_REVOLUTE || t == PS_URDF_PRISMATIC; }

static bool is_moving(ps_urdf_joint_type t)
{
    return t == PS_URDF_REVOLUTE || t == PS_URDF_CONTINUOUS || t == PS_URDF_PRISMATIC;
}

static double link_mass(const ps_urdf_link *l) { return l->has_inertial ? l->inertial.mass : 0; }

#define JOINT_TYPES 6 // PS_URDF_REVOLUTE .. PS_URDF_PLANAR

typedef struct build_result {
    bool attempted, ok;
    size_t bodies, joints, geoms;
    double mass;
} build_result;

// Builds the model into a throwaway world; warnings and errors go to `log`.
static build_result build_urdf(const ps_urdf_model *m, bool fixed_base, check_log *log)
{
    build_result r = {.attempted = true};
    ps_world_def wd = ps_default_world_def();
    wd.log = (ps_logger){collect_log, log};
    char err[PS_ERR_LEN];
    ps_world *w = ps_world_create(&wd, err, sizeof err);
    if (!w) {
        strlist_add(&log->errors, err);
        return r;
    }
    ps_urdf_build_options bo = ps_default_urdf_build_options();
    bo.fixed_base = fixed_base;
    ps_robot_id id = ps_robot_from_urdf(w, m, &bo);
    if (!ps_robot_valid(w, id)) {
        strlist_add(&log->errors, ps_world_last_error(w));
    } else if (ps_world_validate(w) != PS_OK) {
        char msg[1200];
        snprintf(msg, sizeof msg, "%s: %s", m->path, ps_world_last_error(w));
        strlist_add(&log->errors, msg);
    } else {
        r.ok = log->errors.n == 0;
        r.bodies = ps_world_body_count(w);
        r.joints = ps_world_joint_count(w);
        r.geoms = ps_world_geom_count(w);
        r.mass = ps_robot_mass(w, id);
    }
    ps_world_destroy(w);
    return r;
}

static void print_urdf_text(const ps_urdf_model *m, const int *depth, const size_t *type_count,
                            const build_result *b, bool fixed_base, const check_log *log)
{
    printf("robot '%s' (%s)\n", m->name ? m->name : "", m->path);
    printf("link tree (%zu %s, root '%s'):\n", m->link_count, plural(m->link_count, "link", "links"),
           m->links[m->root_link].name);
    for (size_t k = 0; k < m->link_count; k++) {
        int l = m->topo_order[k];
        const ps_urdf_link *ln = &m->links[l];
        printf("  %*s%s  %g kg%s", 2 * depth[l], "", ln->name, link_mass(ln), ln->has_inertial ? "" : " (no inertial)");
        if (ln->parent_joint >= 0) {
            const ps_urdf_joint *j = &m->joints[ln->parent_joint];
            bool prismatic = j->type == PS_URDF_PRISMATIC;
            printf("  <- %s (%s", j->name, ps_urdf_joint_type_name(j->type));
            if (has_range(j->type)) printf(" [%g, %g]", j->lower, j->upper);
            if (j->has_limit && (has_range(j->type) || j->type == PS_URDF_CONTINUOUS))
                printf(" effort %g %s, velocity %g %s", j->effort, prismatic ? "N" : "N m", j->velocity,
                       prismatic ? "m/s" : "rad/s");
            printf(")");
        }
        printf("\n");
    }
    printf("joints: %zu", m->joint_count);
    const char *sep = " (";
    for (int t = 0; t < JOINT_TYPES; t++) {
        if (!type_count[t]) continue;
        printf("%s%zu %s", sep, type_count[t], ps_urdf_joint_type_name((ps_urdf_joint_type)t));
        sep = ", ";
    }
    printf("%s\n", m->joint_count ? ")" : "");
    size_t massless = 0;
    for (size_t i = 0; i < m->link_count; i++) massless += !(link_mass(&m->links[i]) > 0);
    printf("total mass: %g kg (%zu %s, %zu without mass)\n", ps_urdf_total_mass(m), m->link_count,
           plural(m->link_count, "link", "links"), massless);
    if (b->ok)
        printf("build (%s base): %zu %s, %zu %s, %zu %s, %g kg\n", fixed_base ? "fixed" : "floating", b->bodies,
               plural(b->bodies, "body", "bodies"), b->joints, plural(b->joints, "joint", "joints"), b->geoms,
               plural(b->geoms, "geom", "geoms"), b->mass);
    else
        printf("build (%s base): failed\n", fixed_base ? "fixed" : "floating");
    printf("warnings: %zu\n", log->warnings.n);
    for (size_t i = 0; i < log->warnings.n; i++) printf("  %s\n", log->warnings.v[i]);
}

static void print_urdf_json(const char *path, const ps_urdf_model *m, const size_t *type_count,
                            const build_result *b, bool fixed_base, const check_log *log)
{
    printf("{\"file\":");
    cli_json_string(stdout, path);
    printf(",\"kind\":\"urdf\",\"ok\":%s,\"fixed_base\":%s", log->errors.n ? "false" : "true",
           fixed_base ? "true" : "false");
    if (m) {
        printf(",\"robot\":");
        cli_json_string(stdout, m->name ? m->name : "");
        printf(",\"root\":");
        cli_json_string(stdout, m->links[m->root_link].name);
        printf(",\"link_count\":%zu,\"joint_count\":%zu", m->link_count, m->joint_count);
        size_t moving = 0;
        for (size_t i = 0; i < m->joint_count; i++) moving += is_moving(m->joints[i].type);
        printf(",\"moving_joint_count\":%zu,\"joint_types\":{", moving);
        bool first = true;
        for (int t = 0; t < JOINT_TYPES; t++) {
            if (!type_count[t]) continue;
            printf("%s\"%s\":%zu", first ? "" : ",", ps_urdf_joint_type_name((ps_urdf_joint_type)t), type_count[t]);
            first = false;
        }
        printf("},\"total_mass\":");
        cli_json_number(stdout, ps_urdf_total_mass(m));
        // Links in tree order (parents before children).
        printf(",\"links\":[");
        for (size_t k = 0; k < m->link_count; k++) {
            int l = m->topo_order[k];
            const ps_urdf_link *ln = &m->links[l];
            printf("%s{\"name\":", k ? "," : "");
            cli_json_string(stdout, ln->name);
            printf(",\"line\":%d,\"mass\":", ln->line);
            cli_json_number(stdout, link_mass(ln));
            printf(",\"has_inertial\":%s", ln->has_inertial ? "true" : "false");
            if (ln->parent_joint < 0) {
                printf(",\"parent\":null,\"joint\":null,\"type\":null}");
                continue;
            }
            const ps_urdf_joint *j = &m->joints[ln->parent_joint];
            printf(",\"parent\":");
            cli_json_string(stdout, j->parent);
            printf(",\"joint\":");
            cli_json_string(stdout, j->name);
            printf(",\"type\":\"%s\",\"joint_line\":%d", ps_urdf_joint_type_name(j->type), j->line);
            if (has_range(j->type)) {
                printf(",\"limits\":[");
                cli_json_number(stdout, j->lower);
                putchar(',');
                cli_json_number(stdout, j->upper);
                putchar(']');
            } else {
                printf(",\"limits\":null");
            }
            if (j->has_limit) {
                printf(",\"effort\":");
                cli_json_number(stdout, j->effort);
                printf(",\"velocity\":");
                cli_json_number(stdout, j->velocity);
            } else {
                printf(",\"effort\":null,\"velocity\":null");
            }
            putchar('}');
        }
        printf("],\"build\":{\"ok\":%s", b->ok ? "true" : "false");
        if (b->ok) {
            printf(",\"bodies\":%zu,\"joints\":%zu,\"geoms\":%zu,\"mass\":", b->bodies, b->joints, b->geoms);
            cli_json_number(stdout, b->mass);
        }
        putchar('}');
    }
    printf(",\"warnings\":");
    json_strlist(stdout, &log->warnings);
    printf(",\"errors\":");
    json_strlist(stdout, &log->errors);
    printf("}\n");
}

static int check_urdf(const char *path, const strlist *package_paths, bool fixed_base, bool json)
{
    ps_urdf_options uo = ps_urdf_default_options();
    bool ok = true;
    for (size_t i = 0; ok && i < package_paths->n; i++)
        ok = ps_urdf_options_add_path_list(&uo, package_paths->v[i]) == PS_OK;
    ok = ok && ps_urdf_options_add_env(&uo) == PS_OK;
    char assets[4096];
    if (ok && cli_data_dir(assets, sizeof assets - 8)) {
        strcat(assets, "/assets");
        ok = ps_urdf_options_add_package_path(&uo, assets) == PS_OK;
    }
    if (!ok) {
        ps_urdf_options_clear(&uo);
        fprintf(stderr, "error: out of memory\n");
        return EXIT_RUNTIME;
    }
    char err[PS_ERR_LEN];
    ps_urdf_model *m = ps_urdf_load(path, &uo, err, sizeof err);
    ps_urdf_options_clear(&uo);

    check_log log = {0};
    build_result b = {0};
    size_t type_count[JOINT_TYPES] = {0};
    int *depth = NULL;
    if (!m) {
        strlist_add(&log.errors, err);
    } else {
        for (size_t i = 0; i < m->warning_count; i++) strlist_add(&log.warnings, m->warnings[i]);
        // The reader accepts lower == upper; the built joint is then locked.
        for (size_t i = 0; i < m->joint_count; i++) {
            const ps_urdf_joint *j = &m->joints[i];
            if (!has_range(j->type) || j->lower != j->upper) continue;
            char msg[1200];
            snprintf(msg, sizeof msg, "%s:%d: joint '%.200s' (%s): limits [%g, %g] leave no range of motion; "
                     "the joint is locked", m->path, j->line, j->name, ps_urdf_joint_type_name(j->type), j->lower,
                     j->upper);
            strlist_add(&log.warnings, msg);
        }
        for (size_t i = 0; i < m->joint_count; i++)
            if ((int)m->joints[i].type >= 0 && (int)m->joints[i].type < JOINT_TYPES) type_count[m->joints[i].type]++;
        depth = calloc(m->link_count, sizeof *depth);
        if (!depth) {
            ps_urdf_free(m);
            fprintf(stderr, "error: out of memory\n");
            return EXIT_RUNTIME;
        }
        // topo_order lists parents before children.
        for (size_t k = 0; k < m->link_count; k++) {
            int l = m->topo_order[k];
            int pj = m->links[l].parent_joint;
            depth[l] = pj < 0 ? 0 : depth[m->joints[pj].parent_link] + 1;
        }
        b = build_urdf(m, fixed_base, &log);
    }

    if (json) print_urdf_json(path, m, type_count, &b, fixed_base, &log);
    else if (m) print_urdf_text(m, depth, type_count, &b, fixed_base, &log);
    fflush(stdout);
    print_errors(&log.errors);
    if (!json && m) print_verdict(log.warnings.n, log.errors.n);
    int rc = log.errors.n ? EXIT_RUNTIME : EXIT_OK;
    free(depth);
    ps_urdf_free(m);
    strlist_free(&log.warnings);
    strlist_free(&log.errors);
    return rc;
}

// ---------------------------------------------------------------------------
// Scene

static void fmt_bound(char *buf, size_t n, double v)
{
    if (isinf(v)) snprintf(buf, n, "%sinf", v < 0 ? "-" : "");
    else snprintf(buf, n, "%g", v);
}

static bool param_has_range(const ps_param_info *p)
{
    return (!strcmp(p->type, "number") || !strcmp(p->type, "integer")) && !(isinf(p->min) && isinf(p->max));
}

typedef struct scene_log { strlist warnings; bool quiet; } scene_log;

// Scene log sink: warnings and errors (a URDF's, a builder's) are collected
// for the report; the scene's print() output goes to stderr unless quiet.
static void collect_scene_log(void *user, ps_log_level level, const char *msg)
{
    scene_log *c = user;
    if (level >= PS_LOG_WARN) strlist_add(&c->warnings, msg);
    else if (level == PS_LOG_INFO && !c->quiet) fprintf(stderr, "%s\n", msg);
}

static int check_scene(const char *path, cli_scene_opts *so, const strlist *package_paths, bool json)
{
    // Package path flags may be colon-separated lists: split them into owned copies.
    strlist pkg = {0};
    for (size_t i = 0; i < package_paths->n; i++) {
        char *list = strdup(package_paths->v[i]), *save = NULL;
        for (char *tok = list ? strtok_r(list, ":", &save) : NULL; tok; tok = strtok_r(NULL, ":", &save))
            strlist_add(&pkg, tok);
        free(list);
    }
    for (size_t i = 0; i < pkg.n && so->package_path_count < 16; i++) so->package_paths[so->package_path_count++] = pkg.v[i];
    char env_storage[8192];
    cli_default_module_paths(so, env_storage, sizeof env_storage);
    ps_scene_options opt = cli_scene_options(so);
    scene_log log = {.quiet = so->quiet};
    opt.log = (ps_logger){collect_scene_log, &log};
    strlist errors = {0};
    char err[PS_ERR_LEN];
    ps_scene *s = ps_scene_load(path, &opt, err, sizeof err);
    ps_episode *e = NULL;
    ps_world *w = NULL;
    if (!s) {
        strlist_add(&errors, err);
    } else {
        cli_cameras_install(s); // camera sensors can be built (no GL until an image is rendered)
        e = ps_episode_begin(s, 0);
        if (!e) strlist_add(&errors, "out of memory");
        else if (ps_episode_get_status(e) == PS_EP_SCRIPT_ERROR) strlist_add(&errors, ps_episode_message(e));
        else w = ps_episode_world(e);
    }
    // The scene's baseline policy must be found and load (remote ones are not started).
    if (s && ps_scene_policy(s)) {
        char pbuf[4096];
        const char *spec = ps_scene_baseline_spec(s, pbuf, sizeof pbuf);
        if (strncmp(spec, "exec:", 5) && strncmp(spec, "tcp://", 6)) {
            ps_policy_options po = ps_default_policy_options();
            po.module_paths = so->module_paths;
            po.module_path_count = so->module_path_count;
            po.trusted = so->trusted;
            po.log = opt.log;
            ps_policy *p = ps_policy_open(spec, &po, err, sizeof err);
            if (p) ps_policy_close(p);
            else {
                char msg[4400];
                snprintf(msg, sizeof msg, "%s: field 'policy': %s", path, err);
                strlist_add(&errors, msg);
            }
        }
    }
    size_t np = s ? ps_scene_param_count(s) : 0;

    if (json) {
        printf("{\"file\":");
        cli_json_string(stdout, path);
        printf(",\"kind\":\"scene\",\"ok\":%s", errors.n ? "false" : "true");
        if (s) {
            printf(",\"name\":");
            cli_json_string(stdout, ps_scene_name(s));
            printf(",\"domain\":");
            cli_json_string(stdout, ps_scene_domain(s));
            printf(",\"description\":");
            cli_json_string(stdout, ps_scene_description(s));
            printf(",\"timestep\":");
            cli_json_number(stdout, ps_scene_timestep(s));
            printf(",\"time_limit\":");
            cli_json_number(stdout, ps_scene_time_limit(s));
            printf(",\"scene_hash\":\"%016llx\",\"params\":[", (unsigned long long)ps_scene_content_hash(s));
            for (size_t i = 0; i < np; i++) {
                ps_param_info p;
                if (ps_scene_param(s, i, &p) != PS_OK) continue;
                printf("%s{\"name\":", i ? "," : "");
                cli_json_string(stdout, p.name);
                printf(",\"type\":");
                cli_json_string(stdout, p.type);
                printf(",\"value\":");
                cli_json_string(stdout, p.value);
                printf(",\"min\":");
                cli_json_number(stdout, p.min);
                printf(",\"max\":");
                cli_json_number(stdout, p.max);
                printf(",\"randomize\":%s,\"overridden\":%s,\"description\":", p.randomize ? "true" : "false",
                       p.overridden ? "true" : "false");
                cli_json_string(stdout, p.description ? p.description : "");
                putchar('}');
            }
            putchar(']');
        }
        if (w) {
            printf(",\"world\":{\"bodies\":%zu,\"joints\":%zu,\"geoms\":%zu", ps_world_body_count(w),
                   ps_world_joint_count(w), ps_world_geom_count(w));
            printf("},\"solver\":{");
            cli_json_solver_settings(stdout, w);
            putchar('}');
        }
        printf(",\"warnings\":");
        json_strlist(stdout, &log.warnings);
        printf(",\"errors\":");
        json_strlist(stdout, &errors);
        printf("}\n");
    } else if (s) {
        printf("scene '%s' (%s)\n", ps_scene_name(s), path);
        printf("  domain       %s\n", *ps_scene_domain(s) ? ps_scene_domain(s) : "-");
        printf("  description  %s\n", *ps_scene_description(s) ? ps_scene_description(s) : "-");
        printf("  timestep     %g s\n", ps_scene_timestep(s));
        printf("  time limit   %g s\n", ps_scene_time_limit(s));
        if (w) {
            ps_solver_settings st;
            ps_world_solver_settings(w, &st);
            if (st.solver == PS_SOLVER_DIRECT) printf("  solver       direct (no iterations");
            else printf("  solver       %d iterations (%s", st.iterations, ps_setting_source_name(st.iterations_from));
            if (st.need_iterations) printf("; robot '%s' needs %d", st.need_iterations_robot, st.need_iterations);
            if (st.need_timestep > 0) printf("; robot '%s' needs timestep <= %g s", st.need_timestep_robot, st.need_timestep);
            printf(")\n");
        }
        printf("params: %zu\n", np);
        if (np) {
            // Column widths from the contents.
            int wn = 4, wt = 4, wv = 5, wr = 5;
            char range[96];
            for (size_t i = 0; i < np; i++) {
                ps_param_info p;
                if (ps_scene_param(s, i, &p) != PS_OK) continue;
                wn = (int)fmax(wn, (double)strlen(p.name));
                wt = (int)fmax(wt, (double)strlen(p.type));
                wv = (int)fmax(wv, (double)strlen(p.value) + (p.overridden ? 1 : 0));
                if (param_has_range(&p)) {
                    char lo[32], hi[32];
                    fmt_bound(lo, sizeof lo, p.min);
                    fmt_bound(hi, sizeof hi, p.max);
                    snprintf(range, sizeof range, "[%s, %s]", lo, hi);
                    wr = (int)fmax(wr, (double)strlen(range));
                }
            }
            printf("  %-*s  %-*s  %-*s  %-*s  randomize  description\n", wn, "name", wt, "type", wv, "value", wr,
                   "range");
            for (size_t i = 0; i < np; i++) {
                ps_param_info p;
                if (ps_scene_param(s, i, &p) != PS_OK) continue;
                if (param_has_range(&p)) {
                    char lo[32], hi[32];
                    fmt_bound(lo, sizeof lo, p.min);
                    fmt_bound(hi, sizeof hi, p.max);
                    snprintf(range, sizeof range, "[%s, %s]", lo, hi);
                } else {
                    snprintf(range, sizeof range, "-");
                }
                char value[80];
                snprintf(value, sizeof value, "%s%s", p.value, p.overridden ? "*" : "");
                printf("  %-*s  %-*s  %-*s  %-*s  %-9s  %s\n", wn, p.name, wt, p.type, wv, value, wr, range,
                       p.randomize ? "yes" : "no", p.description ? p.description : "");
            }
            for (size_t i = 0; i < np; i++) {
                ps_param_info p;
                if (ps_scene_param(s, i, &p) == PS_OK && p.overridden) {
                    printf("  (* overridden by --param)\n");
                    break;
                }
            }
        }
        if (w) {
            size_t nb = ps_world_body_count(w), nj = ps_world_joint_count(w), ng = ps_world_geom_count(w);
            printf("build (seed 0): %zu %s, %zu %s, %zu %s\n", nb, plural(nb, "body", "bodies"), nj,
                   plural(nj, "joint", "joints"), ng, plural(ng, "geom", "geoms"));
        } else
            printf("build (seed 0): failed\n");
        printf("warnings: %zu\n", log.warnings.n);
        for (size_t i = 0; i < log.warnings.n; i++) printf("  %s\n", log.warnings.v[i]);
    }
    fflush(stdout);
    if (!json && !s) // no report to hold them
        for (size_t i = 0; i < log.warnings.n; i++) fprintf(stderr, "warning: %s\n", log.warnings.v[i]);
    print_errors(&errors);
    if (!json && s) print_verdict(log.warnings.n, errors.n);
    int rc = errors.n ? EXIT_RUNTIME : EXIT_OK;
    if (!s) rc = cli_scene_load_rc(path, so); // a bad --param is a usage error
    ps_episode_end(e);
    ps_scene_destroy(s);
    strlist_free(&errors);
    strlist_free(&log.warnings);
    strlist_free(&pkg);
    return rc;
}

// ---------------------------------------------------------------------------

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n < k) return false;
    for (size_t i = 0; i < k; i++)
        if ((s[n - k + i] | 0x20) != (suffix[i] | 0x20)) return false;
    return true;
}

typedef enum { KIND_URDF, KIND_SCENE, KIND_UNREADABLE } file_kind;

// .urdf and .xml are URDFs, .lua is a scene; otherwise an XML document
// (first non-blank character '<') is read as a URDF and anything else as a
// scene. The URDF reader names a root element other than <robot>.
static file_kind sniff(const char *path, char *err, size_t errlen)
{
    if (ends_with(path, ".urdf") || ends_with(path, ".xml")) return KIND_URDF;
    if (ends_with(path, ".lua")) return KIND_SCENE;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return KIND_UNREADABLE;
    }
    unsigned char buf[512];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    size_t i = 0;
    if (n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) i = 3; // UTF-8 BOM
    while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')) i++;
    return i < n && buf[i] == '<' ? KIND_URDF : KIND_SCENE;
}

int cmd_check(int argc, char **argv)
{
    cli_scene_opts so = {0};
    strlist package_paths = {0};
    const char *pkg[64];
    size_t npkg = 0;
    bool json = false, fixed_base = false;
    cli_group scene_group = cli_scene_group(&so, CLI_SCENE_NO_PACKAGE_PATH);
    const cli_opt opts[] = {
        {.name = "--json", .kind = CLI_FLAG, .target = &json,
         .help = "print one JSON object (with \"warnings\" and \"errors\")"},
        {.name = "--package-path", .kind = CLI_LIST, .metavar = "DIR", .target = pkg, .count = &npkg, .cap = 64,
         .need = "a directory",
         .help = "search DIR for robot descriptions and package:// meshes (repeatable, or DIR1:DIR2); then "
                 "$" PS_URDF_PACKAGE_PATH_ENV ", the project's assets/ and the URDF's folder and its ancestors"},
        {.name = "--fixed-base", .kind = CLI_FLAG, .target = &fixed_base,
         .help = "URDF: weld the root link to the world (default: floating base)"},
        {.kind = CLI_INCLUDE, .target = scene_group.opt, .help = "scene options"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "check",
        .synopsis = "FILE [options]",
        .about = "Checks a URDF (*.urdf, or XML whose root is <robot>) or a scene (*.lua) without running it.\n"
                 "URDF: prints the link tree (each link's mass; the joint that connects it, its type, limits "
                 "[lower, upper], effort and velocity), the joints per type, the total mass, and the warnings of "
                 "the reader and of the builder: the model is built into a throwaway world, which catches build "
                 "errors too (a collision mesh that is not STL or OBJ, a moving link without mass).\n"
                 "Scene: loads it, runs its build() once with seed 0 (no step) and prints name, domain, "
                 "description, timestep, time limit, params, the world's body, joint and geom counts, and the "
                 "warnings of the load and the build (e.g. of its robots).",
        .opts = opts,
        .exits = "0 fine (warnings allowed), 2 usage error,\n"
                 "            3 bad file (\"error: file:line: message\" on stderr)\n",
        .pos_name = "FILE",
        .min_pos = 1,
        .max_pos = 1,
    };
    const char *file = NULL;
    size_t npos;
    int rc = cli_parse(&cmd, argc, argv, &file, &npos);
    if (rc != CLI_CONTINUE) return rc;
    rc = EXIT_USAGE;
    for (size_t i = 0; i < npkg; i++) strlist_add(&package_paths, pkg[i]);
    const char *urdf_only = fixed_base ? "--fixed-base" : NULL;
    const char *scene_only = so.param_count         ? "--param"
                             : so.module_path_count ? "--module-path"
                             : so.trusted           ? "--trusted"
                             : so.memory_limit_set  ? "--memory-limit"
                                                    : NULL;
    char err[PS_ERR_LEN];
    file_kind kind = sniff(file, err, sizeof err);
    if (kind == KIND_UNREADABLE) {
        fprintf(stderr, "error: %s\n", err);
        rc = EXIT_RUNTIME;
    } else if (kind == KIND_URDF && scene_only) {
        fprintf(stderr, "pilotsim check: %s applies to scenes, and '%s' is a URDF\n", scene_only, file);
    } else if (kind == KIND_SCENE && urdf_only) {
        fprintf(stderr, "pilotsim check: %s applies to URDFs, and '%s' is a scene\n", urdf_only, file);
    } else if (kind == KIND_URDF) {
        rc = check_urdf(file, &package_paths, fixed_base, json);
    } else {
        rc = check_scene(file, &so, &package_paths, json);
    }
    strlist_free(&package_paths);
    return rc;
}
