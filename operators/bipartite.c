/* bipartite.c — the "bipartite" operator: is the graph seen so far
 * bipartite, and if not, which edge first closed an odd cycle.
 *
 * Algorithm: union-find with parity (graph/parity_uf.c): every edge (u, v)
 * asks for u and v on opposite sides; the first edge for which they are
 * already on the same side closes an odd cycle, and the graph stays
 * non-bipartite from then on (later edges are not looked at).  A self-loop
 * is an odd cycle of length 1, so it makes the graph non-bipartite, as
 * igraph_is_bipartite says too; repeated edges change nothing.
 * Cost: amortised O(alpha(n)) per edge, 6 bytes per vertex; O(1) per edge
 * once the answer is false.
 * Guarantees: exact, checked against igraph_is_bipartite.
 *
 * Sequential: the answer names the first closing edge in stream order, so
 * the edges are applied in that order.  A union is a few dependent memory
 * accesses (as in the cc operator), so the pass is bound by memory latency
 * and a concurrent forest would spend more on atomics and on finding the
 * earliest conflict than it saves.
 *
 * Answers: bipartite (bool); once false also odd_cycle_index (the closing
 * edge's stream index, from 0), odd_cycle_u and odd_cycle_v (its endpoints
 * as external ids when the batch carries them, dense ids otherwise).
 */
#include "graph/common.h"
#include "graph/parity_uf.h"
#include "operators/operator.h"

extern const es_operator_class es_bipartite_class;

typedef struct {
    es_operator base;
    es_puf     *uf;
    gboolean    bipartite;
    uint64_t    odd_index, odd_u, odd_v;
} bipartite_op;

static es_operator *bipartite_create(const es_options *opts, GError **error)
{
    (void)opts;
    (void)error;
    bipartite_op *b = g_new0(bipartite_op, 1);
    b->uf = es_puf_new(0);
    b->bipartite = TRUE;
    return &b->base;
}

static void bipartite_destroy(es_operator *op)
{
    bipartite_op *b = (bipartite_op *)op;
    es_puf_free(b->uf);
    g_free(b);
}

static gboolean bipartite_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    bipartite_op *b = (bipartite_op *)op;
    if (!b->bipartite)
        return TRUE;
    es_puf_grow(b->uf, batch->num_vertices);
    const uint32_t n = es_puf_size(b->uf);
    const es_edge *e = batch->edges;
    for (size_t i = 0; i < batch->n; i++) {
        if (G_UNLIKELY(e[i].u >= n || e[i].v >= n)) {
            g_set_error(error, ES_ERROR, ES_ERROR_INTERNAL,
                        "bipartite: edge %" G_GUINT64_FORMAT " (%u, %u) names a vertex beyond the batch's %u",
                        (guint64)es_batch_index(batch, i), e[i].u, e[i].v, batch->num_vertices);
            return FALSE;
        }
        if (!es_puf_unite_opposite(b->uf, e[i].u, e[i].v)) {
            b->bipartite = FALSE;
            b->odd_index = es_batch_index(batch, i);
            b->odd_u = batch->ext ? batch->ext[2 * i] : e[i].u;
            b->odd_v = batch->ext ? batch->ext[2 * i + 1] : e[i].v;
            break;
        }
    }
    return TRUE;
}

static void bipartite_report(es_operator *op, es_report *report)
{
    bipartite_op *b = (bipartite_op *)op;
    es_report_add_bool(report, "bipartite", b->bipartite);
    if (!b->bipartite) {
        es_report_add_u64(report, "odd_cycle_index", b->odd_index);
        es_report_add_u64(report, "odd_cycle_u", b->odd_u);
        es_report_add_u64(report, "odd_cycle_v", b->odd_v);
    }
}

const es_operator_class es_bipartite_class = {
    .name = "bipartite",
    .summary = "is the graph bipartite (parity union-find); the edge that closed the first odd cycle",
    .options = "",
    .create = bipartite_create,
    .process_batch = bipartite_process_batch,
    .report = bipartite_report,
    .snapshot_write = es_operator_snapshot_unsupported,
    .snapshot_read = es_operator_snapshot_unsupported,
    .destroy = bipartite_destroy,
};
