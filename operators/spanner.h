/* spanner.h — library calls of the spanner operator ("spanner") beyond the
 * operator contract: the kept graph, for verification. */
#ifndef ES_OP_SPANNER_H
#define ES_OP_SPANNER_H

#include "graph/adjacency.h"
#include "operators/operator.h"

extern const es_operator_class es_spanner_class;

/* The spanner kept so far (read-only; valid until the next batch). */
const es_adjacency *es_spanner_graph(es_operator *spanner);
/* Its guaranteed stretch, 2k - 1: every distinct input edge's endpoints
 * are joined in the spanner by a path of at most this many edges. */
unsigned es_spanner_stretch(es_operator *spanner);

#endif
