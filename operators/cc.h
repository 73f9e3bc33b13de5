/* cc.h — library calls of the connected-components operator beyond the
 * operator contract. */
#ifndef ES_OP_CC_H
#define ES_OP_CC_H

#include "graph/histogram.h"
#include "operators/operator.h"

extern const es_operator_class es_cc_class;

/* Component representative of dense vertex v (v < vertices seen), or
 * UINT32_MAX when v has not been seen.  Two vertices are connected iff
 * their representatives are equal. */
uint32_t es_cc_component_of(es_operator *cc, uint32_t v);
uint32_t es_cc_components(es_operator *cc);

/* Components kept outside the operator (an MPI run's union-find
 * partitioned over the ranks, mpi/cc_mpi.h): while set, the report gives
 * these figures (read at each report) instead of its own forest's.  NULL:
 * its own again. */
typedef struct {
    const es_hist *sizes;   /* component size -> number of components */
    uint32_t       vertices, components, largest;
} es_cc_outside;
void     es_cc_op_set_outside(es_operator *cc, const es_cc_outside *outside);

#endif
