/* fanout.c — every operator of a run on one batch, side by side (see
 * fanout.h). */
#include "dataflow/fanout.h"

#include <omp.h>

#include "operators/operator.h"

/* Batches (or report slices) smaller than this fold in list order: a
 * team's start and end cost microseconds, and far more when its threads
 * wait for a busy core; at --report-every 1 (one-edge slices) a region
 * per slice made a run of 2.6 M edges take minutes on a loaded machine. */
#define FANOUT_MIN 16384

struct es_fanout {
    gint64   *cost;    /* each operator's time on the last batch, microseconds */
    guint    *order;   /* operators by decreasing cost */
    GError  **err;
    gboolean *ok;
    guint     cap;
};

es_fanout *es_fanout_new(void)
{
    return g_new0(es_fanout, 1);
}

void es_fanout_free(es_fanout *fo)
{
    if (fo == NULL)
        return;
    g_free(fo->cost);
    g_free(fo->order);
    g_free(fo->err);
    g_free(fo->ok);
    g_free(fo);
}

static void reserve(es_fanout *fo, guint n)
{
    if (n <= fo->cap)
        return;
    fo->cost = g_renew(gint64, fo->cost, n);
    fo->order = g_renew(guint, fo->order, n);
    fo->err = g_renew(GError *, fo->err, n);
    fo->ok = g_renew(gboolean, fo->ok, n);
    for (guint i = fo->cap; i < n; i++)
        fo->cost[i] = 0;
    fo->cap = n;
}

/* The operators that fold as tasks (not parallel ones), by decreasing
 * cost, ties in list order (insertion sort: a handful of operators);
 * returns their number. */
static guint tasks_by_cost(es_fanout *fo, GPtrArray *ops)
{
    guint k = 0;
    for (guint x = 0; x < ops->len; x++) {
        if (((es_operator *)g_ptr_array_index(ops, x))->klass->parallel)
            continue;
        guint j = k++;
        for (; j > 0 && fo->cost[fo->order[j - 1]] < fo->cost[x]; j--)
            fo->order[j] = fo->order[j - 1];
        fo->order[j] = x;
    }
    return k;
}

static void fold_one(es_fanout *fo, GPtrArray *ops, guint i, const es_batch *b)
{
    const gint64 t0 = g_get_monotonic_time();
    fo->err[i] = NULL;
    fo->ok[i] = es_operator_process(g_ptr_array_index(ops, i), b, &fo->err[i]);
    fo->cost[i] = g_get_monotonic_time() - t0;
}

gboolean es_fanout_fold(es_fanout *fo, GPtrArray *ops, const es_batch *b, GError **error)
{
    const guint n = ops->len;
    const int threads = omp_get_max_threads();
    if (n <= 1 || threads <= 1 || b->n < FANOUT_MIN || omp_in_parallel()) {
        gboolean ok = TRUE;
        for (guint i = 0; ok && i < n; i++)
            ok = es_operator_process(g_ptr_array_index(ops, i), b, error);
        return ok;
    }
    reserve(fo, n);
    for (guint i = 0; i < n; i++)
        if (((es_operator *)g_ptr_array_index(ops, i))->klass->parallel)
            fold_one(fo, ops, i, b);
    const guint k = tasks_by_cost(fo, ops);
    if (k == 1)
        fold_one(fo, ops, fo->order[0], b);
    if (k > 1) {
        #pragma omp parallel num_threads((int)MIN((guint)threads, k))
        #pragma omp single
        for (guint t = 0; t < k; t++) {
            const guint i = fo->order[t];
            #pragma omp task firstprivate(i)
            {
                omp_set_num_threads(1);   /* this task's own regions: no nested team */
                fold_one(fo, ops, i, b);
            }
        }
    }
    gboolean ok = TRUE;
    for (guint i = 0; i < n; i++) {
        if (!fo->ok[i] && ok) {
            g_propagate_error(error, fo->err[i]);
            ok = FALSE;
        } else {
            g_clear_error(&fo->err[i]);
        }
    }
    return ok;
}
