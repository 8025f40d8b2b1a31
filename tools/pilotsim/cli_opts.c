// Table-driven option parsing and generated --help (cli_opts.h).
#include "cli_opts.h"
#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { HELP_WIDTH = 80, HELP_COLUMN = 22 };

// ---------------------------------------------------------------- help text

void cli_wrap(FILE *f, const char *text, int col, int indent, int width)
{
    bool first = true;
    for (const char *seg = text; seg;) {
        const char *nl = strchr(seg, '\n');
        size_t seglen = nl ? (size_t)(nl - seg) : strlen(seg);
        int lead = (int)strspn(seg, " ");
        if ((size_t)lead > seglen) lead = (int)seglen;
        if (!first) {
            fprintf(f, "\n%*s", indent + lead, "");
            col = indent + lead;
        }
        int line_start = col;
        const char *p = seg + lead, *end = seg + seglen;
        while (p < end) {
            const char *gap = p; // the spaces before the word are kept unless the line breaks there
            while (p < end && *p == ' ') p++;
            const char *w = p;
            while (p < end && *p != ' ') p++;
            int gl = (int)(w - gap), wl = (int)(p - w);
            if (col > line_start && col + gl + wl > width) {
                fprintf(f, "\n%*s", indent + lead, "");
                col = line_start = indent + lead;
            } else if (col > line_start) {
                fprintf(f, "%*s", gl, "");
                col += gl;
            }
            fwrite(w, 1, (size_t)wl, f);
            col += wl;
        }
        first = false;
        seg = nl ? nl + 1 : NULL;
    }
}

// "--seed N" or "-s, --seed N" into buf.
static void opt_label(const cli_opt *o, char *buf, size_t n)
{
    char shortpart[8] = "";
    if (o->short_name) snprintf(shortpart, sizeof shortpart, "-%c, ", o->short_name);
    snprintf(buf, n, "%s%s%s%s", shortpart, o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
}

static void help_opts(const cli_opt *t, FILE *f)
{
    for (const cli_opt *o = t; o->kind != CLI_END; o++) {
        if (o->kind == CLI_INCLUDE) continue;
        char label[128];
        opt_label(o, label, sizeof label);
        int col = fprintf(f, "  %s", label);
        if (col + 2 > HELP_COLUMN) {
            fprintf(f, "\n%*s", HELP_COLUMN, "");
        } else {
            fprintf(f, "%*s", HELP_COLUMN - col, "");
        }
        cli_wrap(f, o->help ? o->help : "", HELP_COLUMN, HELP_COLUMN, HELP_WIDTH);
        fputc('\n', f);
    }
}

void cli_help(const cli_cmd *c, FILE *f)
{
    const char *lead = "usage:";
    for (const char *s = c->synopsis; s; lead = "      ") {
        const char *nl = strchr(s, '\n');
        fprintf(f, "%s pilotsim %s %.*s\n", lead, c->name, (int)(nl ? nl - s : (long)strlen(s)), s);
        s = nl ? nl + 1 : NULL;
    }
    if (c->about) {
        cli_wrap(f, c->about, 0, 0, HELP_WIDTH);
        fputc('\n', f);
    }
    fputs("\noptions:\n", f);
    help_opts(c->opts, f);
    fprintf(f, "  -h, --help%*sshow this help\n", HELP_COLUMN - 12, "");
    for (const cli_opt *o = c->opts; o->kind != CLI_END; o++) {
        if (o->kind != CLI_INCLUDE) continue;
        fprintf(f, "\n%s:\n", o->help);
        help_opts(o->target, f);
    }
    if (c->notes) fprintf(f, "\n%s", c->notes);
    if (c->exits) fprintf(f, "%sexit codes: %s", c->notes ? "" : "\n", c->exits);
    if (c->more_help) c->more_help(f);
}

// Markdown text of `s`: '|' escaped, '\n' as <br> (leading spaces dropped) or
// as a space (join).
static void md_text(FILE *f, const char *s, bool br)
{
    for (; *s; s++) {
        if (*s == '\n') {
            if (!s[1]) break; // a final line break: nothing
            fputs(br ? "<br>" : " ", f);
            while (s[1] == ' ') s++;
        } else if (*s == '|') {
            fputs("\\|", f);
        } else if (*s == '<') {
            fputs("&lt;", f);
        } else {
            fputc(*s, f);
        }
    }
}

static void md_opts(const cli_opt *t, FILE *f)
{
    fputs("| Option | Description |\n|---|---|\n", f);
    for (const cli_opt *o = t; o->kind != CLI_END; o++) {
        if (o->kind == CLI_INCLUDE) continue;
        char label[128];
        opt_label(o, label, sizeof label);
        fputs("| `", f);
        md_text(f, label, false);
        fputs("` | ", f);
        md_text(f, o->help ? o->help : "", true);
        fputs(" |\n", f);
    }
}

void cli_help_markdown(const cli_cmd *c, FILE *f)
{
    fprintf(f, "## pilotsim %s\n\n```\n", c->name);
    for (const char *s = c->synopsis; s;) {
        const char *nl = strchr(s, '\n');
        fprintf(f, "pilotsim %s %.*s\n", c->name, (int)(nl ? nl - s : (long)strlen(s)), s);
        s = nl ? nl + 1 : NULL;
    }
    fputs("```\n\n", f);
    if (c->about) {
        md_text(f, c->about, false);
        fputs("\n\n", f);
    }
    md_opts(c->opts, f);
    for (const cli_opt *o = c->opts; o->kind != CLI_END; o++) {
        if (o->kind != CLI_INCLUDE) continue;
        char first = o->help[0] >= 'a' && o->help[0] <= 'z' ? (char)(o->help[0] - 'a' + 'A') : o->help[0];
        fprintf(f, "\n%c%s:\n\n", first, o->help + 1);
        md_opts(o->target, f);
    }
    if (c->notes) {
        fputs("\n", f);
        md_text(f, c->notes, false);
        fputs("\n", f);
    }
    if (c->exits) {
        fputs("\nExit codes: ", f);
        md_text(f, c->exits, false);
        fputs("\n", f);
    }
    fputs("\n", f);
}

// ---------------------------------------------------------------- parsing

int cli_usage_error(const cli_cmd *c, const char *fmt, ...)
{
    fprintf(stderr, "pilotsim %s: ", c->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(`pilotsim %s --help` lists the options)\n", c->name);
    return EXIT_USAGE;
}

// The entry named `name` (len bytes) or with short name `s`, searching groups too.
static const cli_opt *find(const cli_opt *t, const char *name, size_t len, char s)
{
    for (const cli_opt *o = t; o->kind != CLI_END; o++) {
        if (o->kind == CLI_INCLUDE) {
            const cli_opt *r = find(o->target, name, len, s);
            if (r) return r;
        } else if (s ? o->short_name == s : strlen(o->name) == len && !strncmp(o->name, name, len)) {
            return o;
        }
    }
    return NULL;
}

// Edit distance of a[0..n) and b (both short option names).
static size_t distance(const char *a, size_t n, const char *b)
{
    size_t m = strlen(b);
    if (n > 63 || m > 63) return SIZE_MAX;
    size_t row[64];
    for (size_t j = 0; j <= m; j++) row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

static void nearest(const cli_opt *t, const char *name, size_t len, const char **best, size_t *bd)
{
    for (const cli_opt *o = t; o->kind != CLI_END; o++) {
        if (o->kind == CLI_INCLUDE) {
            nearest(o->target, name, len, best, bd);
            continue;
        }
        size_t d = distance(name, len, o->name);
        // A prefix ("--epi" for "--episodes") is near whatever its length.
        if (len > 3 && !strncmp(o->name, name, len)) d = 1;
        if (d < *bd) {
            *bd = d;
            *best = o->name;
        }
    }
}

// Stores `v` (NULL for a flag) through o; false with `why` on a bad value.
static bool store(const cli_opt *o, const char *v, char *why, size_t n)
{
    switch (o->kind) {
    case CLI_FLAG: *(bool *)o->target = !o->clear; return true;
    case CLI_U64: {
        uint64_t u;
        if (!cli_parse_u64(v, &u)) return false;
        if ((o->lo || o->hi) && ((double)u < o->lo || (o->hi && (double)u > o->hi))) return false;
        *(uint64_t *)o->target = u;
        return true;
    }
    case CLI_DOUBLE: {
        char *end;
        double d = strtod(v, &end);
        if (end == v || *end || !isfinite(d)) return false;
        if ((o->lo || o->hi) && (d < o->lo || (o->open_lo && d == o->lo) || d > o->hi || (o->open_hi && d == o->hi)))
            return false;
        *(double *)o->target = d;
        return true;
    }
    case CLI_STRING:
        if (o->check && !o->check(v)) return false;
        *(const char **)o->target = v;
        return true;
    case CLI_LIST:
        if (o->check && !o->check(v)) return false;
        if (*o->count >= o->cap) {
            snprintf(why, n, "at most %zu of them", o->cap);
            return false;
        }
        ((const char **)o->target)[(*o->count)++] = v;
        return true;
    case CLI_SHARD: {
        cli_shard *s = o->target;
        if (!cli_parse_shard(v, &s->i, &s->k)) return false;
        s->given = true;
        return true;
    }
    case CLI_CUSTOM: return o->parse(v, o->target, why, n);
    default: return false;
    }
}

// Takes option `o` with value `v` (NULL for a flag): CLI_CONTINUE, or EXIT_USAGE
// after saying what is wrong.
static int take(const cli_cmd *c, const cli_opt *o, const char *v)
{
    if (o->unavailable) {
        fprintf(stderr, "pilotsim %s: %s: %s\n", c->name, o->name, o->unavailable);
        return EXIT_USAGE;
    }
    char why[512] = "";
    bool empty = v && !*v; // "--opt=" or "--opt" last: only a custom parser may accept ""
    if ((!empty || o->kind == CLI_CUSTOM) && store(o, v, why, sizeof why)) {
        if (o->given) *o->given = true;
        return CLI_CONTINUE;
    }
    const char *need = o->need ? o->need : o->metavar;
    if (why[0]) fprintf(stderr, "pilotsim %s: %s: %s\n", c->name, o->name, why);
    else if (empty) fprintf(stderr, "pilotsim %s: %s needs %s\n", c->name, o->name, need);
    else fprintf(stderr, "pilotsim %s: %s needs %s, got '%s'\n", c->name, o->name, need, v);
    return EXIT_USAGE;
}

int cli_parse(const cli_cmd *c, int argc, char **argv, const char **pos, size_t *npos)
{
    *npos = 0;
    bool options = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options || a[0] != '-' || !a[1]) {
            if (!c->pos_name || (c->max_pos && *npos == c->max_pos))
                return cli_usage_error(c, "unexpected argument '%s'", a);
            pos[(*npos)++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            options = false;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cli_help(c, stdout);
            return EXIT_OK;
        }
        if (!strcmp(a, "--help-markdown")) { // for `pilotsim help --markdown`
            cli_help_markdown(c, stdout);
            return EXIT_OK;
        }
        const cli_opt *o;
        const char *eq = NULL;
        if (a[1] == '-') {
            eq = strchr(a, '=');
            size_t len = eq ? (size_t)(eq - a) : strlen(a);
            o = find(c->opts, a, len, 0);
            if (!o) {
                const char *best = NULL;
                size_t bd = SIZE_MAX;
                nearest(c->opts, a, len, &best, &bd);
                if (best && bd <= (len < 9 ? 2 : len / 4 + 1))
                    return cli_usage_error(c, "unknown option '%.*s' (did you mean %s?)", (int)len, a, best);
                return cli_usage_error(c, "unknown option '%.*s'", (int)len, a);
            }
        } else {
            o = a[2] ? NULL : find(c->opts, NULL, 0, a[1]);
            if (!o) return cli_usage_error(c, "unknown option '%s'", a);
        }
        bool takes_value = o->kind != CLI_FLAG && !(o->kind == CLI_CUSTOM && o->flag_like);
        const char *v = NULL;
        if (!takes_value) {
            if (eq) return cli_usage_error(c, "%s takes no value (got '%s')", o->name, a);
        } else if (eq) {
            v = eq + 1;
        } else {
            v = i + 1 < argc ? argv[++i] : "";
        }
        int r = take(c, o, v);
        if (r != CLI_CONTINUE) return r;
    }
    if (*npos < c->min_pos) return cli_usage_error(c, "missing %s", c->pos_name);
    return CLI_CONTINUE;
}
