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
/* Partials of a batch counted elsewhere (mpi/tri_mpi.h), for a tri fed no
 * batches: the vertices are the run's first num_vertices, externals their
 * ids; dv[i] gained dinc[i] distinct edges (dn entries), tv[i] tinc[i]
 * triangles (tn entries; a vertex may come in several), and the graph
 * `triangles` triangles.  Its answers are then the degrees' and counts'. */
void es_tri_op_add(es_operator *tri, const uint64_t *externals, uint32_t num_vertices, const uint32_t *dv,
                   const uint32_t *dinc, size_t dn, const uint32_t *tv, const uint64_t *tinc, size_t tn,
                   uint64_t triangles);
/* Whether the count scans lists 16 entries at a time (AVX-512F), when the
 * processor has it: the default; FALSE forces the plain loop (for tests:
 * both give the same answers).  Process-wide; not while a tri counts. */
void es_tri_set_vector(gboolean on);
/* The simple graph seen so far (read-only; valid until the next batch). */
const es_adjacency *es_tri_graph(es_operator *tri);

#endif
