/* cmd_inspect.c — `edgestream inspect SNAP.h5`: a snapshot's metadata and
 * every operator's answers, from the snapshot alone.  The file is verified
 * (header and checksum) before HDF5 opens it.  A sliding window's answers
 * come from its lines folded again, as a resumed run folds them
 * (es_cli_snapshot_answers): the run's at the snapshot's edge. */
#include <stdio.h>
#include <string.h>

#include "dataflow/driver.h"
#include "operators/operator.h"
#include "snapshot/snapshot.h"
#include "tools/cli.h"

int es_cmd_inspect(int argc, char **argv)
{
    g_autofree char *format = NULL;
    GOptionEntry entries[] = {
        { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Output format: text, tsv or json (default text)", "FMT" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SNAPSHOT.h5 - a snapshot's metadata and answers");
    g_option_context_set_description(ctx, "Exit status: 0 ok, 64 usage, 65 corrupt or unreadable snapshot, 66 cannot open it.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    gboolean parsed = es_cli_parse(ctx, "inspect", &argc, &argv);
    if (!parsed)
        return ES_ERROR_USAGE;
    es_format fmt = ES_FORMAT_TEXT;
    if ((format && !es_format_parse(format, &fmt)) || argc != 2) {
        fprintf(stderr, "edgestream inspect: %s\n(see 'edgestream inspect --help')\n",
                argc != 2 ? "expected one snapshot file" : "--format must be text, tsv or json");
        return ES_ERROR_USAGE;
    }
    es_cli_snapshot snap;
    int status = es_cli_snapshot_load("inspect", argv[1], &snap);
    if (status != 0)
        return status;
    es_report *r = es_report_new();
    es_driver_stats stats = { .edges = snap.meta.edges_consumed, .lines = snap.meta.lines_consumed,
                              .bad_lines = snap.meta.bad_lines, .vertices = snap.n };
    if ((status = es_cli_snapshot_answers("inspect", &snap, &stats, r)) != 0) {
        es_report_free(r);
        es_cli_snapshot_clear(&snap);
        return status;
    }
    /* The snapshot's own metadata first. */
    es_report *head = es_report_new();
    es_report_begin(head, "snapshot");
    es_report_add_u64(head, "id", snap.meta.snapshot_id);
    es_report_add_u64(head, "parent_id", snap.meta.parent_id);
    es_report_add_i64(head, "created_unix_ns", snap.meta.created_unix_ns);
    es_report_add_u64(head, "edges_consumed", snap.meta.edges_consumed);
    es_report_add_u64(head, "lines_consumed", snap.meta.lines_consumed);
    es_report_add_string(head, "source_kind", snap.meta.source_kind);
    es_report_add_u64(head, "source_input", snap.meta.source_input);
    es_report_add_u64(head, "source_offset", snap.meta.source_offset);
    es_report_add_u64(head, "source_line", snap.meta.source_line);
    es_report_add_string(head, "operators", snap.meta.operators);
    es_report_add_string(head, "config", snap.meta.config);
    es_report_add_string(head, "stream", snap.meta.stream);
    g_array_prepend_vals(r->entries, head->entries->data, head->entries->len);
    g_array_set_clear_func(head->entries, NULL);   /* entries now belong to r */
    es_report_free(head);
    es_report_print(r, fmt, stdout);
    es_report_free(r);
    es_cli_snapshot_clear(&snap);
    return es_cli_finish_stdout("inspect");
}
