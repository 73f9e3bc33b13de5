/* merge.c — cm and hll combined at rank 0 by reductions (see merge.h). */
#include "mpi/merge.h"

#include "graph/common.h"
#include "operators/cm.h"
#include "operators/hll.h"

gboolean es_mpi_mergeable(const es_operator *op)
{
    return op->klass == &es_cm_class || op->klass == &es_hll_class;
}

static void merge_cm(MPI_Comm comm, int rank, es_operator *op, uint64_t *sent)
{
    const es_cm *cm = es_cm_op_sketch(op);
    const uint32_t w = es_cm_width(cm), d = es_cm_depth(cm);
    const size_t n = (size_t)w * d;
    uint64_t total = es_cm_total(cm), sum_total = 0;
    uint64_t *sum = rank == 0 ? es_big_alloc(n * sizeof *sum) : NULL;
    MPI_Reduce(es_cm_counters(cm), sum, (int)n, MPI_UINT64_T, MPI_SUM, 0, comm);
    MPI_Reduce(&total, &sum_total, 1, MPI_UINT64_T, MPI_SUM, 0, comm);
    es_cm *next;
    if (rank == 0) {
        GError *err = NULL;
        /* Sums of consistent rows are consistent: a failure is a bug. */
        next = es_cm_restore(w, d, es_cm_seed(cm), es_cm_conservative(cm), sum_total, sum, &err);
        if (next == NULL)
            g_error("cm merge: %s", err->message);
        es_big_free(sum, n * sizeof *sum);
    } else {
        next = es_cm_new_dims(w, d, es_cm_seed(cm), es_cm_conservative(cm));
        *sent += 8 * (uint64_t)n + 8;
    }
    es_cm_op_replace(op, next);
}

static void merge_hll(MPI_Comm comm, int rank, es_operator *op, uint64_t *sent)
{
    const es_hll *h = es_hll_op_sketch(op);
    const size_t m = es_hll_registers_count(h);
    uint8_t *max = rank == 0 ? g_malloc(m) : NULL;
    MPI_Reduce(es_hll_registers(h), max, (int)m, MPI_UINT8_T, MPI_MAX, 0, comm);
    es_hll *next;
    if (rank == 0) {
        GError *err = NULL;
        next = es_hll_restore(es_hll_p(h), es_hll_seed(h), max, &err);
        if (next == NULL)
            g_error("hll merge: %s", err->message);
        g_free(max);
    } else {
        next = es_hll_new(es_hll_p(h), es_hll_seed(h));
        *sent += m;
    }
    es_hll_op_replace(op, next);
}

void es_mpi_merge(MPI_Comm comm, GPtrArray *ops, uint64_t *sent)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    for (guint i = 0; i < ops->len; i++) {
        es_operator *op = g_ptr_array_index(ops, i);
        if (op->klass == &es_cm_class)
            merge_cm(comm, rank, op, sent);
        else if (op->klass == &es_hll_class)
            merge_hll(comm, rank, op, sent);
    }
}
