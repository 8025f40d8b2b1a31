// pilotsim replay: re-simulates a dataset's demos from their recorded seeds
// and actions, checks the world state hash at every step (--verify, also
// restoring a recorded mid-episode state and continuing from it), and renders
// a demo to video (the same path as `run --video`).
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "dataset.h"
#include "pilotsim/state.h"
#include "run_record.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// The recorded demo, fed back as a policy that also checks the state hashes.
typedef struct replay_src {
    const float *actions;   // [steps][dim]
    const uint64_t *hashes; // [steps]
    ds_state_hash_fn hash;  // the function that made them
    uint64_t steps, dim, next;
    uint64_t start;         // the first step fed (a restored state's step; 0 from the start)
    bool verify;
    uint64_t diverged_at;   // first step whose hash differs, UINT64_MAX none
    uint64_t want, got;
    // --verify also restores the recorded state of step restore_at one step
    // later and goes on from there (a later step when the world's structure
    // changed in between: bodies added or removed).
    const ds_file *file;
    const char *demo;
    uint64_t restore_at, restored_at; // UINT64_MAX: not yet
    uint64_t state_every;             // states were stored every this many steps
    ps_episode_state *es;
    char restore_err[PS_ERR_LEN];
} replay_src;

static int replay_reset(void *self, ps_episode *e, uint64_t seed, char *err, size_t errlen)
{
    (void)e;
    (void)seed;
    (void)err;
    (void)errlen;
    replay_src *r = self;
    r->next = r->start;
    return 0;
}

static int replay_act(void *self, ps_episode *e, char *err, size_t errlen)
{
    replay_src *r = self;
    uint64_t i = r->next;
    if (i >= r->steps) {
        snprintf(err, errlen, "the episode goes on after the %" PRIu64 " recorded steps", r->steps);
        if (r->diverged_at == UINT64_MAX) r->diverged_at = i;
        return 1;
    }
    if (r->verify && r->restored_at == UINT64_MAX && r->restore_at < r->steps && i == r->restore_at + 1) {
        char e2[512];
        ps_episode_state *es = ds_read_state(r->file, r->demo, r->restore_at, e2, sizeof e2);
        ps_status st = es ? ps_episode_restore_state(e, es, e2, sizeof e2) : PS_ERR_INVALID;
        ps_episode_state_destroy(es);
        if (st == PS_OK) {
            r->restored_at = r->restore_at;
            r->next = i = r->restore_at;
        } else if (st == PS_ERR_STATE) {
            // the structure changed: try the next stored state one step after it
            r->restore_at = (i + r->state_every - 1) / r->state_every * r->state_every;
        } else {
            snprintf(r->restore_err, sizeof r->restore_err, "%s", e2);
            snprintf(err, errlen, "restoring the state of step %" PRIu64 ": %s", r->restore_at, e2);
            return 1;
        }
    }
    ps_world *w = ps_episode_world(e);
    uint64_t h = w ? r->hash(w) : 0;
    if (r->verify && h != r->hashes[i] && r->diverged_at == UINT64_MAX) {
        r->diverged_at = i;
        r->want = r->hashes[i];
        r->got = h;
        snprintf(err, errlen, "state diverges at step %" PRIu64, i);
        return 1;
    }
    const float *a = r->actions + i * r->dim;
    for (size_t k = 0; k < ps_episode_action_count(e); k++) {
        ps_space_entry *en = ps_episode_action(e, k);
        memcpy(en->data, a, en->count * sizeof *a);
        a += en->count;
    }
    r->next++;
    return 0;
}

static void replay_close(void *self)
{
    replay_src *r = self;
    ps_episode_state_destroy(r->es);
    free(r);
}

static const ps_policy_vtable replay_vt = {"replay", replay_reset, replay_act, replay_close, NULL};

typedef struct replay_opts {
    cli_scene_opts so;
    bool verify;
    run_record_opts video;
} replay_opts;

// Restores the recorded state of step k into e: PS_OK, PS_ERR_STATE (the world's
// structure differs; e is unchanged) or another error (message in err).
static ps_status restore_step(ps_episode *e, const ds_file *f, const char *demo, uint64_t k, char *err, size_t n)
{
    ps_episode_state *es = ds_read_state(f, demo, k, err, n);
    ps_status st = es ? ps_episode_restore_state(e, es, err, n) : PS_ERR_INVALID;
    ps_episode_state_destroy(es);
    return st;
}

// Restores into e (just begun: the structure the scene builds) the latest stored
// state at or before step `mid` that has that structure: mid's when it does,
// else found by bisection (a scene that adds or removes a body or joint keeps
// the changed structure from then on). Returns its step; UINT64_MAX when none
// restores (*failed set when reading or restoring failed otherwise, err says why).
static uint64_t restore_latest(ps_episode *e, const ds_file *f, const char *demo, uint64_t mid, uint64_t every,
                               char *err, size_t n, bool *failed)
{
    uint64_t lo = 0, hi = mid / every; // state indices (step = index * every)
    ps_status st = restore_step(e, f, demo, hi * every, err, n);
    if (st == PS_OK) return hi * every;
    while (st == PS_ERR_STATE && hi - lo > 1) {
        uint64_t m = lo + (hi - lo) / 2;
        st = restore_step(e, f, demo, m * every, err, n);
        if (st == PS_OK) lo = m;
        else if (st == PS_ERR_STATE) hi = m;
    }
    if (st == PS_OK || st == PS_ERR_STATE) st = restore_step(e, f, demo, lo * every, err, n);
    if (st == PS_OK) return lo * every;
    *failed = st != PS_ERR_STATE;
    return UINT64_MAX;
}

// --verify's second check: a fresh episode of the demo's scene and seed, the
// recorded state of (about) the middle step restored into it, the recorded
// actions fed from there: every state hash, the final hash and the status must
// be the recorded ones. 0 continues identically (or nothing to restore: *at
// UINT64_MAX), 1 diverged (printed), 3 error (printed).
static int verify_fresh_restore(ps_scene *s, const replay_src *rec, uint64_t seed, uint64_t max_steps,
                                const char *want_final, const char *want_status, uint64_t *at)
{
    char err[1024];
    *at = UINT64_MAX;
    ps_episode *e = ps_episode_begin(s, seed);
    replay_src *src = calloc(1, sizeof *src);
    ps_policy *pol = NULL;
    int rc = EXIT_RUNTIME;
    if (!e || !src || !(pol = ps_policy_wrap(&replay_vt, src, "replay"))) {
        free(src);
        fprintf(stderr, "error: %s: out of memory\n", rec->demo);
        goto out;
    }
    bool failed = false;
    uint64_t k = restore_latest(e, rec->file, rec->demo, rec->steps / 2, rec->state_every, err, sizeof err, &failed);
    if (failed) {
        fprintf(stderr, "error: %s: restoring a recorded state into a fresh episode: %s\n", rec->demo, err);
        goto out;
    }
    rc = EXIT_OK;
    if (k == UINT64_MAX) goto out;
    *src = (replay_src){.actions = rec->actions, .hashes = rec->hashes, .hash = rec->hash, .steps = rec->steps, .dim = rec->dim,
                        .start = k, .verify = true, .diverged_at = UINT64_MAX, .file = rec->file, .demo = rec->demo,
                        .restore_at = UINT64_MAX, .restored_at = k, .state_every = rec->state_every};
    ps_episode_status st = ps_episode_run_policy(e, pol, seed, max_steps);
    ps_world *w = ps_episode_world(e);
    char hex[32];
    snprintf(hex, sizeof hex, "%016" PRIx64, w ? ps_world_state_hash(w) : 0);
    rc = EXIT_EPISODE_FAILED;
    if (src->diverged_at < rec->steps)
        printf("%s: DIVERGED at step %" PRIu64 " after restoring the recorded state of step %" PRIu64
               " into a fresh episode: state hash %016" PRIx64 ", recorded %016" PRIx64 "\n",
               rec->demo, src->diverged_at, k, src->got, src->want);
    else if (src->next != rec->steps || src->diverged_at != UINT64_MAX)
        printf("%s: DIVERGED after restoring the recorded state of step %" PRIu64 " into a fresh episode: it ended "
               "(%s) at step %" PRIu64 ", recorded %" PRIu64 " steps\n", rec->demo, k, ps_episode_status_name(st),
               src->next, rec->steps);
    else if (strcmp(hex, want_final) || strcmp(ps_episode_status_name(st), want_status))
        printf("%s: DIVERGED at step %" PRIu64 " (the end) after restoring the recorded state of step %" PRIu64
               " into a fresh episode: final hash %s status %s, recorded %s %s\n", rec->demo, rec->steps, k, hex,
               ps_episode_status_name(st), want_final, want_status);
    else {
        *at = k;
        rc = EXIT_OK;
    }
out:
    ps_policy_close(pol);
    if (e) ps_episode_end(e);
    return rc;
}

static bool check_layout(ps_episode *e, const ds_file *f, const char *demo, uint64_t dim, char *err, size_t n)
{
    char **keys = NULL;
    size_t nk = 0;
    ds_demo_attr_strings(f, demo, "action_keys", &keys, &nk);
    uint64_t have = 0;
    bool ok = nk == ps_episode_action_count(e);
    for (size_t k = 0; k < ps_episode_action_count(e); k++) {
        const ps_space_entry *en = ps_episode_action(e, k);
        have += en->count;
        if (ok && strcmp(keys[k], en->name)) ok = false;
    }
    ds_free_strings(keys, nk);
    if (!ok || have != dim) {
        snprintf(err, n, "%s: the recorded actions (%" PRIu64 " values) do not fit the scene's action space (%" PRIu64
                 " values): the scene changed since it was recorded?", demo, dim, have);
        return false;
    }
    return true;
}

// 0 replayed (verified), 1 diverged, 3 error.
static int replay_demo(const replay_opts *o, const ds_file *f, const char *demo, bool with_video)
{
    char err[PS_ERR_LEN], scene_path[4096], want_scene_hash[32], want_final[32], want_status[64];
    uint64_t seed = 0, steps = 0;
    if (!ds_demo_attr_str(f, demo, "scene", scene_path, sizeof scene_path) ||
        !ds_demo_attr_u64(f, demo, "seed", &seed) || !ds_demo_attr_u64(f, demo, "num_samples", &steps)) {
        fprintf(stderr, "error: %s: %s lacks its scene, seed or num_samples attribute\n", "replay", demo);
        return EXIT_RUNTIME;
    }
    char abs[4096];
    if (access(scene_path, R_OK) != 0 && ds_demo_attr_str(f, demo, "scene_abspath", abs, sizeof abs) &&
        access(abs, R_OK) == 0)
        snprintf(scene_path, sizeof scene_path, "%s", abs); // recorded relative to another folder
    ds_demo_attr_str(f, demo, "scene_hash", want_scene_hash, sizeof want_scene_hash);
    ds_demo_attr_str(f, demo, "final_hash", want_final, sizeof want_final);
    ds_demo_attr_str(f, demo, "status", want_status, sizeof want_status);
    uint64_t max_steps = 0, state_every = 1;
    ds_demo_attr_u64(f, demo, "max_steps", &max_steps);
    ds_demo_attr_u64(f, demo, "state_every", &state_every);
    if (!state_every) state_every = 1;
    char **params = NULL;
    size_t np = 0;
    ds_demo_attr_strings(f, demo, "params", &params, &np);
    cli_scene_opts so = o->so;
    for (size_t i = 0; i < np && so.param_count < sizeof so.params / sizeof *so.params; i++)
        so.params[so.param_count++] = params[i];
    ps_scene_options opt = cli_scene_options(&so);
    ps_scene *s = ps_scene_load(scene_path, &opt, err, sizeof err);
    int rc = EXIT_RUNTIME;
    int nd = 0;
    uint64_t dims[8] = {0}, hdims[8] = {0};
    float *actions = NULL;
    uint64_t *hashes = NULL;
    ps_episode *e = NULL;
    ps_policy *pol = NULL;
    run_recorder *video = NULL;
    if (!s) {
        fprintf(stderr, "error: %s: %s\n", demo, err);
        goto out;
    }
    char hex[32];
    snprintf(hex, sizeof hex, "%016" PRIx64, ps_scene_content_hash(s));
    if (want_scene_hash[0] && strcmp(hex, want_scene_hash)) {
        fprintf(stderr, "error: %s: %s changed since it was recorded (hash %s, recorded %s)\n", demo, scene_path, hex,
                want_scene_hash);
        goto out;
    }
    cli_cameras_install(s);
    actions = ds_read(f, demo, "actions", 'f', &nd, dims, err, sizeof err);
    if (actions && (nd != 2 || dims[0] != steps)) {
        snprintf(err, sizeof err, "%s: actions are not [num_samples, dim]", demo);
        free(actions);
        actions = NULL;
    }
    if (actions) hashes = ds_read(f, demo, "state_hashes", 'u', &nd, hdims, err, sizeof err);
    if (hashes && (nd != 1 || hdims[0] != steps)) {
        snprintf(err, sizeof err, "%s: state_hashes are not [num_samples]", demo);
        free(hashes);
        hashes = NULL;
    }
    ds_state_hash_fn hash_fn = hashes ? ds_demo_state_hash_fn(f, demo, err, sizeof err) : NULL;
    if (!actions || !hashes || !hash_fn) {
        fprintf(stderr, "error: %s\n", err);
        goto out;
    }
    replay_src *src = calloc(1, sizeof *src);
    if (!src || !(pol = ps_policy_wrap(&replay_vt, src, "replay"))) {
        free(src);
        goto out;
    }
    *src = (replay_src){.actions = actions, .hashes = hashes, .hash = hash_fn, .steps = steps, .dim = dims[1], .verify = o->verify,
                        .diverged_at = UINT64_MAX, .file = f, .demo = demo, .restore_at = steps / 2 / state_every * state_every, .state_every = state_every,
                        .restored_at = UINT64_MAX, .es = ps_episode_state_create()};
    if (!src->es) goto out;
    if (with_video && !(video = run_recorder_open(&o->video, s, err, sizeof err))) {
        fprintf(stderr, "error: %s\n", err);
        goto out;
    }
    e = ps_episode_begin(s, seed);
    if (!e) goto out;
    if (steps && !check_layout(e, f, demo, dims[1], err, sizeof err)) {
        fprintf(stderr, "error: %s\n", err);
        goto out;
    }
    ps_episode_status st = video ? run_recorder_run(video, e, pol, seed, max_steps) : ps_episode_run_policy(e, pol, seed, max_steps);
    if (video && !run_recorder_finish(video, e, err, sizeof err)) {
        fprintf(stderr, "error: %s\n", err);
        goto out;
    }
    if (video) run_recorder_report(video, stderr);
    ps_world *w = ps_episode_world(e);
    uint64_t final = w ? ps_world_state_hash(w) : 0;
    snprintf(hex, sizeof hex, "%016" PRIx64, final);
    if (o->verify) {
        if (src->diverged_at != UINT64_MAX) {
            if (src->diverged_at < steps)
                printf("%s: DIVERGED at step %" PRIu64 " of %" PRIu64 ": state hash %016" PRIx64 ", recorded %016" PRIx64
                       "\n", demo, src->diverged_at, steps, src->got, src->want);
            else
                printf("%s: DIVERGED at step %" PRIu64 ": the episode goes on after the recorded %" PRIu64 " steps\n",
                       demo, src->diverged_at, steps);
            rc = EXIT_EPISODE_FAILED;
            goto out;
        }
        if (src->next != steps) {
            const char *why = ps_episode_message(e);
            printf("%s: DIVERGED at step %" PRIu64 ": the episode ended (%s) before the recorded %" PRIu64 " steps%s%.*s\n",
                   demo, src->next, ps_episode_status_name(st), steps, why[0] ? ": " : "", (int)strcspn(why, "\n"), why);
            rc = EXIT_EPISODE_FAILED;
            goto out;
        }
        if (strcmp(hex, want_final) || strcmp(ps_episode_status_name(st), want_status)) {
            printf("%s: DIVERGED at step %" PRIu64 " (the end): final hash %s status %s, recorded %s %s\n", demo, steps,
                   hex, ps_episode_status_name(st), want_final, want_status);
            rc = EXIT_EPISODE_FAILED;
            goto out;
        }
        if (src->restore_err[0]) {
            fprintf(stderr, "error: %s: %s\n", demo, src->restore_err);
            goto out;
        }
        uint64_t fresh_at = UINT64_MAX;
        if (steps >= 2 && (rc = verify_fresh_restore(s, src, seed, max_steps, want_final, want_status, &fresh_at)))
            goto out;
        char fresh[160] = "";
        if (fresh_at != UINT64_MAX)
            snprintf(fresh, sizeof fresh, "; the state of step %" PRIu64 " restored into a fresh episode too", fresh_at);
        if (src->restored_at != UINT64_MAX)
            printf("%s: verified %" PRIu64 " steps (%s, final hash %s; the recorded state of step %" PRIu64
                   " restored one step later continues identically%s)\n", demo, steps, want_status, hex,
                   src->restored_at, fresh);
        else if (steps < 2)
            printf("%s: verified %" PRIu64 " steps (%s, final hash %s)\n", demo, steps, want_status, hex);
        else
            printf("%s: verified %" PRIu64 " steps (%s, final hash %s; no state restored one step later: the world's "
                   "structure changed at every step after the middle%s)\n", demo, steps, want_status, hex, fresh);
    } else {
        printf("%s: replayed %" PRIu64 " steps: %s, final hash %s%s\n", demo, src->next, ps_episode_status_name(st),
               hex, strcmp(hex, want_final) ? " (recorded hash differs)" : "");
    }
    rc = EXIT_OK;
out:
    run_recorder_destroy(video);
    if (e) ps_episode_end(e);
    ps_policy_close(pol);
    ps_scene_destroy(s);
    free(actions);
    free(hashes);
    ds_free_strings(params, np);
    return rc;
}

static bool is_index(const char *v)
{
    uint64_t j;
    return cli_parse_u64(v, &j);
}

int cmd_replay(int argc, char **argv)
{
    replay_opts o = {0};
    char env_storage[4096];
    const char **demos = calloc((size_t)argc, sizeof *demos);
    size_t nd = 0;
    if (!demos) return EXIT_RUNTIME;
    cli_group scene_group = cli_scene_group(&o.so, 0), record_group = run_record_group(&o.video);
    const cli_opt opts[] = {
        {.name = "--demo", .kind = CLI_LIST, .metavar = "J", .target = demos, .count = &nd, .cap = (size_t)argc,
         .check = is_index, .need = "a demo index", .help = "only data/demo_J (repeatable)"},
        {.name = "--verify", .kind = CLI_FLAG, .target = &o.verify,
         .help = "compare the world state hash with the recorded one at every step, the final hash and status; "
                 "restore the recorded full state of the middle step one step later, and again into a fresh "
                 "episode (the latest stored state before it with the structure the scene builds), and check "
                 "every hash of the continuations"},
        {.kind = CLI_INCLUDE, .target = scene_group.opt, .help = "scene options"},
        {.kind = CLI_INCLUDE, .target = record_group.opt, .help = "recording options (one demo, with --demo J)"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "replay",
        .synopsis = "FILE.hdf5 [--demo J] [--verify] [--video OUT.mp4] [options]",
        .about = "Re-simulates the demos of a dataset (all, or demo_J) from their recorded scene, params and "
                 "seed, applying the recorded actions, and prints each one's final state hash.",
        .opts = opts,
        .exits = "0 replayed (and verified), 1 a demo diverged (names the demo and the first\n"
                 "            diverging step), 2 usage error, 3 unreadable file, scene or recording error\n",
        .pos_name = "FILE",
        .min_pos = 1,
        .max_pos = 1,
    };
    const char *path = NULL;
    size_t npos;
    int rc = cli_parse(&cmd, argc, argv, &path, &npos);
    if (rc != CLI_CONTINUE) {
        free(demos);
        return rc;
    }
    rc = EXIT_USAGE;
    bool video = run_record_requested(&o.video);
    if (video && nd != 1) {
        fprintf(stderr, "pilotsim replay: --video/--screenshot render one demo: pick it with --demo J\n");
        goto done;
    }
    rc = EXIT_RUNTIME;
    ds_hdf5_quiet();
    cli_default_module_paths(&o.so, env_storage, sizeof env_storage);
    char err[PS_ERR_LEN];
    ds_file *f = ds_open_read(path, err, sizeof err);
    if (!f) {
        fprintf(stderr, "error: %s\n", err);
        goto done;
    }
    size_t verified = 0, diverged = 0, errors = 0;
    size_t count = nd ? nd : ds_demo_count(f);
    for (size_t i = 0; i < count; i++) {
        char name[64];
        if (nd) snprintf(name, sizeof name, "demo_%s", demos[i]);
        else snprintf(name, sizeof name, "%s", ds_demo_name(f, i));
        if (!ds_has_demo(f, name)) {
            fprintf(stderr, "error: %s holds no %s\n", path, name);
            errors++;
            continue;
        }
        int r = replay_demo(&o, f, name, video);
        if (r == EXIT_OK) verified++;
        else if (r == EXIT_EPISODE_FAILED) diverged++;
        else errors++;
        fflush(stdout);
    }
    ds_close(f);
    printf("replay: %zu demo%s %s, %zu diverged, %zu error%s\n", verified, verified == 1 ? "" : "s",
           o.verify ? "verified" : "replayed", diverged, errors, errors == 1 ? "" : "s");
    rc = errors ? EXIT_RUNTIME : diverged ? EXIT_EPISODE_FAILED : EXIT_OK;
done:
    free(demos);
    return rc;
}
