// pilotsim merge (shard files into one run) and pilotsim compare (two runs'
// success rates, Fisher's exact test).
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "eval.h"
#include "dataset.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

// Reads the files into `set`; in each, records a later one supersedes (a
// policy_error retried, an episode rerun after an edit) are dropped.
static bool read_files(eval_set *set, char **files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t bad = 0;
        char err[PS_ERR_LEN];
        eval_set one = {0};
        if (!eval_set_read(&one, files[i], &bad, err, sizeof err)) {
            fprintf(stderr, "error: %s\n", err);
            eval_set_free(&one);
            return false;
        }
        if (bad) {
            fprintf(stderr, "error: %s: %zu line%s not episode records\n", files[i], bad, bad == 1 ? " is" : "s are");
            eval_set_free(&one);
            return false;
        }
        eval_set_drop_superseded(&one);
        for (size_t k = 0; k < one.n; k++)
            if (!eval_set_push(set, &one.v[k])) {
                fprintf(stderr, "error: out of memory\n");
                eval_set_free(&one);
                return false;
            }
        eval_set_free(&one);
    }
    return true;
}

int cmd_merge(int argc, char **argv)
{
    const char *out = NULL, *junit = NULL;
    double min_success = -1;
    for (int i = 1; i < argc; i++) // HDF5 inputs: the shards of a dataset (dataset_merge.c)
        if (argv[i][0] != '-' && (i == 1 || strcmp(argv[i - 1], "--out")) && ds_is_hdf5(argv[i]))
            return ds_merge(argc, argv);
    const cli_opt opts[] = {
        {.name = "--out", .kind = CLI_STRING, .metavar = "FILE", .target = &out, .need = "a file",
         .help = "write the merged records (JSONL) or, for datasets, the merged dataset (required then; it must "
                 "not exist)"},
        {.name = "--junit", .kind = CLI_STRING, .metavar = "FILE", .target = &junit, .need = "a file",
         .help = "write a JUnit XML report"},
        eval_min_success_opt(&min_success, "per-scene threshold on the success rate (as eval's)"),
        {0},
    };
    const cli_cmd cmd = {
        .name = "merge",
        .synopsis = "A.jsonl B.jsonl ... [--out FILE] [--junit FILE] [--min-success X]\n"
                    "A.hdf5 B.hdf5 ... --out ALL.hdf5",
        .about = "Combines the JSONL files of an eval run's shards: checks that every episode of the run is "
                 "present exactly once (each record names its scene's episode count and the run's scene count), "
                 "sorts the records by (scene, episode), writes them to --out and prints the same report as eval. "
                 "Within one file, a record that a later record of the same episode supersedes (a policy_error "
                 "retried, an episode rerun after its scene or policy changed) is dropped.\n"
                 "With HDF5 files, joins the datasets of a run's shards (pilotsim record --shard, eval --record): "
                 "they must come from the same run (equal env_args), and together hold every demo of the run "
                 "(scenes x episodes) exactly once. Writes ALL (which must not exist) with the demos in order, "
                 "`total` and the masks rebuilt.",
        .opts = opts,
        .exits = "0 every test passed (datasets: merged), 1 a test failed, 2 usage error (also\n"
                 "            an --out that is not a results file), 3 unreadable file, a record out of\n"
                 "            range, missing or duplicate episodes (or demos), another run's dataset, a\n"
                 "            write error, or any script_error, policy_error, crashed or timeout_wall\n"
                 "            episode\n",
        .pos_name = "FILE",
        .min_pos = 1,
    };
    char **files = calloc((size_t)argc, sizeof *files);
    size_t nfiles = 0;
    if (!files) return EXIT_RUNTIME;
    int prc = cli_parse(&cmd, argc, argv, (const char **)files, &nfiles);
    if (prc != CLI_CONTINUE) {
        free(files);
        return prc;
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
                if (shown < 20) {
                    shown++;
                    fprintf(stderr, "merge: duplicate: %s (%s, policy '%s') episode %llu\n", r->scene, r->path,
                            r->policy, (unsigned long long)r->episode);
                }
                continue;
            }
            // Gaps are counted, and only the first few printed: no loop over them.
            for (uint64_t e = expect; e < r->episode && shown < 20; e++, shown++)
                fprintf(stderr, "merge: missing: %s (%s, policy '%s') episode %llu\n", r->scene, r->path,
                        r->policy, (unsigned long long)e);
            missing += (size_t)(r->episode - expect);
            expect = r->episode + 1;
        }
        for (uint64_t e = expect; e < n_ep && shown < 20; e++, shown++)
            fprintf(stderr, "merge: missing: %s (%s, policy '%s') episode %llu\n", sr[i].r->scene, sr[i].r->path,
                    sr[i].r->policy, (unsigned long long)e);
        if (n_ep > expect) missing += (size_t)(n_ep - expect);
        i = j;
    }
    bool scene_gap = ngroups != scenes;
    if (scene_gap)
        fprintf(stderr, "merge: the run has %llu (scene, policy) pair%s, the files hold records of %zu: %s\n",
                (unsigned long long)scenes, scenes == 1 ? "" : "s", ngroups,
                ngroups < scenes ? "a shard file is missing" : "the files come from different runs");
    if (missing || dups || scene_gap) {
        if (missing + dups > shown) fprintf(stderr, "merge: ... and %zu more\n", missing + dups - shown);
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
        // Only a new file, an empty one or a results file is rewritten.
        char oerr[PS_ERR_LEN];
        int fd = eval_results_open(out, oerr, sizeof oerr);
        if (fd < 0) {
            fprintf(stderr, "pilotsim merge: --out %s\n", oerr);
            rc = EXIT_USAGE;
            goto done;
        }
        FILE *f = ftruncate(fd, 0) == 0 ? fdopen(fd, "a") : NULL;
        if (!f) {
            fprintf(stderr, "error: cannot write %s: %s\n", out, strerror(errno));
            close(fd);
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
    size_t errors = 0;
    for (size_t i = 0; i < ngroups; i++) errors += sum[i].errors;
    rc = errors ? EXIT_RUNTIME : failed ? EXIT_EPISODE_FAILED : EXIT_OK;
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

typedef eval_rate rate;

int cmd_compare(int argc, char **argv)
{
    double alpha = 0.05;
    const cli_opt opts[] = {
        eval_alpha_opt(&alpha, "significance level, 0 < A < 1 (default 0.05)"),
        {0},
    };
    const cli_cmd cmd = {
        .name = "compare",
        .synopsis = "A.jsonl B.jsonl [--alpha A]",
        .about = "Prints, per scene name, the success rates of two eval runs and whether they differ "
                 "significantly: Fisher's exact test, two-sided, per scene, with the Holm-Bonferroni correction "
                 "across the scenes compared (the chance of any false difference among them stays at most A). "
                 "policy_error episodes are left out of the rates.",
        .opts = opts,
        .exits = "0 no significant difference, 1 a scene differs significantly (after the\n"
                 "            correction), 2 usage error, 3 unreadable file\n",
        .pos_name = "two JSONL files",
        .min_pos = 2,
        .max_pos = 2,
    };
    char *files[2];
    size_t nfiles;
    int prc = cli_parse(&cmd, argc, argv, (const char **)files, &nfiles);
    if (prc != CLI_CONTINUE) return prc;
    eval_set a = {0}, b = {0};
    int rc = EXIT_RUNTIME;
    rate *r = NULL;
    double *p = NULL, *adj = NULL;
    if (!read_files(&a, &files[0], 1) || !read_files(&b, &files[1], 1)) goto done;
    size_t n = 0;
    if (!(r = eval_compare_rates(&a, &b, &n))) goto done;
    p = calloc(n + 1, sizeof *p);
    adj = calloc(n + 1, sizeof *adj);
    if (!p || !adj) goto done;
    for (size_t i = 0; i < n; i++)
        p[i] = r[i].a_n && r[i].b_n ? eval_fisher_exact(r[i].a_ok, r[i].a_n - r[i].a_ok, r[i].b_ok, r[i].b_n - r[i].b_ok)
                                    : NAN;
    if (!eval_holm(p, n, adj)) goto done;
    int wname = 5;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(r[i].scene) > wname) wname = (int)strlen(r[i].scene);
    printf("A: %s\nB: %s\n", files[0], files[1]);
    printf("%-*s  %-18s  %-18s  %8s  %8s  %s\n", wname, "scene", "A success", "B success", "p", "p (Holm)",
           "difference");
    size_t significant = 0, compared = 0;
    for (size_t i = 0; i < n; i++) {
        const rate *x = &r[i];
        char sa[40], sb[40];
        if (x->a_n) snprintf(sa, sizeof sa, "%zu/%zu %.1f%%", x->a_ok, x->a_n, 100.0 * (double)x->a_ok / (double)x->a_n);
        else snprintf(sa, sizeof sa, "-");
        if (x->b_n) snprintf(sb, sizeof sb, "%zu/%zu %.1f%%", x->b_ok, x->b_n, 100.0 * (double)x->b_ok / (double)x->b_n);
        else snprintf(sb, sizeof sb, "-");
        if (isnan(p[i])) {
            printf("%-*s  %-18s  %-18s  %8s  %8s  %s\n", wname, x->scene, sa, sb, "-", "-",
                   x->a_n ? "only in A" : x->b_n ? "only in B" : "no rated episode");
            continue;
        }
        compared++;
        bool sig = adj[i] < alpha;
        significant += sig;
        const char *what = !sig ? "not significant"
                           : (double)x->b_ok * (double)x->a_n > (double)x->a_ok * (double)x->b_n ? "B higher (significant)"
                                                                                                   : "A higher (significant)";
        printf("%-*s  %-18s  %-18s  %8.4f  %8.4f  %s\n", wname, x->scene, sa, sb, p[i], adj[i], what);
    }
    printf("compare: Fisher's exact test, two-sided, Holm-Bonferroni across %zu scene%s, alpha %g: %zu significant "
           "difference%s\n",
           compared, compared == 1 ? "" : "s", alpha, significant, significant == 1 ? "" : "s");
    rc = significant ? EXIT_EPISODE_FAILED : EXIT_OK;
done:
    free(r);
    free(p);
    free(adj);
    eval_set_free(&a);
    eval_set_free(&b);
    return rc;
}
