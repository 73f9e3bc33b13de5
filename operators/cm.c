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
 * Deletions (the turnstile model): a deletion line takes its two
 * increments back (O(depth) per endpoint; updates then run in one
 * thread), so the sketch counts the lines that remain and N is twice
 * their number; the guarantee holds unchanged.  A deletion of an absent
 * edge changes nothing when the run keeps an edge table (another
 * operator needs one, graph/edgetable.h); a run of only bounded-memory
 * operators keeps none and applies every deletion line as the turnstile
 * model assumes, counters never going below 0.
 *
 * Options: eps (default 0.001), delta (default 0.01), seed (default 1).
 * Answers: total (N), width, depth, eps and delta (the guarantee the
 * dimensions give: e / width and e^-depth, never weaker than requested),
 * error_bound (eps * N).  Library calls (cm.h): a vertex's estimate and
 * the guarantee, for checking against exact degrees.
 *
 * Across MPI ranks (mpi/merge.h): each rank sketches its share of every
 * batch; before a snapshot and the final report the counters are summed
 * at rank 0 (MPI_Reduce, 8 * width * depth bytes per rank) and the other
 * ranks start again from zero.  Counters are sums, so the merged sketch is
 * the one a single process builds, counter for counter.
 *
 * Snapshot: group /operators/cm, laid out in README.md ("Snapshots"); a
 * restore checks every array and swaps the new state in only when all pass.
 *
 * Across MPI ranks (mpi/merge.h): in a reduced run each rank sketches its
 * own share and sends nothing per batch; before a snapshot and at the end
 * the counters are summed at rank 0 (8 bytes per counter per rank), which
 * gives the single process's sketch, cell for cell.  In a gathered run rank
 * 0 sketches every edge.
 */
#include <math.h>

#include "graph/common.h"
#include "operators/cm.h"
#include "snapshot/fields.h"
#include "snapshot/h5util.h"
#include "snapshot/logmem.h"
#include "sketches/countmin.h"

/* ---- snapshot: what a barrier freezes ------------------------------------
 * The options (the dimensions follow from eps and delta, so a different
 * value means the attributes were not written together), the total and
 * the counters (cm_fields, below). */
typedef struct {
    uint64_t  width, depth, seed, conservative, total, cells;
    double    eps, delta;
    uint64_t *counters;
} cm_snap;

/* ---- the operator -------------------------------------------------------- */

typedef struct {
    es_operator base;
    es_cm      *cm;
    uint64_t   *keys;       /* scratch: a batch's endpoints as u64 */
    size_t      keys_cap;
    cm_snap     f;          /* at the last barrier (f.counters: a copy) */
    size_t      f_cap;      /* bytes */
} cm_op;

static es_operator *cm_create(es_options *opts, GError **error)
{
    es_options *o = opts;
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
    es_big_free(c->f.counters, c->f_cap);
    g_free(c);
}

static gboolean cm_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    (void)error;
    cm_op *c = (cm_op *)op;
    const uint64_t *keys = es_batch_endpoint_keys(batch, &c->keys, &c->keys_cap);
    if (G_LIKELY(batch->del == NULL)) {
        es_cm_add_many(c->cm, keys, 2 * batch->n);
        return TRUE;
    }
    /* Turnstile: a deletion line takes its two increments back, unless
     * the edge table says it deleted nothing.  Counters are sums, so the
     * order of additions and removals does not matter. */
    for (size_t i = 0; i < batch->n; i++) {
        const gboolean ignored = batch->change && batch->change[i] == ES_EDGE_IGNORED;
        for (int k = 0; k < 2 && !ignored; k++) {
            if (batch->del[i])
                es_cm_remove(c->cm, keys[2 * i + k], 1);
            else
                es_cm_update(c->cm, keys[2 * i + k], 1);
        }
    }
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

static cm_op *cm_of(es_operator *op)
{
    g_assert(op != NULL && op->klass == &es_cm_class);
    return (cm_op *)op;
}

uint64_t es_cm_op_query(es_operator *op, uint64_t external_id)
{
    return es_cm_query(cm_of(op)->cm, external_id);
}

void es_cm_op_params(es_operator *op, double *eps, double *delta, uint64_t *total)
{
    const es_cm *cm = cm_of(op)->cm;
    if (eps)
        *eps = es_cm_eps(cm);
    if (delta)
        *delta = es_cm_delta(cm);
    if (total)
        *total = es_cm_total(cm);
}

es_cm *es_cm_op_sketch(es_operator *op)
{
    return cm_of(op)->cm;
}

void es_cm_op_replace(es_operator *op, es_cm *cm)
{
    cm_op *c = cm_of(op);
    g_assert(es_cm_width(cm) == es_cm_width(c->cm) && es_cm_depth(cm) == es_cm_depth(c->cm));
    es_cm_free(c->cm);
    c->cm = cm;
}

/* ---- snapshot ------------------------------------------------------------ */

static const es_field cm_fields[] = {
    ES_ATTR(cm_snap, width, "width", .flags = ES_FIELD_PARAM),
    ES_ATTR(cm_snap, depth, "depth", .flags = ES_FIELD_PARAM),
    ES_ATTR(cm_snap, seed, "seed", .flags = ES_FIELD_PARAM),
    ES_ATTR(cm_snap, conservative, "conservative", .flags = ES_FIELD_PARAM),
    ES_ATTR(cm_snap, total, "total"),
    ES_ATTR_OF(ES_FIELD_F64, cm_snap, eps, "eps", .flags = ES_FIELD_PARAM),
    ES_ATTR_OF(ES_FIELD_F64, cm_snap, delta, "delta", .flags = ES_FIELD_PARAM),
    ES_ARRAY(ES_FIELD_U64S, cm_snap, counters, cells, "counters", .flags = ES_FIELD_SIZED),
};

static cm_snap cm_options(const es_cm *cm)
{
    const uint32_t w = es_cm_width(cm), d = es_cm_depth(cm);
    return (cm_snap){ w, d, es_cm_seed(cm), es_cm_conservative(cm) ? 1 : 0, 0, (uint64_t)w * d, es_cm_eps(cm),
                      es_cm_delta(cm), NULL };
}

/* At the barrier: the counters (width x depth, 8 bytes each) and the
 * total; the rest never changes. */
static void cm_snapshot_prepare(es_operator *op)
{
    cm_op *c = (cm_op *)op;
    uint64_t *counters = c->f.counters;
    c->f = cm_options(c->cm);
    es_shadow_copy((void **)&counters, &c->f_cap, es_cm_counters(c->cm), c->f.cells * sizeof(uint64_t));
    c->f.counters = counters;
    c->f.total = es_cm_total(c->cm);
}

static gboolean cm_snapshot_read(es_operator *op, hid_t group, GError **error)
{
    cm_op *c = (cm_op *)op;
    cm_snap s = cm_options(c->cm);
    es_cm *cm = NULL;
    if (ES_FIELDS_READ(group, cm_fields, 0, &s, error)) {
        cm = es_cm_restore((uint32_t)s.width, (uint32_t)s.depth, s.seed, s.conservative, s.total, s.counters, error);
        if (cm == NULL)
            g_prefix_error(error, "snapshot dataset \"counters\" and attribute \"total\": ");
    }
    ES_FIELDS_CLEAR(cm_fields, 0, &s);
    if (cm == NULL)
        return FALSE;
    es_cm_free(c->cm);
    c->cm = cm;
    return TRUE;
}

const es_operator_class es_cm_class = {
    .deletions = TRUE,
    .name = "cm",
    .summary = "Count-Min sketch of vertex degrees (lines seen): never under, over by <= eps*N w.p. >= 1-delta",
    .options = "eps=0.001,delta=0.01,seed=1",
    .create = cm_create,
    .process_batch = cm_process_batch,
    .report = cm_report,
    .snapshot_prepare = cm_snapshot_prepare,
    ES_FROZEN(cm_fields, cm_op, f),
    .snapshot_read = cm_snapshot_read,
    .destroy = cm_destroy,
};
