/* push.c — the stream its caller feeds (see push.h). */
#include "dataflow/push.h"

#include <omp.h>
#include <string.h>

#include "dataflow/flow.h"
#include "dataflow/reader.h"
#include "dataflow/streamspec.h"
#include "graph/common.h"
#include "graph/parse.h"
#include "operators/operator.h"
#include "snapshot/h5util.h"
#include "snapshot/snapshot.h"

/* Edges per batch when the caller names none: a run's.  Smaller costs CPU
 * where operators pay per batch: feeding R-MAT's first 3 M edges to
 * cc,degree,tri took 6.1 s of user CPU in batches of 65536 against 2.0 s
 * in batches of 2^20 (bench/RESULTS.md); the buffers' untouched pages
 * cost only address space. */
#define PUSH_BATCH ((size_t)ES_DEFAULT_BATCH)

/* The stream section's deletion counts, from the flow's table. */
static void note_deletions(es_push *p);

struct es_push {
    GPtrArray      *ops;
    es_flow         flow;
    es_idmap       *idmap;
    es_driver_stats stats;
    size_t          batch;
    uint64_t        skip_bad;
    int             threads;
    gboolean        deletions;  /* lines may delete edges (as run --deletions) */
    uint64_t        parent_id;  /* the snapshot it was restored from, 0 for none */
    uint64_t        text_lines; /* lines pushed as text, which errors count */
    /* Lines parsed but not yet folded, and the fold's buffers (batch each). */
    uint64_t       *ids;
    int64_t        *time;
    uint8_t        *del;
    gboolean        has_time, has_del;
    size_t          pending;
    es_edge        *edges;
    uint8_t        *change;
    GError         *broken;     /* a limit ended the stream: every call fails with it */
};

static es_push *push_new(GPtrArray *ops, size_t batch, uint64_t skip_bad, int threads, gboolean deletions,
                         es_idmap *idmap)
{
    es_push *p = g_new0(es_push, 1);
    p->ops = ops;
    p->deletions = deletions;
    p->batch = batch ? batch : PUSH_BATCH;
    p->skip_bad = skip_bad;
    p->threads = threads;
    p->idmap = idmap ? idmap : es_idmap_new(1u << 16, NULL);
    p->ids = es_big_alloc(p->batch * 2 * sizeof *p->ids);
    p->time = es_big_alloc(p->batch * sizeof *p->time);
    p->del = es_big_alloc(p->batch);
    p->edges = es_big_alloc(p->batch * sizeof *p->edges);
    p->change = es_big_alloc(p->batch);
    /* Snapshots may be taken at any call: the table keeps its keys. */
    es_flow_init(&p->flow, ops, TRUE, deletions);
    p->stats.dynamic = deletions;
    note_deletions(p);
    return p;
}

es_push *es_push_new(GPtrArray *ops, size_t batch, uint64_t skip_bad, int threads, gboolean deletions,
                     GError **error)
{
    if (deletions && !es_driver_check_deletions(ops, error)) {
        g_ptr_array_free(ops, TRUE);
        return NULL;
    }
    return push_new(ops, batch, skip_bad, threads, deletions, NULL);
}

es_push *es_push_restore(const char *path, size_t batch, uint64_t skip_bad, int threads, GError **error)
{
    es_snapshot_meta meta = { 0 };
    GPtrArray *ops = NULL;
    uint64_t *ext = NULL;
    uint32_t n = 0;
    es_idmap *idmap = NULL;
    es_push *p = NULL;
    es_driver_config stream = { 0 };
    es_parse_format fmt;
    if (!es_snapshot_verify(path, error) || !es_snapshot_read_meta(path, &meta, error) ||
        !es_stream_spec_parse(meta.stream, &stream, &fmt, error))
        goto out;
    if (stream.window || stream.window_span) {
        g_set_error(error, ES_ERROR, ES_ERROR_CONFIG, "%s is a snapshot of a stream in windows (%s), which a stream"
                    " fed by its caller does not keep: resume it with `edgestream run --resume`", path, meta.stream);
        goto out;
    }
    if ((ops = es_operator_new_list(meta.operators, error)) == NULL)
        goto out;
    es_driver_mark_ops(ops, stream.deletions, FALSE);   /* (they restore as the stream will feed them) */
    if (!es_snapshot_restore(path, &ext, &n, ops, error))
        goto out;
    idmap = es_idmap_new(MAX(n, 1u << 16), NULL);
    if (!es_idmap_add_all(idmap, ext, n, error))
        goto out;
    p = push_new(ops, batch, skip_bad, threads, stream.deletions, idmap);
    ops = NULL;
    idmap = NULL;
    p->parent_id = meta.snapshot_id;
    p->stats.edges = meta.edges_consumed;
    p->stats.lines = meta.lines_consumed;
    p->stats.bad_lines = meta.bad_lines;
    p->stats.vertices = n;
out:
    if (ext)
        es_h5_free(ext, (size_t)n * sizeof *ext);
    if (ops)
        g_ptr_array_free(ops, TRUE);
    if (idmap)
        es_idmap_free(idmap);
    es_snapshot_meta_clear(&meta);
    return p;
}

void es_push_free(es_push *p)
{
    if (p == NULL)
        return;
    es_flow_clear(&p->flow);
    g_ptr_array_free(p->ops, TRUE);
    es_idmap_free(p->idmap);
    es_big_free(p->ids, p->batch * 2 * sizeof *p->ids);
    es_big_free(p->time, p->batch * sizeof *p->time);
    es_big_free(p->del, p->batch);
    es_big_free(p->edges, p->batch * sizeof *p->edges);
    es_big_free(p->change, p->batch);
    g_clear_error(&p->broken);
    g_free(p);
}

static gboolean usable(es_push *p, GError **error)
{
    if (p->broken == NULL) {
        if (p->threads > 0)
            omp_set_num_threads(p->threads);
        return TRUE;
    }
    g_set_error(error, ES_ERROR, p->broken->code, "the stream ended earlier: %s", p->broken->message);
    return FALSE;
}

/* Map and fold n <= batch edges (del, weight: NULL or n entries): the
 * batch every way of pushing ends in. */
static gboolean fold(es_push *p, const uint64_t *ext, const int64_t *time, const uint8_t *del, const double *weight,
                     size_t n, GError **error)
{
    for (size_t i = 0; del != NULL && !p->deletions && i < n; i++) {
        if (del[i]) {   /* (the lines before it are folded, as before a bad line) */
            if (i > 0 && !fold(p, ext, time, NULL, weight, i, error))
                return FALSE;
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "edge %" G_GUINT64_FORMAT " of the stream is a deletion (a line"
                        " ending in -): open the stream with deletions", p->stats.edges);
            return FALSE;
        }
    }
    GError *e = NULL;
    if (!es_idmap_map_lines(p->idmap, ext, del, (uint32_t *)p->edges, n, &e))
        goto broken;
    es_batch b = {
        .edges = p->edges,
        .ext = ext,
        .time = time,
        .del = del,
        .weight = weight,
        .n = n,
        .first_index = p->stats.edges,
        .num_vertices = es_idmap_size(p->idmap),
    };
    if (!es_flow_fold(&p->flow, &b, p->change, FALSE, &e))
        goto broken;
    p->stats.edges += n;
    p->stats.vertices = b.num_vertices;
    note_deletions(p);
    return TRUE;
broken:
    p->broken = g_error_copy(e);
    g_propagate_error(error, e);
    return FALSE;
}

static void note_deletions(es_push *p)
{
    if (p->deletions) {
        p->stats.deletions = p->flow.deleted;
        p->stats.deletions_ignored = es_flow_ignored(&p->flow);
    }
}

gboolean es_push_edges(es_push *p, const uint64_t *ids, const int64_t *time, size_t n, GError **error)
{
    if (!usable(p, error))
        return FALSE;
    for (size_t off = 0; off < n; off += p->batch) {
        size_t len = MIN(n - off, p->batch);
        if (!fold(p, ids + 2 * off, time ? time + off : NULL, NULL, NULL, len, error))
            return FALSE;
    }
    p->stats.lines += n;
    return TRUE;
}

static gboolean flush_lines(es_push *p, GError **error)
{
    gboolean ok = p->pending == 0 ||
                  fold(p, p->ids, p->has_time ? p->time : NULL, p->has_del ? p->del : NULL, NULL, p->pending, error);
    p->pending = 0;
    p->has_time = p->has_del = FALSE;
    return ok;
}

gboolean es_push_lines(es_push *p, const char *text, size_t len, GError **error)
{
    if (!usable(p, error))
        return FALSE;
    const char *end = text + len;
    for (const char *line = text; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t n = (size_t)((nl ? nl : end) - line);
        p->stats.lines++;
        p->text_lines++;
        es_parsed_edge e;
        es_parse_fault f;
        es_line_kind kind = n > ES_MAX_LINE ? ES_LINE_BAD : es_parse_line(line, n, &e, &f);
        if (n > ES_MAX_LINE)
            f = (es_parse_fault){ "a line of at most 4096 bytes", line, n };
        if (kind == ES_LINE_EDGE) {
            p->ids[2 * p->pending] = e.u;
            p->ids[2 * p->pending + 1] = e.v;
            if (e.has_t && !p->has_time) {
                memset(p->time, 0, p->pending * sizeof *p->time);
                p->has_time = TRUE;
            }
            if (p->has_time)
                p->time[p->pending] = e.has_t ? e.t : 0;
            if (e.del && !p->has_del) {
                memset(p->del, 0, p->pending);
                p->has_del = TRUE;
            }
            if (p->has_del)
                p->del[p->pending] = (uint8_t)e.del;
            if (++p->pending == p->batch && !flush_lines(p, error))
                return FALSE;
        } else if (kind == ES_LINE_BAD || kind == ES_LINE_FATAL) {
            if (kind == ES_LINE_BAD && p->stats.bad_lines < p->skip_bad) {
                p->stats.bad_lines++;
            } else {
                /* The edges before the bad line are folded, as in a run. */
                if (!flush_lines(p, error))
                    return FALSE;
                g_autofree char *msg = es_parse_fault_message(&f);
                g_set_error(error, ES_ERROR, ES_ERROR_DATA, "lines:%" G_GUINT64_FORMAT ": %s", p->text_lines, msg);
                return FALSE;
            }
        }
        line += n + 1;
    }
    return flush_lines(p, error);
}

gboolean es_push_file(es_push *p, const char *path, GError **error)
{
    if (!usable(p, error))
        return FALSE;
    const char *paths[] = { path, NULL };
    es_reader *r = es_reader_new(paths, p->skip_bad - MIN(p->skip_bad, p->stats.bad_lines));
    es_raw_batch *raw = es_raw_batch_new(p->batch);
    gboolean ok;
    while ((ok = es_reader_next(r, raw, p->batch, error)) && raw->n > 0)
        if (!(ok = fold(p, raw->ids, raw->has_time ? raw->time : NULL, raw->has_del ? raw->del : NULL,
                        raw->has_weight ? raw->weight : NULL, raw->n, error)))
            break;
    p->stats.lines += es_reader_lines(r);
    p->stats.bad_lines += es_reader_bad_lines(r);
    es_raw_batch_free(raw);
    es_reader_free(r);
    return ok;
}

void es_push_collect(es_push *p, gboolean final, es_report *r)
{
    es_driver_collect(p->ops, &p->stats, final, r);
}

gboolean es_push_snapshot(es_push *p, const char *path, GError **error)
{
    if (!usable(p, error))
        return FALSE;
    GString *specs = g_string_new(NULL);
    g_autofree char *stream = es_stream_spec(&(es_driver_config){ .deletions = p->deletions });   /* (no window) */
    for (guint i = 0; i < p->ops->len; i++)
        g_string_append_printf(specs, "%s%s", i ? "," : "", ((es_operator *)g_ptr_array_index(p->ops, i))->spec);
    es_snapshot_meta meta = {
        .snapshot_id = p->parent_id + 1,
        .parent_id = p->parent_id,
        .created_unix_ns = g_get_real_time() * 1000,
        .edges_consumed = p->stats.edges,
        .lines_consumed = p->stats.lines,
        .bad_lines = p->stats.bad_lines,
        .source_kind = (char *)"api",
        .source_identity = (char *)"",
        .source_consumed = (char *)"",
        .config = (char *)"",
        .operators = specs->str,
        .stream = stream,
    };
    gboolean ok = es_snapshot_write_file(path, &meta, es_idmap_externals(p->idmap), es_idmap_size(p->idmap),
                                         p->ops, error);
    g_string_free(specs, TRUE);
    return ok;
}

GPtrArray *es_push_ops(es_push *p)
{
    return p->ops;
}

const es_idmap *es_push_idmap(es_push *p)
{
    return p->idmap;
}

const es_driver_stats *es_push_stats(es_push *p)
{
    return &p->stats;
}
