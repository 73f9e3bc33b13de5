/* cli.h — what the edgestream subcommands share: entry points, option
 * parsing (usage lines `edgestream CMD ...`, "did you mean" for mistyped
 * options, counts such as 10k, 1M, 1e6), the options that change the
 * stream (run and compare take the same), and error reporting.
 *
 * Exit statuses (sysexits.h), the same for every subcommand: 0 ok, 1
 * compare found a difference, 64 usage, 65 bad input data, 66 input missing
 * or unreadable, 70 internal error, 71 out of memory, 74 I/O error, 78
 * snapshot does not match the run.  Each subcommand's help lists those it
 * can return. */
#ifndef ES_CLI_H
#define ES_CLI_H

#include <glib.h>

#include "graph/common.h"

#include "dataflow/driver.h"
#include "snapshot/snapshot.h"

int es_cmd_run(int argc, char **argv);
int es_cmd_inspect(int argc, char **argv);
int es_cmd_compare(int argc, char **argv);
int es_cmd_export(int argc, char **argv);
int es_cmd_plot(int argc, char **argv);
int es_cmd_serve(int argc, char **argv);
int es_cmd_wal_dump(int argc, char **argv);

/* A snapshot loaded for a subcommand: verified, its metadata, its operators
 * (created from the specs it stores, restored as the stream fed them: its
 * stored stream settings, dataflow/streamspec.h), the id map's external
 * ids and its /window group.  es_cli_snapshot_load prints
 * "edgestream CMD: why" on failure and returns the exit status (0 when
 * loaded); clear frees what was loaded.
 * A sliding window (stream.window_slide): its operators answer from the
 * window's lines, which the snapshot holds and a resumed run folds again
 * (with deletions: keeps, checking the copies taken back); the operators as restored are the snapshot's own (what
 * export writes again), and es_cli_snapshot_answers brings them to the
 * state the run answered from at the snapshot, by the resumed run's own
 * steps (es_driver_flow_start, es_slider_restore), before a report. */
typedef struct {
    es_snapshot_meta meta;
    GPtrArray *ops;
    uint64_t *ext;
    uint32_t n;
    es_driver_config stream;     /* the run's stream settings (es_stream_spec_parse; no format) */
    es_parse_format  format;     /* its lines' layout */
    es_snapshot_window window;   /* window.present: it has one */
    es_flow flow;                /* with sliding, after es_cli_snapshot_answers: the rebuilt state */
    struct es_slider *slider;
    gboolean merged;             /* its per-pane operators merged (es_slider_merge_begin) until clear */
} es_cli_snapshot;
int  es_cli_snapshot_load(const char *cmd, const char *path, es_cli_snapshot *s);
/* Fill r (final) with the snapshot's answers, stats' stream figures (a
 * loaded snapshot's window bounds, late edges and deletion counts, and
 * absent, set here); returns the exit status (0 ok), printing why not.
 * From then until clear, s->ops answer as the report did (a sliding
 * window's per-pane operators merged). */
int  es_cli_snapshot_answers(const char *cmd, es_cli_snapshot *s, es_driver_stats *stats, es_report *r);
void es_cli_snapshot_clear(es_cli_snapshot *s);

/* Parse a GOptionContext (its usage line reads `edgestream CMD ...`) and
 * free it; on failure print "edgestream CMD: msg", the nearest option for
 * a mistyped one, and a hint, and return FALSE (the caller exits
 * ES_ERROR_USAGE). */
gboolean es_cli_parse(GOptionContext *ctx, const char *cmd, int *argc, char ***argv);
/* Print "edgestream CMD: why" and the help hint; return ES_ERROR_USAGE. */
int      es_cli_usage(const char *cmd, const char *why);

/* A count option's value: digits, or a number with an exponent or a k, M,
 * G suffix (10k, 1M = 1000000, 1e6, 2.5M) that is a whole number, within
 * [min, max].  FALSE with *why (free it) naming the option. */
gboolean es_cli_count(const char *option, const char *text, uint64_t min, uint64_t max, uint64_t *out,
                      char **why);

/* The options that change the stream, shared by run and compare. */
typedef struct {
    char *batch, *skip_bad, *threads;
} es_cli_stream_args;
void     es_cli_stream_add(GOptionContext *ctx, es_cli_stream_args *a);
/* Validate them into cfg (batch_size, skip_bad, threads). */
gboolean es_cli_stream_apply(const es_cli_stream_args *a, es_driver_config *cfg, char **why);
void     es_cli_stream_clear(es_cli_stream_args *a);

/* The operators, their options and the input forms, for --help. */
char    *es_cli_operators_help(void);
/* Print "edgestream CMD: message" for err and return its exit status. */
int      es_cli_fail(const char *cmd, const GError *err);
/* Flush stdout; on failure (EPIPE, ENOSPC) print why and return 74, else 0. */
int      es_cli_finish_stdout(const char *cmd);

#endif
