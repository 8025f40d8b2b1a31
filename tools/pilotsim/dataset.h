// Datasets (pilotsim record, replay, info, merge of HDF5 shards, eval --record):
// episodes recorded step by step and stored in robomimic's HDF5 layout through
// libhdf5. See docs/datasets.md for the file layout.
#ifndef PS_DATASET_H
#define PS_DATASET_H

#include "pilotsim/pilotsim.h"
#include "pilotsim/policy.h"
#include "pilotsim/state.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

// ---------------------------------------------------------------- recording

/// Records one episode at a time in memory: per step the observations (RGB
/// camera images as uint8, everything else float32), the actions (all action
/// entries concatenated in name order, clamped to their bounds as the episode
/// applies them), the reward, done, the world state hash and the full episode
/// state (ps_episode_state_bytes).
typedef struct ds_recorder ds_recorder;

ds_recorder *ds_recorder_create(void);           ///< NULL on allocation failure
void ds_recorder_destroy(ds_recorder *r);        ///< NULL is a no-op
/// Starts recording episode `e` (just begun): takes its spaces' layout and
/// drops what was recorded before.
void ds_recorder_begin(ds_recorder *r, ps_episode *e);
/// Call once the actions of the coming step are written, right before
/// ps_episode_step: records the observations, state and actions.
void ds_recorder_before_step(ds_recorder *r, ps_episode *e);
/// Call right after ps_episode_step: records its reward and done.
void ds_recorder_after_step(ds_recorder *r, ps_episode *e);
/// Runs `e` to its end like ps_episode_run_policy (p non-NULL) or
/// ps_episode_run (p NULL: actions stay zero), recording every step.
ps_episode_status ds_record_run(ds_recorder *r, ps_episode *e, ps_policy *p, uint64_t seed, uint64_t max_steps);
/// States kept by default (record, eval --record): every this many steps. Any other
/// step restores exactly from the stored one before it plus the recorded actions
/// (the per-step state hashes check it); a state every step costs about 1.6-2.3x
/// the simulation's time and 3-7 MB per 1000 steps (docs/datasets.md).
#define DS_STATE_EVERY_DEFAULT 100
/// Keeps the full state only at steps i % k == 0 (the other rows of `states`
/// stay empty: restore the nearest earlier one and replay the actions from
/// there); k = 1 (the default) keeps every step's.
void ds_recorder_set_state_every(ds_recorder *r, uint64_t k);
/// Steps recorded so far.
size_t ds_recorder_steps(const ds_recorder *r);
/// The first recording error (out of memory, a state that cannot be saved),
/// or NULL when there was none.
const char *ds_recorder_error(const ds_recorder *r);
/// Bytes recorded so far (all buffers).
size_t ds_recorder_bytes(const ds_recorder *r);

/// What a demo's attributes say besides its data. Strings are borrowed.
typedef struct ds_meta {
    const char *scene_path;    ///< as given on the command line
    const char *scene_name;
    uint64_t scene_hash;       ///< ps_scene_content_hash
    const char *policy;        ///< spec, "" none (or "teleop")
    const char *const *params; ///< "name=value" overrides
    size_t param_count;
    uint64_t seed, episode;    ///< episode seed and index within its scene
    const char *instruction;   ///< language instruction, "" none
    const char *status;        ///< ps_episode_status_name
    const char *message;       ///< why it failed, "" none
    double ret, sim_time, wall_time; ///< sum of rewards, s, s
    const char *const *metric_names;
    const double *metric_values;
    size_t metric_count;
    uint64_t final_hash;       ///< world state hash after the last step
    uint64_t max_steps;        ///< the step limit it ran with (0: the scene's time limit)
} ds_meta;

/// What a file's `data` attribute env_args says about the run (borrowed).
typedef struct ds_run {
    const char *const *scenes; ///< scene paths as given, in order
    size_t scene_count;
    uint64_t episodes;         ///< per scene; demo j is scene j / episodes, episode j % episodes
    uint64_t seed;             ///< base seed
    uint64_t max_steps;        ///< --steps (0: the scenes' time limits)
    uint64_t state_every;      ///< --state-every (0 or 1: every step)
    const char *policy;        ///< spec given (or "" = each scene's baseline / none)
    const char *const *params;
    size_t param_count;
    const char *env_name;      ///< name of the first scene
} ds_run;

// ---------------------------------------------------------------- files

typedef struct ds_file ds_file;

/// Turns off libhdf5's own error printing (we report errors ourselves).
void ds_hdf5_quiet(void);
/// Opens `path` for writing, creating it (with `run`'s env_args) when it does
/// not exist. An existing file must be a dataset whose env_args equal those
/// `run` gives (else an error naming the difference). NULL with a message.
ds_file *ds_open_write(const char *path, const ds_run *run, char *err, size_t errlen);
/// Opens a dataset read-only. NULL with a message.
ds_file *ds_open_read(const char *path, char *err, size_t errlen);
/// Creates a new dataset at `path` with the env_args of `like` (merge). NULL with a message.
ds_file *ds_create_like(const char *path, const ds_file *like, char *err, size_t errlen);
/// The run's scene count and episodes per scene (data attributes run_scenes,
/// run_episodes); 0 when absent.
void ds_run_shape(const ds_file *f, uint64_t *scenes, uint64_t *episodes);
/// Flushes and closes; false when the file could not be written. NULL is a no-op.
bool ds_close(ds_file *f);

/// Appends the recorded episode as data/demo_<j>: datasets, attributes, the
/// `total` count and the masks (train, or valid for every tenth demo j % 10 == 9;
/// success). Then flushes the file. false with a message.
bool ds_write_demo(ds_file *f, uint64_t j, const ds_recorder *r, const ds_meta *m, char *err, size_t errlen);
/// Copies demo `name` of `src` into `dst` under the same name, updating
/// total and masks as ds_write_demo. false with a message.
bool ds_copy_demo(ds_file *dst, ds_file *src, const char *name, char *err, size_t errlen);

/// The file's env_args JSON (owned by the file), "" when absent.
const char *ds_env_args(const ds_file *f);
/// Demos in the file, sorted by index; their names "demo_<j>".
size_t ds_demo_count(const ds_file *f);
const char *ds_demo_name(const ds_file *f, size_t i);
uint64_t ds_demo_index(const ds_file *f, size_t i);
/// True when the file holds data/<name>.
bool ds_has_demo(const ds_file *f, const char *name);

/// A string attribute of demo `name` into `buf` ("" when absent); false when absent.
bool ds_demo_attr_str(const ds_file *f, const char *name, const char *attr, char *buf, size_t n);
/// An integer attribute (uint64 or int64); false when absent.
bool ds_demo_attr_u64(const ds_file *f, const char *name, const char *attr, uint64_t *out);
/// A string-list attribute: a malloc'd array of malloc'd strings (*n of them);
/// false when absent. Free with ds_free_strings.
bool ds_demo_attr_strings(const ds_file *f, const char *name, const char *attr, char ***out, size_t *n);
void ds_free_strings(char **v, size_t n);

/// A world state hash function, as recorded per step in state_hashes.
typedef uint64_t (*ds_state_hash_fn)(const ps_world *w);
/// The recorder's per-step hash (ps_world_state_digest) and the name its demos
/// give it in their attribute state_hash_fn.
#define DS_STATE_HASH_FN ps_world_state_digest
#define DS_STATE_HASH_FN_NAME "ps_world_state_digest"
/// The function whose values demo `name`'s state_hashes hold: the one its
/// attribute state_hash_fn names, ps_world_state_hash when it has none (files
/// recorded before session 6). NULL with a message for an unknown name.
ds_state_hash_fn ds_demo_state_hash_fn(const ds_file *f, const char *name, char *err, size_t errlen);

/// Reads dataset data/<demo>/<what> (e.g. "actions", "obs/scan") converted to
/// `type` ('f' float32, 'd' float64, 'u' uint64, 'b' uint8): a malloc'd
/// buffer, with its rank and dims. NULL with a message.
void *ds_read(const ds_file *f, const char *demo, const char *what, char type, int *ndim, uint64_t dims[8],
              char *err, size_t errlen);

/// Loads row `step` of data/<demo>/states (ps_episode_state_deserialize; the
/// row's zero padding is ignored): a new state (the caller destroys it), or NULL
/// with a message when it cannot be read or is not a state.
ps_episode_state *ds_read_state(const ds_file *f, const char *demo, uint64_t step, char *err, size_t errlen);

/// Summary of a dataset file (pilotsim info): prints to `out`. false with a message.
bool ds_info(const char *path, FILE *out, bool json, char *err, size_t errlen);

// ---------------------------------------------------------------- one episode into one file

/// An episode to record (borrowed).
typedef struct ds_episode_job {
    const ds_run *run;        ///< the run it belongs to (env_args)
    uint64_t j;               ///< demo index in the run
    ps_scene *scene;
    const char *scene_path;   ///< as given
    ps_policy *policy;        ///< NULL: actions stay zero
    const char *policy_spec;  ///< recorded ("" none)
    uint64_t episode, seed;
    uint64_t max_steps;       ///< > 0: end as timeout after that many steps
} ds_episode_job;

/// Runs episode `e` (just begun with job->seed; the caller ends it), recording
/// it with `rec`, and writes it as the only demo (data/demo_<j>) of a new
/// dataset file: first at `tmp`, renamed to `path` once complete, so `path`
/// never holds a partial file. The episode's status name goes to `status`.
/// false with a message (the episode's own failure is not an error: it is recorded).
bool ds_record_episode_file(ds_recorder *rec, const ds_episode_job *job, ps_episode *e, const char *path,
                            const char *tmp, char *err, size_t errlen, char *status, size_t statuslen);
/// eval --record DIR: runs `e` to its end as eval would (with `pol`, or none),
/// recording it into DIR/demo_<j>.hdf5 (a write failure is reported on stderr)
/// with *rec, made at the first call (the caller destroys it after the last, so
/// its buffers serve every episode). Returns the episode's status.
/// `pilotsim merge DIR/*.hdf5 --out ALL` joins the files.
ps_episode_status ds_eval_record(const char *dir, const ds_run *run, ds_recorder **rec, uint64_t j, ps_episode *e,
                                 ps_scene *scene, const char *scene_path, ps_policy *pol, const char *policy_spec,
                                 uint64_t episode, uint64_t seed);

// ---------------------------------------------------------------- commands

int cmd_record(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_info(int argc, char **argv);
/// pilotsim merge of dataset shards (cmd_merge.c hands over when its inputs
/// are HDF5 files): every demo of the run exactly once, into --out.
int ds_merge(int argc, char **argv);
/// True when `path` starts with the HDF5 signature.
bool ds_is_hdf5(const char *path);

#endif
