/* fanout.c — every operator of a run on one batch, side by side (see
 * fanout.h). */
#include "dataflow/fanout.h"

#include <omp.h>

#include "operators/operator.h"

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

/* Insertion sort of the indices by decreasing cost, ties in list order
 * (a handful of operators). */
static void sort_by_cost(es_fanout *fo, guint n)
{
    for (guint i = 0; i < n; i++) {
        guint j = i, x = i;
        for (; j > 0 && fo->cost[fo->order[j - 1]] < fo->cost[x]; j--)
            fo->order[j] = fo->order[j - 1];
        fo->order[j] = x;
    }
}

gboolean es_fanout_fold(es_fanout *fo, GPtrArray *ops, const es_batch *b, GError **error)
{
    const guint n = ops->len;
    const int threads = omp_get_max_threads();
    if (n <= 1 || threads <= 1 || omp_in_parallel()) {
        gboolean ok = TRUE;
        for (guint i = 0; ok && i < n; i++)
            ok = es_operator_process(g_ptr_array_index(ops, i), b, error);
        return ok;
    }
    reserve(fo, n);
    sort_by_cost(fo, n);
    #pragma omp parallel num_threads((int)MIN((guint)threads, n))
    #pragma omp single
    for (guint k = 0; k < n; k++) {
        const guint i = fo->order[k];
        #pragma omp task firstprivate(i)
        {
            omp_set_num_threads(1);   /* this task's own regions: no nested team */
            const gint64 t0 = g_get_monotonic_time();
            fo->err[i] = NULL;
            fo->ok[i] = es_operator_process(g_ptr_array_index(ops, i), b, &fo->err[i]);
            fo->cost[i] = g_get_monotonic_time() - t0;
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
