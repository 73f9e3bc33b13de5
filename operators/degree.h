/* degree.h — what the degree operator answers beyond the operator
 * contract: one vertex's degree, for live queries (server/server.c) and
 * the library (api/edgestream.c). */
#ifndef ES_OP_DEGREE_H
#define ES_OP_DEGREE_H

#include "operators/operator.h"

extern const es_operator_class es_degree_class;

/* Distinct neighbours of dense vertex v (self-loops excluded); 0 for a
 * vertex the operator has not seen.  O(1). */
uint32_t es_degree_of(es_operator *degree, uint32_t v);

#endif
