/* topk.h — library calls of the "topk" operator (Space-Saving top-k
 * vertices by degree as lines seen, see topk.c) beyond the operator
 * contract: the reported list, for checking against exact degrees. */
#ifndef ES_OP_TOPK_H
#define ES_OP_TOPK_H

#include "operators/operator.h"

extern const es_operator_class es_topk_class;

typedef struct {
    uint64_t id;          /* external id when the batches carried them, else dense id */
    uint64_t count;       /* >= the vertex's degree (lines seen) */
    uint64_t error;       /* count - error <= the degree */
    gboolean guaranteed;  /* the degree is at least the k-th largest degree */
} es_topk_entry;

/* The list the report shows as "top": min(k, monitored vertices) entries,
 * count descending, then id ascending.  *n gets how many; free with
 * g_free.  op must be a "topk" operator. */
es_topk_entry *es_topk_op_list(es_operator *op, size_t *n);

/* The summary itself, and a new one of the same capacity put in its place
 * (the old one freed): how runs across MPI ranks merge their per-rank
 * summaries (mpi/merge.h). */
struct es_ss *es_topk_op_summary(es_operator *op);
void          es_topk_op_replace(es_operator *op, struct es_ss *ss);

#endif
