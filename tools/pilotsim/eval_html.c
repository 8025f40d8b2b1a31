// The HTML evaluation report (pilotsim report, eval --html): one
// self-contained file — inline CSS, SVG charts drawn here, no script, no
// external URL — with per-scene success rates and their Wilson intervals,
// statuses, returns, safety, speed, metric distributions, the failures with
// the command that replays each, an A/B comparison matching `compare`, and
// the runs' metadata.
#define _POSIX_C_SOURCE 200809L
#include "eval.h"
#include "report_media.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

// Status colours (eval_status_names order); the browser test looks for them.
static const char *const status_colour[EVAL_STATUS_COUNT] = {
    "#2e7d32", "#c62828", "#f9a825", "#6a1b9a", "#ad1457", "#546e7a", "#4e342e", "#8d6e63", "#9e9e9e",
};
#define RATE_COLOUR "#1565c0"
#define RATE_B_COLOUR "#ef6c00"
#define TRACK_COLOUR "#e3e3e3"
#define CHART_W 520.0 // px of the bars' full width
#define LABEL_W 200.0
#define ROW_H 24.0
#define FAILURES_MAX 300 // rows per run

// Text as HTML character data or attribute value: markup escaped, bytes
// that are not UTF-8 as U+FFFD, control characters dropped.
static void html(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&': fputs("&amp;", f); break;
            case '<': fputs("&lt;", f); break;
            case '>': fputs("&gt;", f); break;
            case '"': fputs("&quot;", f); break;
            case '\'': fputs("&#39;", f); break;
            default:
                if (c >= 0x20 || c == '\n' || c == '\t') fputc((int)c, f);
            }
            p++;
            continue;
        }
        int len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        bool ok = len > 0;
        for (int k = 1; ok && k < len; k++) ok = (p[k] & 0xC0) == 0x80;
        if (ok && c == 0xE0) ok = p[1] >= 0xA0;
        if (ok && c == 0xED) ok = p[1] < 0xA0;
        if (ok && c == 0xF0) ok = p[1] >= 0x90;
        if (ok && c == 0xF4) ok = p[1] < 0x90;
        if (ok) {
            fwrite(p, 1, (size_t)len, f);
            p += len;
        } else {
            fputs("&#xFFFD;", f);
            p++;
        }
    }
}

// A shell word: single-quoted unless plainly safe.
static void shell_word(FILE *f, const char *s)
{
    bool plain = *s != '\0';
    for (const char *c = s; *c && plain; c++)
        plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                strchr("_-./=:,+@%", *c);
    if (plain) {
        html(f, s);
        return;
    }
    fputc('\'', f);
    for (const char *c = s; *c; c++) {
        if (*c == '\'') fputs("'\\''", f);
        else {
            char one[2] = {*c, 0};
            html(f, one);
        }
    }
    fputc('\'', f);
}

// ---------------------------------------------------------------- groups

typedef struct group {
    eval_summary sum;
    char *pkey;        // params key
    size_t *recs;      // indices into the set
    size_t n, cap;
} group;

static void groups_free(group *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(g[i].pkey);
        free(g[i].recs);
    }
    free(g);
}

// Records grouped by (scene, scene hash, policy, params), in first-seen order.
static group *make_groups(const eval_set *set, double min_success, size_t *ng)
{
    group *g = calloc(set->n + 1, sizeof *g);
    *ng = 0;
    if (!g) return NULL;
    for (size_t i = 0; i < set->n; i++) {
        const eval_record *r = &set->v[i];
        char *pk = eval_params_key(r->params, r->param_count);
        if (!pk) {
            groups_free(g, *ng);
            return NULL;
        }
        size_t k = 0;
        for (; k < *ng; k++)
            if (!strcmp(g[k].sum.scene, r->scene) && g[k].sum.scene_hash == r->scene_hash &&
                !strcmp(g[k].sum.policy, r->policy) && !strcmp(g[k].pkey, pk))
                break;
        if (k == *ng) {
            g[k].pkey = pk;
            (*ng)++;
        } else {
            free(pk);
        }
        if (g[k].n == g[k].cap) {
            size_t cap = g[k].cap ? 2 * g[k].cap : 16;
            size_t *v = realloc(g[k].recs, cap * sizeof *v);
            if (!v) {
                groups_free(g, *ng);
                return NULL;
            }
            g[k].recs = v;
            g[k].cap = cap;
        }
        g[k].recs[g[k].n++] = i;
        eval_summary_add(&g[k].sum, r);
        if (r->episodes > g[k].sum.planned) g[k].sum.planned = r->episodes;
    }
    // Decide each test as eval's report does, without printing it.
    eval_summary *s = malloc((*ng + 1) * sizeof *s);
    FILE *null = fopen("/dev/null", "w");
    if (s && null) {
        for (size_t k = 0; k < *ng; k++) s[k] = g[k].sum;
        eval_report_opts o = {min_success, false};
        eval_report(null, s, *ng, &o);
        for (size_t k = 0; k < *ng; k++) g[k].sum.passed = s[k].passed;
    }
    if (null) fclose(null);
    free(s);
    return g;
}

static double rate_of(const eval_summary *s)
{
    size_t n = eval_summary_rated(s);
    return n ? (double)s->successes / (double)n : NAN;
}

// ---------------------------------------------------------------- charts

static void svg_open(FILE *f, double h, const char *title)
{
    fprintf(f, "<svg width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"",
            LABEL_W + CHART_W + 130, h);
    html(f, title);
    fputs("\">\n", f);
}

static void svg_label(FILE *f, double y, const char *text)
{
    fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" class=\"lbl\">", LABEL_W - 8, y);
    // Long names are cut for the chart (the tables hold them whole).
    char cut[40];
    snprintf(cut, sizeof cut, "%s", text);
    if (strlen(text) >= sizeof cut) memcpy(cut + sizeof cut - 4, "...", 4);
    html(f, cut);
    fputs("</text>\n", f);
}

// Success rate bars with their Wilson 95% intervals; `b` (may be NULL) adds
// a second run's bars below each (A/B).
static void rate_chart(FILE *f, const group *g, size_t ng, const group *b, size_t nb, const char *title)
{
    double row = b ? 2 * ROW_H : ROW_H;
    double h = (double)ng * row + 30;
    svg_open(f, h, title);
    for (int t = 0; t <= 4; t++) {
        double x = LABEL_W + CHART_W * t / 4;
        fprintf(f, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.0f\" class=\"grid\"/>", x, x, h - 18);
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" class=\"tick\">%d%%</text>\n", x, h - 4, 25 * t);
    }
    for (size_t i = 0; i < ng; i++) {
        double y0 = (double)i * row + 4;
        svg_label(f, y0 + 12, g[i].sum.scene);
        for (int side = 0; side < (b ? 2 : 1); side++) {
            const eval_summary *s = &g[i].sum;
            if (side) {
                s = NULL;
                for (size_t k = 0; k < nb && !s; k++)
                    if (!strcmp(b[k].sum.scene, g[i].sum.scene)) s = &b[k].sum;
            }
            double y = y0 + side * ROW_H;
            fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"16\" fill=\"" TRACK_COLOUR "\"/>", LABEL_W, y,
                    CHART_W);
            if (!s || !eval_summary_rated(s)) {
                fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" class=\"val\">no rated episode</text>\n", LABEL_W + CHART_W + 6,
                        y + 12);
                continue;
            }
            double r = rate_of(s), lo, hi;
            eval_wilson(s->successes, eval_summary_rated(s), &lo, &hi);
            fprintf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" fill=\"%s\"><title>", LABEL_W, y,
                    CHART_W * r, side ? RATE_B_COLOUR : RATE_COLOUR);
            html(f, s->scene);
            fprintf(f, ": %zu/%zu = %.1f%%, 95%% CI [%.1f%%, %.1f%%]</title></rect>", s->successes, eval_summary_rated(s),
                    100 * r, 100 * lo, 100 * hi);
            double xl = LABEL_W + CHART_W * lo, xh = LABEL_W + CHART_W * hi, ym = y + 8;
            fprintf(f, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" class=\"ci\"/>", xl, ym, xh, xl, ym - 5,
                    ym + 5, xh, ym - 5, ym + 5);
            fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" class=\"val\">%.1f%% [%.0f, %.0f]</text>\n", LABEL_W + CHART_W + 6,
                    y + 12, 100 * r, 100 * lo, 100 * hi);
        }
    }
    fputs("</svg>\n", f);
}

// Statuses as a stacked bar per scene, proportional to the episodes.
static void status_chart(FILE *f, const group *g, size_t ng)
{
    double h = (double)ng * ROW_H + 8;
    svg_open(f, h, "statuses per scene");
    for (size_t i = 0; i < ng; i++) {
        const eval_summary *s = &g[i].sum;
        double y = (double)i * ROW_H + 4, x = LABEL_W;
        svg_label(f, y + 12, s->scene);
        for (size_t k = 0; k < EVAL_STATUS_COUNT && s->episodes; k++) {
            if (!s->status[k]) continue;
            double w = CHART_W * (double)s->status[k] / (double)s->episodes;
            fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"16\" fill=\"%s\"><title>%s: %zu</title></rect>",
                    x, y, w, status_colour[k], eval_status_names[k], s->status[k]);
            x += w;
        }
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" class=\"val\">%zu episodes</text>\n", LABEL_W + CHART_W + 6, y + 12,
                s->episodes);
    }
    fputs("</svg>\n", f);
}

static void legend(FILE *f)
{
    fputs("<p class=\"legend\">", f);
    for (size_t k = 0; k < EVAL_STATUS_COUNT; k++)
        fprintf(f, "<span><i style=\"background:%s\"></i>%s</span> ", status_colour[k], eval_status_names[k]);
    fputs("</p>\n", f);
}

// A histogram of one metric over the group's episodes (finite values).
static void histogram(FILE *f, const eval_set *set, const group *g, const char *name, bool safety)
{
    enum { BINS = 12 };
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    size_t n = 0, bins[BINS] = {0};
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < g->n; i++) {
            const eval_record *r = &set->v[g->recs[i]];
            double v = safety ? eval_record_value(r->safety, r->safety_count, name)
                              : eval_record_value(r->metrics, r->metric_count, name);
            if (!isfinite(v)) continue;
            if (pass == 0) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
                sum += v;
                n++;
            } else {
                size_t b = hi > lo ? (size_t)((v - lo) / (hi - lo) * BINS) : 0;
                bins[b >= BINS ? BINS - 1 : b]++;
            }
        }
        if (!n) return;
    }
    size_t top = 1;
    for (int b = 0; b < BINS; b++)
        if (bins[b] > top) top = bins[b];
    fputs("<figure class=\"hist\"><svg width=\"250\" height=\"96\">", f);
    for (int b = 0; b < BINS; b++) {
        double h = 64.0 * (double)bins[b] / (double)top;
        fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"17\" height=\"%.1f\" fill=\"#78909c\"><title>%zu</title></rect>",
                5 + 20 * b, 70 - h, h, bins[b]);
    }
    fprintf(f, "<text x=\"5\" y=\"88\" class=\"tick\">%.4g</text><text x=\"245\" y=\"88\" text-anchor=\"end\" "
               "class=\"tick\">%.4g</text></svg><figcaption>", lo, hi);
    html(f, name);
    fprintf(f, ": n %zu, mean %.4g</figcaption></figure>\n", n, sum / (double)n);
}

// ---------------------------------------------------------------- sections

static void summary_table(FILE *f, const group *g, size_t ng, size_t run)
{
    fputs("<table><tr><th>scene</th><th>episodes</th><th>successes</th><th>rate</th><th>95% CI (Wilson)</th>"
          "<th>mean return</th><th>safety violations</th><th>steps/s</th><th>statuses</th><th>policy</th>"
          "<th>test</th></tr>\n",
          f);
    for (size_t i = 0; i < ng; i++) {
        const eval_summary *s = &g[i].sum;
        size_t rated = eval_summary_rated(s);
        double lo, hi;
        eval_wilson(s->successes, rated, &lo, &hi);
        fprintf(f, "<tr id=\"r%zu-s%zu\"><td><a href=\"#r%zu-d%zu\">", run, i, run, i);
        html(f, s->scene);
        fprintf(f, "</a></td><td>%zu</td><td>%zu</td>", s->episodes, s->successes);
        if (rated) fprintf(f, "<td>%.1f%%</td><td>[%.1f%%, %.1f%%]</td>", 100 * rate_of(s), 100 * lo, 100 * hi);
        else fputs("<td>-</td><td>-</td>", f);
        if (s->return_n) fprintf(f, "<td>%.4g</td>", s->return_sum / (double)s->return_n);
        else fputs("<td>-</td>", f);
        fprintf(f, "<td>%zu</td>", s->safety_violations);
        if (s->wall_sum > 0) fprintf(f, "<td>%.0f</td>", (double)s->steps / s->wall_sum);
        else fputs("<td>-</td>", f);
        fputs("<td>", f);
        for (size_t k = 0; k < EVAL_STATUS_COUNT; k++)
            if (s->status[k]) fprintf(f, "%s=%zu ", eval_status_names[k], s->status[k]);
        fputs("</td><td>", f);
        html(f, *s->policy ? s->policy : "none");
        fprintf(f, "</td><td class=\"%s\">%s</td></tr>\n", s->errors ? "err" : s->passed ? "pass" : "fail",
                s->errors ? "ERROR" : s->passed ? "PASS" : "FAIL");
    }
    fputs("</table>\n", f);
}

static void replay_command(FILE *f, const eval_record *r)
{
    fputs("pilotsim run ", f);
    shell_word(f, r->path);
    fprintf(f, " --seed %llu", (unsigned long long)r->seed);
    if (*r->policy) {
        fputs(" --policy ", f);
        shell_word(f, r->policy);
    }
    for (size_t k = 0; k < r->param_count; k++) {
        fputs(" --param ", f);
        shell_word(f, r->params[k]);
    }
}

static void failures(FILE *f, const eval_set *set, const group *g, size_t ng, size_t run)
{
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < ng; i++)
        for (size_t k = 0; k < g[i].n; k++) total += !eval_status_success(set->v[g[i].recs[k]].status);
    fprintf(f, "<h3>Failures (%zu)</h3>\n", total);
    if (!total) {
        fputs("<p>Every episode succeeded.</p>\n", f);
        return;
    }
    fputs("<table class=\"fails\"><tr><th>scene</th><th>episode</th><th>status</th><th>seed</th><th>params</th>"
          "<th>message</th><th>replay</th></tr>\n",
          f);
    for (size_t i = 0; i < ng; i++) {
        for (size_t k = 0; k < g[i].n && shown < FAILURES_MAX; k++) {
            const eval_record *r = &set->v[g[i].recs[k]];
            if (eval_status_success(r->status)) continue;
            shown++;
            size_t st = 0;
            while (st + 1 < EVAL_STATUS_COUNT && strcmp(eval_status_names[st], r->status)) st++;
            fprintf(f, "<tr><td><a href=\"#r%zu-s%zu\">", run, i);
            html(f, r->scene);
            fprintf(f, "</a></td><td>%llu</td><td><i class=\"dot\" style=\"background:%s\"></i>",
                    (unsigned long long)r->episode, status_colour[st]);
            html(f, r->status);
            fprintf(f, "</td><td>%llu</td><td>", (unsigned long long)r->seed);
            for (size_t p = 0; p < r->value_count; p++) {
                html(f, r->values[p].name);
                fputc('=', f);
                html(f, r->values[p].json);
                fputc(' ', f);
            }
            fputs("</td><td><pre>", f);
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", r->message);
            html(f, msg);
            if (strlen(r->message) >= sizeof msg) fputs(" ...", f);
            fputs("</pre></td><td><code>", f);
            replay_command(f, r);
            fputs("</code></td></tr>\n", f);
        }
    }
    fputs("</table>\n", f);
    if (shown < total) fprintf(f, "<p>... and %zu more in the JSONL file.</p>\n", total - shown);
}

// The failed episodes' videos or thumbnails, per group, with the command that replays each.
static void clips(FILE *f, const eval_set *set, const group *g, size_t ng, size_t run, const report_media *m)
{
    fprintf(f, "<h3>Failure videos (%zu)</h3>\n", m->n);
    fprintf(f, "<p>Re-run headless from each record (lowest episode index first), %dx%d, %g frames per simulated "
               "second; %.0f kB embedded",
            REPORT_MEDIA_WIDTH, REPORT_MEDIA_HEIGHT, REPORT_MEDIA_FPS, (double)m->bytes / 1e3);
    if (m->capped) fprintf(f, " (capped at %.0f kB: some clips are left out, see their notes)", (double)m->max_bytes / 1e3);
    fputs(".</p>\n", f);
    if (!m->n) {
        fputs("<p>No failed episode.</p>\n", f);
        return;
    }
    for (size_t i = 0; i < ng; i++) {
        for (size_t k = 0; k < g[i].n; k++) {
            for (size_t c = 0; c < m->n; c++) {
                const report_clip *cl = &m->v[c];
                if (cl->rec != g[i].recs[k]) continue;
                const eval_record *r = &set->v[cl->rec];
                fputs("<figure class=\"clip\">", f);
                if (cl->video) {
                    fprintf(f, "<video controls muted loop preload=\"metadata\" width=\"%d\" "
                               "height=\"%d\"",
                            REPORT_MEDIA_WIDTH, REPORT_MEDIA_HEIGHT);
                    if (cl->image) fprintf(f, " poster=\"%s\"", cl->image);
                    fprintf(f, " src=\"%s\"></video>", cl->video);
                } else if (cl->image) {
                    fprintf(f, "<img alt=\"final state\" width=\"%d\" height=\"%d\" src=\"%s\">",
                            REPORT_MEDIA_WIDTH, REPORT_MEDIA_HEIGHT, cl->image);
                } else {
                    fprintf(f, "<div class=\"noclip\" style=\"width:%dpx;height:%dpx\">no media</div>",
                            REPORT_MEDIA_WIDTH, REPORT_MEDIA_HEIGHT);
                }
                fprintf(f, "<figcaption><a href=\"#r%zu-s%zu\">", run, i);
                html(f, r->scene);
                fprintf(f, "</a> episode %llu, seed %llu: ", (unsigned long long)r->episode,
                        (unsigned long long)r->seed);
                html(f, r->status);
                if (cl->note) {
                    fputs("<br><span class=\"note\">", f);
                    html(f, cl->note);
                    fputs("</span>", f);
                }
                fputs("<br><code>", f);
                replay_command(f, r);
                fputs("</code></figcaption></figure>\n", f);
            }
        }
    }
}

static void distributions(FILE *f, const eval_set *set, const group *g, size_t ng, size_t run)
{
    fputs("<h3>Metric distributions</h3>\n", f);
    for (size_t i = 0; i < ng; i++) {
        fprintf(f, "<div class=\"dist\" id=\"r%zu-d%zu\"><h4><a href=\"#r%zu-s%zu\">", run, i, run, i);
        html(f, g[i].sum.scene);
        fputs("</a></h4>\n", f);
        // The names of the first record that has metrics (records of a scene share them).
        const eval_record *r = NULL;
        for (size_t k = 0; k < g[i].n && !r; k++) {
            const eval_record *x = &set->v[g[i].recs[k]];
            if (x->metric_count || x->safety_count) r = x;
        }
        size_t shown = 0;
        if (r) {
            for (size_t m = 0; m < r->metric_count && shown < 24; m++, shown++)
                histogram(f, set, &g[i], r->metrics[m].name, false);
            for (size_t m = 0; m < r->safety_count && shown < 24; m++, shown++)
                histogram(f, set, &g[i], r->safety[m].name, true);
        }
        if (!shown) fputs("<p>No metrics.</p>\n", f);
        fputs("</div>\n", f);
    }
}

static void scenes_meta(FILE *f, const eval_set *set, const group *g, size_t ng);

static void metadata(FILE *f, const eval_html_run *run, const eval_set *set, const group *g, size_t ng)
{
    fputs("<table class=\"meta\">", f);
    fputs("<tr><th>records</th><td>", f);
    fprintf(f, "%zu in %zu (scene, policy, params) group%s</td></tr>", set->n, ng, ng == 1 ? "" : "s");
    const char *fields[] = {"version", "run id"};
    for (int k = 0; k < 2; k++) {
        fprintf(f, "<tr><th>%s</th><td>", fields[k]);
        size_t shown = 0;
        for (size_t i = 0; i < set->n && shown < 8; i++) {
            const char *v = k ? set->v[i].run_id : set->v[i].version;
            bool seen = false;
            for (size_t j = 0; j < i && !seen; j++) seen = !strcmp(k ? set->v[j].run_id : set->v[j].version, v);
            if (seen) continue;
            if (shown++) fputs(", ", f);
            html(f, v);
        }
        fputs("</td></tr>", f);
    }
    double worker_wall = 0;
    for (size_t i = 0; i < set->n; i++)
        if (isfinite(set->v[i].wall_time)) worker_wall += set->v[i].wall_time;
    fprintf(f, "<tr><th>episode wall time</th><td>%.1f s in total (over all workers)</td></tr>", worker_wall);
    if (run->wall >= 0) fprintf(f, "<tr><th>run wall time</th><td>%.1f s</td></tr>", run->wall);
    if (run->workers) fprintf(f, "<tr><th>workers</th><td>%zu</td></tr>", run->workers);
    if (run->jsonl) {
        fputs("<tr><th>records file</th><td><a href=\"", f);
        html(f, run->jsonl);
        fputs("\">", f);
        html(f, run->jsonl);
        fputs("</a></td></tr>", f);
    }
    if (run->junit) {
        fputs("<tr><th>JUnit</th><td><a href=\"", f);
        html(f, run->junit);
        fputs("\">", f);
        html(f, run->junit);
        fputs("</a></td></tr>", f);
    }
    fputs("</table>\n<table class=\"meta\"><tr><th>scene</th><th>path</th><th>scene hash</th><th>policy</th>"
          "<th>params</th></tr>\n",
          f);
    scenes_meta(f, set, g, ng);
}

static void scenes_meta(FILE *f, const eval_set *set, const group *g, size_t ng)
{
    for (size_t i = 0; i < ng; i++) {
        const eval_record *r = &set->v[g[i].recs[0]];
        fputs("<tr><td>", f);
        html(f, r->scene);
        fputs("</td><td>", f);
        html(f, r->path);
        fprintf(f, "</td><td><code>%016llx</code></td><td>", (unsigned long long)r->scene_hash);
        html(f, *r->policy ? r->policy : "none");
        fputs("</td><td>", f);
        html(f, g[i].pkey);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

// A/B: run 0 against run `k`, the test and correction of `compare`.
static bool comparison(FILE *f, const eval_html_run *runs, size_t k, const group *ga, size_t na, const group *gb,
                       size_t nb, double alpha)
{
    size_t n = 0;
    eval_rate *r = eval_compare_rates(runs[0].set, runs[k].set, &n);
    double *p = calloc(n + 1, sizeof *p), *adj = calloc(n + 1, sizeof *adj);
    if (!r || !p || !adj) {
        free(r);
        free(p);
        free(adj);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        p[i] = r[i].a_n && r[i].b_n ? eval_fisher_exact(r[i].a_ok, r[i].a_n - r[i].a_ok, r[i].b_ok, r[i].b_n - r[i].b_ok)
                                    : NAN;
    bool ok = eval_holm(p, n, adj);
    fputs("<h2>A/B: ", f);
    html(f, runs[0].label);
    fputs(" (A) vs ", f);
    html(f, runs[k].label);
    fputs(" (B)</h2>\n", f);
    fprintf(f, "<p>Fisher's exact test, two-sided, per scene; Holm&ndash;Bonferroni correction across the scenes "
               "compared; significant when the adjusted p is below alpha = %g (as <code>pilotsim compare</code>). "
               "<span class=\"a\">A</span> <span class=\"b\">B</span></p>\n",
            alpha);
    rate_chart(f, ga, na, gb, nb, "success rates, A and B");
    fputs("<table><tr><th>scene</th><th>A success</th><th>B success</th><th>p</th><th>p (Holm)</th>"
          "<th>difference</th></tr>\n",
          f);
    for (size_t i = 0; ok && i < n; i++) {
        fputs("<tr><td>", f);
        html(f, r[i].scene);
        fputs("</td>", f);
        for (int side = 0; side < 2; side++) {
            size_t s_ok = side ? r[i].b_ok : r[i].a_ok, s_n = side ? r[i].b_n : r[i].a_n;
            if (s_n) fprintf(f, "<td>%zu/%zu %.1f%%</td>", s_ok, s_n, 100.0 * (double)s_ok / (double)s_n);
            else fputs("<td>-</td>", f);
        }
        if (isnan(p[i])) {
            fprintf(f, "<td>-</td><td>-</td><td>%s</td></tr>\n", r[i].a_n ? "only in A" : "only in B");
            continue;
        }
        bool sig = adj[i] < alpha;
        const char *what = !sig ? "not significant"
                           : (double)r[i].b_ok * (double)r[i].a_n > (double)r[i].a_ok * (double)r[i].b_n
                               ? "B higher (significant)"
                               : "A higher (significant)";
        fprintf(f, "<td>%.4f</td><td>%.4f</td><td class=\"%s\">%s</td></tr>\n", p[i], adj[i], sig ? "fail" : "", what);
    }
    fputs("</table>\n", f);
    free(r);
    free(p);
    free(adj);
    return ok;
}

static const char *css =
    "body{font:14px/1.4 'DejaVu Sans',sans-serif;margin:24px;color:#212121;background:#fff}"
    "h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;margin-top:32px}h3{font-size:16px}"
    "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;"
    "vertical-align:top}th{background:#f5f5f5}.pass{color:#2e7d32;font-weight:bold}.fail{color:#c62828;"
    "font-weight:bold}.err{color:#ad1457;font-weight:bold}pre{margin:0;white-space:pre-wrap;max-width:480px;"
    "font-size:12px}code{font-size:12px}.lbl,.val,.tick{font:12px 'DejaVu Sans',sans-serif;fill:#212121}"
    ".grid{stroke:#bdbdbd;stroke-width:1}.ci{stroke:#212121;stroke-width:1.5;fill:none}"
    ".legend span{margin-right:12px}.legend i,.dot{display:inline-block;width:12px;height:12px;margin-right:4px;"
    "vertical-align:middle}.hist{display:inline-block;margin:4px 12px 4px 0}.hist figcaption{font-size:12px}"
    ".clip{display:inline-block;vertical-align:top;margin:4px 12px 8px 0;max-width:340px}.clip figcaption{"
    "font-size:12px}.noclip{background:#eee;color:#757575;display:flex;align-items:center;justify-content:center}"
    ".note{color:#ad1457}.a,.b{color:#fff;padding:0 6px}.a{background:" RATE_COLOUR "}.b{background:" RATE_B_COLOUR "}";

bool eval_html(const char *path, const eval_html_run *runs, size_t nruns, double min_success, double alpha, char *err,
               size_t errlen)
{
    group **g = calloc(nruns + 1, sizeof *g);
    size_t *ng = calloc(nruns + 1, sizeof *ng);
    FILE *f = NULL;
    bool ok = g && ng;
    for (size_t k = 0; ok && k < nruns; k++) ok = (g[k] = make_groups(runs[k].set, min_success, &ng[k])) != NULL;
    if (!ok) snprintf(err, errlen, "out of memory");
    if (ok && !(f = fopen(path, "w"))) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        ok = false;
    }
    if (ok) {
        fputs(EVAL_HTML_MAGIC "\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>pilotsim evaluation</title>"
              "<style>", f);
        fputs(css, f);
        fputs("</style></head><body>\n<h1>pilotsim evaluation</h1>\n", f);
        fputs("<p>Runs: ", f);
        for (size_t k = 0; k < nruns; k++) {
            if (k) fputs(", ", f);
            fprintf(f, "<a href=\"#run%zu\">", k);
            html(f, runs[k].label);
            fputs("</a>", f);
        }
        if (min_success >= 0) fprintf(f, ". Test per scene: success rate &ge; %g.", min_success);
        else fputs(". Test per scene: no script_error, policy_error, crashed or timeout_wall episode.", f);
        fputs(" Success rates leave policy_error episodes out.</p>\n", f);
        for (size_t k = 1; ok && k < nruns; k++) ok = comparison(f, runs, k, g[0], ng[0], g[k], ng[k], alpha);
        for (size_t k = 0; ok && k < nruns; k++) {
            const eval_set *set = runs[k].set;
            fprintf(f, "<h2 id=\"run%zu\">", k);
            html(f, runs[k].label);
            fputs("</h2>\n", f);
            metadata(f, &runs[k], set, g[k], ng[k]);
            fputs("<h3>Success rate (95% Wilson interval)</h3>\n", f);
            rate_chart(f, g[k], ng[k], NULL, 0, "success rate per scene");
            fputs("<h3>Statuses</h3>\n", f);
            legend(f);
            status_chart(f, g[k], ng[k]);
            fputs("<h3>Per scene</h3>\n", f);
            summary_table(f, g[k], ng[k], k);
            failures(f, set, g[k], ng[k], k);
            if (runs[k].media) clips(f, set, g[k], ng[k], k, runs[k].media);
            distributions(f, set, g[k], ng[k], k);
        }
        fputs("</body></html>\n", f);
        if (ferror(f)) ok = false;
        if (fclose(f) != 0) ok = false;
        if (!ok && !err[0]) snprintf(err, errlen, "writing %s failed", path);
    }
    for (size_t k = 0; g && k < nruns; k++)
        if (g[k]) groups_free(g[k], ng[k]);
    free(g);
    free(ng);
    return ok;
}

bool eval_html_target_ok(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) return true; // a new file
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file", path);
        return false;
    }
    if (st.st_size == 0) return true;
    FILE *f = fopen(path, "r");
    char head[64] = "";
    size_t n = f ? fread(head, 1, sizeof head - 1, f) : 0;
    if (f) fclose(f);
    head[n] = '\0';
    if (strncmp(head, EVAL_HTML_MAGIC, strlen(EVAL_HTML_MAGIC))) {
        snprintf(err, errlen, "%s exists and is not a pilotsim report; refusing to overwrite it", path);
        return false;
    }
    return true;
}
