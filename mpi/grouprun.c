/* grouprun.c — a run over the input's key groups in one process (see
 * grouprun.h). */
#include "mpi/grouprun.h"

#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "dataflow/edgesource.h"
#include "dataflow/streamspec.h"
#include "graph/common.h"
#include "operators/operator.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"
#include "snapshot/snapshot.h"

void es_group_root_grow(es_group_root *g, size_t n)
{
    if (n <= g->cap)
        return;
    g->cap = MAX(n, g->cap * 2);
    g->edges = g_renew(es_edge, g->edges, g->cap);
    g->change = g_renew(uint8_t, g->change, g->cap);
}

gboolean es_group_root_feed(es_group_root *g, const uint64_t *ext, const int64_t *time, size_t n, gboolean last,
                            GError **error)
{
    const es_driver_config *cfg = g->cfg;
    es_group_root_grow(g, n);
    for (size_t a = 0; a < n;) {
        uint64_t at = g->stats->edges;
        size_t b = n;
        if (cfg->report_every && cfg->report_every - at % cfg->report_every < n - a)
            b = a + (size_t)(cfg->report_every - at % cfg->report_every);
        if (!es_idmap_map_ids(g->idmap, ext + 2 * a, (uint32_t *)(g->edges + a), 2 * (b - a), error))
            return FALSE;
        es_batch batch = {
            .edges = g->edges + a,
            .ext = ext + 2 * a,
            .time = time ? time + a : NULL,
            .n = b - a,
            .first_index = at,
            .num_vertices = es_idmap_size(g->idmap),
        };
        if (!es_flow_fold(&g->flow, &batch, g->change + a, FALSE, error))
            return FALSE;
        g->stats->edges = at + batch.n;
        g->stats->vertices = batch.num_vertices;
        a = b;
        if (cfg->report_every && g->stats->edges % cfg->report_every == 0 && !(last && a == n)) {
            if (g->before_report && !g->before_report(g->before_report_user, error))
                return FALSE;
            if (cfg->on_report) {
                es_driver_collect(g->ops, g->stats, FALSE, g->report);
                cfg->on_report(g->report, cfg->user);
            }
        }
    }
    return TRUE;
}

gboolean es_group_root_start(es_group_root *g, es_chunks *chunks, guint groups, uint64_t *pos, size_t *quota,
                             GError **error)
{
    const es_driver_config *cfg = g->cfg;
    es_stream_pos sp = { 0 };
    uint64_t *ext = NULL;
    uint32_t n = 0;
    gboolean ok = FALSE;
    g->report = es_report_new();
    if (cfg->checkpoint == NULL) {
        if (!g->no_map)
            g->idmap = es_idmap_new(1u << 16, NULL);
        return TRUE;
    }
    g->src = es_file_source_new(cfg->inputs, cfg->skip_bad, cfg->format);
    es_checkpoint_config ckcfg = *cfg->checkpoint;
    g_autofree char *stream = es_stream_spec(cfg);
    ckcfg.stream = stream;
    if ((g->ck = es_checkpoint_open(&ckcfg, g->src, g->ops, &sp, &ext, &n, error)) == NULL)
        goto out;
    if (g->no_map) {   /* the caller spreads them */
        g->restored = ext;
        g->restored_n = n;
        ext = NULL;
    } else {
        g->idmap = es_idmap_new(MAX(n, 1u << 16), &es_log_memory_stable);
    }
    for (uint32_t i = 0; g->idmap && i < n; i++) {
        uint32_t d;
        if (!es_idmap_get_or_add(g->idmap, ext[i], &d, error))
            goto out;
        if (d != i) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot id map lists vertex %" G_GUINT64_FORMAT " twice", ext[i]);
            goto out;
        }
    }
    if (sp.edges > 0 || sp.consumed) {
        if (!es_chunks_parse(chunks, groups, sp.consumed, pos, error))
            goto out;
        /* The stream goes on as it was cut: the snapshot's quota. */
        guint nc, gr;
        size_t q;
        if (sscanf(sp.consumed, "mpi-chunks %u %u %zu", &nc, &gr, &q) == 3 && q > 0)
            *quota = q;
        g->stats->edges = sp.edges;
        g->stats->lines = sp.lines;
        g->stats->bad_lines = sp.bad;
        g->stats->vertices = sp.vertices;
    }
    ok = TRUE;
out:
    if (ext)
        es_h5_free(ext, (size_t)n * sizeof *ext);
    return ok;
}

gboolean es_group_root_due(es_group_root *g, uint64_t before)
{
    const es_checkpoint_config *ccfg = g->cfg->checkpoint;
    uint64_t edges = g->stats->edges;
    /* Batches end where the key groups' quotas do, not on multiples of
     * --snapshot-every: a barrier that passed one stands for it. */
    uint64_t probe = edges;
    if (ccfg->every_edges && edges / ccfg->every_edges > before / ccfg->every_edges && edges % ccfg->every_edges)
        probe = edges / ccfg->every_edges * ccfg->every_edges;
    return es_checkpoint_due(g->ck, probe);
}

void es_group_root_barrier(es_group_root *g, es_chunks *chunks, guint groups, const uint64_t *pos, gboolean final)
{
    uint64_t edges = g->stats->edges;
    g_autofree char *text = es_chunks_format(chunks, groups, g->quota, pos);
    es_stream_pos sp = {
        .edges = edges, .lines = g->stats->lines, .bad = g->stats->bad_lines,
        .vertices = g->stats->vertices, .consumed = text,
    };
    const uint64_t *ext = g->idmap ? es_idmap_externals(g->idmap) : g->externals;
    if (final)
        g->stats->snapshots_failed = es_checkpoint_finish(g->ck, &sp, ext, g->ops);
    else
        es_checkpoint_take(g->ck, &sp, ext, g->ops);
}

void es_group_root_clear(es_group_root *g)
{
    es_checkpoint_free(g->ck);
    es_edge_source_free(g->src);
    if (g->idmap)
        es_idmap_free(g->idmap);
    if (g->restored)
        es_h5_free(g->restored, (size_t)g->restored_n * sizeof *g->restored);
    g->restored = NULL;
    if (g->report)
        es_report_free(g->report);
    g_free(g->edges);
    g_free(g->change);
}

gboolean es_group_snapshot(const char *dir, guint *groups)
{
    GPtrArray *paths = es_snapshot_list(dir);
    gboolean found = FALSE, decided = FALSE;
    for (guint i = 0; i < paths->len && !decided; i++) {
        const char *path = g_ptr_array_index(paths, i);
        es_snapshot_meta meta = { 0 };
        GError *err = NULL;
        if (es_snapshot_verify(path, &err) && es_snapshot_read_meta(path, &meta, &err)) {
            guint nc;
            decided = TRUE;
            found = meta.source_consumed && sscanf(meta.source_consumed, "mpi-chunks %u %u", &nc, groups) == 2;
        }
        g_clear_error(&err);   /* one that does not verify: the checkpoint says so when it skips it */
        es_snapshot_meta_clear(&meta);
    }
    g_ptr_array_unref(paths);
    return found;
}

gboolean es_group_run(const es_driver_config *cfg, guint groups, GPtrArray *ops, es_driver_stats *stats,
                      GError **error)
{
    *stats = (es_driver_stats){ 0 };
    if (cfg->window || cfg->window_span || cfg->deletions || cfg->source || cfg->checkpoint == NULL) {
        g_set_error_literal(error, ES_ERROR, ES_ERROR_USAGE, "the snapshots were taken by a run across MPI ranks: "
                            "they resume with the input files, without --window, --deletions or --source");
        return FALSE;
    }
    if (cfg->threads > 0)
        omp_set_num_threads(cfg->threads);
    gint64 t0 = g_get_monotonic_time();
    es_group_root g = { .cfg = cfg, .ops = ops, .stats = stats };
    uint64_t *pos = NULL, *ids = NULL;
    int64_t *time = NULL;
    gboolean ok = FALSE, flowing = FALSE;
    es_chunks *chunks = es_chunks_new(cfg->inputs, groups, cfg->format, error);
    if (chunks == NULL)
        return FALSE;
    guint nchunks = es_chunks_count(chunks);
    size_t batch = cfg->batch_size ? cfg->batch_size : ES_DEFAULT_BATCH, quota = 0;
    pos = g_new0(uint64_t, 4 * (size_t)nchunks + 1);
    if (!es_group_root_start(&g, chunks, groups, pos, &quota, error))
        goto out;
    g.quota = quota ? quota : MAX(batch / nchunks, 1);
    es_flow_init(&g.flow, ops, TRUE, FALSE);
    flowing = TRUE;
    for (guint k = 0; k < nchunks; k++)
        if ((pos[4 * k] || pos[4 * k + 1] || pos[4 * k + 3]) && !es_chunks_seek(chunks, k, pos + 4 * k, error))
            goto out;
    ids = g_new(uint64_t, 2 * g.quota * nchunks + 1);
    time = g_new(int64_t, g.quota * nchunks + 1);
    for (;;) {
        size_t n = 0;
        gboolean has_time = FALSE, done = TRUE;
        for (guint k = 0; k < nchunks; k++) {
            if (!es_chunks_done(chunks, k) &&
                !es_chunks_read(chunks, k, g.quota, cfg->skip_bad, ids, time, &has_time, &n, error))
                goto out;
            done = done && es_chunks_done(chunks, k);
        }
        stats->lines = stats->bad_lines = 0;
        for (guint k = 0; k < nchunks; k++) {
            es_chunks_get(chunks, k, pos + 4 * k);
            stats->lines += pos[4 * k + 1];
            stats->bad_lines += pos[4 * k + 2];
        }
        uint64_t before = stats->edges;
        if (!es_group_root_feed(&g, ids, has_time ? time : NULL, n, done, error))
            goto out;
        if (!done && stats->edges > before && es_group_root_due(&g, before))
            es_group_root_barrier(&g, chunks, groups, pos, FALSE);
        if (done)
            break;
    }
    es_group_root_barrier(&g, chunks, groups, pos, TRUE);
    stats->seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
    if (cfg->on_report) {
        es_driver_collect(ops, stats, TRUE, g.report);
        cfg->on_report(g.report, cfg->user);
    }
    ok = TRUE;
out:
    if (flowing)
        es_flow_clear(&g.flow);
    es_group_root_clear(&g);
    g_free(ids);
    g_free(time);
    g_free(pos);
    es_chunks_free(chunks);
    return ok;
}
