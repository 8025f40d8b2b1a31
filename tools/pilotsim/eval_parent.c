// pilotsim eval, parent side: progress, the --out file and the records the workers send.
#define _POSIX_C_SOURCE 200809L
#include "eval_run.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void format_eta(char *buf, size_t n, double s)
{
    if (!isfinite(s) || s < 0) snprintf(buf, n, "-");
    else if (s < 60) snprintf(buf, n, "%.0f s", s);
    else if (s < 3600) snprintf(buf, n, "%d:%02d", (int)s / 60, (int)s % 60);
    else snprintf(buf, n, "%d:%02d:%02d", (int)s / 3600, (int)s / 60 % 60, (int)s % 60);
}

// Progress on stderr: on a terminal a live bar (done/total, successes so far,
// episodes/s, ETA), redrawn at most every 0.1 s; otherwise one line each
// time another --progress-every share of the episodes has finished.
void eval_progress(ev_ctx *c, size_t running, bool final)
{
    if (c->quiet || !c->to_run) return;
    double now = cli_now(), elapsed = now - c->t0;
    double rate = elapsed > 0 ? (double)c->finished / elapsed : 0;
    char eta[32];
    format_eta(eta, sizeof eta, rate > 0 ? (double)(c->to_run - c->finished) / rate : NAN);
    double ok = c->finished ? 100.0 * (double)c->successes / (double)c->finished : 0;
    if (c->tty) {
        if (final) {
            fputs("\r\033[K", stderr);
        } else {
            if (now - c->last_progress < 0.1) return;
            char bar[25];
            size_t fill = c->finished * 24 / c->to_run;
            for (size_t i = 0; i < 24; i++) bar[i] = i < fill ? '#' : '.';
            bar[24] = '\0';
            fprintf(stderr, "\r\033[Keval [%s] %zu/%zu, %zu ok (%.0f%%), %.1f episodes/s, ETA %s, %zu running, %zu errors",
                    bar, c->finished, c->to_run, c->successes, ok, rate, eta, running, c->errors);
        }
    } else {
        // The share reached, in whole steps; the last line is at 100%.
        size_t steps = (size_t)ceil(1 / c->progress_step - 1e-9);
        size_t step = c->finished == c->to_run ? steps
                      : (size_t)floor((double)c->finished / (double)c->to_run / c->progress_step + 1e-9);
        if (final || step <= c->progress_lines) return;
        c->progress_lines = step;
        fprintf(stderr, "eval: %3.0f%% %zu/%zu episodes, %zu successes (%.0f%%), %.1f episodes/s, ETA %s, %zu errors\n",
                100.0 * (double)c->finished / (double)c->to_run, c->finished, c->to_run, c->successes, ok, rate, eta,
                c->errors);
    }
    c->last_progress = now;
    fflush(stderr);
}

void eval_keep_record(ev_ctx *c, eval_record *r, size_t group)
{
    size_t *g = realloc(c->group, (c->results.n + 1) * sizeof *g);
    if (!g || !eval_set_push(&c->results, r)) {
        if (g) c->group = g;
        fprintf(stderr, "pilotsim: out of memory\n");
        eval_record_free(r);
        return;
    }
    c->group = g;
    c->group[c->results.n - 1] = group;
}

// Appends the record to --out as one write of the whole line, then fsync.
// When that fails (a full disk, EFBIG past a file size limit, EIO) the file
// is cut back to where the line began, so it keeps only whole records (a
// re-run with the same --out resumes from them), and no later record is
// written: the run ends with exit status 3.
static void write_out(ev_ctx *c, const eval_record *r)
{
    char *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    if (m) {
        eval_record_write(m, r);
        if (fclose(m) != 0) len = 0;
    }
    int fd = c->out_fd;
    struct stat st;
    off_t start = fstat(fd, &st) == 0 ? st.st_size : -1;
    size_t done = 0;
    int e = line && len ? 0 : ENOMEM;
    while (!e && done < len) {
        ssize_t n = write(fd, line + done, len - done);
        if (n > 0) done += (size_t)n;
        else if (n < 0 && errno == EINTR) continue;
        else e = n < 0 ? errno : ENOSPC;
    }
    if (!e && fsync(fd) != 0 && errno != EINVAL) e = errno;
    free(line);
    if (!e) {
        c->out_records++;
        return;
    }
    bool cut = done > 0 && start >= 0 && ftruncate(fd, start) == 0;
    fprintf(stderr,
            "pilotsim: writing %s: %s; it keeps the %zu records written before (%s), later episodes are not "
            "recorded; free space and re-run the same command to resume\n",
            c->out_path, strerror(e), c->out_records,
            done == 0 ? "nothing of this one was written" : cut ? "the partial line was cut off" : "a partial last line "
            "remains, which a re-run drops");
    c->out_failed = true;
}

static void finish(ev_ctx *c, size_t job, eval_record *r)
{
    c->finished++;
    c->successes += eval_status_success(r->status);
    if (eval_status_error(r->status)) {
        c->errors++;
        if (!c->quiet) {
            size_t len = strcspn(r->message, "\n");
            if (c->tty) fputs("\r\033[K", stderr);
            fprintf(stderr, "eval: %s episode %llu (seed %llu): %s: %.*s\n", r->scene, (unsigned long long)r->episode,
                    (unsigned long long)r->seed, r->status, (int)(len > 400 ? 400 : len), r->message);
        }
    }
    if (c->out_fd >= 0 && !c->out_failed) write_out(c, r);
    eval_keep_record(c, r, c->jobs[job].scene);
}

void eval_on_line(void *vc, size_t job, const char *line, double wall)
{
    ev_ctx *c = vc;
    eval_record r;
    char err[PS_ERR_LEN];
    if (eval_record_parse(line, &r, err, sizeof err)) {
        finish(c, job, &r);
        return;
    }
    // Should not happen: report it as a crash of that episode.
    char msg[PS_ERR_LEN];
    snprintf(msg, sizeof msg, "worker sent an unreadable record: %.*s", (int)sizeof msg - 64, err);
    eval_record b = eval_base_record(c, job);
    b.status = "crashed";
    b.message = msg;
    b.wall_time = wall;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m) {
        eval_record_write(m, &b);
        fclose(m);
        if (eval_record_parse(buf, &r, err, sizeof err)) finish(c, job, &r);
    }
    free(buf);
}

void eval_on_lost(void *vc, size_t job, const char *status, const char *msg, double wall)
{
    ev_ctx *c = vc;
    eval_record b = eval_base_record(c, job);
    b.status = (char *)status;
    b.message = (char *)msg;
    b.wall_time = wall;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return;
    eval_record_write(m, &b);
    fclose(m);
    eval_record r;
    char err[PS_ERR_LEN];
    if (eval_record_parse(buf, &r, err, sizeof err)) finish(c, job, &r);
    free(buf);
}

void eval_on_tick(void *vc, size_t running) { eval_progress(vc, running, false); }

