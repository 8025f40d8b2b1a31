// pilotsim report: the HTML report of one or more eval runs' JSONL files.
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "eval.h"
#include "report_media.h"

#include <stdlib.h>
#include <string.h>

int cmd_report(int argc, char **argv)
{
    const char *html = NULL, *junit = NULL;
    double min_success = -1, alpha = 0.05, max_mb = 4;
    uint64_t videos = 0;
    const cli_opt opts[] = {
        {.name = "--html", .kind = CLI_STRING, .metavar = "OUT.html", .target = &html, .need = "a file",
         .help = "the report to write (required)"},
        {.name = "--junit", .kind = CLI_STRING, .metavar = "FILE", .target = &junit, .need = "a file",
         .help = "link this JUnit file from the report"},
        eval_min_success_opt(&min_success, "the per-scene test shown (as eval's)"),
        eval_alpha_opt(&alpha, "significance level of the comparisons (default 0.05)"),
        {.name = "--videos", .kind = CLI_U64, .metavar = "N", .target = &videos, .lo = 0, .hi = 1000,
         .need = "a count of episodes per scene in 0..1000",
         .help = "embed a short video (MP4, 320x180, 10 frames per simulated second; a PNG of the final state "
                 "when built without video) of up to N episodes that did not succeed per scene, lowest episode "
                 "index first, re-run headless (EGL) from their records (path, seed, --param overrides, policy); "
                 "needs the renderer (PILOTSIM_RENDER)"},
        {.name = "--videos-max-mb", .kind = CLI_DOUBLE, .metavar = "M", .target = &max_mb, .lo = 0, .hi = 1000,
         .need = "a size in MB in [0, 1000]",
         .help = "media embedded in all at most M MB (default 4); clips past it are left out, and the report "
                 "says so"},
        {0},
    };
    const cli_cmd cmd = {
        .name = "report",
        .synopsis = "RESULTS.jsonl... --html OUT.html [--junit FILE] [--min-success X] [--alpha A]\n"
                    "RESULTS.jsonl... --html OUT.html --videos N [--videos-max-mb M]",
        .about = "Writes one self-contained HTML file (inline CSS and SVG charts, no script, no network) of eval "
                 "runs: per scene the success rate with its Wilson 95% interval, statuses, mean return, safety "
                 "violations, steps/s, metric distributions, every failed episode with its message, seed, params "
                 "and the command that replays it, and the runs' metadata. With two files or more, the first is "
                 "compared with each other one side by side (Fisher's exact test per scene, Holm-Bonferroni "
                 "across scenes at --alpha, default 0.05, as `compare`). Each file is one run (a merged shard "
                 "set, or one eval's --out).",
        .opts = opts,
        .exits = "0 written, 2 usage error (also an OUT that is not a report), 3 unreadable\n"
                 "            input or unwritable OUT\n",
        .pos_name = "RESULTS.jsonl",
        .min_pos = 1,
    };
    char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t nfiles = 0;
    if (!files) return EXIT_RUNTIME;
    int rc = cli_parse(&cmd, argc, argv, (const char **)files, &nfiles);
    if (rc != CLI_CONTINUE) {
        free(files);
        return rc;
    }
    rc = EXIT_USAGE;
    if (!html) {
        cli_usage_error(&cmd, "missing --html OUT.html");
        goto done;
    }
    char err[PS_ERR_LEN] = "";
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
