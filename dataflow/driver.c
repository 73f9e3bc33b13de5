/* driver.c — the three-thread pipeline (see driver.h).
 *
 *   reader thread:  free slot -> next raw batch from the source (edgesource.h;
 *                   for files reader.c: read, split, parse)
 *   mapper thread:  external ids -> dense ids (idmap.c), vertex count, and
 *                   the edge table's answers (graph/edgetable.h) when the
 *                   run keeps one from its start
 *   caller:         every operator on the batch, reports, progress
 *
 * Parsing and id mapping each cost about as much as a cheap operator, so
 * giving each its own thread lets the three overlap on two cores instead of
 * adding up.  The edge table goes with the mapper because the operators
 * that need it are sequential at heart (tri-est, cc, degree's increments,
 * spanner): beside them it costs the stream nothing, and in front of them
 * it added its whole time (measured in bench/RESULTS.md).  The operators
 * see the table as of their batch (es_edgetable_catch_up), so a barrier
 * freezes the keys of exactly the batches they folded.  A table adopted
 * mid-run (operators/operator.h) is applied by the caller, in the fold
 * every stream shares (dataflow/flow.h).  Slots carry
 * everything later stages need (vertex count, answers, progress figures),
 * so no stage touches another's state.  NSLOTS = 4 lets every stage hold
 * one batch with one in hand-over.
 */
#include "dataflow/driver.h"

#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataflow/flow.h"
#include "dataflow/progress.h"
#include "dataflow/edgesource.h"
#include "graph/common.h"
#include "operators/operator.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"

#define NSLOTS 4

/* Ids are mapped in pieces of this many, taking the id-map lock for each,
 * so a snapshot barrier waits at most one piece for a consistent id map. */
#define MAP_PIECE 65536

/* How long an interim report of a pipe's stream waits to learn whether the
 * stream ends there (and the report would repeat the final one). */
#define REPORT_LOOKAHEAD_US 200000


typedef struct {
    es_raw_batch *raw;
    es_edge      *edges;
    uint8_t      *change;        /* the edge table's answers (cap bytes) */
    gboolean      has_change;    /* filled by the mapper, */
    es_edgetable_mark mark;      /* with the table as of this batch */
    size_t        cap;
    uint64_t      first_index;
    uint32_t      num_vertices;
    uint64_t      bytes_done, bytes_total, lines, bad;
    gboolean      end;           /* no more batches after this one (n may be 0) */
    GError       *error;         /* a stage failed: ends the run */
} slot;

typedef struct {
    const es_driver_config *cfg;
    es_edge_source *src;
    es_idmap    *idmap;
    GMutex       idmap_lock;     /* held by the mapper per piece, by a barrier while it starts a writer */
    es_checkpoint *ck;           /* or NULL */
    es_edgetable *mapper_table;  /* applied by the mapper, or NULL */
    GMutex       table_lock;     /* held by the mapper to apply it, by a barrier */
    uint64_t     start_edges;    /* stream index of the first edge read (after a resume) */
    GAsyncQueue *free_q, *parsed_q, *full_q;
    gint         stop;           /* consumer asks the producers to stop */
} pipeline;

static gpointer reader_stage(gpointer data)
{
    pipeline *pl = data;
    const es_driver_config *cfg = pl->cfg;
    uint64_t edges = pl->start_edges;
    for (;;) {
        slot *s = g_async_queue_pop(pl->free_q);
        s->end = g_atomic_int_get(&pl->stop);
        s->raw->n = 0;
        if (!s->end) {
            size_t max = s->cap;
            /* Cut batches where a count-based snapshot falls (reports
             * slice batches in the operators' thread instead: see
             * process_slot). */
            if (pl->ck) {
                uint64_t to_cut = es_checkpoint_next_cut(pl->ck, edges) - edges;
                if (to_cut < max)
                    max = (size_t)to_cut;
            }
            if (cfg->max_edges && cfg->max_edges - edges < max)
                max = (size_t)(cfg->max_edges - edges);
            s->first_index = edges;
            if (max == 0)
                s->end = TRUE;
            else if (!pl->src->cls->next(pl->src, s->raw, max, &s->end, &s->error))
                s->end = TRUE;
            edges += s->raw->n;
            s->bytes_done = s->bytes_total = 0;
            if (pl->src->cls->progress)
                pl->src->cls->progress(pl->src, &s->bytes_done, &s->bytes_total);
            pl->src->cls->counts(pl->src, &s->lines, &s->bad);
        }
        g_async_queue_push(pl->parsed_q, s);
        if (s->end)
            return NULL;
    }
}

static gpointer mapper_stage(gpointer data)
{
    pipeline *pl = data;
    for (;;) {
        slot *s = g_async_queue_pop(pl->parsed_q);
        gboolean failed = FALSE;
        size_t nids = s->error ? 0 : 2 * s->raw->n;
        for (size_t off = 0; off < nids && !failed; off += MAP_PIECE) {
            size_t len = nids - off < MAP_PIECE ? nids - off : MAP_PIECE;
            g_mutex_lock(&pl->idmap_lock);
            gboolean ok = es_idmap_map_ids(pl->idmap, s->raw->ids + off, (uint32_t *)s->edges + off, len, &s->error);
            g_mutex_unlock(&pl->idmap_lock);
            if (!ok) {
                failed = !s->end;   /* the reader is still going: stop it */
                s->end = TRUE;
                g_atomic_int_set(&pl->stop, 1);
            }
        }
        s->num_vertices = es_idmap_size(pl->idmap);
        s->has_change = FALSE;
        if (pl->mapper_table && !s->error && s->raw->n > 0) {
            g_mutex_lock(&pl->table_lock);
            es_edgetable_apply_ahead(pl->mapper_table, s->edges, s->raw->n, s->change, &s->mark);
            g_mutex_unlock(&pl->table_lock);
            s->has_change = TRUE;
        }
        gboolean end = s->end;
        g_async_queue_push(pl->full_q, s);
        /* After a failure, recycle what the reader still sends until it ends. */
        while (failed) {
            slot *t = g_async_queue_pop(pl->parsed_q);
            failed = !t->end;
            g_clear_error(&t->error);
            g_async_queue_push(pl->free_q, t);
        }
        if (end)
            return NULL;
    }
}

void es_driver_collect(GPtrArray *ops, const es_driver_stats *stats, gboolean final, es_report *r)
{
    es_report_clear(r);
    r->edges = stats->edges;
    r->final = final;
    es_report_begin(r, "stream");
    es_report_add_u64(r, "edges", stats->edges);
    es_report_add_u64(r, "vertices", stats->vertices);
    es_report_add_u64(r, "bad_lines", stats->bad_lines);
    for (guint i = 0; i < ops->len; i++)
        es_operator_report(g_ptr_array_index(ops, i), r);
}

/* Run every operator on a slot's batch, in slices that end where an
 * interim report falls, with a report after each.  Reports do not cut the
 * reader's batches: at --report-every 1000 that made 10 000 batches of R-MAT
 * scale 20 pass through three threads, a hand-over and an OpenMP region
 * each, which alone cost 1.7x the run's wall time (bench/RESULTS.md); a
 * slice costs one call per operator.  A slice ends where a cut would, with
 * the vertex count of its own prefix (dense ids are given in order of first
 * appearance, so it is one more than the largest id so far), so every
 * answer is that of a batch cut there.  The edge table is caught up with
 * the whole batch first: operators read only its answers (change[]) in
 * process_batch, and its keys only at barriers, which fall between
 * batches.  Each slice goes through the fold every stream shares
 * (dataflow/flow.h). */
static gboolean process_slot(const es_driver_config *cfg, GPtrArray *ops, es_flow *flow, const slot *s,
                             gboolean last, es_driver_stats *stats, es_report *report, es_progress *progress,
                             GError **error)
{
    const size_t n = s->raw->n;
    const uint64_t every = cfg->on_report ? cfg->report_every : 0;
    uint32_t nv = stats->vertices;
    if (s->has_change)
        es_flow_catch_up(flow, &s->mark);
    for (size_t a = 0; a < n;) {
        size_t len = n - a;
        if (every) {
            const uint64_t to_boundary = every - (s->first_index + a) % every;
            if (to_boundary < len)
                len = (size_t)to_boundary;
        }
        uint32_t slice_nv = s->num_vertices;
        if (a + len < n) {
            for (size_t i = a; i < a + len; i++) {
                const uint32_t m = MAX(s->edges[i].u, s->edges[i].v) + 1;
                nv = MAX(nv, m);
            }
            slice_nv = nv;
        }
        es_batch b = {
            .edges = s->edges + a,
            .ext = s->raw->ids + 2 * a,
            .time = s->raw->has_time ? s->raw->time + a : NULL,
            .del = s->raw->has_del ? s->raw->del + a : NULL,
            .weight = s->raw->has_weight ? s->raw->weight + a : NULL,
            .n = len,
            .first_index = s->first_index + a,
            .num_vertices = slice_nv,
        };
        if (!es_flow_fold(flow, &b, s->change + a, s->has_change, error))
            return FALSE;
        a += len;
        stats->edges = s->first_index + a;
        stats->vertices = slice_nv;
        /* Once stopped, only the final report: it covers what was read. */
        if (every && stats->edges % every == 0 && !(last && a == n) && !es_stop_reason(cfg->stop)) {
            es_progress_clear(progress);
            es_driver_collect(ops, stats, FALSE, report);
            cfg->on_report(report, cfg->user);
        }
    }
    return TRUE;
}

/* The id map, after opening the checkpoint (cfg->checkpoint) and, on
 * resume, restoring the id map and seeking the source to *pos; NULL (and
 * nothing left open) when a step fails. */
static es_idmap *start(const es_driver_config *cfg, GPtrArray *ops, es_edge_source *src, es_stream_pos *pos,
                       es_checkpoint **ck, GError **error)
{
    uint64_t *ext = NULL;
    uint32_t n = 0;
    es_idmap *idmap = NULL;
    gboolean ok = FALSE;
    if (cfg->checkpoint == NULL)
        return es_idmap_new(1u << 16, NULL);
    /* Logs the writer thread reads beside the stream must stay put. */
    if ((*ck = es_checkpoint_open(cfg->checkpoint, src, ops, pos, &ext, &n, error)) == NULL)
        goto out;
    idmap = es_idmap_new(MAX(n, 1u << 16), &es_log_memory_stable);
    if (!es_idmap_add_all(idmap, ext, n, error))
        goto out;
    if (!src->cls->seek(src, pos, error))
        goto out;
    ok = TRUE;
out:
    if (ext)
        es_h5_free(ext, (size_t)n * sizeof *ext);
    if (!ok) {
        g_clear_pointer(ck, es_checkpoint_free);
        g_clear_pointer(&idmap, es_idmap_free);
    }
    return idmap;
}

gboolean es_driver_run(const es_driver_config *cfg, GPtrArray *ops, es_driver_stats *stats, GError **error)
{
    es_edge_source *own_src = cfg->source ? NULL : es_file_source_new(cfg->inputs, cfg->skip_bad, cfg->format);
    es_edge_source *src = cfg->source ? cfg->source : own_src;
    if (own_src)
        es_file_source_set_live(own_src, cfg->linger_us, cfg->stop);
    size_t batch = cfg->batch_size ? cfg->batch_size : ES_DEFAULT_BATCH;
    if (src->cls->batch_bound)
        batch = MAX(src->cls->batch_bound(src, batch), 1);
    if (cfg->threads > 0)
        omp_set_num_threads(cfg->threads);
    *stats = (es_driver_stats){ 0 };
    es_stream_pos pos = { 0 };
    es_checkpoint *ck = NULL;
    es_idmap *idmap = start(cfg, ops, src, &pos, &ck, error);
    if (idmap == NULL) {
        es_edge_source_free(own_src);
        return FALSE;
    }
    stats->edges = pos.edges;
    stats->lines = pos.lines;
    stats->bad_lines = pos.bad;
    stats->vertices = pos.vertices;
    pipeline pl = {
        .cfg = cfg,
        .src = src,
        .idmap = idmap,
        .ck = ck,
        .start_edges = pos.edges,
        .free_q = g_async_queue_new(),
        .parsed_q = g_async_queue_new(),
        .full_q = g_async_queue_new(),
    };
    g_mutex_init(&pl.idmap_lock);
    g_mutex_init(&pl.table_lock);
    slot slots[NSLOTS];
    for (int i = 0; i < NSLOTS; i++) {
        slots[i] = (slot){ .raw = es_raw_batch_new(batch), .cap = batch };
        slots[i].edges = es_big_alloc(batch * sizeof(es_edge));
        slots[i].change = es_big_alloc(batch);
        g_async_queue_push(pl.free_q, &slots[i]);
    }
    es_flow flow;
    es_flow_init(&flow, ops, cfg->checkpoint != NULL);
    /* The table's stage runs in the mapper thread, beside the operators, when
     * the run starts with one (else in this thread, once adopted). */
    pl.mapper_table = flow.table;
    es_report *report = es_report_new();
    es_progress *progress = es_progress_new(cfg->progress, cfg->progress_lines);
    gint64 t0 = g_get_monotonic_time();
    GThread *reader_th = g_thread_try_new("es-reader", reader_stage, &pl, NULL);
    GThread *mapper_th = reader_th ? g_thread_try_new("es-mapper", mapper_stage, &pl, NULL) : NULL;
    if (mapper_th == NULL)
        es_out_of_memory(0, "the stack of a reader thread");

    gboolean ok = TRUE, seen_end = FALSE;
    char *final_text = NULL;   /* the source's position text at the end */
    uint64_t snap_offset = pos.offset;   /* of the last snapshot taken or restored */
    slot *ahead = NULL;   /* the next slot, popped early to see whether the stream ends */
    while (!seen_end) {
        slot *s = ahead ? ahead : g_async_queue_pop(pl.full_q);
        ahead = NULL;
        seen_end = s->end;
        if (s->error) {
            g_propagate_error(error, s->error);
            s->error = NULL;
            ok = FALSE;
        }
        size_t n = s->raw->n;
        gboolean last = seen_end;
        if (ok && n > 0 && !seen_end && cfg->on_report && cfg->report_every &&
            (s->first_index + n) % cfg->report_every == 0) {
            /* A report falls at this batch's end: when the stream ends
             * there, the final report says the same, so look at the next
             * slot first.  A file's comes at once; a pipe's may not come
             * for long, so wait a moment only. */
            ahead = s->bytes_total > 0 ? g_async_queue_pop(pl.full_q)
                                       : g_async_queue_timeout_pop(pl.full_q, REPORT_LOOKAHEAD_US);
            last = ahead && ahead->end && ahead->raw->n == 0 && ahead->error == NULL;
        }
        if (ok && n > 0) {
            ok = process_slot(cfg, ops, &flow, s, last, stats, report, progress, error);
            es_progress_update(progress, stats->edges, s->bytes_done, s->bytes_total);
        }
        if (ok && s->error == NULL) {
            /* The stream position after this batch (after trailing comment
             * or skipped lines too, when it is the end marker). */
            stats->lines = s->lines;
            stats->bad_lines = s->bad;
            pos = (es_stream_pos){
                .edges = stats->edges, .lines = s->lines, .bad = s->bad, .vertices = stats->vertices,
                .input = s->raw->input, .offset = s->raw->offset, .line = s->raw->line,
            };
        }
        if (!ok) {
            g_async_queue_push(pl.free_q, s);
            break;
        }
        es_barrier bar = { .ops = ops, .stats = stats, .idmap = idmap, .pos = &pos,
                           .snapshot_id = ck ? es_checkpoint_last_id(ck) : 0, .snapshot_offset = snap_offset };
        if (!seen_end && cfg->on_barrier) {
            g_mutex_lock(&pl.idmap_lock);   /* lookups beside the mapper */
            cfg->on_barrier(&bar, cfg->user);
            g_mutex_unlock(&pl.idmap_lock);
            if (bar.snapshot_now && ck)
                es_checkpoint_request(ck);
        }
        /* A barrier: every operator has folded this batch, none the next. */
        if (!seen_end && ck && es_checkpoint_due(ck, stats->edges)) {
            g_autofree char *text = src->cls->position_text(src, s->raw);
            pos.consumed = text;
            g_mutex_lock(&pl.idmap_lock);
            g_mutex_lock(&pl.table_lock);
            if (pl.mapper_table)
                es_edgetable_refresh(pl.mapper_table);
            es_checkpoint_take(ck, &pos, es_idmap_externals(idmap), ops);
            snap_offset = pos.offset;
            g_mutex_unlock(&pl.table_lock);
            g_mutex_unlock(&pl.idmap_lock);
            pos.consumed = NULL;
        }
        if (bar.snapshot_now) {
            if (ck)   /* the answer names a committed file */
                es_checkpoint_wait(ck);
            bar.snapshot_now = FALSE;
            bar.snapshot_answer = TRUE;
            bar.snapshot_id = ck ? es_checkpoint_last_id(ck) : 0;
            bar.snapshot_offset = snap_offset;
            g_mutex_lock(&pl.idmap_lock);
            cfg->on_barrier(&bar, cfg->user);
            g_mutex_unlock(&pl.idmap_lock);
        }
        if (seen_end && ck && s->error == NULL)
            final_text = src->cls->position_text(src, s->raw);
        /* The slot goes back only now: position_text reads its position. */
        g_async_queue_push(pl.free_q, s);
    }
    /* A failed run: stop the stages, and keep handing slots back until the
     * end marker has gone through them. */
    g_atomic_int_set(&pl.stop, 1);
    while (!seen_end) {
        slot *s = ahead ? ahead : g_async_queue_pop(pl.full_q);
        ahead = NULL;
        seen_end = s->end;
        g_clear_error(&s->error);
        g_async_queue_push(pl.free_q, s);
    }
    g_thread_join(reader_th);
    g_thread_join(mapper_th);
    es_progress_finish(progress, stats->edges);
    pos.consumed = final_text;
    if (ok && ck)
        stats->snapshots_failed = es_checkpoint_finish(ck, &pos, es_idmap_externals(idmap), ops);
    es_checkpoint_free(ck);
    stats->seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
    if (ok && cfg->on_report) {
        es_driver_collect(ops, stats, TRUE, report);
        cfg->on_report(report, cfg->user);
    }
    es_progress_free(progress);
    es_report_free(report);
    /* Drain the queues before freeing slots (the producer has exited). */
    while (g_async_queue_try_pop(pl.full_q))
        ;
    while (g_async_queue_try_pop(pl.parsed_q))
        ;
    while (g_async_queue_try_pop(pl.free_q))
        ;
    for (int i = 0; i < NSLOTS; i++) {
        es_raw_batch_free(slots[i].raw);
        es_big_free(slots[i].edges, batch * sizeof(es_edge));
        es_big_free(slots[i].change, batch);
        g_clear_error(&slots[i].error);
    }
    g_async_queue_unref(pl.free_q);
    g_async_queue_unref(pl.parsed_q);
    g_async_queue_unref(pl.full_q);
    g_mutex_clear(&pl.idmap_lock);
    g_mutex_clear(&pl.table_lock);
    es_flow_clear(&flow);
    es_idmap_free(pl.idmap);
    es_edge_source_free(own_src);
    g_free(final_text);
    return ok;
}
