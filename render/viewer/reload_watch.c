// Reload watcher (see reload_watch.h).
#define _POSIX_C_SOURCE 200809L
#include "reload_watch.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct watched {
    char *path;
    bool exists;
    struct timespec mtime;
    long long size;
    unsigned long long ino;
} watched;

struct ps_reload_watch {
    watched *files;
    size_t count, cap;
    double settle;
    double next_poll;
    double changed_at;   // when the last change was seen; < 0 when none is pending
    size_t changed_index;
};

static void stat_file(watched *f)
{
    struct stat st;
    f->exists = stat(f->path, &st) == 0;
    if (f->exists) {
        f->mtime = st.st_mtim;
        f->size = (long long)st.st_size;
        f->ino = (unsigned long long)st.st_ino; // editors that save by rename change the inode
    } else {
        memset(&f->mtime, 0, sizeof f->mtime);
        f->size = -1;
        f->ino = 0;
    }
}

ps_reload_watch *ps_reload_watch_create(double settle)
{
    ps_reload_watch *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->settle = settle;
    w->changed_at = -1;
    return w;
}

static void clear(ps_reload_watch *w)
{
    for (size_t i = 0; i < w->count; i++) free(w->files[i].path);
    w->count = 0;
    w->changed_at = -1;
}

void ps_reload_watch_destroy(ps_reload_watch *w)
{
    if (!w) return;
    clear(w);
    free(w->files);
    free(w);
}

bool ps_reload_watch_add(ps_reload_watch *w, const char *path)
{
    for (size_t i = 0; i < w->count; i++)
        if (!strcmp(w->files[i].path, path)) return true;
    if (w->count == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        watched *n = realloc(w->files, cap * sizeof *n);
        if (!n) return false;
        w->files = n;
        w->cap = cap;
    }
    size_t len = strlen(path) + 1;
    char *p = malloc(len);
    if (!p) return false;
    memcpy(p, path, len);
    watched *f = &w->files[w->count++];
    f->path = p;
    stat_file(f);
    return true;
}

bool ps_reload_watch_set(ps_reload_watch *w, const char *const *paths, size_t count)
{
    clear(w);
    for (size_t i = 0; i < count; i++)
        if (!ps_reload_watch_add(w, paths[i])) {
            clear(w);
            return false;
        }
    return true;
}

size_t ps_reload_watch_count(const ps_reload_watch *w) { return w->count; }

bool ps_reload_watch_poll(ps_reload_watch *w, double now, const char **changed)
{
    if (now < w->next_poll) return false;
    w->next_poll = now + 0.1;
    for (size_t i = 0; i < w->count; i++) {
        watched before = w->files[i];
        stat_file(&w->files[i]);
        const watched *f = &w->files[i];
        if (f->exists != before.exists || f->size != before.size || f->ino != before.ino ||
            f->mtime.tv_sec != before.mtime.tv_sec || f->mtime.tv_nsec != before.mtime.tv_nsec) {
            if (w->changed_at < 0) w->changed_index = i;
            w->changed_at = now;
        }
    }
    if (w->changed_at >= 0 && now - w->changed_at >= w->settle) {
        w->changed_at = -1;
        if (changed) *changed = w->changed_index < w->count ? w->files[w->changed_index].path : "";
        return true;
    }
    return false;
}
