// Evaluation statistics (Wilson interval, Fisher's exact test), the report on
// stdout and the JUnit XML file.
#define _POSIX_C_SOURCE 200809L
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const eval_status_names[EVAL_STATUS_COUNT] = {
    "success", "failure", "timeout", "physics_diverged", "script_error", "policy_error", "crashed", "timeout_wall",
    "other",
};

void eval_wilson(size_t k, size_t n, double *lo, double *hi)
{
    if (n == 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    const double z = 1.959963984540054; // 97.5th percentile of the standard normal
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double denom = 1 + z2 / nn;
    double centre = (p + z2 / (2 * nn)) / denom;
    double half = z / denom * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *lo = fmax(0, centre - half);
    *hi = fmin(1, centre + half);
    if (k == 0) *lo = 0; // exact bounds (rounding can leave 1e-17)
    if (k == n) *hi = 1;
}

static double log_choose(double n, double k) { return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1); }

double eval_fisher_exact(size_t a, size_t b, size_t c, size_t d)
{
    // Margins fixed: X = the top-left cell is hypergeometric. The two-sided p
    // sums the probabilities of all tables no more likely than the observed one.
    double r1 = (double)(a + b), r2 = (double)(c + d), c1 = (double)(a + c), n = r1 + r2;
    if (n == 0) return 1;
    double lo = fmax(0, c1 - r2), hi = fmin(r1, c1);
    double base = log_choose(n, c1);
    double p_obs = exp(log_choose(r1, (double)a) + log_choose(r2, c1 - (double)a) - base);
    double p = 0;
    for (double x = lo; x <= hi; x++) {
        double px = exp(log_choose(r1, x) + log_choose(r2, c1 - x) - base);
        if (px <= p_obs * (1 + 1e-7)) p += px;
    }
    return fmin(1, p);
}

bool eval_holm(const double *p, size_t m, double *adj)
{
    size_t *idx = malloc((m ? m : 1) * sizeof *idx);
    if (!idx) return false;
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        adj[i] = NAN;
        if (!isnan(p[i])) idx[k++] = i;
    }
    // Insertion sort by p (scenes number in the tens to hundreds).
    for (size_t i = 1; i < k; i++) {
        size_t v = idx[i], j = i;
        for (; j > 0 && p[idx[j - 1]] > p[v]; j--) idx[j] = idx[j - 1];
        idx[j] = v;
    }
    // Step-down: the j-th smallest is multiplied by (k - j), and adjusted
    // values are made monotone so that rejecting adj < alpha is Holm's rule.
    double run = 0;
    for (size_t j = 0; j < k; j++) {
        double a = fmin(1, (double)(k - j) * p[idx[j]]);
        if (a > run) run = a;
        adj[idx[j]] = run;
    }
    free(idx);
    return true;
}

eval_rate *eval_compare_rates(const eval_set *a, const eval_set *b, size_t *n)
{
    eval_rate *v = calloc(a->n + b->n + 1, sizeof *v);
    *n = 0;
    if (!v) return NULL;
    for (int side = 0; side < 2; side++) {
        const eval_set *s = side ? b : a;
        for (size_t i = 0; i < s->n; i++) {
            const eval_record *r = &s->v[i];
            if (eval_status_retry(r->status)) continue;
            size_t k = 0;
            while (k < *n && strcmp(v[k].scene, r->scene)) k++;
            if (k == *n) v[(*n)++] = (eval_rate){.scene = r->scene};
            bool ok = eval_status_success(r->status);
            if (side) {
                v[k].b_n++;
                v[k].b_ok += ok;
            } else {
                v[k].a_n++;
                v[k].a_ok += ok;
            }
        }
    }
    return v;
}

static size_t status_index(const char *status)
{
    for (size_t i = 0; i + 1 < EVAL_STATUS_COUNT; i++)
        if (!strcmp(status, eval_status_names[i])) return i;
    return EVAL_STATUS_COUNT - 1;
}

void eval_summary_add(eval_summary *s, const eval_record *r)
{
    if (!s->scene) {
        s->scene = r->scene;
        s->path = r->path;
        s->policy = r->policy;
        s->scene_hash = r->scene_hash;
    }
    s->episodes++;
    s->status[status_index(r->status)]++;
    if (eval_status_success(r->status)) s->successes++;
    if (eval_status_error(r->status)) s->errors++;
    if (eval_status_retry(r->status)) s->retried++;
    if (isfinite(r->ret)) {
        s->return_sum += r->ret;
        s->return_n++;
    }
    if (isfinite(r->sim_time)) {
        s->sim_time_sum += r->sim_time;
        s->sim_time_n++;
    }
    if (isfinite(r->wall_time)) s->wall_sum += r->wall_time;
    s->steps += r->steps;
    // An episode with a positive "safety_violations" metric counts as one violation.
    double v = eval_record_value(r->safety, r->safety_count, "safety_violations");
    if (v > 0) s->safety_violations++;
}

size_t eval_summary_rated(const eval_summary *s) { return s->episodes - s->retried; }

static void describe_test(char *buf, size_t n, const eval_summary *s, const eval_report_opts *o)
{
    size_t rated = eval_summary_rated(s);
    if (o->min_success >= 0 && rated == 0) {
        snprintf(buf, n, "no episode to rate (--min-success)");
    } else if (o->min_success >= 0) {
        double rate = (double)s->successes / (double)rated;
        snprintf(buf, n, "success rate %.1f%% %s %.1f%% (--min-success)", 100 * rate, s->passed ? ">=" : "<",
                 100 * o->min_success);
    } else if (s->passed) {
        snprintf(buf, n, "no script_error, policy_error, crashed or timeout_wall episode");
    } else if (s->episodes == 0) {
        snprintf(buf, n, "no episode finished");
    } else {
        snprintf(buf, n, "%zu script_error, policy_error, crashed or timeout_wall episode%s", s->errors,
                 s->errors == 1 ? "" : "s");
    }
}

size_t eval_report(FILE *f, eval_summary *s, size_t n, const eval_report_opts *o)
{
    size_t failed = 0, total = 0, planned = 0;
    int wname = 5;
    for (size_t i = 0; i < n; i++) {
        size_t rated = eval_summary_rated(&s[i]);
        if (o->min_success >= 0)
            s[i].passed = rated > 0 && (double)s[i].successes >= o->min_success * (double)rated - 1e-9;
        else s[i].passed = s[i].episodes > 0 && s[i].errors == 0;
        if (!s[i].passed) failed++;
        total += s[i].episodes;
        planned += s[i].planned > s[i].episodes ? s[i].planned : s[i].episodes;
        int w = (int)strlen(s[i].scene ? s[i].scene : "");
        if (w > wname) wname = w;
    }
    fprintf(f, "%-*s  %9s  %7s  %6s  %-16s  %11s  %13s  %6s  %9s  %s\n", wname, "scene", "episodes", "success",
            "rate", "95% CI (Wilson)", "mean return", "mean sim_time", "safety", "steps/s", "statuses, policy");
    for (size_t i = 0; i < n; i++) {
        const eval_summary *x = &s[i];
        char eps[48], rate[16], ci[40], ret[24], simt[24], sps[24];
        if (x->planned > x->episodes) snprintf(eps, sizeof eps, "%zu/%zu", x->episodes, x->planned);
        else snprintf(eps, sizeof eps, "%zu", x->episodes);
        double lo, hi;
        size_t rated = eval_summary_rated(x);
        eval_wilson(x->successes, rated, &lo, &hi);
        if (rated) {
            snprintf(rate, sizeof rate, "%.1f%%", 100.0 * (double)x->successes / (double)rated);
            snprintf(ci, sizeof ci, "[%.1f%%, %.1f%%]", 100 * lo, 100 * hi);
        } else {
            snprintf(rate, sizeof rate, "-");
            snprintf(ci, sizeof ci, "-");
        }
        if (x->return_n) snprintf(ret, sizeof ret, "%.4g", x->return_sum / (double)x->return_n);
        else snprintf(ret, sizeof ret, "-");
        if (x->sim_time_n) snprintf(simt, sizeof simt, "%.3f s", x->sim_time_sum / (double)x->sim_time_n);
        else snprintf(simt, sizeof simt, "-");
        if (x->wall_sum > 0) snprintf(sps, sizeof sps, "%.0f", (double)x->steps / x->wall_sum);
        else snprintf(sps, sizeof sps, "-");
        fprintf(f, "%-*s  %9s  %7zu  %6s  %-16s  %11s  %13s  %6zu  %9s  ", wname, x->scene ? x->scene : "", eps,
                x->successes, rate, ci, ret, simt, x->safety_violations, sps);
        bool first = true;
        for (size_t k = 0; k < EVAL_STATUS_COUNT; k++) {
            if (!x->status[k]) continue;
            fprintf(f, "%s%s=%zu", first ? "" : " ", eval_status_names[k], x->status[k]);
            first = false;
        }
        if (first) fputs("-", f);
        fprintf(f, ", policy: %s\n", x->policy && *x->policy ? x->policy : "none");
    }
    for (size_t i = 0; i < n; i++) {
        char why[160];
        describe_test(why, sizeof why, &s[i], o);
        fprintf(f, "%s %s: %s\n", s[i].passed ? "PASS" : "FAIL", s[i].scene ? s[i].scene : "", why);
    }
    size_t errors = 0;
    for (size_t i = 0; i < n; i++) errors += s[i].errors;
    if (errors)
        fprintf(f, "errors: %zu episode%s could not be evaluated (script_error, policy_error, crashed or "
                   "timeout_wall): exit status 3 whatever the tests say\n", errors, errors == 1 ? "" : "s");
    if (o->interrupted)
        fprintf(f, "interrupted: %zu of %zu episode%s finished\n", total, planned, planned == 1 ? "" : "s");
    fprintf(f, "eval: %zu passed, %zu failed\n", n - failed, failed);
    fflush(f);
    return failed;
}

// ---------------------------------------------------------------- JUnit

// Writes text as XML character data (`attr` false) or an attribute value:
// escapes markup (and in attributes, line breaks and tabs, which attribute
// normalisation would turn into spaces), replaces characters XML 1.0 forbids
// and invalid UTF-8 with '?'.
static void xml_write(FILE *f, const char *s, bool attr)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&': fputs("&amp;", f); break;
            case '<': fputs("&lt;", f); break;
            case '>': fputs("&gt;", f); break;
            case '"': fputs("&quot;", f); break;
            case '\'': fputs("&apos;", f); break;
            case '\n': fputs(attr ? "&#10;" : "\n", f); break;
            case '\t': fputs(attr ? "&#9;" : "\t", f); break;
            case '\r': fputs("&#13;", f); break;
            default: fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
            }
            p++;
            continue;
        }
        int len = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        bool ok = len > 0;
        for (int k = 1; ok && k < len; k++) ok = (p[k] & 0xC0) == 0x80;
        if (ok) {
            fwrite(p, 1, (size_t)len, f);
            p += len;
        } else {
            fputc('?', f);
            p++;
        }
    }
}

static void xml_text(FILE *f, const char *s) { xml_write(f, s, true); }

typedef struct junit_ep {
    const eval_record *r;
} junit_ep;

static int ep_cmp(const void *a, const void *b)
{
    const eval_record *x = ((const junit_ep *)a)->r, *y = ((const junit_ep *)b)->r;
    return x->episode < y->episode ? -1 : x->episode > y->episode;
}

static void first_line(char *buf, size_t n, const char *s)
{
    size_t len = strcspn(s, "\n");
    snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), s);
}

static void property(FILE *f, const char *name, const char *value)
{
    fputs("        <property name=\"", f);
    xml_text(f, name);
    fputs("\" value=\"", f);
    xml_text(f, value);
    fputs("\"/>\n", f);
}

// The testcase name: the scene's name, with the policy when another summary
// has the same scene name (one scene under two policies).
static void case_name(FILE *f, const eval_summary *s, size_t n, size_t g)
{
    const char *scene = s[g].scene ? s[g].scene : "";
    xml_text(f, scene);
    for (size_t i = 0; i < n; i++) {
        if (i == g || strcmp(s[i].scene ? s[i].scene : "", scene)) continue;
        fputs(" [policy ", f);
        xml_text(f, s[g].policy && *s[g].policy ? s[g].policy : "none");
        fputs("]", f);
        break;
    }
}

bool eval_junit(const char *path, const eval_summary *s, size_t n, const eval_record *recs, const size_t *group,
                size_t nrec, const eval_report_opts *o)
{
    FILE *f = fopen(path, "w");
    if (!f) return false;
    junit_ep *eps = nrec ? malloc(nrec * sizeof *eps) : NULL;
    if (nrec && !eps) {
        fclose(f);
        return false;
    }
    size_t failures = 0, errors = 0;
    double wall_total = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].errors) errors++;
        else if (!s[i].passed) failures++;
        wall_total += s[i].wall_sum;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"pilotsim eval\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", n,
            failures, errors, wall_total);
    fprintf(f, "  <testsuite name=\"pilotsim eval\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", n,
            failures, errors, wall_total);
    for (size_t g = 0; g < n; g++) {
        const eval_summary *x = &s[g];
        size_t m = 0;
        for (size_t i = 0; i < nrec; i++)
            if (group[i] == g) eps[m++].r = &recs[i];
        qsort(eps, m, sizeof *eps, ep_cmp);
        fputs("    <testcase classname=\"pilotsim.eval\" name=\"", f);
        case_name(f, s, n, g);
        fprintf(f, "\" time=\"%.3f\">\n      <properties>\n", x->wall_sum);
        char buf[160];
        size_t rated = eval_summary_rated(x);
        double lo, hi;
        eval_wilson(x->successes, rated, &lo, &hi);
        property(f, "path", x->path ? x->path : "");
        snprintf(buf, sizeof buf, "%016llx", (unsigned long long)x->scene_hash);
        property(f, "scene_hash", buf);
        property(f, "policy", x->policy ? x->policy : "");
        if (o->min_success >= 0) snprintf(buf, sizeof buf, "%g", o->min_success);
        else snprintf(buf, sizeof buf, "none (no errors)");
        property(f, "min_success", buf);
        snprintf(buf, sizeof buf, "%zu", x->episodes);
        property(f, "episodes", buf);
        snprintf(buf, sizeof buf, "%zu", x->successes);
        property(f, "successes", buf);
        if (rated) snprintf(buf, sizeof buf, "%.6f", (double)x->successes / (double)rated);
        else snprintf(buf, sizeof buf, "-");
        property(f, "success_rate", buf);
        snprintf(buf, sizeof buf, "%.6f %.6f", lo, hi);
        property(f, "wilson_95", buf);
        for (size_t k = 0; k < EVAL_STATUS_COUNT; k++) {
            if (!x->status[k]) continue;
            char name[64];
            snprintf(name, sizeof name, "status.%s", eval_status_names[k]);
            snprintf(buf, sizeof buf, "%zu", x->status[k]);
            property(f, name, buf);
        }
        fputs("      </properties>\n", f);
        char why[160];
        describe_test(why, sizeof why, x, o);
        if (x->errors) { // one element per testcase: an error outranks a failure
            fprintf(f, "      <error type=\"episode_errors\" message=\"%zu episode%s could not be evaluated (", x->errors,
                    x->errors == 1 ? "" : "s");
            xml_text(f, why);
            fputs(")\"/>\n", f);
        } else if (!x->passed) {
            fputs("      <failure type=\"threshold\" message=\"", f);
            xml_text(f, why);
            fputs("\"/>\n", f);
        }
        // One line per episode: index, seed, status, first line of the message.
        fputs("      <system-out>", f);
        xml_write(f, why, false);
        fputc('\n', f);
        for (size_t k = 0; k < m; k++) {
            const eval_record *r = eps[k].r;
            char head[512];
            first_line(head, sizeof head, r->message);
            fprintf(f, "episode %llu seed %llu: ", (unsigned long long)r->episode, (unsigned long long)r->seed);
            xml_write(f, r->status, false);
            if (head[0]) {
                fputs(": ", f);
                xml_write(f, head, false);
            }
            fputc('\n', f);
        }
        fputs("</system-out>\n    </testcase>\n", f);
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    free(eps);
    bool ok = !ferror(f);
    if (fclose(f) != 0) ok = false;
    return ok;
}
