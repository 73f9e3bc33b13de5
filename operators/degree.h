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

/* Degrees raised from elsewhere (mpi/degree_mpi.h: partials computed where
 * the distinct edges live): dense vertex v[i] gains inc[i] distinct
 * neighbours, the graph has num_vertices vertices, and counts adds new
 * edges, self-loops and repeated edges.  The same state as folding the
 * edges those partials came from, in any order. */
void es_degree_op_add(es_operator *degree, const uint32_t *v, const uint32_t *inc, size_t n, uint32_t num_vertices,
                      const uint64_t counts[3]);

#endif
