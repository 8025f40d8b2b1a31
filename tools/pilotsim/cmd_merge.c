// pilotsim merge (shard files into one run) and pilotsim compare (two runs'
// success rates, Fisher's exact test).
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "eval.h"
#include "dataset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void merge_usage(FILE *f)
{
    fputs("usage: pilotsim merge A.jsonl B.jsonl ... [--out FILE] [--junit FILE] [--min-success X]\n"
          "Combines the JSONL files of an eval run's shards: checks that every episode of the\n"
          "run is present exactly once (each record names its scene's episode count and the\n"
          "run's scene count), sorts the records by (scene, episode), writes them to --out and\n"
          "prints the same report as eval.\n"
          "exit codes: 0 every test passed, 1 a test failed, 2 usage error,\n"
          "            3 unreadable file, missing or duplicate episodes\n",
          f);
}

static void compare_usage(FILE *f)
{
    fputs("usage: pilotsim compare A.jsonl B.jsonl\n"
          "Prints, per scene name, the success rates of two eval runs and whether they differ\n"
          "significantly (Fisher's exact test, two-sided, alpha 0.05). Exits 0 (2 usage error,\n"
          "3 unreadable file).\n",
          f);
}

typedef struct sorted_rec {
    eval_record *r;
    char *pkey; // params key
} sorted_rec;

static int rec_cmp(const void *a, const void *b)
{
    const sorted_rec *x = a, *y = b;
    int c = strcmp(x->r->scene, y->r->scene);
    if (c) return c;
    if (x->r->scene_hash != y->r->scene_hash) return x->r->scene_hash < y->r->scene_hash ? -1 : 1;
    if ((c = strcmp(x->r->policy, y->r->policy))) return c;
    if ((c = strcmp(x->pkey, y->pkey))) return c;
    if (x->r->episode != y->r->episode) return x->r->episode < y->r->episode ? -1 : 1;
    if (x->r->seed != y->r->seed) return x->r->seed < y->r->seed ? -1 : 1;
    return 0;
}

static bool same_group(const sorted_rec *x, const sorted_rec *y)
{
    return x->r->scene_hash == y->r->scene_hash && !strcmp(x->r->scene, y->r->scene) &&
           !strcmp(x->r->policy, y->r->policy) && !strcmp(x->pkey, y->pkey);
}

static bool read_files(eval_set *set, char **files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t bad = 0;
        if (!eval_set_read(set, files[i], false, &bad)) {
            fprintf(stderr, "error: %s: %s\n", files[i], strerror(errno));
            return false;
        }
        if (bad) {
            fprintf(stderr, "error: %s: %zu line%s not episode records\n", files[i], bad, bad == 1 ? " is" : "s are");
            return false;
        }
    }
    return true;
}

int cmd_merge(int argc, char **argv)
{
    const char *out = NULL, *junit = NULL;
    double min_success = -1;
    char **files = calloc((size_t)argc, sizeof *files);
    size_t nfiles = 0;
    if (!files) return EXIT_RUNTIME;
    const char *v;
    for (int i = 1; i < argc; i++) // HDF5 inputs: the shards of a dataset (dataset_merge.c)
        if (argv[i][0] != '-' && (i == 1 || strcmp(argv[i - 1], "--out")) && ds_is_hdf5(argv[i])) {
            free(files);
            return ds_merge(argc, argv);
        }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            merge_usage(stdout);
            free(files);
            return EXIT_OK;
        } else if ((v = cli_opt_value(argc, argv, &i, "--out"))) {
            out = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--junit"))) {
            junit = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--min-success"))) {
            if (!eval_parse_fraction(v, &min_success)) {
                fprintf(stderr, "pilotsim merge: --min-success needs a rate in [0, 1] or a percentage, got '%s'\n", v);
                free(files);
                return EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "pilotsim merge: unknown option '%s'\n", a);
            merge_usage(stderr);
            free(files);
            return EXIT_USAGE;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!nfiles || (out && !*out) || (junit && !*junit)) {
        fprintf(stderr, "pilotsim merge: %s\n", nfiles ? "--out and --junit need a file" : "missing JSONL files");
        merge_usage(stderr);
        free(files);
        return EXIT_USAGE;
    }
    int rc = EXIT_RUNTIME;
    eval_set set = {0};
    sorted_rec *sr = NULL;
    eval_summary *sum = NULL;
    size_t *grp = NULL;
    eval_record *sorted = NULL;
    size_t ngroups = 0;
    if (!read_files(&set, files, nfiles)) goto done;
    sr = calloc(set.n ? set.n : 1, sizeof *sr);
    if (!sr) goto done;
    for (size_t i = 0; i < set.n; i++) {
        sr[i].r = &set.v[i];
        if (!(sr[i].pkey = eval_params_key(set.v[i].params, set.v[i].param_count))) goto done;
    }
    qsort(sr, set.n, sizeof *sr, rec_cmp);

    // Every (scene, policy, params) group must hold episodes 0..N-1 once each,
    // and the run's scene count must match the groups.
    size_t missing = 0, dups = 0, shown = 0;
    uint64_t scenes = 0;
    for (size_t i = 0; i < set.n; i++)
        if (set.v[i].scenes > scenes) scenes = set.v[i].scenes;
    for (size_t i = 0; i < set.n;) {
        size_t j = i;
        uint64_t n_ep = 0;
        while (j < set.n && same_group(&sr[i], &sr[j])) {
            if (sr[j].r->episodes > n_ep) n_ep = sr[j].r->episodes;
            j++;
        }
        ngroups++;
        uint64_t expect = 0;
        for (size_t k = i; k < j; k++) {
            const eval_record *r = sr[k].r;
            if (k > i && r->episode == sr[k - 1].r->episode) {
                dups++;
                if (shown++ < 20)
                    fprintf(stderr, "merge: duplicate: %s (%s, policy '%s') episode %llu\n", r->scene, r->path,
                            r->policy, (unsigned long long)r->episode);
                continue;
            }
            for (; expect < r->episode; expect++) {
                missing++;
                if (shown++ < 20)
                    fprintf(stderr, "merge: missing: %s (%s, policy '%s') episode %llu\n", r->scene, r->path,
                            r->policy, (unsigned long long)expect);
            }
            expect = r->episode + 1;
        }
        for (; expect < n_ep; expect++) {
            missing++;
            if (shown++ < 20)
                fprintf(stderr, "merge: missing: %s (%s, policy '%s') episode %llu\n", sr[i].r->scene, sr[i].r->path,
                        sr[i].r->policy, (unsigned long long)expect);
        }
        i = j;
    }
    bool scene_gap = ngroups != scenes;
    if (scene_gap)
        fprintf(stderr, "merge: the run has %llu (scene, policy) pair%s, the files hold records of %zu: %s\n",
                (unsigned long long)scenes, scenes == 1 ? "" : "s", ngroups,
                ngroups < scenes ? "a shard file is missing" : "the files come from different runs");
    if (missing || dups || scene_gap) {
        if (shown > 20) fprintf(stderr, "merge: ... and %zu more\n", shown - 20);
        fprintf(stderr, "merge: %zu missing, %zu duplicate episode%s; nothing written\n", missing, dups,
                dups == 1 ? "" : "s");
        goto done;
    }
    if (!set.n) {
        fprintf(stderr, "merge: no records\n");
        goto done;
    }

    // Sorted copy, summaries per group.
    sorted = calloc(set.n, sizeof *sorted);
    grp = calloc(set.n, sizeof *grp);
    sum = calloc(ngroups, sizeof *sum);
    if (!sorted || !grp || !sum) goto done;
    size_t g = 0;
    for (size_t i = 0; i < set.n; i++) {
        if (i && !same_group(&sr[i - 1], &sr[i])) g++;
        sorted[i] = *sr[i].r;
        grp[i] = g;
        eval_summary_add(&sum[g], sr[i].r);
        if (sr[i].r->episodes > sum[g].planned) sum[g].planned = sr[i].r->episodes;
    }
    if (out) {
        FILE *f = fopen(out, "w");
        if (!f) {
            fprintf(stderr, "error: cannot open %s: %s\n", out, strerror(errno));
            goto done;
        }
        for (size_t i = 0; i < set.n; i++) eval_record_write(f, &sorted[i]);
        bool ok = fflush(f) == 0 && !ferror(f);
        if (fclose(f) != 0 || !ok) {
            fprintf(stderr, "error: writing %s failed\n", out);
            goto done;
        }
    }
    fprintf(stderr, "merge: %zu records from %zu file%s\n", set.n, nfiles, nfiles == 1 ? "" : "s");
    eval_report_opts ro = {min_success, false};
    size_t failed = eval_report(stdout, sum, ngroups, &ro);
    if (junit && !eval_junit(junit, sum, ngroups, sorted, grp, set.n, &ro)) {
        fprintf(stderr, "error: cannot write %s: %s\n", junit, strerror(errno));
        goto done;
    }
    rc = failed ? EXIT_EPISODE_FAILED : EXIT_OK;
done:
    if (sr)
        for (size_t i = 0; i < set.n; i++) free(sr[i].pkey);
    free(sr);
    free(sorted); // shallow copies: the set owns the strings
    free(grp);
    free(sum);
    eval_set_free(&set);
    free(files);
    return rc;
}

// ---------------------------------------------------------------- compare

typedef struct rate {
    const char *scene;
    size_t a_ok, a_n, b_ok, b_n;
} rate;

static rate *find_rate(rate *v, size_t *n, const char *scene)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(v[i].scene, scene)) return &v[i];
    v[*n] = (rate){.scene = scene};
    return &v[(*n)++];
}

int cmd_compare(int argc, char **argv)
{
    char *files[2];
    size_t nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            compare_usage(stdout);
            return EXIT_OK;
        }
        if ((argv[i][0] == '-' && argv[i][1]) || nfiles == 2) {
            fprintf(stderr, "pilotsim compare: unexpected argument '%s'\n", argv[i]);
            compare_usage(stderr);
            return EXIT_USAGE;
        }
        files[nfiles++] = argv[i];
    }
    if (nfiles != 2) {
        fprintf(stderr, "pilotsim compare: needs two JSONL files\n");
        compare_usage(stderr);
        return EXIT_USAGE;
    }
    eval_set a = {0}, b = {0};
    int rc = EXIT_RUNTIME;
    rate *v = NULL;
    if (!read_files(&a, &files[0], 1) || !read_files(&b, &files[1], 1)) goto done;
    v = calloc(a.n + b.n + 1, sizeof *v);
    if (!v) goto done;
    size_t n = 0;
    int wname = 5;
    for (size_t i = 0; i < a.n; i++) {
        rate *r = find_rate(v, &n, a.v[i].scene);
        r->a_n++;
        r->a_ok += eval_status_success(a.v[i].status);
    }
    for (size_t i = 0; i < b.n; i++) {
        rate *r = find_rate(v, &n, b.v[i].scene);
        r->b_n++;
        r->b_ok += eval_status_success(b.v[i].status);
    }
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(v[i].scene) > wname) wname = (int)strlen(v[i].scene);
    printf("A: %s\nB: %s\n", files[0], files[1]);
    printf("%-*s  %-18s  %-18s  %8s  %s\n", wname, "scene", "A success", "B success", "p", "difference");
    size_t significant = 0, compared = 0;
    for (size_t i = 0; i < n; i++) {
        const rate *r = &v[i];
        char sa[40], sb[40];
        if (r->a_n) snprintf(sa, sizeof sa, "%zu/%zu %.1f%%", r->a_ok, r->a_n, 100.0 * (double)r->a_ok / (double)r->a_n);
        else snprintf(sa, sizeof sa, "-");
        if (r->b_n) snprintf(sb, sizeof sb, "%zu/%zu %.1f%%", r->b_ok, r->b_n, 100.0 * (double)r->b_ok / (double)r->b_n);
        else snprintf(sb, sizeof sb, "-");
        if (!r->a_n || !r->b_n) {
            printf("%-*s  %-18s  %-18s  %8s  %s\n", wname, r->scene, sa, sb, "-", r->a_n ? "only in A" : "only in B");
            continue;
        }
        compared++;
        double p = eval_fisher_exact(r->a_ok, r->a_n - r->a_ok, r->b_ok, r->b_n - r->b_ok);
        bool sig = p < 0.05;
        significant += sig;
        const char *what = !sig ? "not significant"
                           : (double)r->b_ok * (double)r->a_n > (double)r->a_ok * (double)r->b_n ? "B higher (significant)"
                                                                                                   : "A higher (significant)";
        printf("%-*s  %-18s  %-18s  %8.4f  %s\n", wname, r->scene, sa, sb, p, what);
    }
    printf("compare: Fisher's exact test, two-sided, alpha 0.05: %zu scene%s compared, %zu significant "
           "difference%s\n",
           compared, compared == 1 ? "" : "s", significant, significant == 1 ? "" : "s");
    rc = EXIT_OK;
done:
    free(v);
    eval_set_free(&a);
    eval_set_free(&b);
    return rc;
}
