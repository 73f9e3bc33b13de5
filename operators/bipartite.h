/* bipartite.h — what the bipartite operator answers beyond the operator
 * contract: its state, for a run across MPI ranks (mpi/driver_mpi.c),
 * which checks a batch's merged parity forest against a copy of it. */
#ifndef ES_OP_BIPARTITE_H
#define ES_OP_BIPARTITE_H

#include "graph/parity_uf.h"
#include "operators/operator.h"

extern const es_operator_class es_bipartite_class;

/* Whether the graph so far is bipartite; *uf (may be NULL) gets its parity
 * forest over dense ids, read-only, valid until the next batch. */
gboolean es_bipartite_op_state(es_operator *op, const es_puf **uf);

#endif
