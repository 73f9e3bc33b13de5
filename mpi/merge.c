/* merge.c — cm, hll and topk combined at rank 0 (see merge.h). */
#include "mpi/merge.h"

#include "graph/common.h"
#include "operators/cm.h"
#include "operators/hll.h"
#include "operators/topk.h"
#include "sketches/spacesaving.h"

gboolean es_mpi_mergeable(const es_operator *op)
{
    return op->klass == &es_cm_class || op->klass == &es_hll_class || op->klass == &es_topk_class;
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

/* Every rank's monitored items (key, count, error: one MPI datatype of 3
 * uint64) and total to rank 0, merged there into its summary in rank
 * order (es_ss_merge); the other ranks start again empty. */
static void merge_topk(MPI_Comm comm, int rank, es_operator *op, uint64_t *sent)
{
    int size;
    MPI_Comm_size(comm, &size);
    es_ss *ss = es_topk_op_summary(op);
    const uint32_t cap = es_ss_capacity(ss);
    es_ss_item *items = g_new(es_ss_item, (size_t)es_ss_size(ss) + 1);
    uint64_t head[2] = { es_ss_items(ss, items), es_ss_total(ss) }, *heads = NULL;
    es_ss_item *all = NULL;
    int *counts = NULL, *displs = NULL;
    MPI_Datatype item_type;
    MPI_Type_contiguous(3, MPI_UINT64_T, &item_type);
    MPI_Type_commit(&item_type);
    if (rank == 0) {
        heads = g_new(uint64_t, 2 * (size_t)size);
        counts = g_new(int, size);
        displs = g_new(int, size);
    }
    MPI_Gather(head, 2, MPI_UINT64_T, heads, 2, MPI_UINT64_T, 0, comm);
    if (rank == 0) {
        int at = 0;
        for (int r = 0; r < size; r++) {
            counts[r] = r ? (int)heads[2 * r] : 0;   /* rank 0's own stay where they are */
            displs[r] = at;
            at += counts[r];
        }
        all = g_new(es_ss_item, (size_t)at + 1);
    }
    MPI_Gatherv(items, rank ? (int)head[0] : 0, item_type, all, counts, displs, item_type, 0, comm);
    MPI_Type_free(&item_type);
    if (rank == 0) {
        for (int r = 1; r < size; r++) {
            GError *err = NULL;
            /* A rank's own items and total restore: a failure is a bug. */
            es_ss *part = es_ss_restore(cap, heads[2 * r + 1], all + displs[r], (size_t)counts[r], &err);
            if (part == NULL || !es_ss_merge(ss, part, &err))
                g_error("topk merge: %s", err->message);
            es_ss_free(part);
        }
    } else {
        es_topk_op_replace(op, es_ss_new(cap));
        *sent += 24 * head[0] + 16;
    }
    g_free(items);
    g_free(all);
    g_free(heads);
    g_free(counts);
    g_free(displs);
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
        else if (op->klass == &es_topk_class)
            merge_topk(comm, rank, op, sent);
    }
}
