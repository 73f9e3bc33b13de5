/* tri.h — library calls of the exact triangle operator ("tri") beyond the
 * operator contract. */
#ifndef ES_OP_TRI_H
#define ES_OP_TRI_H

#include "graph/adjacency.h"
#include "operators/operator.h"

extern const es_operator_class es_tri_class;

/* Triangles through dense vertex v so far (0 for a vertex not seen). */
uint64_t es_tri_local(es_operator *tri, uint32_t v);
/* Triangles in the graph so far. */
uint64_t es_tri_triangles(es_operator *tri);
/* The simple graph seen so far (read-only; valid until the next batch). */
const es_adjacency *es_tri_graph(es_operator *tri);

#endif
