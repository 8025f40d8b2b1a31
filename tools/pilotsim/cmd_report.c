// pilotsim report: the HTML report of one or more eval runs' JSONL files.
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "eval.h"
#include "report_media.h"

#include <stdlib.h>
#include <string.h>

static void report_usage(FILE *f)
{
    fputs("usage: pilotsim report RESULTS.jsonl... --html OUT.html [--junit FILE] [--min-success X]\n"
          "                       [--alpha A] [--videos N [--videos-max-mb M]]\n"
          "Writes one self-contained HTML file (inline CSS and SVG charts, no script, no network)\n"
          "of eval runs: per scene the success rate with its Wilson 95% interval, statuses, mean\n"
          "return, safety violations, steps/s, metric distributions, every failed episode with its\n"
          "message, seed, params and the command that replays it, and the runs' metadata. With two\n"
          "files or more, the first is compared with each other one side by side (Fisher's exact\n"
          "test per scene, Holm-Bonferroni across scenes at --alpha, default 0.05, as `compare`).\n"
          "Each file is one run (a merged shard set, or one eval's --out).\n"
          "  --junit FILE      link this JUnit file from the report\n"
          "  --min-success X   the per-scene test shown (as eval's)\n"
          "  --videos N        embed a short video (MP4, 320x180, 10 frames per simulated second;\n"
          "                    a PNG of the final state when built without video) of up to N\n"
          "                    episodes that did not succeed per scene, lowest episode index first,\n"
          "                    re-run headless (EGL) from their records (path, seed, --param\n"
          "                    overrides, policy); needs the renderer (PILOTSIM_RENDER)\n"
          "  --videos-max-mb M media embedded in all at most M MB (default 4); clips past it are\n"
          "                    left out, and the report says so\n"
          "exit codes: 0 written, 2 usage error (also an OUT that is not a report), 3 unreadable\n"
          "            input or unwritable OUT\n",
          f);
}

int cmd_report(int argc, char **argv)
{
    const char *html = NULL, *junit = NULL;
    double min_success = -1, alpha = 0.05, max_mb = 4;
    uint64_t videos = 0;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t nfiles = 0;
    if (!files) return EXIT_RUNTIME;
    const char *v;
    int rc = EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            report_usage(stdout);
            free(files);
            return EXIT_OK;
        } else if ((v = cli_opt_value(argc, argv, &i, "--html"))) {
            html = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--junit"))) {
            junit = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--min-success"))) {
            if (!eval_parse_fraction(v, &min_success)) {
                fprintf(stderr, "pilotsim report: --min-success needs a rate in [0, 1] or a percentage, got '%s'\n", v);
                goto done;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--alpha"))) {
            char *end;
            alpha = strtod(v, &end);
            if (end == v || *end || !(alpha > 0 && alpha < 1)) {
                fprintf(stderr, "pilotsim report: --alpha needs a level between 0 and 1, got '%s'\n", v);
                goto done;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--videos"))) {
            if (!cli_parse_u64(v, &videos) || videos > 1000) {
                fprintf(stderr, "pilotsim report: --videos needs a count of episodes per scene in 0..1000, got '%s'\n", v);
                goto done;
            }
        } else if ((v = cli_opt_value(argc, argv, &i, "--videos-max-mb"))) {
            char *end;
            max_mb = strtod(v, &end);
            if (end == v || *end || !(max_mb >= 0 && max_mb <= 1000)) {
                fprintf(stderr, "pilotsim report: --videos-max-mb needs a size in MB in [0, 1000], got '%s'\n", v);
                goto done;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "pilotsim report: unknown option '%s'\n", a);
            report_usage(stderr);
            goto done;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!nfiles || !html || !*html) {
        fprintf(stderr, "pilotsim report: %s\n", nfiles ? "missing --html OUT.html" : "missing RESULTS.jsonl");
        report_usage(stderr);
        goto done;
    }
    char err[4400] = "";
    if (videos && !report_media_available(err, sizeof err)) {
        fprintf(stderr, "pilotsim report: --videos: %s\n", err);
        goto done;
    }
    if (!eval_html_target_ok(html, err, sizeof err)) {
        fprintf(stderr, "pilotsim report: --html %s\n", err);
        goto done;
    }
    rc = EXIT_RUNTIME;
    eval_set *sets = calloc(nfiles, sizeof *sets);
    eval_html_run *runs = calloc(nfiles, sizeof *runs);
    report_media *media = calloc(nfiles, sizeof *media);
    bool ok = sets && runs && media;
    for (size_t i = 0; ok && i < nfiles; i++) {
        size_t bad = 0;
        if (!eval_set_read(&sets[i], files[i], &bad, err, sizeof err)) {
            fprintf(stderr, "error: %s\n", err);
            ok = false;
        } else if (bad) {
            fprintf(stderr, "error: %s: %zu line%s not episode records\n", files[i], bad, bad == 1 ? " is" : "s are");
            ok = false;
        } else if (!sets[i].n) {
            fprintf(stderr, "error: %s holds no records\n", files[i]);
            ok = false;
        }
        if (!ok) break;
        eval_set_drop_superseded(&sets[i]);
        runs[i] = (eval_html_run){files[i], files[i], nfiles == 1 ? junit : NULL, &sets[i], 0, -1, NULL};
    }
    // The media cap holds for the whole report: each run gets what the earlier ones left.
    size_t cap = (size_t)(max_mb * 1e6), used = 0;
    for (size_t i = 0; ok && videos && i < nfiles; i++) {
        if (!report_media_render(&media[i], &sets[i], (size_t)videos, cap > used ? cap - used : 0, stderr, err,
                                 sizeof err)) {
            fprintf(stderr, "error: %s\n", err);
            ok = false;
            break;
        }
        used += media[i].bytes;
        runs[i].media = &media[i];
    }
    if (ok && !eval_html(html, runs, nfiles, min_success, alpha, err, sizeof err)) {
        fprintf(stderr, "error: %s\n", err);
        ok = false;
    }
    if (ok) {
        fprintf(stderr, "report: %s\n", html);
        rc = EXIT_OK;
    }
    for (size_t i = 0; sets && i < nfiles; i++) eval_set_free(&sets[i]);
    for (size_t i = 0; media && i < nfiles; i++) report_media_free(&media[i]);
    free(media);
    free(sets);
    free(runs);
done:
    free(files);
    return rc;
}
