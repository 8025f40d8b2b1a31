// Dataset files through libhdf5 (dataset.h), in robomimic's layout:
//   data/                 attrs total (steps of all demos), env_args (JSON)
//   data/demo_<j>/        attrs num_samples, scene, scene_hash, seed, status, ...
//       obs/<name>        [N, shape...] float32, RGB images uint8
//       actions [N, A] float32, rewards [N] float64, dones [N] uint8,
//       states [N, S] uint8 (episode states, zero-padded), state_hashes [N] uint64
//   mask/train, mask/valid, mask/success   demo names (fixed-length strings)
// Data sets are chunked along the step axis and gzip-compressed (with shuffle).
#define _DEFAULT_SOURCE
#include "dataset_internal.h"
#include "cli.h"

#include <hdf5.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libdeflate.h>

enum { MASK_LEN = 32 };

struct ds_file {
    hid_t file, data;
    bool writable;
    char *env_args;
    char **names;   // sorted by index
    uint64_t *index;
    size_t n, cap;
    char path[4096];
};

void ds_hdf5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static void set_err(char *err, size_t n, const char *fmt, const char *a, const char *b)
{
    snprintf(err, n, fmt, a, b);
}

/* ------------------------------------------------------------ attributes */

static bool attr_write(hid_t loc, const char *name, hid_t type, hid_t space, const void *v)
{
    if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
    hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return false;
    bool ok = H5Awrite(a, type, v) >= 0;
    H5Aclose(a);
    return ok;
}

static hid_t vlen_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

static bool attr_str(hid_t loc, const char *name, const char *v)
{
    hid_t t = vlen_str_type(), s = H5Screate(H5S_SCALAR);
    const char *p = v ? v : "";
    bool ok = attr_write(loc, name, t, s, &p);
    H5Sclose(s);
    H5Tclose(t);
    return ok;
}

static bool attr_strs(hid_t loc, const char *name, const char *const *v, size_t n)
{
    hid_t t = vlen_str_type();
    hsize_t d = n;
    hid_t s = n ? H5Screate_simple(1, &d, NULL) : H5Screate(H5S_NULL);
    bool ok;
    if (n) {
        ok = attr_write(loc, name, t, s, v);
    } else {
        if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
        hid_t a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
        ok = a >= 0;
        if (ok) H5Aclose(a);
    }
    H5Sclose(s);
    H5Tclose(t);
    return ok;
}

static bool attr_num(hid_t loc, const char *name, hid_t type, const void *v)
{
    hid_t s = H5Screate(H5S_SCALAR);
    bool ok = attr_write(loc, name, type, s, v);
    H5Sclose(s);
    return ok;
}

// A string attribute (variable or fixed length) into a malloc'd string; NULL when absent.
static char *attr_read_str(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0) return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return NULL;
    hid_t ft = H5Aget_type(a);
    char *out = NULL;
    if (H5Tget_class(ft) == H5T_STRING) {
        if (H5Tis_variable_str(ft) > 0) {
            hid_t t = vlen_str_type();
            char *p = NULL;
            if (H5Aread(a, t, &p) >= 0 && p) {
                out = strdup(p);
                H5free_memory(p);
            }
            H5Tclose(t);
        } else {
            size_t n = H5Tget_size(ft);
            out = calloc(n + 1, 1);
            hid_t t = H5Tcopy(H5T_C_S1);
            H5Tset_size(t, n);
            if (out && H5Aread(a, t, out) < 0) {
                free(out);
                out = NULL;
            }
            H5Tclose(t);
        }
    }
    H5Tclose(ft);
    H5Aclose(a);
    return out;
}

static bool attr_read_u64(hid_t loc, const char *name, uint64_t *v)
{
    if (H5Aexists(loc, name) <= 0) return false;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return false;
    bool ok = H5Aread(a, H5T_NATIVE_UINT64, v) >= 0;
    H5Aclose(a);
    return ok;
}

/* ------------------------------------------------------------ data sets */

// Chunks are filtered here rather than by HDF5's pipeline, with the filters the
// data set declares (shuffle, then deflate): the compressed stream is zlib's
// format, which HDF5's deflate filter reads back, but made by libdeflate (level
// DS_DEFLATE_LEVEL), about twice as fast as zlib at level 1 and no bigger
// (docs/datasets.md). The chunks go in with H5Dwrite_chunk. That spares HDF5's
// copy of the data into a chunk buffer and the two buffers it allocates per
// chunk. The scratch buffers and the compressor are the recorder's
// (ds_scratch): every demo after the first reuses them.

void ds_scratch_release(ds_scratch *s)
{
    if (!s) return;
    ds_bytes_release(&s->in);
    ds_bytes_release(&s->out);
    ds_bytes_release(&s->rows);
    if (s->deflater) libdeflate_free_compressor(s->deflater);
    s->deflater = NULL;
}

// Compresses `n` bytes at `src` into s->out (*len bytes) as one zlib stream
// (what HDF5's deflate filter inflates).
static bool deflate1(ds_scratch *s, const unsigned char *src, size_t n, size_t *len)
{
    if (!s->deflater && !(s->deflater = libdeflate_alloc_compressor(DS_DEFLATE_LEVEL))) return false;
    size_t bound = libdeflate_zlib_compress_bound(s->deflater, n);
    if (!ds_bytes_reserve(&s->out, bound)) return false;
    *len = libdeflate_zlib_compress(s->deflater, src, n, s->out.data, bound);
    return *len > 0;
}

// One pass over the source, an element at a time; inlined with a constant
// `elem` (4: float32; 8: float64, uint64), whose byte loop then unrolls: 5x
// (4) and 1.8x (8) as fast as a strided pass per byte plane, which is kept for
// other sizes (where it is the faster one).
static inline __attribute__((always_inline)) void shuffle_rows(unsigned char *dst, const unsigned char *src, size_t n,
                                                               size_t nv, size_t elem)
{
    for (size_t i = 0; i < nv; i++)
        for (size_t k = 0; k < elem; k++) dst[k * n + i] = src[i * elem + k];
}

// HDF5's shuffle of a chunk of `bytes` bytes (`elem` bytes an element) whose
// first `valid` bytes are data and the rest zeros (a partial chunk at the end
// of a data set, which HDF5 pads with the fill value 0): byte k of every element,
// for k = 0 .. elem-1, one plane after the other.
static void shuffle(unsigned char *dst, const unsigned char *src, size_t bytes, size_t valid, size_t elem)
{
    size_t n = bytes / elem, nv = valid / elem;
    if (elem == 4) shuffle_rows(dst, src, n, nv, 4);
    else if (elem == 8) shuffle_rows(dst, src, n, nv, 8);
    else
        for (size_t k = 0; k < elem; k++)
            for (size_t i = 0; i < nv; i++) dst[k * n + i] = src[i * elem + k];
    for (size_t k = 0; k < elem; k++) memset(dst + k * n + nv, 0, n - nv);
}

// Filters one chunk (`valid` bytes of data, padded with zeros to `bytes`) and
// writes it at `off`. `elem` > 1: shuffled first.
static bool put_chunk(hid_t d, const hsize_t *off, const unsigned char *data, size_t bytes, size_t valid, size_t elem,
                      ds_scratch *z)
{
    const unsigned char *src = data;
    if (elem > 1) {
        if (!ds_bytes_reserve(&z->in, bytes)) return false;
        shuffle(z->in.data, data, bytes, valid, elem);
        src = z->in.data;
    } else if (valid < bytes) {
        if (!ds_bytes_reserve(&z->in, bytes)) return false;
        memcpy(z->in.data, data, valid);
        memset(z->in.data + valid, 0, bytes - valid);
        src = z->in.data;
    }
    size_t len;
    return deflate1(z, src, bytes, &len) && H5Dwrite_chunk(d, H5P_DEFAULT, 0, off, len, z->out.data) >= 0;
}

// Writes data set `name` under `loc`: chunked along the first axis (about
// 1 MiB a chunk) and gzip-compressed with shuffle, unless it is empty. With `z`
// (and memory in the file's layout) the chunks are filtered here (put_chunk).
static bool write_set(hid_t loc, const char *name, hid_t mem_type, hid_t file_type, int ndim, const hsize_t *dims,
                      const void *data, ds_scratch *z)
{
    hid_t space = H5Screate_simple(ndim, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    size_t elem = H5Tget_size(file_type), row = elem;
    bool empty = false;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] == 0) empty = true;
        if (i) row *= dims[i];
    }
    hsize_t rows = 1;
    if (!empty) {
        hsize_t chunk[8];
        rows = row ? (hsize_t)((1u << 20) / row) : 1;
        if (rows < 1) rows = 1;
        if (rows > dims[0]) rows = dims[0];
        chunk[0] = rows;
        for (int i = 1; i < ndim; i++) chunk[i] = dims[i];
        H5Pset_chunk(dcpl, ndim, chunk);
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, 1);
    }
    hid_t d = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    bool ok = d >= 0;
    if (ok && !empty && z && H5Tequal(mem_type, file_type) > 0) {
        const unsigned char *p = data;
        size_t bytes = (size_t)rows * row;
        for (hsize_t at = 0; ok && at < dims[0]; at += rows) {
            hsize_t off[8] = {at};
            size_t valid = (size_t)((dims[0] - at < rows ? dims[0] - at : rows) * row);
            ok = put_chunk(d, off, p + at * row, bytes, valid, elem, z);
        }
    } else if (ok && !empty) {
        ok = H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
    }
    if (d >= 0) H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(space);
    return ok;
}

// Writes obs/<name> of an RGB image entry: a chunk per image, deflated (level
// 1) here and handed to HDF5 as finished chunks, so an image repeated from the
// step before (a camera renders at its own rate) reuses its compressed bytes
// instead of being compressed again. Readers see an ordinary deflated data set.
static bool write_images(hid_t loc, const ds_obs *o, hsize_t n, ds_scratch *z)
{
    hsize_t dims[5] = {n}, chunk[5] = {1};
    for (int k = 0; k < o->ndim; k++) dims[k + 1] = chunk[k + 1] = (hsize_t)o->shape[k];
    int nd = o->ndim + 1;
    if (!n || !o->count) return write_set(loc, o->name, H5T_NATIVE_UINT8, H5T_STD_U8LE, nd, dims, o->data.data, NULL);
    hid_t space = H5Screate_simple(nd, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, nd, chunk);
    H5Pset_deflate(dcpl, 1);
    hid_t d = H5Dcreate2(loc, o->name, H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    size_t len = 0;
    // o->data holds the distinct images: row i shows the latest one at or before it
    const unsigned char *same = o->same.data, *img = o->data.data;
    bool ok = d >= 0 && o->same.len == n && !same[0];
    for (hsize_t i = 0; ok && i < n; i++) {
        if (!same[i]) { // z->out keeps the last image's bytes for the repeats
            ok = img + o->count <= o->data.data + o->data.len && deflate1(z, img, o->count, &len);
            img += o->count;
        }
        hsize_t off[5] = {i};
        ok = ok && H5Dwrite_chunk(d, H5P_DEFAULT, 0, off, len, z->out.data) >= 0;
    }
    if (d >= 0) H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(space);
    return ok;
}

/* ------------------------------------------------------------ masks */

static bool mask_append(hid_t file, const char *mask, const char *demo)
{
    hid_t g = H5Lexists(file, "mask", H5P_DEFAULT) > 0 ? H5Gopen2(file, "mask", H5P_DEFAULT)
                                                        : H5Gcreate2(file, "mask", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return false;
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, MASK_LEN);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    hid_t d;
    hsize_t n = 0;
    if (H5Lexists(g, mask, H5P_DEFAULT) > 0) {
        d = H5Dopen2(g, mask, H5P_DEFAULT);
        hid_t s = H5Dget_space(d);
        H5Sget_simple_extent_dims(s, &n, NULL);
        H5Sclose(s);
    } else {
        hsize_t zero = 0, max = H5S_UNLIMITED, chunk = 256;
        hid_t s = H5Screate_simple(1, &zero, &max);
        hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(dcpl, 1, &chunk);
        d = H5Dcreate2(g, mask, t, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        H5Pclose(dcpl);
        H5Sclose(s);
    }
    bool ok = d >= 0;
    if (ok) {
        hsize_t size = n + 1, one = 1;
        char buf[MASK_LEN] = {0};
        snprintf(buf, sizeof buf, "%s", demo);
        ok = H5Dset_extent(d, &size) >= 0;
        hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &one, NULL);
        ok = ok && H5Sselect_hyperslab(fs, H5S_SELECT_SET, &n, NULL, &one, NULL) >= 0 &&
             H5Dwrite(d, t, ms, fs, H5P_DEFAULT, buf) >= 0;
        H5Sclose(ms);
        H5Sclose(fs);
        H5Dclose(d);
    }
    H5Tclose(t);
    H5Gclose(g);
    return ok;
}

// After demo `name` (index j, n steps, status) joined the file: total and masks.
static bool account(ds_file *f, const char *name, uint64_t j, uint64_t steps, const char *status)
{
    uint64_t total = 0;
    attr_read_u64(f->data, "total", &total);
    total += steps;
    int64_t t = (int64_t)total;
    bool ok = attr_num(f->data, "total", H5T_NATIVE_INT64, &t);
    if (steps) {
        ok = ok && mask_append(f->file, j % 10 == 9 ? "valid" : "train", name);
        if (status && !strcmp(status, "success")) ok = ok && mask_append(f->file, "success", name);
    }
    return ok;
}

/* ------------------------------------------------------------ file */

static bool parse_demo(const char *name, uint64_t *j)
{
    if (strncmp(name, "demo_", 5) || !name[5]) return false;
    return cli_parse_u64(name + 5, j);
}

static bool add_name(ds_file *f, const char *name, uint64_t j)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        char **nv = realloc(f->names, cap * sizeof *nv);
        if (!nv) return false;
        f->names = nv;
        uint64_t *iv = realloc(f->index, cap * sizeof *iv);
        if (!iv) return false;
        f->index = iv;
        f->cap = cap;
    }
    f->names[f->n] = strdup(name);
    f->index[f->n] = j;
    if (!f->names[f->n]) return false;
    f->n++;
    return true;
}

static herr_t list_cb(hid_t g, const char *name, const H5L_info_t *info, void *user)
{
    (void)g;
    (void)info;
    uint64_t j;
    if (parse_demo(name, &j) && !add_name(user, name, j)) return -1;
    return 0;
}

// Sorts the demo list by index (names follow their index).
static void sort_names(ds_file *f)
{
    // insertion sort: demos are added nearly in order
    for (size_t i = 1; i < f->n; i++) {
        uint64_t j = f->index[i];
        char *nm = f->names[i];
        size_t k = i;
        for (; k > 0 && f->index[k - 1] > j; k--) {
            f->index[k] = f->index[k - 1];
            f->names[k] = f->names[k - 1];
        }
        f->index[k] = j;
        f->names[k] = nm;
    }
}

static ds_file *finish_open(ds_file *f, char *err, size_t errlen)
{
    f->data = H5Gopen2(f->file, "data", H5P_DEFAULT);
    if (f->data < 0) {
        set_err(err, errlen, "%s: not a dataset (no group 'data')%s", f->path, "");
        ds_close(f);
        return NULL;
    }
    f->env_args = attr_read_str(f->data, "env_args");
    if (H5Literate(f->data, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, list_cb, f) < 0) {
        set_err(err, errlen, "%s: cannot list the demos%s", f->path, "");
        ds_close(f);
        return NULL;
    }
    sort_names(f);
    return f;
}

ds_file *ds_open_read(const char *path, char *err, size_t errlen)
{
    ds_file *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    snprintf(f->path, sizeof f->path, "%s", path);
    f->data = -1;
    struct stat st;
    if (stat(path, &st) != 0) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        free(f);
        return NULL;
    }
    if (!ds_is_hdf5(path)) {
        set_err(err, errlen, "%s: not an HDF5 file%s", path, "");
        free(f);
        return NULL;
    }
    f->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f->file < 0) {
        set_err(err, errlen, "%s: libhdf5 cannot open it (damaged?)%s", path, "");
        free(f);
        return NULL;
    }
    return finish_open(f, err, errlen);
}

static char *env_args_json(const ds_run *run)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return NULL;
    fprintf(m, "{\"env_name\":");
    cli_json_string(m, run->env_name ? run->env_name : "");
    fprintf(m, ",\"type\":2,\"env_kwargs\":{\"simulator\":\"pilotsim\",\"version\":");
    cli_json_string(m, ps_version());
    fprintf(m, ",\"scenes\":[");
    for (size_t i = 0; i < run->scene_count; i++) {
        if (i) fputc(',', m);
        cli_json_string(m, run->scenes[i]);
    }
    fprintf(m, "],\"episodes\":%" PRIu64 ",\"seed\":%" PRIu64 ",\"max_steps\":%" PRIu64 ",\"state_every\":%" PRIu64
               ",\"policy\":", run->episodes, run->seed, run->max_steps, run->state_every ? run->state_every : 1);
    cli_json_string(m, run->policy ? run->policy : "");
    fprintf(m, ",\"params\":[");
    for (size_t i = 0; i < run->param_count; i++) {
        if (i) fputc(',', m);
        cli_json_string(m, run->params[i]);
    }
    fprintf(m, "]}}");
    fclose(m);
    return buf;
}

// A new file's data group: total 0, env_args, the run's shape; flushed.
static ds_file *create_data(ds_file *f, uint64_t scenes, uint64_t episodes, char *err, size_t errlen)
{
    f->data = H5Gcreate2(f->file, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int64_t zero = 0;
    bool ok = f->data >= 0 && attr_num(f->data, "total", H5T_NATIVE_INT64, &zero) &&
              attr_str(f->data, "env_args", f->env_args) && attr_num(f->data, "run_scenes", H5T_NATIVE_UINT64, &scenes) &&
              attr_num(f->data, "run_episodes", H5T_NATIVE_UINT64, &episodes);
    if (!ok || H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0) {
        set_err(err, errlen, "%s: cannot write it%s", f->path, "");
        ds_close(f);
        return NULL;
    }
    return f;
}

ds_file *ds_open_write(const char *path, const ds_run *run, char *err, size_t errlen)
{
    char *want = env_args_json(run);
    if (!want) {
        set_err(err, errlen, "%s: out of memory%s", path, "");
        return NULL;
    }
    ds_file *f = calloc(1, sizeof *f);
    if (!f) {
        free(want);
        return NULL;
    }
    snprintf(f->path, sizeof f->path, "%s", path);
    f->data = -1;
    f->writable = true;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!ds_is_hdf5(path)) {
            set_err(err, errlen, "%s exists and is not an HDF5 file%s", path, "");
            free(want);
            free(f);
            return NULL;
        }
        f->file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
        if (f->file < 0) {
            set_err(err, errlen, "%s: libhdf5 cannot open it for writing (damaged?)%s", path, "");
            free(want);
            free(f);
            return NULL;
        }
        if (!finish_open(f, err, errlen)) {
            free(want);
            return NULL;
        }
        if (!f->env_args || strcmp(f->env_args, want)) {
            snprintf(err, errlen, "%s holds another run (its env_args are %s; this run's are %s): "
                     "pick another output file", path, f->env_args ? f->env_args : "missing", want);
            free(want);
            ds_close(f);
            return NULL;
        }
        free(want);
        return f;
    }
    f->file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (f->file < 0) {
        set_err(err, errlen, "%s: cannot create it: %s", path, strerror(errno));
        free(want);
        free(f);
        return NULL;
    }
    f->env_args = want;
    return create_data(f, run->scene_count, run->episodes, err, errlen);
}

ds_file *ds_create_like(const char *path, const ds_file *like, char *err, size_t errlen)
{
    ds_file *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    snprintf(f->path, sizeof f->path, "%s", path);
    f->data = -1;
    f->writable = true;
    f->env_args = strdup(ds_env_args(like));
    f->file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (f->file < 0 || !f->env_args) {
        set_err(err, errlen, "%s: cannot create it: %s", path, strerror(errno));
        ds_close(f);
        return NULL;
    }
    uint64_t scenes, episodes;
    ds_run_shape(like, &scenes, &episodes);
    return create_data(f, scenes, episodes, err, errlen);
}

void ds_run_shape(const ds_file *f, uint64_t *scenes, uint64_t *episodes)
{
    *scenes = *episodes = 0;
    attr_read_u64(f->data, "run_scenes", scenes);
    attr_read_u64(f->data, "run_episodes", episodes);
}

bool ds_close(ds_file *f)
{
    if (!f) return true;
    bool ok = true;
    if (f->data >= 0) H5Gclose(f->data);
    if (f->file >= 0) ok = H5Fclose(f->file) >= 0;
    for (size_t i = 0; i < f->n; i++) free(f->names[i]);
    free(f->names);
    free(f->index);
    free(f->env_args);
    free(f);
    return ok;
}

const char *ds_env_args(const ds_file *f) { return f->env_args ? f->env_args : ""; }
size_t ds_demo_count(const ds_file *f) { return f->n; }
const char *ds_demo_name(const ds_file *f, size_t i) { return i < f->n ? f->names[i] : NULL; }
uint64_t ds_demo_index(const ds_file *f, size_t i) { return i < f->n ? f->index[i] : 0; }

bool ds_has_demo(const ds_file *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->names[i], name)) return true;
    return false;
}

/* ------------------------------------------------------------ writing demos */

static char *metrics_json(const ds_meta *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *s = open_memstream(&buf, &len);
    if (!s) return NULL;
    fputc('{', s);
    for (size_t i = 0; i < m->metric_count; i++) {
        if (i) fputc(',', s);
        cli_json_string(s, m->metric_names[i]);
        fputc(':', s);
        cli_json_number(s, m->metric_values[i]);
    }
    fputc('}', s);
    fclose(s);
    return buf;
}

static bool write_attrs(hid_t g, const ds_recorder *r, const ds_meta *m)
{
    char hex[32];
    int64_t n = (int64_t)r->steps;
    bool ok = attr_num(g, "num_samples", H5T_NATIVE_INT64, &n);
    ok = ok && attr_str(g, "scene", m->scene_path) && attr_str(g, "scene_name", m->scene_name);
    char *abs = realpath(m->scene_path, NULL); // replay from another folder finds it
    ok = ok && attr_str(g, "scene_abspath", abs ? abs : m->scene_path);
    free(abs);
    snprintf(hex, sizeof hex, "%016" PRIx64, m->scene_hash);
    ok = ok && attr_str(g, "scene_hash", hex) && attr_str(g, "policy", m->policy);
    ok = ok && attr_strs(g, "params", m->params, m->param_count);
    ok = ok && attr_num(g, "seed", H5T_NATIVE_UINT64, &m->seed) && attr_num(g, "episode", H5T_NATIVE_UINT64, &m->episode);
    ok = ok && attr_str(g, "instruction", m->instruction) && attr_str(g, "status", m->status);
    ok = ok && attr_str(g, "message", m->message) && attr_num(g, "return", H5T_NATIVE_DOUBLE, &m->ret);
    ok = ok && attr_num(g, "sim_time", H5T_NATIVE_DOUBLE, &m->sim_time) &&
         attr_num(g, "wall_time", H5T_NATIVE_DOUBLE, &m->wall_time);
    char *mj = metrics_json(m);
    ok = ok && mj && attr_str(g, "metrics", mj);
    free(mj);
    snprintf(hex, sizeof hex, "%016" PRIx64, m->final_hash);
    ok = ok && attr_str(g, "final_hash", hex) && attr_num(g, "max_steps", H5T_NATIVE_UINT64, &m->max_steps);
    ok = ok && attr_num(g, "state_every", H5T_NATIVE_UINT64, &r->state_every);
    ok = ok && attr_str(g, "state_hash_fn", DS_STATE_HASH_FN_NAME);
    const char *names[DS_MAX_ACTIONS];
    int64_t sizes[DS_MAX_ACTIONS];
    for (size_t i = 0; i < r->naction; i++) {
        names[i] = r->action_names[i];
        sizes[i] = (int64_t)r->action_counts[i];
    }
    ok = ok && attr_strs(g, "action_keys", names, r->naction);
    if (ok && r->naction) {
        hsize_t d = r->naction;
        hid_t s = H5Screate_simple(1, &d, NULL);
        ok = attr_write(g, "action_sizes", H5T_NATIVE_INT64, s, sizes);
        H5Sclose(s);
    }
    return ok;
}

// next_obs/<name>: a virtual data set over obs/<name> rows 1..N-1 and
// final_obs/<name> (the observation after the last step), so robomimic's
// next_obs costs no storage.
static bool write_next_obs(hid_t g, const char *demo, const ds_obs *o, hsize_t n, hid_t type, ds_scratch *z)
{
    hsize_t dims[5] = {n}, one[5] = {1};
    for (int k = 0; k < o->ndim; k++) dims[k + 1] = one[k + 1] = (hsize_t)o->shape[k];
    int nd = o->ndim + 1;
    // the final observation; the last recorded one when the episode was cut short
    // (an RGB entry's data holds its distinct images: the last recorded is the last one)
    const unsigned char *last = o->last.len ? o->last.data : o->data.data + o->data.len - o->count * H5Tget_size(type);
    char src[512], fin[512];
    snprintf(fin, sizeof fin, "final_obs/%s", o->name);
    if (!write_set(g, fin, type, type, nd, one, last, z)) return false;
    snprintf(src, sizeof src, "/data/%s/obs/%s", demo, o->name);
    snprintf(fin, sizeof fin, "/data/%s/final_obs/%s", demo, o->name);
    hid_t vs = H5Screate_simple(nd, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hsize_t start[5] = {0}, cnt[5];
    memcpy(cnt, dims, sizeof cnt);
    bool ok = true;
    if (n > 1) {
        cnt[0] = n - 1;
        hid_t ss = H5Screate_simple(nd, dims, NULL);
        hsize_t s1[5] = {1};
        ok = H5Sselect_hyperslab(vs, H5S_SELECT_SET, start, NULL, cnt, NULL) >= 0 &&
             H5Sselect_hyperslab(ss, H5S_SELECT_SET, s1, NULL, cnt, NULL) >= 0 && H5Pset_virtual(dcpl, vs, ".", src, ss) >= 0;
        H5Sclose(ss);
    }
    hid_t fs = H5Screate_simple(nd, one, NULL);
    start[0] = n - 1;
    cnt[0] = 1;
    ok = ok && H5Sselect_hyperslab(vs, H5S_SELECT_SET, start, NULL, cnt, NULL) >= 0 &&
         H5Sselect_all(fs) >= 0 && H5Pset_virtual(dcpl, vs, ".", fin, fs) >= 0;
    H5Sclose(fs);
    H5Sselect_all(vs);
    char name[512];
    snprintf(name, sizeof name, "next_obs/%s", o->name);
    hid_t d = ok ? H5Dcreate2(g, name, type, vs, H5P_DEFAULT, dcpl, H5P_DEFAULT) : -1;
    ok = d >= 0;
    if (d >= 0) H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(vs);
    return ok;
}

// The states: each zero-padded to the longest (a state record ignores trailing
// bytes), a chunk of rows at a time. With states every K > 1 steps a chunk is
// one row and only the kept rows are written: the others are never allocated
// and read back as zeros (empty).
static bool write_states(hid_t g, const ds_recorder *r, ds_scratch *z)
{
    hsize_t n = r->steps;
    size_t w = r->state_max;
    hsize_t sd[2] = {n, w};
    if (!n || !w) return write_set(g, "states", H5T_NATIVE_UINT8, H5T_STD_U8LE, 2, sd, NULL, NULL);
    uint64_t every = r->state_every > 1 ? r->state_every : 1;
    hsize_t rows = every > 1 ? 1 : (1u << 20) / w;
    if (rows < 1) rows = 1;
    if (rows > n) rows = n;
    hsize_t chunk[2] = {rows, w};
    hid_t space = H5Screate_simple(2, sd, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    H5Pset_deflate(dcpl, 1);
    hid_t d = H5Dcreate2(g, "states", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    bool ok = d >= 0 && ds_bytes_reserve(&z->rows, rows * w);
    unsigned char *pad = z->rows.data;
    const uint64_t *lens = (const uint64_t *)(const void *)r->state_len.data;
    size_t off = 0;
    for (hsize_t at = 0; ok && at < n; at += rows) {
        hsize_t cnt = at + rows <= n ? rows : n - at, start[2] = {at, 0};
        if (every > 1 && at % every) continue; // an empty row (its length is 0)
        memset(pad, 0, cnt * w);
        for (hsize_t i = 0; i < cnt; i++) {
            memcpy(pad + i * w, r->states.data + off, lens[at + i]);
            off += lens[at + i];
        }
        ok = put_chunk(d, start, pad, rows * w, cnt * w, 1, z);
    }
    if (d >= 0) H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(space);
    return ok;
}

static bool write_demo_data(hid_t g, const char *demo, const ds_recorder *r)
{
    ds_scratch *z = r->scratch;
    hsize_t n = r->steps;
    hid_t obs = H5Gcreate2(g, "obs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    bool ok = obs >= 0;
    for (size_t i = 0; ok && i < r->nobs; i++) {
        const ds_obs *o = &r->obs[i];
        hsize_t dims[5] = {n};
        for (int k = 0; k < o->ndim; k++) dims[k + 1] = (hsize_t)o->shape[k];
        ok = o->u8 ? write_images(obs, o, n, z)
                   : write_set(obs, o->name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, o->ndim + 1, dims, o->data.data, z);
    }
    if (obs >= 0) H5Gclose(obs);
    if (ok && n) {
        hid_t nx = H5Gcreate2(g, "next_obs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        hid_t fo = H5Gcreate2(g, "final_obs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        ok = nx >= 0 && fo >= 0;
        for (size_t i = 0; ok && i < r->nobs; i++)
            ok = write_next_obs(g, demo, &r->obs[i], n, r->obs[i].u8 ? H5T_NATIVE_UINT8 : H5T_NATIVE_FLOAT, z);
        if (nx >= 0) H5Gclose(nx);
        if (fo >= 0) H5Gclose(fo);
    }
    hsize_t ad[2] = {n, r->action_dim};
    ok = ok && write_set(g, "actions", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, 2, ad, r->actions.data, z);
    ok = ok && write_set(g, "rewards", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, 1, &n, r->rewards.data, z);
    // The last step is done even when the episode was cut short by a policy error.
    if (ok && n) r->dones.data[n - 1] = 1;
    ok = ok && write_set(g, "dones", H5T_NATIVE_UINT8, H5T_STD_U8LE, 1, &n, r->dones.data, z);
    ok = ok && write_set(g, "state_hashes", H5T_NATIVE_UINT64, H5T_STD_U64LE, 1, &n, r->hashes.data, z);
    ok = ok && write_states(g, r, z);
    return ok;
}

bool ds_write_demo(ds_file *f, uint64_t j, const ds_recorder *r, const ds_meta *m, char *err, size_t errlen)
{
    char name[64];
    snprintf(name, sizeof name, "demo_%" PRIu64, j);
    if (ds_has_demo(f, name)) {
        set_err(err, errlen, "%s already holds %s", f->path, name);
        return false;
    }
    if (r->error[0]) {
        set_err(err, errlen, "%s: %s", name, r->error);
        return false;
    }
    // rewards/dones have a value per recorded step (after_step follows every before_step)
    if (r->rewards.len != r->steps * sizeof(double) || r->dones.len != r->steps) {
        set_err(err, errlen, "%s: the recording is incomplete (a step without its reward)%s", name, "");
        return false;
    }
    hid_t g = H5Gcreate2(f->data, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    bool ok = g >= 0 && write_demo_data(g, name, r) && write_attrs(g, r, m);
    if (g >= 0) H5Gclose(g);
    ok = ok && account(f, name, j, r->steps, m->status) && add_name(f, name, j);
    if (ok) sort_names(f);
    if (!ok || H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0) {
        set_err(err, errlen, "%s: cannot write %s", f->path, name);
        return false;
    }
    return true;
}

bool ds_copy_demo(ds_file *dst, ds_file *src, const char *name, char *err, size_t errlen)
{
    uint64_t j, steps = 0;
    if (!parse_demo(name, &j) || !ds_has_demo(src, name)) {
        set_err(err, errlen, "%s holds no %s", src->path, name);
        return false;
    }
    if (ds_has_demo(dst, name)) {
        set_err(err, errlen, "%s already holds %s", dst->path, name);
        return false;
    }
    hid_t g = H5Gopen2(src->data, name, H5P_DEFAULT);
    if (g < 0) {
        set_err(err, errlen, "%s: cannot open %s", src->path, name);
        return false;
    }
    attr_read_u64(g, "num_samples", &steps);
    char *status = attr_read_str(g, "status");
    H5Gclose(g);
    bool ok = H5Ocopy(src->data, name, dst->data, name, H5P_DEFAULT, H5P_DEFAULT) >= 0;
    ok = ok && account(dst, name, j, steps, status) && add_name(dst, name, j);
    free(status);
    if (ok) sort_names(dst);
    if (!ok || H5Fflush(dst->file, H5F_SCOPE_GLOBAL) < 0) {
        set_err(err, errlen, "%s: cannot copy %s into it", dst->path, name);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------ reading */

bool ds_demo_attr_str(const ds_file *f, const char *name, const char *attr, char *buf, size_t n)
{
    if (n) buf[0] = '\0';
    hid_t g = H5Gopen2(f->data, name, H5P_DEFAULT);
    if (g < 0) return false;
    char *s = attr_read_str(g, attr);
    H5Gclose(g);
    if (!s) return false;
    snprintf(buf, n, "%s", s);
    free(s);
    return true;
}

bool ds_demo_attr_u64(const ds_file *f, const char *name, const char *attr, uint64_t *out)
{
    hid_t g = H5Gopen2(f->data, name, H5P_DEFAULT);
    if (g < 0) return false;
    bool ok = attr_read_u64(g, attr, out);
    H5Gclose(g);
    return ok;
}

void ds_free_strings(char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

ds_state_hash_fn ds_demo_state_hash_fn(const ds_file *f, const char *name, char *err, size_t errlen)
{
    char fn[128];
    if (!ds_demo_attr_str(f, name, "state_hash_fn", fn, sizeof fn) || !strcmp(fn, "ps_world_state_hash"))
        return ps_world_state_hash;
    if (!strcmp(fn, DS_STATE_HASH_FN_NAME)) return DS_STATE_HASH_FN;
    set_err(err, errlen, "%s: its state_hashes are of '%s', which this pilotsim does not know", name, fn);
    return NULL;
}

bool ds_demo_attr_strings(const ds_file *f, const char *name, const char *attr, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    hid_t g = H5Gopen2(f->data, name, H5P_DEFAULT);
    if (g < 0) return false;
    bool ok = false;
    if (H5Aexists(g, attr) > 0) {
        hid_t a = H5Aopen(g, attr, H5P_DEFAULT);
        hid_t s = H5Aget_space(a);
        hssize_t cnt = H5Sget_simple_extent_type(s) == H5S_NULL ? 0 : H5Sget_simple_extent_npoints(s);
        if (cnt == 0) {
            ok = true;
        } else if (cnt > 0) {
            char **raw = calloc((size_t)cnt, sizeof *raw);
            char **v = calloc((size_t)cnt, sizeof *v);
            hid_t t = vlen_str_type();
            if (raw && v && H5Aread(a, t, raw) >= 0) {
                ok = true;
                for (hssize_t i = 0; i < cnt; i++) {
                    v[i] = strdup(raw[i] ? raw[i] : "");
                    if (!v[i]) ok = false;
                    if (raw[i]) H5free_memory(raw[i]);
                }
                if (ok) {
                    *out = v;
                    *n = (size_t)cnt;
                    v = NULL;
                }
            }
            H5Tclose(t);
            ds_free_strings(v, (size_t)cnt);
            free(raw);
        }
        H5Sclose(s);
        H5Aclose(a);
    }
    H5Gclose(g);
    return ok;
}

void *ds_read(const ds_file *f, const char *demo, const char *what, char type, int *ndim, uint64_t dims[8], char *err,
              size_t errlen)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", demo, what);
    if (H5Lexists(f->data, demo, H5P_DEFAULT) <= 0 || H5Oexists_by_name(f->data, path, H5P_DEFAULT) <= 0) {
        set_err(err, errlen, "%s: no data set data/%s", f->path, path);
        return NULL;
    }
    hid_t d = H5Dopen2(f->data, path, H5P_DEFAULT);
    if (d < 0) {
        set_err(err, errlen, "%s: cannot open data/%s", f->path, path);
        return NULL;
    }
    hid_t s = H5Dget_space(d);
    int nd = H5Sget_simple_extent_ndims(s);
    hsize_t hd[8] = {0};
    void *buf = NULL;
    if (nd < 0 || nd > 8) {
        set_err(err, errlen, "%s: data/%s has an unsupported rank", f->path, path);
    } else {
        H5Sget_simple_extent_dims(s, hd, NULL);
        size_t count = 1;
        for (int i = 0; i < nd; i++) {
            count *= hd[i];
            dims[i] = hd[i];
        }
        *ndim = nd;
        hid_t mt = type == 'f' ? H5T_NATIVE_FLOAT : type == 'd' ? H5T_NATIVE_DOUBLE : type == 'u' ? H5T_NATIVE_UINT64
                                                                                                   : H5T_NATIVE_UINT8;
        buf = malloc(count ? count * H5Tget_size(mt) : 1);
        if (buf && count && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
            set_err(err, errlen, "%s: cannot read data/%s (wrong type?)", f->path, path);
            free(buf);
            buf = NULL;
        }
    }
    H5Sclose(s);
    H5Dclose(d);
    return buf;
}

ps_episode_state *ds_read_state(const ds_file *f, const char *demo, uint64_t step, char *err, size_t errlen)
{
    char path[512];
    snprintf(path, sizeof path, "%s/states", demo);
    if (H5Lexists(f->data, demo, H5P_DEFAULT) <= 0 || H5Lexists(f->data, path, H5P_DEFAULT) <= 0) {
        set_err(err, errlen, "%s: no data set data/%s", f->path, path);
        return NULL;
    }
    hid_t d = H5Dopen2(f->data, path, H5P_DEFAULT);
    hid_t fs = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    ps_episode_state *st = NULL;
    if (H5Sget_simple_extent_ndims(fs) != 2 || H5Sget_simple_extent_dims(fs, dims, NULL) < 0 || step >= dims[0]) {
        set_err(err, errlen, "%s: data/%s has no such step", f->path, path);
    } else {
        unsigned char *row = malloc(dims[1] ? dims[1] : 1);
        hsize_t start[2] = {step, 0}, count[2] = {1, dims[1]};
        hid_t ms = H5Screate_simple(2, count, NULL);
        if (row && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
            H5Dread(d, H5T_NATIVE_UINT8, ms, fs, H5P_DEFAULT, row) >= 0) {
            st = ps_episode_state_deserialize(row, dims[1], err, errlen);
        } else {
            set_err(err, errlen, "%s: cannot read data/%s", f->path, path);
        }
        H5Sclose(ms);
        free(row);
    }
    H5Sclose(fs);
    H5Dclose(d);
    return st;
}

/* ------------------------------------------------------------ info */

typedef struct info_key {
    char name[160];
    char type[16];
    hsize_t dims[8];
    int ndim;
} info_key;

static herr_t obs_cb(hid_t g, const char *name, const H5L_info_t *info, void *user)
{
    (void)info;
    info_key *keys = user;
    size_t n = 0;
    while (n < 63 && keys[n].name[0]) n++;
    if (n >= 63) return 0;
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    if (d < 0) return 0;
    hid_t t = H5Dget_type(d), s = H5Dget_space(d);
    snprintf(keys[n].name, sizeof keys[n].name, "%s", name);
    H5T_class_t c = H5Tget_class(t);
    snprintf(keys[n].type, sizeof keys[n].type, "%s%zu", c == H5T_FLOAT ? "float" : c == H5T_INTEGER ? (H5Tget_sign(t) == H5T_SGN_NONE ? "uint" : "int") : "other",
             8 * H5Tget_size(t));
    keys[n].ndim = H5Sget_simple_extent_ndims(s);
    if (keys[n].ndim > 8) keys[n].ndim = 8;
    H5Sget_simple_extent_dims(s, keys[n].dims, NULL);
    H5Sclose(s);
    H5Tclose(t);
    H5Dclose(d);
    return 0;
}

static void print_shape(FILE *out, const info_key *k, bool json)
{
    fputc('[', out);
    for (int i = 1; i < k->ndim; i++) fprintf(out, i > 1 ? (json ? ",%llu" : ", %llu") : "%llu", (unsigned long long)k->dims[i]);
    fputc(']', out);
}

static uint64_t mask_count(hid_t file, const char *mask)
{
    char path[64];
    snprintf(path, sizeof path, "mask/%s", mask);
    if (H5Lexists(file, "mask", H5P_DEFAULT) <= 0 || H5Lexists(file, path, H5P_DEFAULT) <= 0) return 0;
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    hid_t s = H5Dget_space(d);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(s, &n, NULL);
    H5Sclose(s);
    H5Dclose(d);
    return n;
}

bool ds_info(const char *path, FILE *out, bool json, char *err, size_t errlen)
{
    ds_file *f = ds_open_read(path, err, errlen);
    if (!f) return false;
    uint64_t steps = 0, success = 0, total = 0;
    attr_read_u64(f->data, "total", &total);
    const char *first = NULL;
    for (size_t i = 0; i < f->n; i++) {
        uint64_t n = 0;
        char status[64];
        ds_demo_attr_u64(f, f->names[i], "num_samples", &n);
        ds_demo_attr_str(f, f->names[i], "status", status, sizeof status);
        steps += n;
        if (!strcmp(status, "success")) success++;
        if (!first && n) first = f->names[i];
    }
    info_key keys[64];
    memset(keys, 0, sizeof keys);
    info_key act = {0};
    if (first) {
        char p[256];
        snprintf(p, sizeof p, "%s/obs", first);
        hid_t g = H5Gopen2(f->data, p, H5P_DEFAULT);
        if (g >= 0) {
            H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, obs_cb, keys);
            H5Gclose(g);
        }
        info_key tmp[64];
        memset(tmp, 0, sizeof tmp);
        g = H5Gopen2(f->data, first, H5P_DEFAULT);
        if (g >= 0 && H5Lexists(g, "actions", H5P_DEFAULT) > 0) {
            obs_cb(g, "actions", NULL, tmp);
            act = tmp[0];
        }
        if (g >= 0) H5Gclose(g);
    }
    struct stat st;
    double mb = stat(path, &st) == 0 ? (double)st.st_size / 1e6 : 0;
    uint64_t ntrain = mask_count(f->file, "train"), nvalid = mask_count(f->file, "valid");
    if (json) {
        fprintf(out, "{\"path\":");
        cli_json_string(out, path);
        fprintf(out, ",\"demos\":%zu,\"steps\":%" PRIu64 ",\"total\":%" PRIu64 ",\"successes\":%" PRIu64
                     ",\"success_rate\":",
                f->n, steps, total, success);
        cli_json_number(out, f->n ? (double)success / (double)f->n : 0);
        fprintf(out, ",\"size_bytes\":%lld,\"train\":%" PRIu64 ",\"valid\":%" PRIu64 ",\"obs\":{",
                (long long)(mb * 1e6 + 0.5), ntrain, nvalid);
        for (int i = 0; keys[i].name[0]; i++) {
            if (i) fputc(',', out);
            cli_json_string(out, keys[i].name);
            fprintf(out, ":{\"dtype\":\"%s\",\"shape\":", keys[i].type);
            print_shape(out, &keys[i], true);
            fputc('}', out);
        }
        fprintf(out, "},\"actions\":");
        if (act.name[0]) {
            fprintf(out, "{\"dtype\":\"%s\",\"shape\":", act.type);
            print_shape(out, &act, true);
            fputc('}', out);
        } else {
            fprintf(out, "null");
        }
        fprintf(out, ",\"env_args\":%s}\n", f->env_args ? f->env_args : "null");
    } else {
        fprintf(out, "%s: %zu demo%s, %" PRIu64 " steps, success %" PRIu64 "/%zu (%.1f%%), %.2f MB on disk\n", path,
                f->n, f->n == 1 ? "" : "s", steps, success, f->n, f->n ? 100.0 * (double)success / (double)f->n : 0.0,
                mb);
        fprintf(out, "masks: train %" PRIu64 ", valid %" PRIu64 "\n", ntrain, nvalid);
        if (steps) fprintf(out, "MB per 1000 steps: %.3f\n", mb * 1000.0 / (double)steps);
        fprintf(out, "observations:\n");
        for (int i = 0; keys[i].name[0]; i++) {
            fprintf(out, "  %-24s %-8s ", keys[i].name, keys[i].type);
            print_shape(out, &keys[i], false);
            fputc('\n', out);
        }
        if (act.name[0]) {
            fprintf(out, "actions:                   %-8s ", act.type);
            print_shape(out, &act, false);
            fputc('\n', out);
        }
        fprintf(out, "env_args: %s\n", f->env_args ? f->env_args : "(none)");
    }
    ds_close(f);
    return true;
}
