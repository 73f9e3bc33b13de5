/* hll_distinct.c — the "hll" operator: the number of distinct vertices,
 * estimated in fixed memory by HyperLogLog.  (Not named hll.c: the static
 * library would then hold two members called hll.o.)
 *
 * What it counts: distinct vertex ids among both endpoints of every edge
 * line (a vertex seen only in self-loops counts).  Keys are the external
 * ids when the batch carries them, the dense ids otherwise.
 *
 * Algorithm: HyperLogLog (Flajolet et al., AofA 2007) with a 64-bit hash
 * and Ertl's improved estimator (2017), sketches/hll.c.  m = 2^p one-byte
 * registers (16 KiB at the default p = 14).  Cost: one hash and one
 * register maximum per endpoint, in parallel over the batch (a register is
 * a maximum, so the state never depends on the thread count or the batch
 * size); an estimate is O(m).
 *
 * Guarantees: relative standard error 1.04 / sqrt(m) (0.81% at p = 14);
 * the estimate is within error_bound = 3 standard errors of the true count
 * with probability about 99.7%.
 *
 * Options: p (4..18, default 14), seed (default 1).
 * Answers: distinct (the estimate, rounded), stderr (1.04 / sqrt(m)),
 * error_bound (3 * stderr * estimate).  Library call (operators/hll.h):
 * the unrounded estimate and its error bound.
 *
 * Deletions: refused (a run with --deletions stops at start): a
 * HyperLogLog register keeps the largest rank it saw and cannot forget
 * an item, and under arbitrary deletions no bounded sketch can say which
 * vertices remain.  Tumbling windows answer per window (a fresh sketch);
 * sliding windows keep one sketch per pane and answer from their union
 * (registers' maxima: the estimate of the window's distinct vertices,
 * with the same error), O(panes * 2^p) per report.
 *
 * Across MPI ranks (mpi/merge.h): each rank sketches its share of every
 * batch; before a snapshot and the final report the registers' maxima are
 * taken at rank 0 (MPI_Reduce, m bytes per rank) and the other ranks start
 * again from empty registers.  A register is a maximum, so the merged
 * sketch is the one a single process builds, register for register.
 *
 * Snapshot: group /operators/hll, laid out in README.md ("Snapshots"); a
 * restore checks every array and swaps the new state in only when all pass.
 *
 * Across MPI ranks (mpi/merge.h): in a reduced run each rank sketches its
 * own share and sends nothing per batch; before a snapshot and at the end
 * the registers are maximised at rank 0 (2^p bytes per rank), which gives
 * the single process's sketch.  In a gathered run rank 0 sketches every
 * edge.
 */
#include <math.h>
#include <string.h>

#include "graph/common.h"
#include "operators/hll.h"
#include "snapshot/fields.h"
#include "snapshot/h5util.h"
#include "sketches/hll.h"

/* ---- snapshot: what a barrier freezes ------------------------------------
 * The options and the registers (hll_fields, below). */
typedef struct {
    uint64_t p, seed, m;
    uint8_t *registers;
} hll_snap;

/* ---- the operator -------------------------------------------------------- */

typedef struct {
    es_operator base;
    es_hll     *hll;
    uint64_t   *keys;       /* scratch: a batch's endpoints as u64 */
    size_t      keys_cap;
    hll_snap    f;          /* at the last barrier (f.registers: a copy) */
} hll_op;

static es_operator *hll_create(es_options *opts, GError **error)
{
    es_options *o = opts;
    uint64_t p, seed;
    if (!es_options_get_u64(o, "p", 14, ES_HLL_MIN_P, ES_HLL_MAX_P, &p, error)
        || !es_options_get_u64(o, "seed", 1, 0, UINT64_MAX, &seed, error))
        return NULL;
    hll_op *h = g_new0(hll_op, 1);
    h->hll = es_hll_new((unsigned)p, seed);
    return &h->base;
}

static void hll_destroy(es_operator *op)
{
    hll_op *h = (hll_op *)op;
    es_hll_free(h->hll);
    es_big_free(h->keys, h->keys_cap * sizeof(uint64_t));
    g_free(h->f.registers);
    g_free(h);
}

static gboolean hll_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    (void)error;
    hll_op *h = (hll_op *)op;
    es_hll_add_many(h->hll, es_batch_endpoint_keys(batch, &h->keys, &h->keys_cap), 2 * batch->n);
    return TRUE;
}

static gboolean hll_merge(es_operator *into, const es_operator *from, GError **error)
{
    return es_hll_merge(((hll_op *)into)->hll, ((const hll_op *)from)->hll, error);
}

static void hll_report(es_operator *op, es_report *report)
{
    const es_hll *hll = ((hll_op *)op)->hll;
    double est = es_hll_estimate(hll);
    double se = es_hll_stderr(hll);
    es_report_add_u64(report, "distinct", (uint64_t)llround(est));
    es_report_add_double(report, "stderr", se);
    es_report_add_double(report, "error_bound", 3.0 * se * est);
}

double es_hll_op_estimate(es_operator *op, double *error_bound)
{
    g_assert(op != NULL && op->klass == &es_hll_class);
    const es_hll *hll = ((hll_op *)op)->hll;
    double est = es_hll_estimate(hll);
    if (error_bound)
        *error_bound = 3.0 * es_hll_stderr(hll) * est;
    return est;
}

es_hll *es_hll_op_sketch(es_operator *op)
{
    g_assert(op != NULL && op->klass == &es_hll_class);
    return ((hll_op *)op)->hll;
}

void es_hll_op_replace(es_operator *op, es_hll *h)
{
    g_assert(op != NULL && op->klass == &es_hll_class);
    hll_op *o = (hll_op *)op;
    g_assert(es_hll_p(h) == es_hll_p(o->hll) && es_hll_seed(h) == es_hll_seed(o->hll));
    es_hll_free(o->hll);
    o->hll = h;
}

/* ---- snapshot ------------------------------------------------------------ */

/* At the barrier: the registers (2^p bytes); p and the seed never change. */
static void hll_snapshot_prepare(es_operator *op)
{
    hll_op *h = (hll_op *)op;
    const size_t n = es_hll_registers_count(h->hll);
    h->f = (hll_snap){ es_hll_p(h->hll), es_hll_seed(h->hll), n, h->f.registers ? h->f.registers : g_malloc(n) };
    memcpy(h->f.registers, es_hll_registers(h->hll), n);
}

static const es_field hll_fields[] = {
    ES_ATTR(hll_snap, p, "p", .flags = ES_FIELD_PARAM),
    ES_ATTR(hll_snap, seed, "seed", .flags = ES_FIELD_PARAM),
    ES_ARRAY(ES_FIELD_U8S, hll_snap, registers, m, "registers", .flags = ES_FIELD_SIZED),
};

static gboolean hll_snapshot_read(es_operator *op, hid_t group, GError **error)
{
    hll_op *h = (hll_op *)op;
    hll_snap s = { es_hll_p(h->hll), es_hll_seed(h->hll), es_hll_registers_count(h->hll), NULL };
    es_hll *hll = NULL;
    if (ES_FIELDS_READ(group, hll_fields, 0, &s, error) &&
        (hll = es_hll_restore((unsigned)s.p, s.seed, s.registers, error)) == NULL)
        g_prefix_error(error, "snapshot dataset \"registers\": ");
    ES_FIELDS_CLEAR(hll_fields, 0, &s);
    if (hll == NULL)
        return FALSE;
    es_hll_free(h->hll);
    h->hll = hll;
    return TRUE;
}

const es_operator_class es_hll_class = {
    .name = "hll",
    .summary = "HyperLogLog estimate of distinct vertices, relative standard error 1.04/sqrt(2^p)",
    .options = "p=14,seed=1",
    .create = hll_create,
    .process_batch = hll_process_batch,
    .report = hll_report,
    .snapshot_prepare = hll_snapshot_prepare,
    ES_FROZEN(hll_fields, hll_op, f),
    .snapshot_read = hll_snapshot_read,
    .destroy = hll_destroy,
    .merge = hll_merge,
};
