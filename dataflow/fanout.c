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
    gint64   *cost;    /* each operator's time on the last batch, microseconds
                          (one more entry: the side job's) */
    guint    *order;   /* operators by decreasing cost */
    GError  **err;
    gboolean *ok;
    guint     cap;
    es_team   team;      /* the running team (operators/operator.h) */
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
    n++;   /* (the side job's cost and place) */
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

/* The operators that fold as tasks (not parallel ones), and the side
 * job (as number ops->len) when there is one, by decreasing cost, ties in
 * list order (insertion sort: a handful of operators); returns their
 * number. */
static guint tasks_by_cost(es_fanout *fo, GPtrArray *ops, gboolean side)
{
    guint k = 0;
    for (guint x = 0; x < ops->len + (side ? 1 : 0); x++) {
        if (x < ops->len && ((es_operator *)g_ptr_array_index(ops, x))->klass->parallel)
            continue;
        guint j = k++;
        for (; j > 0 && fo->cost[fo->order[j - 1]] < fo->cost[x]; j--)
            fo->order[j] = fo->order[j - 1];
        fo->order[j] = x;
    }
    return k;
}

/* Task i: operator i's `before` and fold, or (i = ops->len) the side job. */
static void fold_one(es_fanout *fo, GPtrArray *ops, guint i, const es_batch *b, const es_fanout_beside *x)
{
    const gint64 t0 = g_get_monotonic_time();
    fo->err[i] = NULL;
    fo->ok[i] = TRUE;
    if (i == ops->len) {
        x->side(x->side_user);
    } else {
        es_operator *op = g_ptr_array_index(ops, i);
        if (x && x->before)
            x->before(op, i, x->before_user);
        fo->ok[i] = es_operator_process(op, b, &fo->err[i]);
    }
    fo->cost[i] = g_get_monotonic_time() - t0;
}

gboolean es_fanout_fold(es_fanout *fo, GPtrArray *ops, const es_batch *b, GError **error)
{
    return es_fanout_fold_beside(fo, ops, b, NULL, error);
}

gboolean es_fanout_fold_beside(es_fanout *fo, GPtrArray *ops, const es_batch *b, const es_fanout_beside *x,
                               GError **error)
{
    const guint n = ops->len;
    const gboolean side = x && x->side;
    const int threads = omp_get_max_threads();
    if (n + side <= 1 || threads <= 1 || b->n < FANOUT_MIN || omp_in_parallel()) {
        for (guint i = 0; x && x->before && i < n; i++)
            x->before(g_ptr_array_index(ops, i), i, x->before_user);
        if (side)
            x->side(x->side_user);
        gboolean ok = TRUE;
        for (guint i = 0; ok && i < n; i++)
            ok = es_operator_process(g_ptr_array_index(ops, i), b, error);
        return ok;
    }
    reserve(fo, n);
    for (guint i = 0; i < n; i++)
        if (((es_operator *)g_ptr_array_index(ops, i))->klass->parallel)
            fold_one(fo, ops, i, b, x);
    const guint k = tasks_by_cost(fo, ops, side);
    if (k == 1)
        fold_one(fo, ops, fo->order[0], b, x);
    if (k > 1) {
        fo->team.threads = (int)MIN((guint)threads, k);
        g_atomic_int_set(&fo->team.pending, (gint)k);
        #pragma omp parallel num_threads(fo->team.threads)
        #pragma omp single
        for (guint t = 0; t < k; t++) {
            const guint i = fo->order[t];
            #pragma omp task firstprivate(i)
            {
                omp_set_num_threads(1);   /* this task's own regions: no nested team */
                const es_team *outer = es_operator_enter_team(&fo->team);
                fold_one(fo, ops, i, b, x);
                es_operator_enter_team(outer);
                g_atomic_int_add(&fo->team.pending, -1);
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
