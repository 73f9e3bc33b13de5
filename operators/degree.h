/* degree.h — library calls of the degree operator beyond the operator
 * contract. */
#ifndef ES_OP_DEGREE_H
#define ES_OP_DEGREE_H

#include "operators/operator.h"

extern const es_operator_class es_degree_class;

/* Degree of dense vertex v in the simple graph so far (distinct
 * neighbours, self-loops excluded); 0 for a vertex not seen.  O(1). */
uint32_t es_degree_of(es_operator *degree, uint32_t v);

#endif
