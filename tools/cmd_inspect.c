/* cmd_inspect.c — `edgestream inspect SNAP.h5`: a snapshot's metadata and
 * every operator's answers, from the snapshot alone.  The file is verified
 * (header and checksum) before HDF5 opens it. */
#include <stdio.h>
#include <string.h>

#include "dataflow/driver.h"
#include "operators/operator.h"
#include "snapshot/h5util.h"
#include "snapshot/snapshot.h"
#include "tools/cli.h"

/* Open, verify and restore a snapshot: its metadata, its operators (created
 * from the specs it stores) and its vertex count. */
gboolean es_cli_load_snapshot(const char *path, es_snapshot_meta *meta, GPtrArray **ops,
                              uint64_t **externals, uint32_t *n, GError **error)
{
    *ops = NULL;
    if (!es_snapshot_verify(path, error) || !es_snapshot_read_meta(path, meta, error))
        return FALSE;
    *ops = es_operator_new_list(meta->operators, error);
    if (*ops == NULL || !es_snapshot_restore(path, externals, n, *ops, error)) {
        if (*ops)
            g_ptr_array_free(*ops, TRUE);
        *ops = NULL;
        es_snapshot_meta_clear(meta);
        return FALSE;
    }
    return TRUE;
}

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
    g_option_context_free(ctx);
    if (!parsed)
        return ES_ERROR_USAGE;
    es_format fmt = ES_FORMAT_TEXT;
    if ((format && !es_format_parse(format, &fmt)) || argc != 2) {
        fprintf(stderr, "edgestream inspect: %s\n(see 'edgestream inspect --help')\n",
                argc != 2 ? "expected one snapshot file" : "--format must be text, tsv or json");
        return ES_ERROR_USAGE;
    }
    GError *err = NULL;
    es_snapshot_meta meta;
    GPtrArray *ops = NULL;
    uint64_t *ext = NULL;
    uint32_t n = 0;
    if (!es_cli_load_snapshot(argv[1], &meta, &ops, &ext, &n, &err)) {
        int status = es_cli_fail("inspect", err);
        g_error_free(err);
        return status;
    }
    es_report *r = es_report_new();
    es_driver_stats stats = { .edges = meta.edges_consumed, .lines = meta.lines_consumed,
                              .bad_lines = meta.bad_lines, .vertices = n };
    es_driver_collect(ops, &stats, TRUE, r);
    /* The snapshot's own metadata first. */
    es_report *head = es_report_new();
    es_report_begin(head, "snapshot");
    es_report_add_u64(head, "id", meta.snapshot_id);
    es_report_add_u64(head, "parent_id", meta.parent_id);
    es_report_add_i64(head, "created_unix_ns", meta.created_unix_ns);
    es_report_add_u64(head, "edges_consumed", meta.edges_consumed);
    es_report_add_u64(head, "lines_consumed", meta.lines_consumed);
    es_report_add_string(head, "source_kind", meta.source_kind);
    es_report_add_u64(head, "source_input", meta.source_input);
    es_report_add_u64(head, "source_offset", meta.source_offset);
    es_report_add_u64(head, "source_line", meta.source_line);
    es_report_add_string(head, "operators", meta.operators);
    es_report_add_string(head, "config", meta.config);
    g_array_prepend_vals(r->entries, head->entries->data, head->entries->len);
    g_array_set_clear_func(head->entries, NULL);   /* entries now belong to r */
    es_report_free(head);
    es_report_print(r, fmt, stdout);
    es_report_free(r);
    g_ptr_array_free(ops, TRUE);
    es_h5_free(ext, (size_t)n * sizeof *ext);
    es_snapshot_meta_clear(&meta);
    return es_cli_finish_stdout("inspect");
}
