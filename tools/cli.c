/* cli.c — what the subcommands share (see cli.h): option parsing with
 * usage lines and "did you mean", counts, the stream options run and
 * compare both take, the operators' help, and turning errors into exit
 * statuses. */
#include "tools/cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph/spelling.h"
#include "operators/operator.h"
#include "operators/tri_est.h"
#include "dataflow/streamspec.h"
#include "dataflow/window.h"
#include "snapshot/h5util.h"

/* The long options a context knows, read from its own help text (GLib
 * keeps its entries private): every "--name" token. */
static GPtrArray *known_options(GOptionContext *ctx)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *help = g_option_context_get_help(ctx, FALSE, NULL);
    for (const char *p = help; (p = strstr(p, "--")) != NULL;) {
        const char *q = p + 2;
        while (g_ascii_isalnum(*q) || *q == '-')
            q++;
        if (q > p + 2)
            g_ptr_array_add(names, g_strndup(p, (gsize)(q - p)));
        p = q;
    }
    return names;
}

gboolean es_cli_parse(GOptionContext *ctx, const char *cmd, int *argc, char ***argv)
{
    g_autofree char *prg = g_strdup_printf("edgestream %s", cmd);
    g_set_prgname(prg);   /* the usage line: "edgestream CMD [OPTION…] ..." */
    GError *err = NULL;
    if (g_option_context_parse(ctx, argc, argv, &err)) {
        g_option_context_free(ctx);
        return TRUE;
    }
    fprintf(stderr, "edgestream %s: %s\n", cmd, err->message);
    const char *unknown = strstr(err->message, "--");
    if (g_error_matches(err, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION) && unknown) {
        g_autofree char *word = g_strdup(unknown);
        char *eq = strchr(word, '=');
        if (eq)
            *eq = '\0';
        GPtrArray *names = known_options(ctx);
        const char *near = es_spelling_nearest(word, (const char *const *)names->pdata, names->len);
        if (near)
            fprintf(stderr, "did you mean %s?\n", near);
        g_ptr_array_free(names, TRUE);
    }
    fprintf(stderr, "(see 'edgestream %s --help')\n", cmd);
    g_error_free(err);
    g_option_context_free(ctx);
    return FALSE;
}

int es_cli_usage(const char *cmd, const char *why)
{
    fprintf(stderr, "edgestream %s: %s\n(see 'edgestream %s --help')\n", cmd, why, cmd);
    return ES_ERROR_USAGE;
}

gboolean es_cli_count(const char *option, const char *text, uint64_t min, uint64_t max, uint64_t *out,
                      char **why)
{
    guint64 v = 0;
    gboolean ok = FALSE;
    if (*text && strspn(text, "0123456789") == strlen(text)) {
        ok = g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT64, &v, NULL);
    } else if (*text) {
        /* 1e6, 2.5M, 10k: a double, exact for counts below 2^53. */
        char *end = NULL;
        double x = g_ascii_strtod(text, &end);
        if (end != text && *end && end[1] == '\0' && strchr("kKMG", *end)) {
            x *= *end == 'M' ? 1e6 : *end == 'G' ? 1e9 : 1e3;
            end++;
        }
        if (end != text && *end == '\0' && isfinite(x) && x >= 0 && x < 9007199254740992.0 && x == floor(x)) {
            v = (guint64)x;
            ok = TRUE;
        }
    }
    if (!ok) {
        *why = g_strdup_printf("%s: \"%s\" is not a count (digits, or 10k, 1M, 1e6)", option, text);
        return FALSE;
    }
    if (v < min || v > max) {
        *why = g_strdup_printf("%s must be between %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT, option,
                               (guint64)min, (guint64)max);
        return FALSE;
    }
    *out = v;
    return TRUE;
}

void es_cli_stream_add(GOptionContext *ctx, es_cli_stream_args *a)
{
    GOptionEntry entries[] = {
        { "batch", 0, 0, G_OPTION_ARG_STRING, &a->batch, "Edges per batch (default 1048576; 10k, 1M, 1e5 ...)", "N" },
        { "skip-bad", 0, 0, G_OPTION_ARG_STRING, &a->skip_bad, "Tolerate up to N malformed lines (default 0)", "N" },
        { "threads", 0, 0, G_OPTION_ARG_STRING, &a->threads, "OpenMP threads for operators (default: all cores)", "N" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_option_context_add_main_entries(ctx, entries, NULL);
}

gboolean es_cli_stream_apply(const es_cli_stream_args *a, es_driver_config *cfg, char **why)
{
    uint64_t v;
    cfg->batch_size = ES_DEFAULT_BATCH;
    if (a->batch) {
        if (!es_cli_count("--batch", a->batch, 1, 1u << 28, &v, why))
            return FALSE;
        cfg->batch_size = (size_t)v;
    }
    if (a->skip_bad && !es_cli_count("--skip-bad", a->skip_bad, 0, G_MAXUINT64, &cfg->skip_bad, why))
        return FALSE;
    if (a->threads) {
        if (!es_cli_count("--threads", a->threads, 1, 1024, &v, why))
            return FALSE;
        cfg->threads = (int)v;
    }
    return TRUE;
}

void es_cli_stream_clear(es_cli_stream_args *a)
{
    g_clear_pointer(&a->batch, g_free);
    g_clear_pointer(&a->skip_bad, g_free);
    g_clear_pointer(&a->threads, g_free);
}

char *es_cli_operators_help(void)
{
    GString *s = g_string_new("operators (--ops NAME[:key=value,...],...):\n");
    const es_operator_class *const *cls = es_operator_classes();
    for (size_t i = 0; cls[i]; i++)
        g_string_append_printf(s, "  %-10s %s%s%s\n", cls[i]->name, cls[i]->summary,
                               *cls[i]->options ? "\n             options: " : "", cls[i]->options);
    g_string_append(s, "\nInput: lines `u v [t] [+|-]` (unsigned 64-bit ids, optional integer timestamp,\n"
                       "a trailing - for a deletion), '#' or '%' comments; other layouts with --columns\n"
                       "and --delimiter; MatrixMarket coordinate files by their banner; plain or gzip\n"
                       "files, '-' for stdin.\n");
    return g_string_free(s, FALSE);
}

int es_cli_fail(const char *cmd, const GError *err)
{
    fprintf(stderr, "edgestream %s: %s\n", cmd, err->message);
    if (err->domain == ES_ERROR && err->code >= 64 && err->code <= 78)
        return err->code;
    return ES_ERROR_IO;
}

int es_cli_snapshot_load(const char *cmd, const char *path, es_cli_snapshot *s)
{
    *s = (es_cli_snapshot){ 0 };
    GError *err = NULL;
    if (!es_snapshot_verify(path, &err) || !es_snapshot_read_meta(path, &s->meta, &err) ||
        !es_stream_spec_parse(s->meta.stream, &s->stream, &s->format, &err)) {
        es_snapshot_meta_clear(&s->meta);
        goto fail;
    }
    if ((s->ops = es_operator_new_list(s->meta.operators, &err)) == NULL) {
        es_cli_snapshot_clear(s);
        goto fail;
    }
    es_driver_mark_ops(s->ops, s->stream.deletions, s->stream.window_slide != 0);   /* (as the resumed run's) */
    if (!es_snapshot_restore(path, &s->ext, &s->n, s->ops, &err) ||
        !es_snapshot_read_window(path, s->n, &s->window, &err)) {
        es_cli_snapshot_clear(s);
        goto fail;
    }
    return 0;
fail:;
    int status = es_cli_fail(cmd, err);
    g_error_free(err);
    return status;
}

int es_cli_snapshot_answers(const char *cmd, es_cli_snapshot *s, es_driver_stats *stats, es_report *r)
{
    /* A sliding window's lines again, as a resumed run takes them: folded,
     * or with deletions kept (and their copies taken back checked). */
    if (s->stream.window_slide && s->slider == NULL) {
        GError *err = NULL;
        s->slider = es_driver_flow_start(&s->flow, s->ops, TRUE, s->stream.deletions, TRUE);
        if (!es_slider_restore(s->slider, &s->flow, &s->window, s->ext, s->n, &err)) {
            int status = es_cli_fail(cmd, err);
            g_error_free(err);
            return status;
        }
    }
    if (s->meta.stream) {   /* (a snapshot's: the stream figures its run's report printed) */
        es_driver_resumed_window(&s->stream, s->meta.edges_consumed, &s->window, stats);
        stats->dynamic = s->stream.deletions;
        const es_edgetable *table = s->slider ? s->flow.table : NULL;
        for (guint i = 0; stats->dynamic && table == NULL && i < s->ops->len; i++)
            table = ((const es_operator *)g_ptr_array_index(s->ops, i))->edges;
        if (stats->dynamic && table) {
            stats->deletions = es_edgetable_deletions(table);
            stats->deletions_ignored = es_edgetable_ignored(table);
        }
    }
    if (s->window.present)   /* (the run's answers leave out the vertices no line of the window names) */
        stats->absent = s->slider ? es_slider_absent(s->slider, s->n) : 0;
    if (s->slider && !s->merged) {   /* (a report's own step: the panes' instances merged) */
        es_slider_merge_begin(s->slider);
        s->merged = TRUE;
    }
    es_driver_collect(s->ops, stats, TRUE, r);
    return 0;
}

void es_cli_snapshot_clear(es_cli_snapshot *s)
{
    if (s->merged)
        es_slider_merge_end(s->slider);
    if (s->slider) {   /* (in the driver's order) */
        es_flow_clear(&s->flow);
        es_slider_free(s->slider);
    }
    if (s->ops)
        g_ptr_array_free(s->ops, TRUE);
    es_h5_free(s->ext, (size_t)s->n * sizeof *s->ext);
    es_snapshot_meta_clear(&s->meta);
    es_snapshot_window_clear(&s->window);
    *s = (es_cli_snapshot){ 0 };
}

int es_cli_finish_stdout(const char *cmd)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno;
        fprintf(stderr, "edgestream %s: cannot write output: %s\n", cmd, g_strerror(e ? e : EIO));
        return ES_ERROR_IO;
    }
    return 0;
}
