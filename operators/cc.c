/* cc.c — the "cc" operator: connected components of the undirected graph
 * seen so far, maintained incrementally.
 *
 * Algorithm: one union-find over the dense vertex ids (graph/unionfind.c:
 * union by size with path halving, Tarjan & van Leeuwen, JACM 1984).  Each
 * batch first grows the forest to batch->num_vertices (a new vertex is a
 * singleton, so a vertex seen only in self-loops is its own component),
 * then unites the endpoints of every edge in stream order.
 * Cost: amortised O(alpha(n)) per edge, 8 bytes per vertex and 8 per join
 * (at most n - 1, the log snapshots write); a report costs O(1) in the
 * number of vertices: the union-find keeps the size histogram as it joins
 * (graph/histogram.h): 10 000 reports on R-MAT scale 20 cost about 8% of
 * the run's time, not 11 times it (bench/RESULTS.md).
 * Guarantees: exact.  The forest depends only on the edge sequence, never
 * on the thread count.
 *
 * Parallelism: none inside process_batch.  A union is a few dependent
 * memory accesses (10 to 15 ns per edge measured at 10 M edges over 0.6 to
 * 1 M vertices), so the pass is bound by memory latency and a concurrent
 * forest would spend more on atomics than it saves.  What helps is
 * prefetching the nodes of edges a few places ahead (es_uf_union_edges):
 * 10 M random edges over 4 M vertices took 0.33 s instead of 0.51 s edge
 * by edge (best of 7 on a shared 2-core machine; 0.049 s instead of 0.090
 * s over 1 M vertices).
 *
 * Deletions: in a stream that may delete edges (op->dynamic, --deletions)
 * the union-find, which cannot split, gives way from the first batch to
 * graph/lazyconn.c, fed the edge table's appearances and disappearances:
 * the union-find over the present pairs with its spanning forest flagged
 * in a set of them; a disappearing forest pair leaves it stale, rebuilt
 * from the set at the next report (O(m) then), and if reports come so
 * often that rebuilds outweigh the changes, graph/dynconn.c instead (a
 * deleted forest edge walks the smaller part of its tree for a
 * replacement).  Per appearance one probe of the set and one union, per
 * disappearance one probe; measured in bench/RESULTS.md.
 * Sliding windows (dataflow/window.h, op->sliding): no deletion at all,
 * but BIC (Zhang et al., "Bidirectional Incremental Computation", VLDB
 * 2024).  The window's lines are [s, b) of an older chunk B and [b, now)
 * of the current chunk F.  F has an insert-only union-find; B was run
 * backwards once, when it became the older chunk, with its joins listed in
 * that order, so the joins of any suffix [s, b) are a prefix of that list.
 * The window's components are those of the union of the two forests: a
 * report copies F's union-find and replays that prefix of B's joins.  When expiries exhaust B, F becomes B (one backward
 * pass) and F starts empty.  Cost per line: one union forward, one
 * backward, 8 bytes held until it expires; per report a copy of 8 bytes
 * per vertex and B's joins still in the window.  (Expiring edges through graph/dynconn.c instead, with its
 * replacement searches, measured 30 times slower on R-MAT: the oldest
 * edges are the spanning forest's.)
 * Vertices no line of the window names (es_operator.absent) are left out
 * of the answers as the singletons they are.  A sliding window with
 * --deletions is no op->sliding: the deletion path above takes its
 * expiries as disappearances.
 *
 * Answers: vertices, components, largest, size_histogram (component size ->
 * number of components).
 *
 * Snapshot: group /operators/cc, laid out in README.md ("Snapshots"); a
 * restore checks every array and swaps the new state in only when all pass.
 * Under deletions it holds no forest: a restore inserts the restored
 * table's present pairs into graph/lazyconn.c (one insertion each) and
 * checks the counts.
 *
 * Across MPI ranks (mpi/driver_mpi.h): in a reduced run each rank reduces
 * its share of a batch to a spanning forest, merged up a binary tree
 * (mpi/forest.h: 16 bytes per forest edge per round, log2 N rounds).
 * Without snapshots the union-find is then partitioned by key group
 * (mpi/cc_mpi.h): the forest is hooked onto the owners' parents, and this
 * operator only reports the figures kept there (es_cc_op_set_outside);
 * with snapshots rank 0 folds its own share and the forests it receives
 * here.  Otherwise each edge is gathered at rank 0 (16 bytes).
 */
#include "operators/cc.h"

#include <stdlib.h>
#include <string.h>

#include "graph/bic.h"
#include "graph/common.h"
#include "graph/histogram.h"
#include "graph/lazyconn.h"
#include "graph/unionfind.h"
#include "snapshot/fields.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"

/* ---- snapshot: what a barrier freezes ------------------------------------
 * The counts, and the joins' log up to the barrier (cc_fields, below). */
typedef struct {
    uint64_t  n, count, largest, njoins;
    uint64_t *joins;
} cc_snap;

/* ---- the operator -------------------------------------------------------- */

typedef struct {
    es_operator base;
    es_uf *uf;
    es_lazyconn *dyn;     /* instead of uf in a stream with deletions (op->dynamic) */
    uint64_t *joins;     /* log of the edges that joined two components */
    size_t    njoins;
    size_t    joins_cap; /* bytes */
    cc_snap   f;         /* at the last snapshot barrier */
    es_bic   *bic;       /* in a sliding window (op->sliding): BIC, above */
    const es_cc_outside *outside;   /* figures kept elsewhere (es_cc_op_set_outside), or NULL */
} cc_op;

static es_operator *cc_create(es_options *opts, GError **error)
{
    (void)opts;
    (void)error;
    cc_op *cc = g_new0(cc_op, 1);
    cc->uf = es_uf_new(0);
    return &cc->base;
}

static void cc_destroy(es_operator *op)
{
    cc_op *cc = (cc_op *)op;
    es_uf_free(cc->uf);
    es_lazyconn_free(cc->dyn);
    es_log_free(cc->joins, cc->joins_cap);
    es_bic_free(cc->bic);
    g_free(cc);
}

/* A stream with deletions: appearances and disappearances of the simple
 * graph (graph/edgetable.h) go to the dynamic structure. */
static void process_dynamic(cc_op *cc, const es_batch *batch)
{
    if (cc->dyn == NULL) {
        cc->dyn = es_lazyconn_new(FALSE);
        /* (made room for once, as the table: its doublings were a tenth of
         * a run with deletions, bench/RESULTS.md) */
        if (cc->base.edges != NULL)
            es_lazyconn_reserve(cc->dyn, es_edgetable_reserved(cc->base.edges));
    }
    es_lazyconn_grow(cc->dyn, batch->num_vertices);
    es_batch_assert_ids(batch, es_lazyconn_vertices(cc->dyn), "cc");
    g_assert(batch->n == 0 || batch->change != NULL);
    /* (the set's slots are cache misses: fetched a few changes ahead) */
    for (size_t i = 0; i < batch->n; i++) {
        if (i + 16 < batch->n && batch->change[i + 16] != ES_EDGE_SEEN)
            es_lazyconn_prefetch(cc->dyn, batch->edges[i + 16].u, batch->edges[i + 16].v);
        if (batch->change[i] == ES_EDGE_APPEARS)
            es_lazyconn_insert(cc->dyn, batch->edges[i].u, batch->edges[i].v);
        else if (batch->change[i] == ES_EDGE_DISAPPEARS)
            es_lazyconn_delete(cc->dyn, batch->edges[i].u, batch->edges[i].v);
    }
}

/* A sliding window's batch (op->sliding): insertions enter the window,
 * an expiry batch takes its oldest lines. */
static void process_sliding(cc_op *cc, const es_batch *batch)
{
    if (cc->bic == NULL)
        cc->bic = es_bic_new(FALSE);
    es_batch_assert_ids(batch, batch->num_vertices, "cc");
    if (batch->n > 0 && batch->del != NULL) {
        g_assert(batch->del[0] == ES_LINE_EXPIRE);
        es_bic_expire(cc->bic, batch->n, batch->num_vertices);
    } else {
        es_bic_insert(cc->bic, batch->edges, batch->n, batch->num_vertices);
    }
}

static gboolean cc_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    (void)error;
    cc_op *cc = (cc_op *)op;
    if (op->dynamic && op->sliding) {
        process_sliding(cc, batch);
        return TRUE;
    }
    if (op->dynamic) {
        process_dynamic(cc, batch);
        return TRUE;
    }
    es_uf *uf = cc->uf;
    es_uf_grow(uf, batch->num_vertices);
    es_batch_assert_ids(batch, es_uf_size(uf), "cc");
    const es_edge *e = batch->edges;
    /* Room for as many joins as the batch can make: fewer than its edges,
     * and fewer than the components there are. */
    const uint32_t count = es_uf_count(uf);
    const size_t need = (cc->njoins + MIN(batch->n, count ? (size_t)count - 1 : 0)) * sizeof(uint64_t);
    if (need > cc->joins_cap) {
        const size_t cap = es_grow_cap(cc->joins_cap, need);
        cc->joins = es_log_grow(cc->joins, cc->joins_cap, cap);
        cc->joins_cap = cap;
    }
    cc->njoins += es_uf_union_edges(uf, e, batch->n, cc->joins + cc->njoins);
    return TRUE;
}

/* The report of a forest whose size histogram is `sizes`, with
 * `absent` vertices (es_operator.absent: isolated singletons) left out. */
static void report_forest(const es_hist *sizes, uint32_t vertices, uint32_t components, uint32_t largest,
                          uint32_t absent, es_report *report)
{
    GArray *bins = es_hist_bins(sizes);
    es_hist_bins_take(bins, 1, absent);
    const uint32_t nv = vertices - absent;
    es_report_add_u64(report, "vertices", nv);
    es_report_add_u64(report, "components", components - absent);
    es_report_add_u64(report, "largest", nv ? largest : 0);
    es_report_add_hist(report, "size_histogram", (const es_hist_bin *)bins->data, bins->len);
    g_array_free(bins, TRUE);
}

static void report_dynamic(es_lazyconn *d, uint32_t absent, es_report *report)
{
    report_forest(es_lazyconn_sizes(d), es_lazyconn_vertices(d), es_lazyconn_components(d), es_lazyconn_largest(d),
                  absent, report);
}

static void cc_report(es_operator *op, es_report *report)
{
    if (op->dynamic && op->sliding) {
        cc_op *cc = (cc_op *)op;
        if (cc->bic == NULL)
            cc->bic = es_bic_new(FALSE);
        es_uf *uf = es_bic_components(cc->bic);
        report_forest(es_uf_sizes(uf), es_uf_size(uf), es_uf_count(uf), es_uf_largest(uf),
                      MIN(op->absent, es_uf_size(uf)), report);
        return;
    }
    if (((cc_op *)op)->dyn != NULL || op->dynamic) {
        es_lazyconn *d = ((cc_op *)op)->dyn;
        if (d == NULL)
            d = ((cc_op *)op)->dyn = es_lazyconn_new(FALSE);
        report_dynamic(d, MIN(op->absent, es_lazyconn_vertices(d)), report);
        return;
    }
    const es_uf *uf = ((cc_op *)op)->uf;
    const es_cc_outside *out = ((cc_op *)op)->outside;
    GArray *bins = es_hist_bins(out ? out->sizes : es_uf_sizes(uf));
    es_report_add_u64(report, "vertices", out ? out->vertices : es_uf_size(uf));
    es_report_add_u64(report, "components", out ? out->components : es_uf_count(uf));
    es_report_add_u64(report, "largest", out ? out->largest : es_uf_largest(uf));
    es_report_add_hist(report, "size_histogram", (const es_hist_bin *)bins->data, bins->len);
    g_array_free(bins, TRUE);
}

void es_cc_op_set_outside(es_operator *op, const es_cc_outside *outside)
{
    g_return_if_fail(op != NULL && op->klass == &es_cc_class);
    ((cc_op *)op)->outside = outside;
}

uint32_t es_cc_component_of(es_operator *op, uint32_t v)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_cc_class, UINT32_MAX);
    cc_op *cc = (cc_op *)op;
    if (cc->dyn)
        return v < es_lazyconn_vertices(cc->dyn) ? es_lazyconn_label(cc->dyn, v) : UINT32_MAX;
    if (v >= es_uf_size(cc->uf))
        return UINT32_MAX;
    return es_uf_find(cc->uf, v);
}

uint32_t es_cc_components(es_operator *op)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_cc_class, 0);
    if (((cc_op *)op)->dyn)
        return es_lazyconn_components(((cc_op *)op)->dyn);
    return es_uf_count(((cc_op *)op)->uf);
}

/* ---- snapshot ------------------------------------------------------------ */

static void cc_snapshot_prepare(es_operator *op)
{
    cc_op *cc = (cc_op *)op;
    const es_uf *uf = cc->uf;
    cc->f = (cc_snap){ es_uf_size(uf), es_uf_count(uf), es_uf_largest(uf), cc->njoins, cc->joins };
    if (cc->dyn)   /* (the forest is the table's present pairs: no joins) */
        cc->f = (cc_snap){ es_lazyconn_vertices(cc->dyn), es_lazyconn_components(cc->dyn),
                           es_lazyconn_largest(cc->dyn), 0, NULL };
}

/* Under deletions: the dynamic forest of the restored table's present
 * pairs over n vertices, checked against the snapshot's counts. */
static gboolean read_dynamic(cc_op *cc, uint32_t n, uint64_t count, uint64_t largest, GError **error)
{
    es_lazyconn *d = es_lazyconn_of_table(cc->base.edges, n, FALSE, error);
    if (d == NULL)
        return FALSE;
    if (es_lazyconn_components(d) != count || es_lazyconn_largest(d) != largest) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA, "snapshot attributes \"components\" (%" G_GUINT64_FORMAT
                    ") and \"largest\" (%" G_GUINT64_FORMAT ") are not those of %s (%u and %u)", (guint64)count,
                    (guint64)largest, ES_EDGES_DATASET, es_lazyconn_components(d), es_lazyconn_largest(d));
        es_lazyconn_free(d);
        return FALSE;
    }
    es_lazyconn_free(cc->dyn);
    cc->dyn = d;
    return TRUE;
}

static const es_field cc_fields[] = {
    ES_ATTR(cc_snap, n, "vertices"),
    ES_ATTR(cc_snap, count, "components"),
    ES_ATTR(cc_snap, largest, "largest"),
    ES_ARRAY(ES_FIELD_LOG_U64, cc_snap, joins, njoins, "joins"),
};

/* Build the forest aside and swap it in only when every check passed, so a
 * bad snapshot leaves the operator as it was. */
static gboolean cc_snapshot_read(es_operator *op, hid_t group, GError **error)
{
    cc_op *cc = (cc_op *)op;
    cc_snap s = { 0 };
    es_uf *uf = NULL;
    gboolean ok = FALSE;
    if (!ES_FIELDS_READ(group, cc_fields, 0, &s, error))
        goto out;
    if (s.n > UINT32_MAX || s.count > s.n || (s.count == 0 && s.n > 0)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "snapshot attributes \"vertices\" (%" G_GUINT64_FORMAT ") and \"components\" (%"
                    G_GUINT64_FORMAT ") do not fit: 32-bit vertex ids and 1 to n components",
                    (guint64)s.n, (guint64)s.count);
        goto out;
    }
    const uint32_t n = (uint32_t)s.n;
    const size_t k = op->dynamic && !op->sliding ? 0 : n - s.count;   /* each join merged two components */
    if (s.njoins != k) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "snapshot dataset \"joins\" has %zu elements, expected %zu (\"vertices\" minus \"components\","
                    " none with deletions)", (size_t)s.njoins, k);
        goto out;
    }
    if (op->dynamic && !op->sliding) {
        ok = read_dynamic(cc, n, s.count, s.largest, error);
        goto out;
    }
    uf = es_uf_new_from_joins(s.joins, k, n, error);
    if (uf == NULL) {
        g_prefix_error(error, "snapshot dataset \"joins\": ");
        goto out;
    }
    if (es_uf_largest(uf) != s.largest) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "snapshot attribute \"largest\" is %" G_GUINT64_FORMAT ", but the joins in \"joins\" give %u",
                    (guint64)s.largest, es_uf_largest(uf));
        goto out;
    }
    es_uf_free(cc->uf);
    cc->uf = g_steal_pointer(&uf);
    es_log_free(cc->joins, cc->joins_cap);
    cc->joins = g_steal_pointer(&s.joins);
    cc->joins_cap = k * sizeof(uint64_t);
    cc->njoins = k;
    ok = TRUE;
out:
    es_uf_free(uf);
    ES_FIELDS_CLEAR(cc_fields, 0, &s);
    return ok;
}

/* Under deletions it reads the table's appearances and disappearances. */
static gboolean cc_needs_edges(const es_operator *op, gboolean snapshots)
{
    (void)snapshots;
    return op->dynamic && !op->sliding;   /* (BIC reads the window's lines) */
}

const es_operator_class es_cc_class = {
    .deletions = TRUE,
    .needs_edges = cc_needs_edges,
    .name = "cc",
    .summary = "connected components (union-find): count, largest, size histogram",
    .options = "",
    .create = cc_create,
    .process_batch = cc_process_batch,
    .report = cc_report,
    .snapshot_prepare = cc_snapshot_prepare,
    ES_FROZEN(cc_fields, cc_op, f),
    .snapshot_read = cc_snapshot_read,
    .destroy = cc_destroy,
};
