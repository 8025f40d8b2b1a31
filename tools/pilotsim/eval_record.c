// Episode records and their JSONL form: a small JSON reader (enough for the
// records pilotsim writes; integers keep their exact 64-bit value) and writer.
#define _POSIX_C_SOURCE 200809L
#include "eval.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

// ---------------------------------------------------------------- JSON values

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jval {
    jtype t;
    bool b;
    double num;
    char *text;          // J_NUM: the literal; J_STR: the decoded string
    struct jval *items;  // J_ARR, J_OBJ
    char **keys;         // J_OBJ
    size_t n;
} jval;

typedef struct jparser {
    const char *p;
    const char *err;
    int depth;
} jparser;

static void jfree(jval *v)
{
    free(v->text);
    for (size_t i = 0; i < v->n; i++) {
        jfree(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    *v = (jval){0};
}

static void skip_ws(jparser *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r') j->p++;
}

static bool fail(jparser *j, const char *why)
{
    if (!j->err) j->err = why;
    return false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool read_hex4(jparser *j, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(j->p[i]);
        if (h < 0) return fail(j, "bad \\u escape");
        v = v * 16 + (unsigned)h;
    }
    j->p += 4;
    *out = v;
    return true;
}

static size_t utf8_put(char *d, unsigned c)
{
    if (c < 0x80) {
        d[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        d[0] = (char)(0xC0 | (c >> 6));
        d[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        d[0] = (char)(0xE0 | (c >> 12));
        d[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        d[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (c >> 18));
    d[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    d[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

// Reads a string literal at j->p (on the opening quote) into a new buffer.
static bool parse_string(jparser *j, char **out)
{
    const char *s = ++j->p;
    size_t len = 0;
    while (s[len] && s[len] != '"') len += s[len] == '\\' && s[len + 1] ? 2 : 1;
    if (s[len] != '"') return fail(j, "unterminated string");
    char *d = malloc(len + 1); // escapes never grow the text
    if (!d) return fail(j, "out of memory");
    size_t o = 0;
    while (*j->p != '"') {
        unsigned char c = (unsigned char)*j->p++;
        if (c < 0x20) {
            free(d);
            return fail(j, "control character in string");
        }
        if (c != '\\') {
            d[o++] = (char)c;
            continue;
        }
        char e = *j->p++;
        switch (e) {
        case '"': d[o++] = '"'; break;
        case '\\': d[o++] = '\\'; break;
        case '/': d[o++] = '/'; break;
        case 'b': d[o++] = '\b'; break;
        case 'f': d[o++] = '\f'; break;
        case 'n': d[o++] = '\n'; break;
        case 'r': d[o++] = '\r'; break;
        case 't': d[o++] = '\t'; break;
        case 'u': {
            unsigned cp;
            if (!read_hex4(j, &cp)) {
                free(d);
                return false;
            }
            if (cp >= 0xD800 && cp < 0xDC00 && j->p[0] == '\\' && j->p[1] == 'u') {
                j->p += 2;
                unsigned lo;
                if (!read_hex4(j, &lo)) {
                    free(d);
                    return false;
                }
                if (lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else cp = 0xFFFD;
            } else if (cp >= 0xD800 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            if (cp == 0) cp = 0xFFFD; // strings are C strings
            o += utf8_put(d + o, cp);
            break;
        }
        default: free(d); return fail(j, "bad escape in string");
        }
    }
    j->p++;
    d[o] = '\0';
    *out = d;
    return true;
}

static bool parse_value(jparser *j, jval *v);

static bool push_item(jparser *j, jval *v, char *key)
{
    if ((v->n & (v->n - 1)) == 0) { // capacity is the next power of two
        size_t cap = v->n ? v->n * 2 : 1;
        jval *it = realloc(v->items, cap * sizeof *it);
        if (!it) return fail(j, "out of memory");
        v->items = it;
        if (v->t == J_OBJ) {
            char **k = realloc(v->keys, cap * sizeof *k);
            if (!k) return fail(j, "out of memory");
            v->keys = k;
        }
    }
    v->items[v->n] = (jval){0};
    if (v->t == J_OBJ) v->keys[v->n] = key;
    v->n++;
    if (!parse_value(j, &v->items[v->n - 1])) return false;
    return true;
}

static bool parse_value(jparser *j, jval *v)
{
    skip_ws(j);
    char c = *j->p;
    if (c == '{' || c == '[') {
        if (++j->depth > 32) return fail(j, "nested too deep");
        v->t = c == '{' ? J_OBJ : J_ARR;
        char close = c == '{' ? '}' : ']';
        j->p++;
        skip_ws(j);
        if (*j->p == close) {
            j->p++;
            j->depth--;
            return true;
        }
        for (;;) {
            char *key = NULL;
            if (v->t == J_OBJ) {
                skip_ws(j);
                if (*j->p != '"') return fail(j, "expected a key");
                if (!parse_string(j, &key)) return false;
                skip_ws(j);
                if (*j->p != ':') {
                    free(key);
                    return fail(j, "expected ':'");
                }
                j->p++;
            }
            if (!push_item(j, v, key)) {
                if (v->t == J_OBJ && (v->n == 0 || v->keys[v->n - 1] != key)) free(key);
                return false;
            }
            skip_ws(j);
            if (*j->p == ',') {
                j->p++;
                continue;
            }
            if (*j->p == close) {
                j->p++;
                j->depth--;
                return true;
            }
            return fail(j, "expected ',' or a closing bracket");
        }
    }
    if (c == '"') {
        v->t = J_STR;
        return parse_string(j, &v->text);
    }
    if (!strncmp(j->p, "null", 4)) {
        v->t = J_NULL;
        j->p += 4;
        return true;
    }
    if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "false", 5)) {
        v->t = J_BOOL;
        v->b = c == 't';
        j->p += v->b ? 4 : 5;
        return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        // JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? (strtod
        // alone would also take hex, inf and nan, which are not JSON).
        const char *s = j->p, *q = s;
        if (*q == '-') q++;
        if (*q == '0') q++;
        else if (*q >= '1' && *q <= '9') while (*q >= '0' && *q <= '9') q++;
        else return fail(j, "bad number");
        if (*q == '.') {
            if (!(*++q >= '0' && *q <= '9')) return fail(j, "bad number");
            while (*q >= '0' && *q <= '9') q++;
        }
        if (*q == 'e' || *q == 'E') {
            q++;
            if (*q == '+' || *q == '-') q++;
            if (!(*q >= '0' && *q <= '9')) return fail(j, "bad number");
            while (*q >= '0' && *q <= '9') q++;
        }
        char *end;
        errno = 0;
        v->num = strtod(s, &end);
        if (end != q) return fail(j, "bad number");
        size_t n = (size_t)(end - s);
        v->t = J_NUM;
        v->text = malloc(n + 1);
        if (!v->text) return fail(j, "out of memory");
        memcpy(v->text, s, n);
        v->text[n] = '\0';
        j->p = end;
        return true;
    }
    return fail(j, "unexpected character");
}

static const jval *jget(const jval *o, const char *key)
{
    if (o->t != J_OBJ) return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->keys[i], key)) return &o->items[i];
    return NULL;
}

// ---------------------------------------------------------------- records

void eval_record_free(eval_record *r)
{
    free(r->run_id);
    free(r->version);
    free(r->scene);
    free(r->path);
    free(r->policy);
    for (size_t i = 0; i < r->param_count; i++) free(r->params[i]);
    free(r->params);
    free(r->status);
    for (size_t i = 0; i < r->metric_count; i++) free(r->metrics[i].name);
    free(r->metrics);
    for (size_t i = 0; i < r->safety_count; i++) free(r->safety[i].name);
    free(r->safety);
    free(r->hash);
    free(r->instruction);
    free(r->message);
    for (size_t i = 0; i < r->value_count; i++) {
        free(r->values[i].name);
        free(r->values[i].json);
    }
    free(r->values);
    for (size_t i = 0; i < r->source_count; i++) free(r->sources[i].path);
    free(r->sources);
    *r = (eval_record){0};
}

static void write_kvs(FILE *f, const eval_kv *kv, size_t n)
{
    fputc('{', f);
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', f);
        cli_json_string(f, kv[i].name);
        fputc(':', f);
        cli_json_number(f, kv[i].value);
    }
    fputc('}', f);
}

void eval_record_write(FILE *f, const eval_record *r)
{
    fputs("{\"run_id\":", f);
    cli_json_string(f, r->run_id);
    fputs(",\"version\":", f);
    cli_json_string(f, r->version);
    fputs(",\"scene\":", f);
    cli_json_string(f, r->scene);
    fputs(",\"path\":", f);
    cli_json_string(f, r->path);
    fprintf(f, ",\"scene_hash\":\"%016llx\",\"policy\":", (unsigned long long)r->scene_hash);
    cli_json_string(f, r->policy);
    fputs(",\"params\":{", f);
    for (size_t i = 0; i < r->param_count; i++) {
        const char *eq = strchr(r->params[i], '=');
        size_t klen = eq ? (size_t)(eq - r->params[i]) : strlen(r->params[i]);
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(klen < 255 ? klen : 255), r->params[i]);
        if (i) fputc(',', f);
        cli_json_string(f, key);
        fputc(':', f);
        cli_json_string(f, eq ? eq + 1 : "");
    }
    fprintf(f, "},\"episode\":%llu,\"episodes\":%llu,\"scenes\":%llu,\"seed\":%llu,\"status\":",
            (unsigned long long)r->episode, (unsigned long long)r->episodes, (unsigned long long)r->scenes,
            (unsigned long long)r->seed);
    cli_json_string(f, r->status);
    fprintf(f, ",\"steps\":%llu,\"sim_time\":", (unsigned long long)r->steps);
    cli_json_number(f, r->sim_time);
    fputs(",\"wall_time\":", f);
    cli_json_number(f, r->wall_time);
    fputs(",\"return\":", f);
    cli_json_number(f, r->ret);
    fputs(",\"metrics\":", f);
    write_kvs(f, r->metrics, r->metric_count);
    fputs(",\"safety\":", f);
    write_kvs(f, r->safety, r->safety_count);
    fputs(",\"hash\":", f);
    cli_json_string(f, r->hash);
    fputs(",\"message\":", f);
    cli_json_string(f, r->message);
    if (r->instruction && *r->instruction) {
        fputs(",\"instruction\":", f);
        cli_json_string(f, r->instruction);
    }
    fputs(",\"param_values\":{", f);
    for (size_t i = 0; i < r->value_count; i++) {
        if (i) fputc(',', f);
        cli_json_string(f, r->values[i].name);
        fputc(':', f);
        fputs(r->values[i].json, f);
    }
    fputs("},\"sources\":{", f);
    for (size_t i = 0; i < r->source_count; i++) {
        if (i) fputc(',', f);
        cli_json_string(f, r->sources[i].path);
        fprintf(f, ":\"%016llx\"", (unsigned long long)r->sources[i].hash);
    }
    fprintf(f, "},\"attempts\":%llu}\n", (unsigned long long)(r->attempts ? r->attempts : 1));
}

static bool get_str(const jval *o, const char *key, char **out, const char **err)
{
    const jval *v = jget(o, key);
    if (!v || v->t != J_STR) {
        *err = key;
        return false;
    }
    *out = strdup(v->text);
    if (!*out) *err = "(out of memory)";
    return *out != NULL;
}

static bool get_u64(const jval *o, const char *key, uint64_t *out, const char **err)
{
    const jval *v = jget(o, key);
    if (!v || v->t != J_NUM || !cli_parse_u64(v->text, out)) {
        *err = key;
        return false;
    }
    return true;
}

static bool get_num(const jval *o, const char *key, double *out, const char **err)
{
    const jval *v = jget(o, key);
    if (v && v->t == J_NULL) {
        *out = NAN;
        return true;
    }
    if (!v || v->t != J_NUM) {
        *err = key;
        return false;
    }
    *out = v->num;
    return true;
}

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const eval_kv *)a)->name, ((const eval_kv *)b)->name);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool get_kvs(const jval *o, const char *key, eval_kv **out, size_t *count, const char **err)
{
    const jval *v = jget(o, key);
    if (!v || v->t != J_OBJ) {
        *err = key;
        return false;
    }
    *count = 0;
    *out = v->n ? calloc(v->n, sizeof **out) : NULL;
    if (v->n && !*out) {
        *err = "(out of memory)";
        return false;
    }
    for (size_t i = 0; i < v->n; i++) {
        const jval *x = &v->items[i];
        if (x->t != J_NUM && x->t != J_NULL) {
            *err = key;
            return false;
        }
        (*out)[i].name = strdup(v->keys[i]);
        if (!(*out)[i].name) {
            *err = "(out of memory)";
            return false;
        }
        (*out)[i].value = x->t == J_NUM ? x->num : NAN;
        (*count)++;
    }
    if (*count > 1) qsort(*out, *count, sizeof **out, kv_cmp);
    return true;
}

static bool get_params(const jval *o, eval_record *r, const char **err)
{
    const jval *v = jget(o, "params");
    if (!v) return true; // optional
    if (v->t != J_OBJ) {
        *err = "params";
        return false;
    }
    r->params = v->n ? calloc(v->n, sizeof *r->params) : NULL;
    if (v->n && !r->params) {
        *err = "(out of memory)";
        return false;
    }
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i].t != J_STR) {
            *err = "params";
            return false;
        }
        size_t len = strlen(v->keys[i]) + strlen(v->items[i].text) + 2;
        char *s = malloc(len);
        if (!s) {
            *err = "(out of memory)";
            return false;
        }
        snprintf(s, len, "%s=%s", v->keys[i], v->items[i].text);
        r->params[r->param_count++] = s;
    }
    if (r->param_count > 1) qsort(r->params, r->param_count, sizeof *r->params, str_cmp);
    return true;
}

static int cstr_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

// The first key an object holds twice, or NULL.
static const char *dup_key(const jval *o)
{
    if (o->t != J_OBJ || o->n < 2) return NULL;
    char **k = malloc(o->n * sizeof *k);
    if (!k) return "(out of memory)";
    memcpy(k, o->keys, o->n * sizeof *k);
    qsort(k, o->n, sizeof *k, cstr_cmp);
    const char *d = NULL;
    for (size_t i = 1; i < o->n && !d; i++)
        if (!strcmp(k[i - 1], k[i])) d = k[i];
    free(k);
    return d;
}

// A JSON string's literal (quoted, escaped) in a new buffer.
static char *json_literal(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return NULL;
    cli_json_string(m, s);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

// Optional "param_values" and "sources" objects.
static bool get_extras(const jval *o, eval_record *r, const char **err)
{
    const jval *v = jget(o, "param_values");
    if (v) {
        if (v->t != J_OBJ) {
            *err = "param_values";
            return false;
        }
        r->values = v->n ? calloc(v->n, sizeof *r->values) : NULL;
        if (v->n && !r->values) {
            *err = "(out of memory)";
            return false;
        }
        for (size_t i = 0; i < v->n; i++) {
            const jval *x = &v->items[i];
            char *lit = x->t == J_NUM ? strdup(x->text) : x->t == J_BOOL ? strdup(x->b ? "true" : "false")
                        : x->t == J_STR ? json_literal(x->text) : NULL;
            char *name = strdup(v->keys[i]);
            if (!lit || !name) {
                free(lit);
                free(name);
                *err = x->t == J_NUM || x->t == J_BOOL || x->t == J_STR ? "(out of memory)" : "param_values";
                return false;
            }
            r->values[r->value_count++] = (eval_pv){name, lit};
        }
    }
    v = jget(o, "sources");
    if (v) {
        if (v->t != J_OBJ) {
            *err = "sources";
            return false;
        }
        r->sources = v->n ? calloc(v->n, sizeof *r->sources) : NULL;
        if (v->n && !r->sources) {
            *err = "(out of memory)";
            return false;
        }
        for (size_t i = 0; i < v->n; i++) {
            const jval *x = &v->items[i];
            char *end;
            errno = 0;
            uint64_t h = x->t == J_STR ? strtoull(x->text, &end, 16) : 0;
            if (x->t != J_STR || strlen(x->text) != 16 || *end || errno) {
                *err = "sources";
                return false;
            }
            char *path = strdup(v->keys[i]);
            if (!path) {
                *err = "(out of memory)";
                return false;
            }
            r->sources[r->source_count++] = (eval_src){path, h};
        }
    }
    r->attempts = 1;
    v = jget(o, "attempts");
    if (v && (v->t != J_NUM || !cli_parse_u64(v->text, &r->attempts))) {
        *err = "attempts";
        return false;
    }
    return true;
}

// Numbers a reader loops over or hands to `run --seed` must be in range.
static const char *out_of_range(const eval_record *r)
{
    if (r->seed >= EVAL_SEED_LIMIT) return "seed (must be below 2^53)";
    if (r->episodes == 0 || r->episodes > EVAL_EPISODES_MAX) return "episodes (1 to 100000000)";
    if (r->episode >= r->episodes) return "episode (must be below episodes)";
    if (r->scenes == 0 || r->scenes > EVAL_SCENES_MAX) return "scenes (1 to 1000000)";
    if (r->attempts == 0 || r->attempts > EVAL_ATTEMPTS_MAX) return "attempts (1 to 1000)";
    if (!*r->status) return "status (empty)";
    return NULL;
}

bool eval_record_parse(const char *line, eval_record *r, char *err, size_t errlen)
{
    *r = (eval_record){0};
    jparser j = {line, NULL, 0};
    jval root = {0};
    bool ok = parse_value(&j, &root);
    if (ok) {
        skip_ws(&j);
        if (*j.p) ok = fail(&j, "text after the record");
    }
    if (!ok || root.t != J_OBJ) {
        snprintf(err, errlen, "not a JSON object (%s at column %zu)", j.err ? j.err : "not an object",
                 (size_t)(j.p - line) + 1);
        jfree(&root);
        return false;
    }
    const char *dup = dup_key(&root);
    static const char *const objs[] = {"params", "metrics", "safety", "param_values", "sources"};
    for (size_t i = 0; i < sizeof objs / sizeof *objs && !dup; i++) {
        const jval *o = jget(&root, objs[i]);
        if (o) dup = dup_key(o);
    }
    if (dup) {
        snprintf(err, errlen, "key '%.80s' appears twice", dup);
        jfree(&root);
        return false;
    }
    const char *bad = NULL;
    char *hash = NULL;
    ok = get_str(&root, "run_id", &r->run_id, &bad) && get_str(&root, "version", &r->version, &bad) &&
         get_str(&root, "scene", &r->scene, &bad) && get_str(&root, "path", &r->path, &bad) &&
         get_str(&root, "scene_hash", &hash, &bad) && get_str(&root, "policy", &r->policy, &bad) &&
         get_params(&root, r, &bad) && get_u64(&root, "episode", &r->episode, &bad) &&
         get_u64(&root, "episodes", &r->episodes, &bad) && get_u64(&root, "scenes", &r->scenes, &bad) &&
         get_u64(&root, "seed", &r->seed, &bad) && get_str(&root, "status", &r->status, &bad) &&
         get_u64(&root, "steps", &r->steps, &bad) && get_num(&root, "sim_time", &r->sim_time, &bad) &&
         get_num(&root, "wall_time", &r->wall_time, &bad) && get_num(&root, "return", &r->ret, &bad) &&
         get_kvs(&root, "metrics", &r->metrics, &r->metric_count, &bad) &&
         get_kvs(&root, "safety", &r->safety, &r->safety_count, &bad) && get_str(&root, "hash", &r->hash, &bad) &&
         get_str(&root, "message", &r->message, &bad) && get_extras(&root, r, &bad) &&
         (!jget(&root, "instruction") || get_str(&root, "instruction", &r->instruction, &bad));
    if (ok) {
        char *end;
        errno = 0;
        r->scene_hash = strtoull(hash, &end, 16);
        if (strlen(hash) != 16 || *end || errno) {
            ok = false;
            bad = "scene_hash";
        }
    }
    free(hash);
    jfree(&root);
    if (!ok) {
        snprintf(err, errlen, "field '%s' missing or of the wrong type", bad ? bad : "?");
        eval_record_free(r);
        return false;
    }
    const char *range = out_of_range(r);
    if (range) {
        snprintf(err, errlen, "field %s out of range", range);
        eval_record_free(r);
        return false;
    }
    return true;
}

bool eval_status_success(const char *status) { return !strcmp(status, "success"); }

bool eval_status_error(const char *status)
{
    return !strcmp(status, "script_error") || !strcmp(status, "policy_error") || !strcmp(status, "crashed") ||
           !strcmp(status, "timeout_wall");
}

bool eval_status_retry(const char *status) { return !strcmp(status, "policy_error"); }

double eval_record_value(const eval_kv *kv, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(kv[i].name, name)) return kv[i].value;
    return NAN;
}

char *eval_params_key(char *const *params, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++) len += strlen(params[i]) + 1;
    char *s = malloc(len);
    if (!s) return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i) strcat(s, ";");
        strcat(s, params[i]);
    }
    return s;
}

bool eval_record_same_episode(const eval_record *a, const eval_record *b, bool seed)
{
    if (a->scene_hash != b->scene_hash || a->episode != b->episode || (seed && a->seed != b->seed)) return false;
    if (strcmp(a->policy, b->policy) || a->param_count != b->param_count) return false;
    for (size_t i = 0; i < a->param_count; i++)
        if (strcmp(a->params[i], b->params[i])) return false;
    return true;
}

bool eval_set_push(eval_set *s, eval_record *r)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        eval_record *v = realloc(s->v, cap * sizeof *v);
        if (!v) return false;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = *r;
    *r = (eval_record){0};
    return true;
}

void eval_set_free(eval_set *s)
{
    for (size_t i = 0; i < s->n; i++) eval_record_free(&s->v[i]);
    free(s->v);
    *s = (eval_set){0};
}

// Reads one line into *buf (NUL-terminated, newline kept), keeping at most
// `max` bytes: a longer line is consumed to its end with *too_long set.
// *kept is the bytes in *buf, *newline whether the line ended with one.
// Returns the bytes consumed, 0 at EOF.
static size_t read_line(FILE *f, char **buf, size_t *cap, size_t max, size_t *kept, bool *newline, bool *too_long)
{
    size_t total = 0, n = 0;
    *too_long = *newline = false;
    int c;
    while ((c = getc_unlocked(f)) != EOF) {
        total++;
        if (n + 2 > *cap && n < max) {
            size_t nc = *cap ? *cap * 2 : 4096;
            char *b = realloc(*buf, nc);
            if (b) {
                *buf = b;
                *cap = nc;
            }
        }
        if (n < max && n + 2 <= *cap) (*buf)[n++] = (char)c;
        else *too_long = true;
        if (c == '\n') {
            *newline = true;
            break;
        }
    }
    if (*buf) (*buf)[n] = '\0';
    *kept = n;
    return total;
}

static const char *file_kind(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO or pipe" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
           : S_ISDIR(m) ? "a directory" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

bool eval_set_read_fd(eval_set *s, int fd, const char *name, bool truncate_tail, size_t *bad, char *err,
                      size_t errlen)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", name, strerror(e));
        errno = e;
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s is %s, not a results file (results files are regular files)", name,
                 file_kind(st.st_mode));
        errno = EINVAL;
        return false;
    }
    int dfd = dup(fd);
    FILE *f = dfd >= 0 ? fdopen(dfd, "r") : NULL;
    if (!f) {
        int e = errno;
        if (dfd >= 0) close(dfd);
        snprintf(err, errlen, "%s: %s", name, strerror(e));
        errno = e;
        return false;
    }
    if (lseek(dfd, 0, SEEK_SET) != 0) {
        int e = errno;
        fclose(f);
        snprintf(err, errlen, "%s: %s", name, strerror(e));
        errno = e;
        return false;
    }
    char *line = NULL;
    size_t cap = 0, len, total;
    bool too_long, newline;
    size_t lineno = 0;
    off_t good_end = 0; // end of the last complete line
    bool cut = false;
    char perr[PS_ERR_LEN];
    while ((total = read_line(f, &line, &cap, EVAL_RECORD_MAX, &len, &newline, &too_long)) > 0) {
        lineno++;
        if (!newline && truncate_tail) {
            fprintf(stderr, "pilotsim: %s:%zu: last line is incomplete (a write cut short); dropping it\n", name,
                    lineno);
            cut = true;
            break;
        }
        good_end += (off_t)total;
        if (too_long) {
            fprintf(stderr, "pilotsim: %s:%zu: not an episode record: a line of more than %zu bytes\n", name, lineno,
                    EVAL_RECORD_MAX);
            if (bad) (*bad)++;
            continue;
        }
        if (strlen(line) != len) {
            fprintf(stderr, "pilotsim: %s:%zu: not an episode record: a NUL byte\n", name, lineno);
            if (bad) (*bad)++;
            continue;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len == 0) continue;
        eval_record r;
        if (!eval_record_parse(line, &r, perr, sizeof perr)) {
            fprintf(stderr, "pilotsim: %s:%zu: not an episode record: %s\n", name, lineno, perr);
            if (bad) (*bad)++;
            continue;
        }
        if (!eval_set_push(s, &r)) {
            eval_record_free(&r);
            free(line);
            fclose(f);
            snprintf(err, errlen, "%s: out of memory", name);
            errno = ENOMEM;
            return false;
        }
    }
    free(line);
    bool read_error = ferror(f);
    fclose(f);
    if (read_error) {
        snprintf(err, errlen, "%s: read error", name);
        errno = EIO;
        return false;
    }
    if (cut && ftruncate(fd, good_end) != 0) {
        snprintf(err, errlen, "%s: cannot cut the incomplete last line: %s", name, strerror(errno));
        return false;
    }
    return true;
}

bool eval_set_read(eval_set *s, const char *path, size_t *bad, char *err, size_t errlen)
{
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        errno = e;
        return false;
    }
    bool ok = eval_set_read_fd(s, fd, path, false, bad, err, errlen);
    int e = errno;
    close(fd);
    errno = e;
    return ok;
}

static bool same_sources(const eval_record *a, const eval_record *b)
{
    if (a->source_count != b->source_count) return false;
    for (size_t i = 0; i < a->source_count; i++)
        if (strcmp(a->sources[i].path, b->sources[i].path) || a->sources[i].hash != b->sources[i].hash) return false;
    return true;
}

static int rec_order(const void *a, const void *b)
{
    const eval_record *x = *(eval_record *const *)a, *y = *(eval_record *const *)b;
    if (x->scene_hash != y->scene_hash) return x->scene_hash < y->scene_hash ? -1 : 1;
    if (x->episode != y->episode) return x->episode < y->episode ? -1 : 1;
    if (x->seed != y->seed) return x->seed < y->seed ? -1 : 1;
    return x < y ? -1 : x > y; // file order
}

void eval_set_drop_superseded(eval_set *s)
{
    if (s->n < 2) return;
    // Sorted pointers group the candidates; within a group, file order.
    eval_record **p = malloc(s->n * sizeof *p);
    bool *drop = calloc(s->n, sizeof *drop);
    if (!p || !drop) {
        free(p);
        free(drop);
        return;
    }
    for (size_t i = 0; i < s->n; i++) p[i] = &s->v[i];
    qsort(p, s->n, sizeof *p, rec_order);
    for (size_t i = 0; i < s->n; i++) {
        const eval_record *a = p[i];
        for (size_t k = i + 1; k < s->n && p[k]->scene_hash == a->scene_hash && p[k]->episode == a->episode &&
                               p[k]->seed == a->seed; k++) {
            const eval_record *b = p[k];
            if (!eval_record_same_episode(a, b, true) || strcmp(a->scene, b->scene)) continue;
            if (eval_status_retry(a->status) || !same_sources(a, b)) {
                drop[a - s->v] = true;
                break;
            }
        }
    }
    free(p);
    size_t o = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (drop[i]) eval_record_free(&s->v[i]);
        else s->v[o++] = s->v[i];
    }
    free(drop);
    s->n = o;
}

int eval_results_open(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s is %s: results are written to a regular file", path, file_kind(st.st_mode));
        return -1;
    }
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) { // replaced since the stat
        snprintf(err, errlen, "%s is %s: results are written to a regular file", path, file_kind(st.st_mode));
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            snprintf(err, errlen, "%s is in use: another pilotsim process holds its lock (two evals must not write "
                                  "one results file); wait for it or give another --out", path);
        else snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (st.st_size == 0) return fd;
    // The first line must be an episode record; a first record cut short
    // (the only line, without its newline, in pilotsim's own opening) is one
    // a crash left, which resume drops.
    size_t want = EVAL_RECORD_MAX + 1;
    char *buf = malloc(want + 1);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return -1;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t n = pread(fd, buf + got, want - got, (off_t)got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    char *nl = memchr(buf, '\n', got);
    const char *prefix = "{\"run_id\":\"";
    bool ok;
    char why[256] = "";
    if (nl) {
        *nl = '\0';
        eval_record r;
        ok = strlen(buf) == (size_t)(nl - buf) && eval_record_parse(buf, &r, why, sizeof why);
        if (ok) eval_record_free(&r);
        else if (!why[0]) snprintf(why, sizeof why, "a NUL byte");
    } else {
        ok = (off_t)got == st.st_size && got <= EVAL_RECORD_MAX && strlen(buf) == got &&
             !strncmp(buf, prefix, got < strlen(prefix) ? got : strlen(prefix));
        snprintf(why, sizeof why, "no line break in its first %zu bytes", got);
    }
    free(buf);
    if (!ok) {
        snprintf(err, errlen, "%s is not a pilotsim results file (line 1 is not an episode record: %s); refusing to "
                              "write to it", path, why);
        close(fd);
        return -1;
    }
    return fd;
}
