/* cmd_run.c — `edgestream run`: stream edge files through operators and
 * print their answers: after every N edges with --report-every, and always
 * at the end.  Each report is flushed as it is made, so a reader of a live
 * stream sees it at once; a reader that goes away (`| head -3`) ends the
 * run quietly with status 0, and SIGINT or SIGTERM end it as its input's
 * end would (final report, final snapshot) with status 130 or 143.
 * Formats: operators/report.h; the options that change the stream are
 * shared with compare (tools/cli.h). */
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <unistd.h>

#include <signal.h>

#include "dataflow/driver.h"
#include "dataflow/redissource.h"
#include "dataflow/stop.h"
#include "operators/operator.h"
#include "tools/cli.h"
#ifdef ES_MPI
#include "mpi/driver_mpi.h"
#endif
#include "mpi/grouprun.h"

typedef struct {
    es_format fmt;
    es_stop  *stop;
    gboolean  closed;   /* stdout's reader has gone */
} run_ctx;

static void print_report(const es_report *r, void *user)
{
    run_ctx *rc = user;
    if (rc->closed)
        return;
    errno = 0;
    es_report_print(r, rc->fmt, stdout);
    /* A write inside the print may have failed already (EPIPE stays in errno). */
    if ((fflush(stdout) != 0 || ferror(stdout)) && errno == EPIPE) {
        /* Whoever read our output has what they wanted: stop reading, and
         * drop what stdio still holds for them. */
        rc->closed = TRUE;
        __fpurge(stdout);
        clearerr(stdout);
        es_stop_raise(rc->stop, ES_STOP_OUTPUT_CLOSED);
    }
}

/* A window's SIZE or SLIDE: a count of edges (100000, 1M), or a span with
 * a unit (500ms, 7d) in units of the timestamp column (col_us
 * microseconds each). */
typedef struct {
    uint64_t value;
    gboolean span;
    gboolean unit_error;   /* a span that is no whole number of column units, or too large */
} es_window_size;

static gboolean parse_window_size(const char *text, uint64_t col_us, es_window_size *out)
{
    static const struct { const char *suffix; uint64_t us; } units[] = {
        { "us", 1 }, { "ms", 1000 }, { "s", 1000000 }, { "m", 60000000 }, { "h", 3600000000ull },
        { "d", 86400000000ull },
    };
    *out = (es_window_size){ 0 };
    char *end = NULL;
    if (!g_ascii_isdigit(*text))
        return FALSE;
    const guint64 w = g_ascii_strtoull(text, &end, 10);
    if (w == 0 || end == text)
        return FALSE;
    if (*end == '\0' || ((end[0] == 'k' || end[0] == 'M') && end[1] == '\0')) {
        const uint64_t mul = *end == 'k' ? 1000 : *end == 'M' ? 1000000 : 1;
        if (w > G_MAXUINT64 / mul)
            return FALSE;
        out->value = w * mul;
        return TRUE;
    }
    uint64_t unit_us = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
        if (strcmp(end, units[i].suffix) == 0)
            unit_us = units[i].us;
    if (unit_us == 0)
        return FALSE;
    out->span = TRUE;
    if (w > INT64_MAX / unit_us || (w * unit_us) % col_us != 0)
        out->unit_error = TRUE;
    else
        out->value = w * unit_us / col_us;
    return TRUE;
}

/* --linger: milliseconds, or a number with ms or s. */
static gboolean parse_linger(const char *s, gint64 *us)
{
    char *end = NULL;
    double x = g_ascii_strtod(s, &end);
    if (end == s || !(x >= 0) || x > 3600e3)
        return FALSE;
    if (*end == 0 || strcmp(end, "ms") == 0)
        *us = (gint64)(x * 1e3);
    else if (strcmp(end, "s") == 0 && x <= 3600)
        *us = (gint64)(x * 1e6);
    else
        return FALSE;
    return TRUE;
}

static char *operators_help(void)
{
    GString *s = g_string_new(NULL);
    g_autofree char *ops = es_cli_operators_help();
    g_string_append(s, ops);
    g_string_append(s, "Output: --format text (for people), tsv (`operator metric value` rows, each report\n"
                       "opened by `report interim|final EDGES`; --header adds a header row) or json (one\n"
                       "object per report and line, \"final\": true on the last); 'man edgestream'.\n"
                       "Snapshots: --snapshot-dir DIR writes DIR/snap-NNNNNN.h5 at batch boundaries\n"
                       "(every --snapshot-every, and at the end); --resume continues a killed run\n"
                       "from the newest snapshot that verifies, with identical final answers.\n"
                       "Live input: on a pipe or stdin a batch closes when full or once its first\n"
                       "edge has waited --linger (default 100ms) with no more input ready.\n"
                       "Redis: --source redis://HOST[:PORT]/STREAM reads a stream's entries, each field's\n"
                       "value one edge line; snapshots store the last entry id and --resume reads on.\n"
                       "Exit status: 0 ok (also when the reader of stdout goes away, as with | head),\n"
                       "64 usage, 65 bad input line or no valid snapshot,\n"
                       "66 cannot open input, 71 out of memory, 74 I/O error (also when a snapshot\n"
                       "failed: the report is printed all the same), 78 snapshot does not match\n"
                       "this run, or the snapshot directory holds another run's snapshots\n"
                       "(without --resume), 130 or 143 stopped by SIGINT or SIGTERM (after the final\n"
                       "report of what was read, and the final snapshot).");
    return g_string_free(s, FALSE);
}

int es_cmd_run(int argc, char **argv)
{
    g_autofree char *ops_spec = NULL, *format = NULL, *snap_dir = NULL, *snap_every = NULL, *linger = NULL,
                     *source = NULL;
    gboolean follow = FALSE;
    g_autofree char *columns = NULL, *delimiter = NULL, *window = NULL, *time_unit = NULL, *lateness = NULL;
    g_autofree char *report_every = NULL, *keep = NULL;
    gboolean quiet = FALSE, resume = FALSE, snap_wait = FALSE, header = FALSE, progress = FALSE,
             deletions = FALSE;
    es_cli_stream_args stream = { 0 };
#ifdef ES_MPI
    gint64 max_parallelism = ES_MPI_DEFAULT_GROUPS;
#endif
    g_autofree char *command_line = g_strjoinv(" ", argv);
    GOptionEntry entries[] = {
        { "ops", 0, 0, G_OPTION_ARG_STRING, &ops_spec, "Operators to run (default cc,degree)", "LIST" },
        { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Report format: text, tsv or json (default text)", "FMT" },
        { "header", 0, 0, G_OPTION_ARG_NONE, &header, "tsv: a header row first", NULL },
        { "report-every", 0, 0, G_OPTION_ARG_STRING, &report_every, "Also report after every N edges (10k, 1M ...)", "N" },
        { "window", 0, 0, G_OPTION_ARG_STRING, &window,
          "Answer per window of N edges, or of a span of the timestamp column (500ms, 1h, 7d): tumbling (one report"
          " per window, operators afresh in each) or sliding by SLIDE (dividing SIZE; a report per slide)",
          "tumbling:SIZE|sliding:SIZE,SLIDE" },
        { "lateness", 0, 0, G_OPTION_ARG_STRING, &lateness,
          "With a window over time: wait this long for out-of-order edges (0s, 500ms, 1h); the watermark is the"
          " largest timestamp seen minus it, and an edge older than it is late (dropped, counted)", "SPAN" },
        { "time-unit", 0, 0, G_OPTION_ARG_STRING, &time_unit, "Unit of the timestamp column: s (default), ms or us",
          "s|ms|us" },
        { "columns", 0, 0, G_OPTION_ARG_STRING, &columns,
          "What each column holds: u,v (default; a third is a timestamp), u,v,t, u,v,w,t (KONECT), - to ignore one", "LIST" },
        { "deletions", 0, 0, G_OPTION_ARG_NONE, &deletions,
          "The stream may delete edges (lines ending in -); refused by insert-only operators", NULL },
        { "delimiter", 0, 0, G_OPTION_ARG_STRING, &delimiter, "Field separator, e.g. , for CSV (default: blanks)", "C" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress on stderr", NULL },
        { "progress", 0, 0, G_OPTION_ARG_NONE, &progress,
          "Progress lines on stderr every 5 s even when it is not a terminal (a log)", NULL },
        { "source", 0, 0, G_OPTION_ARG_STRING, &source,
          "Read the entries of a Redis stream instead of files: redis://HOST[:PORT]/STREAM", "URL" },
        { "follow", 0, 0, G_OPTION_ARG_NONE, &follow,
          "With --source: keep reading new entries (default: those present at start, then end)", NULL },
        { "linger", 0, 0, G_OPTION_ARG_STRING, &linger,
          "On a pipe or stdin, close a batch once its first edge has waited T with no more input (default 100ms)", "T" },
        { "snapshot-dir", 0, 0, G_OPTION_ARG_FILENAME, &snap_dir, "Write HDF5 snapshots into DIR", "DIR" },
        { "snapshot-every", 0, 0, G_OPTION_ARG_STRING, &snap_every,
          "Snapshot every N edges, or every T (30s, 5m, 1h); default: only at the end", "N|T" },
        { "keep", 0, 0, G_OPTION_ARG_STRING, &keep, "Snapshots to keep (default 3)", "K" },
        { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, "Continue from the newest valid snapshot in --snapshot-dir", NULL },
        { "snapshot-wait", 0, 0, G_OPTION_ARG_NONE, &snap_wait,
          "Write each snapshot in the process, the stream waiting (every barrier gets its snapshot)", NULL },
#ifdef ES_MPI
        { "max-parallelism", 0, 0, G_OPTION_ARG_INT64, &max_parallelism,
          "Key groups the input is cut into for the ranks (default 128); the stream order depends on it", "G" },
#endif
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("FILE... - stream edge files through operators");
    g_autofree char *desc = operators_help();
    g_option_context_set_description(ctx, desc);
    g_option_context_add_main_entries(ctx, entries, NULL);
    es_cli_stream_add(ctx, &stream);
    gboolean parsed = es_cli_parse(ctx, "run", &argc, &argv);
    if (!parsed) {
        es_cli_stream_clear(&stream);
        return ES_ERROR_USAGE;
    }

    run_ctx rc = { ES_FORMAT_TEXT, NULL, FALSE };
    gint64 linger_us = 100000;
    es_driver_config cfg = { 0 };
    uint64_t every = 0, keep_n = 3;
    g_autofree char *why_text = NULL;
    const char *why = NULL;
    if (format && !es_format_parse(format, &rc.fmt))
        why = "--format must be text, tsv or json";
    else if (linger && !parse_linger(linger, &linger_us))
        why = "--linger must be a duration such as 100ms, 0.5s or 250 (milliseconds), at most 1h";
    else if (report_every && !es_cli_count("--report-every", report_every, 1, G_MAXUINT64, &every, &why_text))
        why = why_text;
    else if (!es_cli_stream_apply(&stream, &cfg, &why_text))
        why = why_text;
    else if (keep && !es_cli_count("--keep", keep, 1, 1000000, &keep_n, &why_text))
        why = why_text;
    else if ((snap_every || resume || snap_wait) && !snap_dir)
        why = "--snapshot-every, --snapshot-wait and --resume need --snapshot-dir";
    else if (header && rc.fmt != ES_FORMAT_TSV)
        why = "--header goes with --format tsv";
    else if (source && argc > 1)
        why = "--source reads a Redis stream: give no input file with it";
    else if (follow && !source)
        why = "--follow needs --source";
    else if (argc < 2 && !source)
        why = "no input file (use - for standard input)";
#ifdef ES_MPI
    else if (max_parallelism < 1 || max_parallelism > 65536)
        why = "--max-parallelism must be between 1 and 65536";
#endif
    es_cli_stream_clear(&stream);
    if (why)
        return es_cli_usage("run", why);

    uint64_t window_edges = 0;
    int64_t window_span = 0;
    /* microseconds per unit of the timestamp column */
    const uint64_t col_us = !time_unit || strcmp(time_unit, "s") == 0 ? 1000000 : strcmp(time_unit, "ms") == 0 ? 1000
                            : strcmp(time_unit, "us") == 0 ? 1 : 0;
    if (col_us == 0)
        why = "--time-unit must be s, ms or us";
    else if (time_unit && !window)
        why = "--time-unit goes with --window over a span (tumbling:SPAN, sliding:SPAN,SLIDE)";
    uint64_t window_slide = 0;
    if (window && !why) {
        const gboolean sliding = g_str_has_prefix(window, "sliding:");
        const char *spec = g_str_has_prefix(window, "tumbling:") ? window + strlen("tumbling:")
                           : sliding ? window + strlen("sliding:") : NULL;
        g_auto(GStrv) parts = spec ? g_strsplit(spec, ",", 3) : NULL;
        es_window_size sz = { 0 }, sl = { 0 };
        if (spec == NULL || g_strv_length(parts) != (sliding ? 2u : 1u) || !parse_window_size(parts[0], col_us, &sz) ||
            (sliding && !parse_window_size(parts[1], col_us, &sl)))
            why = "--window must be tumbling:SIZE or sliding:SIZE,SLIDE, each a positive count of edges (100000, 1M)"
                  " or a span (500ms, 30s, 5m, 1h, 7d)";
        else if (sz.unit_error || sl.unit_error)
            why = "--window: a span must be a whole number of units of the timestamp column (--time-unit s, ms or us),"
                  " at most 2^63 - 1 of them";
        else if (sliding && sz.span != sl.span)
            why = "--window sliding:SIZE,SLIDE: both must be counts of edges, or both spans";
        else if (sliding && (sl.value > sz.value || sz.value % sl.value != 0))
            why = "--window sliding:SIZE,SLIDE: SLIDE must divide SIZE (the window is SIZE / SLIDE panes of SLIDE)";
        else {
            if (sz.span)
                window_span = (int64_t)sz.value;
            else
                window_edges = sz.value;
            window_slide = sliding ? sl.value : 0;
        }
    }
    int64_t lateness_units = 0;
    if (lateness && !why) {
        es_window_size l = { 0 };
        gboolean zero = strspn(lateness, "0") > 0 && (lateness[strspn(lateness, "0")] == '\0' ||
                              strchr("umshd", lateness[strspn(lateness, "0")]) != NULL);
        if (zero && lateness[strspn(lateness, "0")] != '\0') {
            char one[64];   /* "0ms": the unit's check on "1ms" */
            g_snprintf(one, sizeof one, "1%s", lateness + strspn(lateness, "0"));
            zero = parse_window_size(one, 1, &l) && l.span;
        }
        if (!zero && (!parse_window_size(lateness, col_us, &l) || !l.span))
            why = "--lateness must be a span with its unit: 0s, 500ms, 30s, 5m, 1h, 7d";
        else if (l.unit_error)
            why = "--lateness must be a whole number of units of the timestamp column (--time-unit s, ms or us)";
        else if (window_span == 0)
            why = "--lateness goes with a window over time (--window tumbling:SPAN or sliding:SPAN,SLIDE)";
        else
            lateness_units = zero ? 0 : (int64_t)l.value;
    }
#ifdef ES_MPI
    if (!why && (window || deletions))
        why = "--window and --deletions are not supported across MPI ranks yet";
#endif
    if (why)
        return es_cli_usage("run", why);
    GError *err = NULL;
    es_parse_format layout = { 0 };
    if ((columns && !es_parse_columns(columns, &layout, &err)) ||
        (delimiter && !es_parse_delimiter(delimiter, &layout, &err))) {
        fprintf(stderr, "edgestream run: %s\n(see 'edgestream run --help')\n", err->message);
        g_error_free(err);
        return ES_ERROR_USAGE;
    }
    GPtrArray *ops = es_operator_new_list(ops_spec ? ops_spec : "cc,degree", &err);
    if (ops == NULL) {
        int status = es_cli_fail("run", err);
        g_error_free(err);
        return status;
    }
    es_checkpoint_config ckcfg = {
        .dir = snap_dir,
        .keep = (guint)keep_n,
        .resume = resume,
        .wait = snap_wait,
        .config = command_line,
        .verbose = !quiet,
    };
    /* An edge count as every count is written (10k, 1M, 1e6), else a time (30s, 5m, 1h). */
    g_autofree char *not_count = NULL;
    if (snap_every && es_cli_count("--snapshot-every", snap_every, 1, G_MAXINT32, &ckcfg.every_edges, &not_count))
        ;
    else if (snap_every && !es_checkpoint_parse_every(snap_every, &ckcfg.every_edges, &ckcfg.every_us, &err)) {
        int status = es_cli_fail("run", err);
        g_error_free(err);
        g_ptr_array_free(ops, TRUE);
        return status;
    }
    rc.stop = es_stop_new();
    es_edge_source *redis = NULL;
    if (source && (redis = es_redis_source_new(source, follow, cfg.skip_bad, &layout, linger_us, rc.stop,
                                               &err)) == NULL) {
        int status = es_cli_fail("run", err);
        g_error_free(err);
        g_ptr_array_free(ops, TRUE);
        es_stop_free(rc.stop);
        return status;
    }
    es_stop_catch_signals(rc.stop);
    cfg.inputs = (const char *const *)(argv + 1);
    cfg.report_every = every;
    cfg.format = &layout;
    cfg.progress = !quiet && (progress || isatty(STDERR_FILENO));
    cfg.progress_lines = progress && !isatty(STDERR_FILENO);
    cfg.on_report = print_report;
    cfg.reports_only = TRUE;
    cfg.user = &rc;
    cfg.checkpoint = snap_dir ? &ckcfg : NULL;
    cfg.linger_us = linger_us;
    cfg.stop = rc.stop;
    cfg.source = redis;
    cfg.deletions = deletions;
    cfg.window = window_edges;
    cfg.window_span = window_span;
    cfg.window_slide = window_slide;
    cfg.lateness_on = lateness != NULL;
    cfg.lateness = lateness_units;
    es_driver_stats stats;
    int status = 0;
#ifdef ES_MPI
    /* Every rank runs; rank 0 alone reports and speaks (every rank ends
     * with the same error and status). */
    gboolean speaks = es_mpi_rank() == 0;
    if (header && speaks)
        es_report_print_header(rc.fmt, stdout);
    gboolean ran = es_mpi_driver_run(&cfg, (guint)max_parallelism, !quiet, ops, &stats, &err);
    if (!ran && !speaks) {
        status = err->domain == ES_ERROR && err->code >= 64 && err->code <= 78 ? err->code : ES_ERROR_IO;
        g_clear_error(&err);
    } else if (!ran) {
#else
    gboolean speaks = TRUE;
    if (header)
        es_report_print_header(rc.fmt, stdout);
    /* A run across MPI ranks' snapshots continue in its stream order:
     * every key group in turn (mpi/grouprun.h). */
    guint groups = 0;
    gboolean grouped = resume && snap_dir && es_group_snapshot(snap_dir, &groups);
    if (!(grouped ? es_group_run(&cfg, groups, ops, &stats, &err) : es_driver_run(&cfg, ops, &stats, &err))) {
#endif
        status = es_cli_fail("run", err);
        g_error_free(err);
    } else {
        if (stats.bad_lines > 0 && !quiet && speaks)
            fprintf(stderr, "edgestream run: skipped %" G_GUINT64_FORMAT " bad line%s\n",
                    stats.bad_lines, stats.bad_lines == 1 ? "" : "s");
        if (stats.snapshots_failed > 0) {
            /* The answers are complete; what was lost is the chance to resume from those points. */
            if (speaks)
                fprintf(stderr, "edgestream run: %u snapshot%s could not be written (the report is complete)\n",
                    stats.snapshots_failed, stats.snapshots_failed == 1 ? "" : "s");
            status = ES_ERROR_IO;
        }
    }
    es_edge_source_free(redis);
    const int reason = es_stop_reason(rc.stop);
    es_stop_free(rc.stop);
    g_ptr_array_free(ops, TRUE);
    if (reason == SIGINT || reason == SIGTERM) {
        if (!quiet)
            fprintf(stderr, "edgestream run: stopped by %s after %" G_GUINT64_FORMAT " edges\n",
                    reason == SIGINT ? "SIGINT" : "SIGTERM", stats.edges);
        if (status == 0)
            status = 128 + reason;
    }
    int out = rc.closed ? 0 : es_cli_finish_stdout("run");
    return status ? status : out;
}
