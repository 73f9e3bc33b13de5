/* topk.c — the "topk" operator: the k vertices of highest degree, with
 * bounded memory, by Space-Saving over vertex occurrences.
 *
 * What it counts: the multigraph degree as lines seen, as the `cm`
 * operator does: every edge line (u, v) is one occurrence of u and one of
 * v (a self-loop line, two of its vertex; a repeated line counts again).
 * Keys are the external ids when the batch carries them, the dense ids
 * otherwise.
 *
 * Algorithm: Space-Saving (Metwally, Agrawal & El Abbadi, ICDT 2005;
 * sketches/spacesaving.c, on the paper's stream-summary) with `counters`
 * counters, default max(10 k, 100).  Cost: O(1) per endpoint (an index
 * probe and a few list links), 64 to 72 bytes per counter; a report sorts
 * the top k + 1.  Sequential: Space-Saving's state depends on the order of
 * updates, and feeding them in stream order keeps every answer independent
 * of the batch size and the thread count.
 *
 * Guarantees, with N = 2 * (edge lines seen): each listed count is an
 * upper bound on the vertex's degree and exceeds it by at most its error,
 * and every error is at most N / counters; every vertex of degree above
 * N / counters is monitored.  A listed vertex is "guaranteed" when count -
 * error is at least the (k+1)-th largest count: its degree is then at least
 * the k-th largest degree of the stream.
 *
 * Options: k (default 10), counters (default max(10 k, 100), at least k).
 * Answers: top ("id:count:error,..." for the k largest counts, count
 * descending, then id ascending), guaranteed (how many of them are
 * guaranteed), guarantee_threshold (the (k+1)-th largest count: a listed
 * vertex is guaranteed iff count - error >= it), total (N), error_bound
 * (N / counters).
 */
#include "graph/common.h"
#include "operators/operator.h"
#include "sketches/spacesaving.h"

extern const es_operator_class es_topk_class;

#define TOPK_MAX_K        100000u
#define TOPK_MAX_COUNTERS (UINT64_C(1) << 26)

typedef struct {
    es_operator base;
    es_ss      *ss;
    size_t      k;
} topk_op;

static es_operator *topk_create(const es_options *opts, GError **error)
{
    es_options *o = (es_options *)opts; /* the getters mark options as used */
    uint64_t k, counters;
    if (!es_options_get_u64(o, "k", 10, 1, TOPK_MAX_K, &k, error))
        return NULL;
    uint64_t dflt = 10 * k > 100 ? 10 * k : 100;
    if (!es_options_get_u64(o, "counters", dflt, 1, TOPK_MAX_COUNTERS, &counters, error))
        return NULL;
    if (counters < k) {
        g_set_error(error, ES_ERROR, ES_ERROR_USAGE,
                    "%s: counters must be at least k (%" G_GUINT64_FORMAT "), got %" G_GUINT64_FORMAT,
                    es_options_op(opts), (guint64)k, (guint64)counters);
        return NULL;
    }
    topk_op *t = g_new0(topk_op, 1);
    t->ss = es_ss_new((uint32_t)counters);
    t->k = (size_t)k;
    return &t->base;
}

static void topk_destroy(es_operator *op)
{
    topk_op *t = (topk_op *)op;
    es_ss_free(t->ss);
    g_free(t);
}

static gboolean topk_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    (void)error;
    topk_op *t = (topk_op *)op;
    const size_t n = batch->n;
    if (batch->ext) {
        for (size_t j = 0; j < 2 * n; j++)
            es_ss_update(t->ss, batch->ext[j], 1);
    } else {
        for (size_t i = 0; i < n; i++) {
            es_ss_update(t->ss, batch->edges[i].u, 1);
            es_ss_update(t->ss, batch->edges[i].v, 1);
        }
    }
    return TRUE;
}

static void topk_report(es_operator *op, es_report *report)
{
    topk_op *t = (topk_op *)op;
    es_ss_item *items = g_new(es_ss_item, t->k);
    gboolean *sure = g_new(gboolean, t->k);
    size_t r = es_ss_top(t->ss, t->k, items, sure);
    GString *s = g_string_new(NULL);
    uint64_t guaranteed = 0;
    for (size_t i = 0; i < r; i++) {
        g_string_append_printf(s, "%s%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
                               i ? "," : "", (guint64)items[i].key, (guint64)items[i].count,
                               (guint64)items[i].error);
        guaranteed += sure[i] != FALSE;
    }
    es_report_add_string(report, "top", s->str);
    es_report_add_u64(report, "guaranteed", guaranteed);
    es_report_add_u64(report, "guarantee_threshold", es_ss_top_threshold(t->ss, t->k));
    es_report_add_u64(report, "total", es_ss_total(t->ss));
    es_report_add_double(report, "error_bound", es_ss_error_bound(t->ss));
    g_string_free(s, TRUE);
    g_free(sure);
    g_free(items);
}

const es_operator_class es_topk_class = {
    .name = "topk",
    .summary = "Space-Saving top-k vertices by degree (lines seen), counts with overestimation bounds",
    .options = "k=10,counters=max(10k,100)",
    .create = topk_create,
    .process_batch = topk_process_batch,
    .report = topk_report,
    .snapshot_write = es_operator_snapshot_unsupported,
    .snapshot_read = es_operator_snapshot_unsupported,
    .destroy = topk_destroy,
};
