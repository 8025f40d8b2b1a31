// pilotsim run --camera-out (see camera_out.h).
#define _POSIX_C_SOURCE 200809L
#include "camera_out.h"

#include "pilotsim/sensor.h"
#include "pilotsim/sensor_image.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct cam_state {
    double last_stamp;     // stamp of the last sample written (0: none yet; samples come after step 0)
    long frames;
} cam_state;

struct camera_out {
    char *dir;
    FILE *csv;
    cam_state *cams;       // per sensor, in ps_world_sensor_at order
    size_t ncams;
    long files;
};

static bool make_dir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return true;
        snprintf(err, errlen, "camera-out '%s': exists and is not a directory", path);
        return false;
    }
    snprintf(err, errlen, "camera-out '%s': cannot create the directory: %s", path, strerror(errno));
    return false;
}

camera_out *camera_out_open(const char *dir, char *err, size_t errlen)
{
    if (!make_dir(dir, err, errlen)) return NULL;
    camera_out *c = calloc(1, sizeof *c);
    size_t n = strlen(dir);
    char *csv = malloc(n + 16);
    if (!c || !csv || !(c->dir = malloc(n + 1))) {
        free(c);
        free(csv);
        snprintf(err, errlen, "camera-out: out of memory");
        return NULL;
    }
    memcpy(c->dir, dir, n + 1);
    snprintf(csv, n + 16, "%s/frames.csv", dir);
    c->csv = fopen(csv, "w");
    if (!c->csv) {
        snprintf(err, errlen, "camera-out '%s': cannot open for writing: %s", csv, strerror(errno));
        free(csv);
        camera_out_close(c);
        return NULL;
    }
    free(csv);
    fputs("camera,kind,frame,time,step,file\n", c->csv);
    return c;
}

// A camera name as a directory name: '/' and other awkward bytes become '_'.
static void safe_name(const char *name, char *out, size_t n)
{
    size_t k = 0;
    for (; name[k] && k + 1 < n; k++) {
        unsigned char ch = (unsigned char)name[k];
        out[k] = (ch == '/' || ch == '\\' || ch < 32 || ch == 127 || (k == 0 && ch == '.')) ? '_' : (char)ch;
    }
    out[k] = 0;
}

bool camera_out_write_new(camera_out *c, const ps_world *w, char *err, size_t errlen)
{
    size_t n = ps_world_sensor_count(w);
    if (n > c->ncams) {
        cam_state *s = realloc(c->cams, n * sizeof *s);
        if (!s) {
            snprintf(err, errlen, "camera-out: out of memory");
            return false;
        }
        memset(s + c->ncams, 0, (n - c->ncams) * sizeof *s);
        c->cams = s;
        c->ncams = n;
    }
    static const char *const kinds[] = {"rgb", "depth", "segmentation"};
    for (size_t i = 0; i < n; i++) {
        ps_sensor_id id = ps_world_sensor_at(w, i);
        ps_sensor_def def;
        if (ps_sensor_get_type(w, id) != PS_SENSOR_CAMERA || ps_sensor_get_def(w, id, &def) != PS_OK) continue;
        double stamp = ps_sensor_stamp(w, id);
        cam_state *cs = &c->cams[i];
        if (!(stamp > cs->last_stamp)) continue;
        size_t count = 0;
        const float *data = ps_sensor_data(w, id, &count);
        char name[256], path[4096];
        safe_name(def.name ? def.name : "camera", name, sizeof name);
        if (cs->frames == 0) {
            snprintf(path, sizeof path, "%s/%s", c->dir, name);
            if (!make_dir(path, err, errlen)) return false;
        }
        snprintf(path, sizeof path, "%s/%s/%06ld.png", c->dir, name, cs->frames);
        ps_image_kind kind = def.camera == PS_CAMERA_RGB     ? PS_IMAGE_RGB
                             : def.camera == PS_CAMERA_DEPTH ? PS_IMAGE_DEPTH
                                                             : PS_IMAGE_SEGMENTATION;
        size_t want = (size_t)def.width * (size_t)def.height * (kind == PS_IMAGE_RGB ? 3u : 1u);
        if (!data || count != want) {
            snprintf(err, errlen, "camera-out: camera '%s' has %zu values, expected %zu", def.name, count, want);
            return false;
        }
        char e[PS_ERR_LEN];
        if (ps_image_write_png(path, kind, def.width, def.height, data, def.far_clip, e, sizeof e) != PS_OK) {
            snprintf(err, errlen, "camera-out: %s", e);
            return false;
        }
        fprintf(c->csv, "%s,%s,%ld,%.9g,%llu,%s/%06ld.png\n", def.name, kinds[def.camera], cs->frames, stamp,
                (unsigned long long)ps_world_step_count(w), name, cs->frames);
        cs->last_stamp = stamp;
        cs->frames++;
        c->files++;
    }
    if (ferror(c->csv)) {
        snprintf(err, errlen, "camera-out '%s/frames.csv': write failed", c->dir);
        return false;
    }
    return true;
}

void camera_out_report(const camera_out *c, FILE *f)
{
    fprintf(f, "camera-out: %ld images in %s\n", c->files, c->dir);
}

void camera_out_close(camera_out *c)
{
    if (!c) return;
    if (c->csv) fclose(c->csv);
    free(c->cams);
    free(c->dir);
    free(c);
}
