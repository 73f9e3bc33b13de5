/* cm.c — the "cm" operator: a Count-Min sketch of vertex degrees, for id
 * spaces too large or too open for exact per-vertex counters.
 *
 * What it estimates: the multigraph degree as lines seen.  Every edge line
 * (u, v) adds 1 to u and 1 to v, so a self-loop line adds 2 to its vertex
 * and a repeated line counts again.  (This is not the `degree` operator's
 * distinct-neighbour degree.)  Keys are the external ids when the batch
 * carries them, the dense ids otherwise.
 *
 * Algorithm: Count-Min (Cormode & Muthukrishnan, J. Algorithms 2005;
 * sketches/countmin.c), plain (linear) update: width = ceil(e / eps),
 * depth = ceil(ln(1 / delta)).  Cost: O(depth) per endpoint; memory
 * 8 * width * depth bytes (about 106 KiB at the defaults), independent of
 * the stream.  Parallelism: the sketch's rows are filled by different
 * threads; counters are sums, so the state never depends on the thread
 * count or the batch size.
 *
 * Guarantees: with N = 2 * (edge lines seen), a vertex's estimate is never
 * below its degree and exceeds it by more than eps * N with probability at
 * most delta.
 *
 * Options: eps (default 0.001), delta (default 0.01), seed (default 1).
 * Answers: total (N), width, depth, eps and delta (the guarantee the
 * dimensions give: e / width and e^-depth, never weaker than requested),
 * error_bound (eps * N).
 */
#include "graph/common.h"
#include "operators/operator.h"
#include "sketches/countmin.h"

extern const es_operator_class es_cm_class;

typedef struct {
    es_operator base;
    es_cm      *cm;
    uint64_t   *keys;       /* scratch: a batch's endpoints as u64 */
    size_t      keys_cap;
} cm_op;

static es_operator *cm_create(const es_options *opts, GError **error)
{
    es_options *o = (es_options *)opts; /* the getters mark options as used */
    double eps, delta;
    uint64_t seed;
    if (!es_options_get_double(o, "eps", 0.001, 1e-6, 1.0, &eps, error)
        || !es_options_get_double(o, "delta", 0.01, 1e-12, 1.0, &delta, error)
        || !es_options_get_u64(o, "seed", 1, 0, UINT64_MAX, &seed, error))
        return NULL;
    cm_op *c = g_new0(cm_op, 1);
    c->cm = es_cm_new(eps, delta, seed, FALSE);
    return &c->base;
}

static void cm_destroy(es_operator *op)
{
    cm_op *c = (cm_op *)op;
    es_cm_free(c->cm);
    es_big_free(c->keys, c->keys_cap * sizeof(uint64_t));
    g_free(c);
}

/* The batch's 2n endpoints as keys: its external ids, or its dense ids. */
static const uint64_t *batch_keys(cm_op *c, const es_batch *b)
{
    if (b->ext)
        return b->ext;
    if (2 * b->n > c->keys_cap) {
        size_t cap = es_grow_cap(c->keys_cap, 2 * b->n);
        es_big_free(c->keys, c->keys_cap * sizeof(uint64_t));
        c->keys = es_big_alloc(cap * sizeof(uint64_t));
        c->keys_cap = cap;
    }
    const es_edge *e = b->edges;
    #pragma omp parallel for schedule(static) if (b->n >= 65536)
    for (size_t i = 0; i < b->n; i++) {
        c->keys[2 * i] = e[i].u;
        c->keys[2 * i + 1] = e[i].v;
    }
    return c->keys;
}

static gboolean cm_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    (void)error;
    cm_op *c = (cm_op *)op;
    es_cm_add_many(c->cm, batch_keys(c, batch), 2 * batch->n);
    return TRUE;
}

static void cm_report(es_operator *op, es_report *report)
{
    const es_cm *cm = ((cm_op *)op)->cm;
    es_report_add_u64(report, "total", es_cm_total(cm));
    es_report_add_u64(report, "width", es_cm_width(cm));
    es_report_add_u64(report, "depth", es_cm_depth(cm));
    es_report_add_double(report, "eps", es_cm_eps(cm));
    es_report_add_double(report, "delta", es_cm_delta(cm));
    es_report_add_double(report, "error_bound", es_cm_error_bound(cm));
}

const es_operator_class es_cm_class = {
    .name = "cm",
    .summary = "Count-Min sketch of vertex degrees (lines seen): never under, over by <= eps*N w.p. >= 1-delta",
    .options = "eps=0.001,delta=0.01,seed=1",
    .create = cm_create,
    .process_batch = cm_process_batch,
    .report = cm_report,
    .snapshot_write = es_operator_snapshot_unsupported,
    .snapshot_read = es_operator_snapshot_unsupported,
    .destroy = cm_destroy,
};
