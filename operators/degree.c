/* degree.c — the "degree" operator: exact degrees over distinct undirected
 * neighbours (the simple graph of the stream, as igraph has it after
 * simplify), and the degree distribution.
 *
 * Algorithm: the run's edge table (graph/edgetable.h) says which edges
 * appear for the first time; each such edge raises the degrees of its two
 * endpoints.  Self-loops are counted and otherwise ignored; a repeated
 * pair, in either direction, is a duplicate.
 * Cost per edge: a read of its answer and, when it appears, two
 * increments of degrees and four of the degree histogram
 * (graph/histogram.h, 32 KiB that stay in the cache); memory: 4 bytes per
 * vertex (the table is the run's).  A report reads the histogram, never
 * the vertices: its cost does not grow with the graph.
 * Deletions: a disappearing edge (graph/edgetable.h) takes its two
 * increments back, O(1); duplicates count the copies beyond the first of
 * the pairs that remain, as in the graph rebuilt from what remains.
 * Sliding windows (dataflow/window.h): an expiring line is a deletion
 * that also takes a self-loop line away; vertices no line of the window
 * names (es_operator.absent, of degree 0) are left out of vertices, mean
 * and the distribution.
 * Guarantees: exact.
 *
 * Parallelism: the increments take one sequential pass (measured 3 to 5
 * times faster than atomic increments from two threads, which serialise
 * the cache misses a plain loop overlaps).  Every answer, and the
 * snapshot, is therefore independent of the thread count.
 *
 * Across MPI ranks (mpi/degree_mpi.h): pairs partitioned by key group, each
 * owner de-duplicating its own; a batch sends every edge to its pair's
 * owner and per-vertex increments to rank 0 (es_degree_op_add).
 *
 * Answers: vertices, edges, self_loops, duplicates, max, mean (2 edges /
 * vertices), distribution (degree -> number of vertices, degree 0 included).
 *
 * Snapshot: group /operators/degree, laid out in README.md ("Snapshots"); a
 * restore checks every array and swaps the new state in only when all pass.
 */
#include <stdlib.h>

#include "graph/common.h"
#include "graph/histogram.h"
#include "operators/degree.h"
#include "operators/operator.h"
#include "snapshot/fields.h"
#include "snapshot/h5util.h"

/* ---- snapshot: what a barrier freezes ------------------------------------
 * The counters (degree_fields, below); the edges themselves are the
 * table's (/edges/keys). */
typedef struct {
    uint64_t nv, edges, self_loops, duplicates;
} degree_snap;

/* ---- the operator -------------------------------------------------------- */

typedef struct {
    es_operator base;
    uint32_t   *deg;        /* es_big_alloc'd, deg_cap entries, kept from children */
    size_t      deg_cap;
    uint32_t    nv;         /* vertices seen */
    uint64_t    edges, self_loops, duplicates;
    es_hist    *hist;       /* degree -> vertices, kept with deg[] */
    degree_snap f;          /* at the last snapshot barrier */
} degree_op;


static es_operator *degree_create(es_options *opts, GError **error)
{
    (void)opts;
    (void)error;
    degree_op *d = g_new0(degree_op, 1);
    d->hist = es_hist_new();
    return &d->base;
}

static void degree_destroy(es_operator *op)
{
    degree_op *d = (degree_op *)op;
    es_big_free(d->deg, d->deg_cap * sizeof(uint32_t));
    es_hist_free(d->hist);
    g_free(d);
}

/* How many lines ahead process_signed fetches the two degrees: its
 * branches on the kind of change are coin tosses, and each misprediction
 * would otherwise throw away the degree loads under way (most of its time
 * was the wait for deg[x]). */
#define SIGNED_AHEAD 16

/* A batch with deletion lines: a disappearing edge lowers both degrees;
 * duplicates are the copies beyond the first of the pairs that remain
 * (a deletion of one of several copies takes one away), self_loops the
 * self-loop lines (whose deletion the edge table ignores). */
static gboolean process_signed(degree_op *d, const es_batch *batch)
{
    const es_edge *e = batch->edges;
    const size_t n = batch->n;
    uint32_t *deg = d->deg;
    es_hist *hist = d->hist;
    uint64_t edges = d->edges, self_loops = d->self_loops, duplicates = d->duplicates;
    for (size_t i = 0; i < n; i++) {
        if (i + SIGNED_AHEAD < n) {
            __builtin_prefetch(&deg[e[i + SIGNED_AHEAD].u], 1);
            __builtin_prefetch(&deg[e[i + SIGNED_AHEAD].v], 1);
        }
        const gboolean ins = !batch->del[i];
        switch (batch->change[i]) {
        case ES_EDGE_APPEARS:
            for (int k = 0; k < 2; k++) {
                const uint32_t x = k ? e[i].v : e[i].u;
                es_hist_add(hist, deg[x], -1);
                es_hist_add(hist, ++deg[x], 1);
            }
            edges++;
            break;
        case ES_EDGE_DISAPPEARS:
            for (int k = 0; k < 2; k++) {
                const uint32_t x = k ? e[i].v : e[i].u;
                es_hist_add(hist, deg[x], -1);
                es_hist_add(hist, --deg[x], 1);
            }
            edges--;
            break;
        case ES_EDGE_SEEN:
            /* a repeat, or the deletion of one of several copies */
            /* (an expired self-loop line leaves; a deleted one stays) */
            if (e[i].u == e[i].v)
                self_loops += ins ? 1 : batch->del[i] == ES_LINE_EXPIRE ? (uint64_t)-1 : 0;
            if (e[i].u != e[i].v)
                duplicates += ins ? 1 : (uint64_t)-1;
            break;
        default:
            break;
        }
    }
    d->edges = edges;
    d->self_loops = self_loops;
    d->duplicates = duplicates;
    return TRUE;
}

static gboolean degree_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    (void)error;
    degree_op *d = (degree_op *)op;
    const es_edge *e = batch->edges;
    const size_t n = batch->n;

    if (batch->num_vertices > d->deg_cap) {
        size_t cap = es_grow_cap(d->deg_cap, batch->num_vertices);
        d->deg = es_big_realloc(d->deg, d->deg_cap * sizeof(uint32_t), cap * sizeof(uint32_t));
        d->deg_cap = cap;
    }
    if (batch->num_vertices > d->nv) {
        es_hist_add(d->hist, 0, batch->num_vertices - d->nv);  /* new vertices: degree 0 */
        d->nv = batch->num_vertices;
    }

    es_batch_assert_ids(batch, d->nv, "degree");

    uint32_t *deg = d->deg;
    es_hist *hist = d->hist;
    const uint8_t *change = batch->change;
    g_assert(n == 0 || change != NULL);
    if (G_UNLIKELY(batch->del != NULL))
        return process_signed(d, batch);
    uint64_t loops = 0, fresh = 0;
    for (size_t i = 0; i < n; i++) {
        loops += e[i].u == e[i].v;
        if (change[i] == ES_EDGE_APPEARS) {
            const uint32_t du = deg[e[i].u]++, dv = deg[e[i].v]++;
            es_hist_add(hist, du, -1);
            es_hist_add(hist, du + 1, 1);
            es_hist_add(hist, dv, -1);
            es_hist_add(hist, dv + 1, 1);
            fresh++;
        }
    }

    d->self_loops += loops;
    d->edges += fresh;
    d->duplicates += n - loops - fresh;
    return TRUE;
}

static void degree_report(es_operator *op, es_report *report)
{
    degree_op *d = (degree_op *)op;
    const uint32_t absent = MIN(op->absent, d->nv);   /* degree 0, left out */
    const uint32_t nv = d->nv - absent;
    GArray *bins = es_hist_bins(d->hist);
    es_hist_bins_take(bins, 0, absent);
    es_report_add_u64(report, "vertices", nv);
    es_report_add_u64(report, "edges", d->edges);
    es_report_add_u64(report, "self_loops", d->self_loops);
    es_report_add_u64(report, "duplicates", d->duplicates);
    es_report_add_u64(report, "max", es_hist_max(d->hist));
    es_report_add_double(report, "mean", nv ? 2.0 * (double)d->edges / nv : 0.0);
    es_report_add_hist(report, "distribution", (const es_hist_bin *)bins->data, bins->len);
    g_array_free(bins, TRUE);
}

/* ---- snapshot ------------------------------------------------------------ */

static void degree_snapshot_prepare(es_operator *op)
{
    degree_op *d = (degree_op *)op;
    d->f = (degree_snap){ d->nv, d->edges, d->self_loops, d->duplicates };
    /* (no table: its pairs are kept across MPI ranks, mpi/snapshot_mpi.h) */
    g_assert(op->frozen_edges == d->f.edges || op->edges == NULL || es_edgetable_dynamic(op->edges));
}

static const es_field degree_fields[] = {
    ES_ATTR(degree_snap, nv, "vertices", .max = UINT32_MAX),
    ES_ATTR(degree_snap, edges, "edges"),
    ES_ATTR(degree_snap, self_loops, "self_loops"),
    ES_ATTR(degree_snap, duplicates, "duplicates"),
};

/* The degrees are counted from the restored table's keys; the new state
 * is swapped in only when every check passed, so a bad snapshot leaves
 * the operator as it was. */
static gboolean degree_snapshot_read(es_operator *op, hid_t group, GError **error)
{
    degree_op *d = (degree_op *)op;
    degree_snap s = { 0 };
    if (!ES_FIELDS_READ(group, degree_fields, 0, &s, error))
        return FALSE;
    const uint64_t nv = s.nv, E = s.edges;
    if (E > (nv ? nv * (nv - 1) / 2 : 0)) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "snapshot attribute \"edges\" is %" G_GUINT64_FORMAT ", more than %" G_GUINT64_FORMAT
                    " vertices can have", (guint64)E, (guint64)nv);
        return FALSE;
    }
    if (!es_edgetable_check(op->edges, E, (uint32_t)nv, ES_EDGES_DATASET, error))
        return FALSE;
    size_t n = 0;
    const uint64_t *keys = op->edges ? es_edgetable_keys(op->edges, &n) : NULL;
    uint32_t *deg = es_big_alloc((size_t)nv * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++) {
        if (!es_edgetable_key_present(op->edges, keys[i]))
            continue;   /* (deleted since) */
        deg[keys[i] >> 32]++;
        deg[(uint32_t)keys[i]]++;
    }
    es_big_free(d->deg, d->deg_cap * sizeof(uint32_t));
    d->deg = deg;
    d->deg_cap = nv;
    d->nv = (uint32_t)nv;
    d->edges = E;
    d->self_loops = s.self_loops;
    d->duplicates = s.duplicates;
    es_hist_clear(d->hist);   /* recounted once, then kept by each batch */
    for (uint32_t v = 0; v < d->nv; v++)
        es_hist_add(d->hist, d->deg[v], 1);
    return TRUE;
}

static gboolean degree_needs_edges(const es_operator *op, gboolean snapshots)
{
    (void)op;
    (void)snapshots;
    return TRUE;
}

const es_operator_class es_degree_class = {
    .deletions = TRUE,
    .name = "degree",
    .summary = "exact degrees over distinct neighbours: max, mean, distribution, self-loops, duplicates",
    .options = "",
    .create = degree_create,
    .process_batch = degree_process_batch,
    .report = degree_report,
    .snapshot_prepare = degree_snapshot_prepare,
    ES_FROZEN(degree_fields, degree_op, f),
    .snapshot_read = degree_snapshot_read,
    .destroy = degree_destroy,
    .needs_edges = degree_needs_edges,
};

uint32_t es_degree_of(es_operator *op, uint32_t v)
{
    g_return_val_if_fail(op != NULL && op->klass == &es_degree_class, 0);
    const degree_op *d = (const degree_op *)op;
    return v < d->nv ? d->deg[v] : 0;
}

void es_degree_op_add(es_operator *op, const uint32_t *v, const uint32_t *inc, size_t n, uint32_t num_vertices,
                      const uint64_t counts[3])
{
    g_return_if_fail(op != NULL && op->klass == &es_degree_class);
    degree_op *d = (degree_op *)op;
    if (num_vertices > d->deg_cap) {
        size_t cap = es_grow_cap(d->deg_cap, num_vertices);
        d->deg = es_big_realloc(d->deg, d->deg_cap * sizeof(uint32_t), cap * sizeof(uint32_t));
        d->deg_cap = cap;
    }
    if (num_vertices > d->nv) {
        es_hist_add(d->hist, 0, num_vertices - d->nv);
        d->nv = num_vertices;
    }
    for (size_t i = 0; i < n; i++) {
        g_assert(v[i] < d->nv);
        if (inc[i] == 0)
            continue;
        const uint32_t was = d->deg[v[i]];
        d->deg[v[i]] = was + inc[i];
        es_hist_add(d->hist, was, -1);
        es_hist_add(d->hist, was + inc[i], 1);
    }
    d->edges += counts[0];
    d->self_loops += counts[1];
    d->duplicates += counts[2];
}
