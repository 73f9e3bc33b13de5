/* tri_est_mpi.c — one copy of each tri-est operator per rank, their mean
 * the answer (see tri_est_mpi.h). */
#include "mpi/tri_est_mpi.h"

#include <string.h>

#include "dataflow/flow.h"
#include "graph/common.h"
#include "graph/idmap.h"
#include "operators/operator.h"
#include "operators/tri_est.h"

struct es_mpi_tri_est {
    int        rank, size;
    GPtrArray *ops;      /* rank 0: ops' tri-est operators; others: the copies (owned) */
    es_idmap  *idmap;    /* ranks > 0: the stream's vertices, numbered as rank 0 numbers them */
    es_flow    flow;     /* ranks > 0: the copies */
    es_edge   *edges;
    uint8_t   *change;
    size_t     cap;
    uint64_t   folded;   /* edges folded (the next batch's first index) */
};

/* The copies rank r of n owns out of c: [ceil(c r / n), ceil(c (r+1) / n)),
 * so rank 0 always owns copy 0 (whose other figures the report gives). */
static uint32_t first_copy(uint32_t c, int r, int n)
{
    return (uint32_t)(((uint64_t)c * (uint64_t)r + (uint64_t)n - 1) / (uint64_t)n);
}

static gboolean is_copied(es_operator *op)
{
    return op->klass == &es_tri_est_class && es_tri_est_copies(op) > 1;
}

gboolean es_mpi_tri_est_wanted(GPtrArray *ops)
{
    for (guint i = 0; i < ops->len; i++)
        if (is_copied(g_ptr_array_index(ops, i)))
            return TRUE;   /* (copies=C > 1 is refused with the fully dynamic methods) */
    return FALSE;
}

es_mpi_tri_est *es_mpi_tri_est_new(MPI_Comm comm, GPtrArray *ops, GError **error)
{
    es_mpi_tri_est *t = g_new0(es_mpi_tri_est, 1);
    MPI_Comm_rank(comm, &t->rank);
    MPI_Comm_size(comm, &t->size);
    t->ops = t->rank == 0 ? g_ptr_array_new() : g_ptr_array_new_with_free_func((GDestroyNotify)es_operator_free);
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (!is_copied(op))
            continue;
        es_operator *mine = op;
        if (t->rank > 0 && (mine = es_operator_new(op->spec, error)) == NULL) {
            ok = FALSE;
            break;
        }
        uint32_t c = es_tri_est_copies(op);
        es_tri_est_own_copies(mine, first_copy(c, t->rank, t->size), first_copy(c, t->rank + 1, t->size));
        g_ptr_array_add(t->ops, mine);
    }
    int bad = !ok, any;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, comm);
    if (any) {
        if (ok)
            g_set_error(error, ES_ERROR, ES_ERROR_USAGE, "tri-est: another rank could not make its copies");
        g_ptr_array_unref(t->ops);
        g_free(t);
        return NULL;
    }
    if (t->rank > 0) {
        t->idmap = es_idmap_new(1u << 16, NULL);
        es_flow_init(&t->flow, t->ops, FALSE, FALSE);
    }
    return t;
}

gboolean es_mpi_tri_est_feed(es_mpi_tri_est *t, const uint64_t *ext, size_t n, GError **error)
{
    if (t->rank == 0 || n == 0)
        return TRUE;
    if (n > t->cap) {
        t->cap = MAX(n, 2 * t->cap);
        t->edges = g_renew(es_edge, t->edges, t->cap);
        t->change = g_renew(uint8_t, t->change, t->cap);
    }
    if (!es_idmap_map_ids(t->idmap, ext, (uint32_t *)t->edges, 2 * n, error))
        return FALSE;
    es_batch batch = {
        .edges = t->edges, .ext = ext, .n = n,
        .first_index = t->folded, .num_vertices = es_idmap_size(t->idmap),
    };
    t->folded += n;
    return es_flow_fold(&t->flow, &batch, t->change, FALSE, error);
}

void es_mpi_tri_est_combine(es_mpi_tri_est *t, MPI_Comm comm, uint64_t *sent)
{
    int *counts = g_new(int, t->size), *displs = g_new(int, t->size);
    for (guint i = 0; i < t->ops->len; i++) {
        es_operator *op = g_ptr_array_index(t->ops, i);
        const uint32_t c = es_tri_est_copies(op);
        const uint32_t lo = first_copy(c, t->rank, t->size), hi = first_copy(c, t->rank + 1, t->size);
        for (int r = 0; r < t->size; r++) {
            displs[r] = 3 * (int)first_copy(c, r, t->size);
            counts[r] = 3 * (int)first_copy(c, r + 1, t->size) - displs[r];
        }
        /* Every copy's figures, at rank 0 in copy order, summed in that
         * order: the bits of one process's mean (operators/tri_est.h). */
        double *mine = g_new(double, 3 * (size_t)(hi - lo) + 1), *all = NULL;
        for (uint32_t k = lo; k < hi; k++)
            es_tri_est_copy_figures(op, k, mine + 3 * (k - lo));
        if (t->rank == 0)
            all = g_new(double, 3 * (size_t)c);
        MPI_Gatherv(mine, 3 * (int)(hi - lo), MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, comm);
        double sum[3] = { 0, 0, 0 };
        for (uint32_t k = 0; t->rank == 0 && k < c; k++)
            for (int j = 0; j < 3; j++)
                sum[j] += all[3 * k + j];
        /* Local estimates: every copy numbers the vertices alike; the
         * most vertices any rank saw.  Rank 0 adds each copy's in copy
         * order, receiving the other ranks' one copy at a time. */
        es_tri_est_state st;
        es_tri_est_get_state(op, &st);
        uint64_t nv = st.local ? (t->rank == 0 ? st.num_vertices : es_idmap_size(t->idmap)) : 0, most = 0;
        MPI_Allreduce(&nv, &most, 1, MPI_UINT64_T, MPI_MAX, comm);
        double *loc = NULL, *loc_sum = NULL;
        if (most) {
            loc = g_new(double, most);
            if (t->rank == 0) {
                loc_sum = g_new0(double, most);
                for (uint32_t k = 0; k < c; k++) {
                    int from = 0;
                    while (first_copy(c, from + 1, t->size) <= k)
                        from++;
                    if (from == 0)
                        for (uint32_t v = 0; v < most; v++)
                            loc[v] = es_tri_est_copy_local(op, k, v);
                    else
                        MPI_Recv(loc, (int)most, MPI_DOUBLE, from, (int)k, comm, MPI_STATUS_IGNORE);
                    for (uint32_t v = 0; v < most; v++)
                        loc_sum[v] += loc[v];
                }
            } else {
                for (uint32_t k = lo; k < hi; k++) {
                    for (uint32_t v = 0; v < most; v++)
                        loc[v] = es_tri_est_copy_local(op, k, v);
                    MPI_Send(loc, (int)most, MPI_DOUBLE, 0, (int)k, comm);
                }
            }
        }
        *sent += t->rank ? (hi - lo) * (24 + 8 * most) : 0;
        if (t->rank == 0)
            es_tri_est_set_mean(op, c, sum[0], sum[1], (uint64_t)sum[2], loc_sum);
        g_free(mine);
        g_free(all);
        g_free(loc);
        g_free(loc_sum);
    }
    g_free(counts);
    g_free(displs);
}

void es_mpi_tri_est_free(es_mpi_tri_est *t)
{
    if (t == NULL)
        return;
    if (t->rank > 0) {
        es_flow_clear(&t->flow);
        es_idmap_free(t->idmap);
    }
    g_ptr_array_unref(t->ops);
    g_free(t->edges);
    g_free(t->change);
    g_free(t);
}
