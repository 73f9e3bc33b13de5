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
 * probe and a few list links), 68 to 76 bytes per counter; a report sorts
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
 * (N / counters).  Library call (topk.h): the same list as structs.
 *
 * Deletions: refused (a run with --deletions stops at start): a
 * Space-Saving counter that took over an evicted item cannot give back
 * what a deletion of that item takes away, so its error bound would not
 * hold.  Tumbling windows answer per window (fresh counters); sliding
 * windows keep one summary per pane and answer from their merge
 * (mergeable summaries, Agarwal et al., PODS 2012: the bounds above hold
 * with N the window's), O(panes * counters) per report.
 *
 * Snapshot: group /operators/topk, laid out in README.md ("Snapshots"); a
 * restore checks every array and swaps the new state in only when all pass.
 *
 * Across MPI ranks (mpi/merge.h): in a reduced run each rank keeps a
 * summary of its own share, sending nothing per batch; before a snapshot
 * and at the end they are merged into rank 0's (es_ss_merge, 24 bytes per
 * counter per rank), which keeps the guarantees above but not the single
 * process's list (Space-Saving depends on the order of its updates).  In
 * a gathered run rank 0 counts every edge (16 bytes each).
 */
#include "graph/common.h"
#include "operators/topk.h"
#include "snapshot/fields.h"
#include "snapshot/h5util.h"
#include "sketches/spacesaving.h"

#define TOPK_MAX_K        100000u
#define TOPK_MAX_COUNTERS (UINT64_C(1) << 26)

/* ---- snapshot: what a barrier freezes ------------------------------------
 * The options, the size and total, and the items as three columns
 * (topk_fields, below). */
typedef struct {
    uint64_t  k, capacity, size, total;
    uint64_t *col[3];
} topk_snap;

/* ---- the operator -------------------------------------------------------- */

typedef struct {
    es_operator base;
    es_ss      *ss;
    size_t      k;
    topk_snap   f;          /* at the last barrier */
} topk_op;

static es_operator *topk_create(es_options *opts, GError **error)
{
    es_options *o = opts;
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
    for (int c = 0; c < 3; c++)
        g_free(t->f.col[c]);
    g_free(t);
}

static gboolean topk_merge(es_operator *into, const es_operator *from, GError **error)
{
    return es_ss_merge(((topk_op *)into)->ss, ((const topk_op *)from)->ss, error);
}

static gboolean topk_process_batch(es_operator *op, const es_batch *batch, GError **error)
{
    (void)error;
    topk_op *t = (topk_op *)op;
    const size_t n = batch->n;
    if (batch->ext) {
        es_ss_add_each(t->ss, batch->ext, 2 * n);
    } else {
        uint64_t keys[512];
        for (size_t s = 0; s < n; s += 256) {
            const size_t m = n - s < 256 ? n - s : 256;
            for (size_t i = 0; i < m; i++) {
                keys[2 * i] = batch->edges[s + i].u;
                keys[2 * i + 1] = batch->edges[s + i].v;
            }
            es_ss_add_each(t->ss, keys, 2 * m);
        }
    }
    return TRUE;
}

static topk_op *topk_of(es_operator *op)
{
    g_assert(op != NULL && op->klass == &es_topk_class);
    return (topk_op *)op;
}

es_ss *es_topk_op_summary(es_operator *op)
{
    return topk_of(op)->ss;
}

void es_topk_op_replace(es_operator *op, es_ss *ss)
{
    topk_op *t = topk_of(op);
    g_assert(es_ss_capacity(ss) == es_ss_capacity(t->ss));
    es_ss_free(t->ss);
    t->ss = ss;
}

static size_t top_list(topk_op *t, es_topk_entry *out)
{
    es_ss_item *items = g_new(es_ss_item, t->k);
    gboolean *sure = g_new(gboolean, t->k);
    size_t r = es_ss_top(t->ss, t->k, items, sure);
    for (size_t i = 0; i < r; i++)
        out[i] = (es_topk_entry){ items[i].key, items[i].count, items[i].error, sure[i] != FALSE };
    g_free(sure);
    g_free(items);
    return r;
}

es_topk_entry *es_topk_op_list(es_operator *op, size_t *n)
{
    topk_op *t = topk_of(op);
    es_topk_entry *out = g_new(es_topk_entry, t->k);
    *n = top_list(t, out);
    return out;
}

static void topk_report(es_operator *op, es_report *report)
{
    topk_op *t = (topk_op *)op;
    es_topk_entry *top = g_new(es_topk_entry, t->k);
    size_t r = top_list(t, top);
    GString *s = g_string_new(NULL);
    uint64_t guaranteed = 0;
    for (size_t i = 0; i < r; i++) {
        g_string_append_printf(s, "%s%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
                               i ? "," : "", (guint64)top[i].id, (guint64)top[i].count,
                               (guint64)top[i].error);
        guaranteed += top[i].guaranteed != FALSE;
    }
    es_report_add_list(report, "top", s->str);
    es_report_add_u64(report, "guaranteed", guaranteed);
    es_report_add_u64(report, "guarantee_threshold", es_ss_top_threshold(t->ss, t->k));
    es_report_add_u64(report, "total", es_ss_total(t->ss));
    es_report_add_double(report, "error_bound", es_ss_error_bound(t->ss));
    g_string_free(s, TRUE);
    g_free(top);
}

/* ---- snapshot ------------------------------------------------------------ */

/* At the barrier: the monitored items (at most `counters` of them) and
 * the total; k and the capacity never change. */
static void topk_snapshot_prepare(es_operator *op)
{
    topk_op *t = (topk_op *)op;
    const size_t n = es_ss_size(t->ss), cap = n ? n : 1;
    es_ss_item *items = g_new(es_ss_item, cap);
    es_ss_items(t->ss, items);
    t->f = (topk_snap){ t->k, es_ss_capacity(t->ss), n, es_ss_total(t->ss),
                        { g_renew(uint64_t, t->f.col[0], cap), g_renew(uint64_t, t->f.col[1], cap),
                          g_renew(uint64_t, t->f.col[2], cap) } };
    for (size_t i = 0; i < n; i++) {
        t->f.col[0][i] = items[i].key;
        t->f.col[1][i] = items[i].count;
        t->f.col[2][i] = items[i].error;
    }
    g_free(items);
}

static const es_field topk_fields[] = {
    ES_ATTR(topk_snap, k, "k", .flags = ES_FIELD_PARAM),
    ES_ATTR(topk_snap, capacity, "counters", .flags = ES_FIELD_PARAM),
    ES_ATTR(topk_snap, size, "size"),
    ES_ATTR(topk_snap, total, "total"),
    ES_ARRAY(ES_FIELD_U64S, topk_snap, col[0], size, "keys"),
    ES_ARRAY(ES_FIELD_U64S, topk_snap, col[1], size, "counts"),
    ES_ARRAY(ES_FIELD_U64S, topk_snap, col[2], size, "errors"),
};

/* The per-item checks that name a dataset; es_ss_restore checks the rest
 * (distinct keys, sum of counts). */
static gboolean check_items(const es_ss_item *it, size_t n, uint32_t capacity, GError **error)
{
    for (size_t i = 0; i < n; i++) {
        const char *what = NULL;
        if (it[i].count == 0)
            what = "snapshot dataset \"counts\" has a zero";
        else if (i > 0 && it[i].count < it[i - 1].count)
            what = "snapshot dataset \"counts\" is not in ascending order";
        else if (it[i].error > it[i].count)
            what = "snapshot dataset \"errors\" exceeds \"counts\"";
        else if (n < capacity && it[i].error != 0)
            what = "snapshot dataset \"errors\" is not 0 while the counters are not all used";
        else if (it[i].error > it[0].count)   /* counts ascend: it[0] has the smallest */
            what = "snapshot dataset \"errors\" exceeds the smallest count";
        if (what) {
            g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                        "%s at item %zu (count %" G_GUINT64_FORMAT ", error %" G_GUINT64_FORMAT ")",
                        what, i, (guint64)it[i].count, (guint64)it[i].error);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean topk_snapshot_read(es_operator *op, hid_t group, GError **error)
{
    topk_op *t = (topk_op *)op;
    const uint32_t capacity = es_ss_capacity(t->ss);
    topk_snap s = { .k = t->k, .capacity = capacity };
    es_ss_item *items = NULL;
    es_ss *ss = NULL;
    if (!ES_FIELDS_READ(group, topk_fields, 0, &s, error))
        goto out;
    if (s.size > capacity) {
        g_set_error(error, ES_ERROR, ES_ERROR_DATA,
                    "snapshot attribute \"size\" is %" G_GUINT64_FORMAT ", more than the %u counters",
                    (guint64)s.size, capacity);
        goto out;
    }
    items = g_new(es_ss_item, s.size ? s.size : 1);
    for (size_t i = 0; i < s.size; i++)
        items[i] = (es_ss_item){ .key = s.col[0][i], .count = s.col[1][i], .error = s.col[2][i] };
    if (check_items(items, s.size, capacity, error)) {
        ss = es_ss_restore(capacity, s.total, items, s.size, error);
        if (ss == NULL)
            g_prefix_error(error, "snapshot datasets \"keys\", \"counts\" and attribute \"total\": ");
    }
    if (ss != NULL) {
        es_ss_free(t->ss);
        t->ss = ss;
    }
out:
    g_free(items);
    ES_FIELDS_CLEAR(topk_fields, 0, &s);
    return ss != NULL;
}

const es_operator_class es_topk_class = {
    .name = "topk",
    .summary = "Space-Saving top-k vertices by degree (lines seen), counts with overestimation bounds",
    .options = "k=10,counters=max(10k,100)",
    .create = topk_create,
    .process_batch = topk_process_batch,
    .report = topk_report,
    .snapshot_prepare = topk_snapshot_prepare,
    ES_FROZEN(topk_fields, topk_op, f),
    .snapshot_read = topk_snapshot_read,
    .destroy = topk_destroy,
    .merge = topk_merge,
};
