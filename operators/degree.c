/* degree.c — the "degree" operator: exact degrees over distinct undirected
 * neighbours (the simple graph of the stream, as igraph has it after
 * simplify), and the degree distribution.
 *
 * Algorithm: every non-loop edge goes into a sharded hash set of undirected
 * edges (graph/edgeset.c: linear probing at <= 50% load); an edge that is
 * new raises the degrees of its two endpoints.  Self-loops are counted and
 * otherwise ignored; a repeated pair, in either direction, is a duplicate.
 * Cost per edge: one hash-set insertion (expected O(1)) and, when new, two
 * increments; memory: 4 bytes per vertex and 16-32 bytes per distinct edge.
 * A report is one pass over the vertices.
 * Guarantees: exact.
 *
 * Parallelism: the batch's edges are sorted by set shard (stable) and each
 * shard is filled by one thread, so the new/old answers are those of a
 * sequential insertion in stream order; the degree increments of new edges
 * then take one sequential pass; the report's max and distribution are
 * merged from per-thread partials.  Every answer is therefore independent
 * of the thread count.
 *
 * Answers: vertices, edges, self_loops, duplicates, max, mean (2 edges /
 * vertices), distribution (degree -> number of vertices, degree 0 included).
 */
#include <omp.h>
#include <stdlib.h>

#include "graph/common.h"
#include "graph/edgeset.h"
#include "operators/operator.h"

typedef struct {
    es_operator base;
    es_edgeset *set;
    uint32_t   *deg;        /* es_big_alloc'd, deg_cap entries */
    size_t      deg_cap;
    uint32_t    nv;         /* vertices seen */
    uint8_t    *is_new;     /* per-batch scratch */
    size_t      is_new_cap;
    uint64_t    edges, self_loops, duplicates;
} degree_op;

/* Degrees below this are counted in per-thread dense arrays; larger ones
 * (fewer than 2 edges / DENSE_DEGREES vertices) are listed and sorted. */
#define DENSE_DEGREES 4096u
/* Below this many edges or vertices a loop is not worth a parallel region. */
#define PARALLEL_MIN 8192

static es_operator *degree_create(const es_options *opts, GError **error)
{
    (void)opts;
    (void)error;
    degree_op *d = g_new0(degree_op, 1);
    d->set = es_edgeset_new(0, 0);
    return &d->base;
}

static void degree_destroy(es_operator *op)
{
    degree_op *d = (degree_op *)op;
    es_edgeset_free(d->set);
    es_big_free(d->deg, d->deg_cap * sizeof(uint32_t));
    es_big_free(d->is_new, d->is_new_cap);
    g_free(d);
}

static gboolean degree_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    degree_op *d = (degree_op *)op;
    const es_edge *e = batch->edges;
    const size_t n = batch->n;

    if (batch->num_vertices > d->deg_cap) {
        size_t cap = es_grow_cap(d->deg_cap, batch->num_vertices);
        d->deg = es_big_realloc(d->deg, d->deg_cap * sizeof(uint32_t), cap * sizeof(uint32_t));
        d->deg_cap = cap;
    }
    if (batch->num_vertices > d->nv)
        d->nv = batch->num_vertices;
    if (n > d->is_new_cap) {
        size_t cap = es_grow_cap(d->is_new_cap, n);
        es_big_free(d->is_new, d->is_new_cap);
        d->is_new = es_big_alloc(cap);
        d->is_new_cap = cap;
    }

    /* Self-loops, and a check of the batch's own promise on vertex ids. */
    const uint32_t nv = d->nv;
    uint64_t loops = 0;
    size_t bad = 0;
    #pragma omp parallel for reduction(+ : loops, bad) schedule(static) if (n >= PARALLEL_MIN)
    for (size_t i = 0; i < n; i++) {
        loops += e[i].u == e[i].v;
        bad += e[i].u >= nv || e[i].v >= nv;
    }
    if (bad) {
        g_set_error(error, ES_ERROR, ES_ERROR_INTERNAL,
                    "degree: %zu edges of the batch at %" G_GUINT64_FORMAT " name vertices beyond its %u",
                    bad, (guint64)batch->first_index, batch->num_vertices);
        return FALSE;
    }

    size_t fresh = es_edgeset_insert_batch(d->set, e, n, TRUE, d->is_new);

    /* One plain pass: measured 3 to 5 times faster than atomic increments
     * from two threads, which serialise the cache misses a plain loop
     * overlaps. */
    uint32_t *deg = d->deg;
    const uint8_t *is_new = d->is_new;
    for (size_t i = 0; i < n; i++) {
        if (is_new[i]) {
            deg[e[i].u]++;
            deg[e[i].v]++;
        }
    }

    d->self_loops += loops;
    d->edges += fresh;
    d->duplicates += n - loops - fresh;
    return TRUE;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void degree_report(es_operator *op, es_report *report)
{
    degree_op *d = (degree_op *)op;
    const uint32_t nv = d->nv;
    const uint32_t *deg = d->deg;
    const int T = omp_get_max_threads();
    uint64_t *dense = g_new0(uint64_t, (size_t)T * DENSE_DEGREES);
    GArray **large = g_new0(GArray *, T);
    uint32_t max = 0;

    #pragma omp parallel reduction(max : max) if (nv >= PARALLEL_MIN)
    {
        const int t = omp_get_thread_num();
        uint64_t *h = dense + (size_t)t * DENSE_DEGREES;
        GArray *big = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        #pragma omp for schedule(static)
        for (uint32_t v = 0; v < nv; v++) {
            uint32_t x = deg[v];
            if (x > max)
                max = x;
            if (x < DENSE_DEGREES)
                h[x]++;
            else
                g_array_append_val(big, x);
        }
        large[t] = big;
    }

    /* Merge: sum the dense partials, sort the listed large degrees. */
    GArray *all = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (int t = 0; t < T; t++) {
        if (large[t] == NULL)
            continue;
        g_array_append_vals(all, large[t]->data, large[t]->len);
        g_array_free(large[t], TRUE);
    }
    if (all->len > 1)
        qsort(all->data, all->len, sizeof(uint32_t), u32_cmp);
    GArray *bins = g_array_new(FALSE, FALSE, sizeof(es_hist_bin));
    for (uint32_t x = 0; x < DENSE_DEGREES; x++) {
        es_hist_bin b = { x, 0 };
        for (int t = 0; t < T; t++)
            b.count += dense[(size_t)t * DENSE_DEGREES + x];
        if (b.count)
            g_array_append_val(bins, b);
    }
    for (guint i = 0; i < all->len;) {
        es_hist_bin b = { g_array_index(all, uint32_t, i), 0 };
        while (i < all->len && g_array_index(all, uint32_t, i) == b.key) {
            b.count++;
            i++;
        }
        g_array_append_val(bins, b);
    }

    es_report_add_u64(report, "vertices", nv);
    es_report_add_u64(report, "edges", d->edges);
    es_report_add_u64(report, "self_loops", d->self_loops);
    es_report_add_u64(report, "duplicates", d->duplicates);
    es_report_add_u64(report, "max", max);
    es_report_add_double(report, "mean", nv ? 2.0 * (double)d->edges / nv : 0.0);
    es_report_add_hist(report, "distribution", (const es_hist_bin *)bins->data, bins->len);

    g_array_free(bins, TRUE);
    g_array_free(all, TRUE);
    g_free(large);
    g_free(dense);
}

const es_operator_class es_degree_class = {
    .name = "degree",
    .summary = "exact degrees over distinct neighbours: max, mean, distribution, self-loops, duplicates",
    .options = "",
    .create = degree_create,
    .process_batch = degree_process_batch,
    .report = degree_report,
    .snapshot_write = es_operator_snapshot_unsupported,
    .snapshot_read = es_operator_snapshot_unsupported,
    .destroy = degree_destroy,
};
