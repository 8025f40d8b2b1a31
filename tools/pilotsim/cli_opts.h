// Table-driven option parsing for every pilotsim command: a command declares
// its options (name, value kind, metavar, help, where the value goes, how it
// is checked) and its usage text once; cli_parse() reads argv against that
// table and `--help` is printed from it, so the help, the parser and
// docs/cli.md (`pilotsim help --markdown`) cannot drift apart.
//
// Accepted forms: `--opt VALUE`, `--opt=VALUE`, `-s VALUE` (an option with a
// short name), flags as `--flag`; `--` ends the options. A scalar option given
// twice keeps its last value, a list option (CLI_LIST) keeps every value, a
// flag given twice stays set. Errors go to stderr as `pilotsim CMD: ...` and
// make cli_parse() return EXIT_USAGE:
//   unknown option    pilotsim run: unknown option '--sed' (did you mean --seed?)
//   missing value     pilotsim run: --policy needs a spec
//   bad value         pilotsim run: --seed needs a non-negative integer, got 'x'
#ifndef PS_CLI_OPTS_H
#define PS_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/// What an option takes and where it goes (cli_opt.target).
typedef enum cli_kind {
    CLI_END = 0, ///< ends a table
    CLI_FLAG,    ///< no value; bool * set to true (or to false with cli_opt.clear)
    CLI_U64,     ///< uint64_t *: a decimal integer in [lo, hi] (hi 0: no upper bound)
    CLI_DOUBLE,  ///< double *: a finite number in [lo, hi] (open ends with open_lo, open_hi)
    CLI_STRING,  ///< const char **: a non-empty string (argv's, borrowed)
    CLI_LIST,    ///< const char *[cap] with the count in *count: repeatable
    CLI_SHARD,   ///< cli_shard *: "i/k" with 0 <= i < k
    CLI_CUSTOM,  ///< parse(value, target, why, n) decides (value NULL for a flag_like one)
    CLI_INCLUDE, ///< target: another table (a shared group), listed under `help` as heading
} cli_kind;

/// A `--shard i/k` value.
typedef struct cli_shard {
    uint64_t i, k;
    bool given;
} cli_shard;

/// One option of a command's table. Designated initializers leave unused fields zero.
typedef struct cli_opt {
    const char *name;    ///< "--seed"
    char short_name;     ///< 's' for -s, or 0
    cli_kind kind;
    const char *metavar; ///< the value's name in the help ("N", "FILE"); NULL for flags
    const char *help;    ///< wrapped to the terminal width; '\n' breaks a line, leading spaces after it kept
    void *target;        ///< where the value goes (see cli_kind); not owned
    const char *need;    ///< what a value must be, for errors: "--seed needs NEED, got 'x'"
    double lo, hi;       ///< CLI_U64 / CLI_DOUBLE bounds (both 0: any value)
    bool open_lo;        ///< CLI_DOUBLE: lo itself is refused
    bool open_hi;        ///< CLI_DOUBLE: hi itself is refused
    bool clear;          ///< CLI_FLAG: sets *target to false (`--no-panels`)
    bool flag_like;      ///< CLI_CUSTOM: takes no value (parse gets NULL)
    bool *given;         ///< set to true when the option appears (optional)
    size_t *count;       ///< CLI_LIST: number of values in target
    size_t cap;          ///< CLI_LIST: room in target
    /// CLI_STRING / CLI_LIST: extra check of a value (optional).
    bool (*check)(const char *value);
    /// CLI_CUSTOM: stores the value; false when it is bad. A reason in `why`
    /// (`n` bytes) is printed as "--opt: WHY", else the `need` message.
    bool (*parse)(const char *value, void *target, char *why, size_t n);
    /// Why the option cannot be used in this build (e.g. "built without the
    /// renderer (PILOTSIM_RENDER=OFF)"), or NULL. Still listed by --help.
    const char *unavailable;
} cli_opt;

/// A command: its options and the text of its --help around them.
typedef struct cli_cmd {
    const char *name;     ///< "run"
    const char *synopsis; ///< after "usage: pilotsim NAME "; '\n' starts another usage line
    const char *about;    ///< what the command does (wrapped)
    const cli_opt *opts;  ///< the table, ended by a CLI_END entry
    const char *notes;    ///< printed as is after the options (may be NULL)
    const char *exits;    ///< the exit codes, printed as is after "exit codes: "
    void (*more_help)(FILE *f); ///< build-dependent text after the rest (e.g. keys), or NULL
    const char *pos_name; ///< the positional arguments' name in errors ("SCENE"), or NULL: none taken
    size_t min_pos;       ///< fewer positional arguments: "missing POS_NAME"
    size_t max_pos;       ///< more: "unexpected argument" (0: no limit)
} cli_cmd;

/// cli_parse() result when the command should go on.
#define CLI_CONTINUE (-1)

/// Parses argv[1..argc) (argv[0] is the command's name) against `c`, storing
/// values through the table and positional arguments, in order, into `pos`
/// (room for c->max_pos entries, or argc when max_pos is 0; *npos set). Returns
/// CLI_CONTINUE, EXIT_OK after
/// printing --help (-h) on stdout, or EXIT_USAGE after printing an error.
int cli_parse(const cli_cmd *c, int argc, char **argv, const char **pos, size_t *npos);
/// Prints the --help text of `c` on `f`.
void cli_help(const cli_cmd *c, FILE *f);
/// Prints the reference of `c` as a Markdown section (docs/cli.md).
void cli_help_markdown(const cli_cmd *c, FILE *f);
/// Prints "pilotsim CMD: MSG" plus a pointer to --help on stderr; returns EXIT_USAGE.
int cli_usage_error(const cli_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/// Prints `text` from column `indent` wrapped at `width` (first line from the
/// current column `col`); '\n' breaks a line, keeping the next one's leading spaces.
void cli_wrap(FILE *f, const char *text, int col, int indent, int width);

#endif
