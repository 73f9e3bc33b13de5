/* adjacency.h (snapshot) — a graph/adjacency graph in a snapshot group, in
 * CSR form, shared by the operators that keep one (tri, spanner):
 *
 *   adj_offsets    u64[n+1]  vertex v's neighbours are
 *   adj_neighbors  u32[2E]   adj_neighbors[adj_offsets[v] .. adj_offsets[v+1])
 *                            in the order their edges arrived (each edge in
 *                            both endpoints' lists)
 *
 * Reading rebuilds the same neighbour order (a neighbour's position is the
 * age of its edge) and validates the arrays (graph/adjacency.h:
 * es_adjacency_new_from_csr), reporting ES_ERROR_DATA with the dataset's
 * name.  Writing starts no thread, so it may run in a forked writer.
 */
#ifndef ES_SNAPSHOT_ADJACENCY_H
#define ES_SNAPSHOT_ADJACENCY_H

#include <glib.h>
#include <hdf5.h>

#include "graph/adjacency.h"

gboolean      es_snapshot_write_adjacency(hid_t g, const es_adjacency *a, GError **error);
/* The graph of the group, which must hold n vertices and E edges. */
es_adjacency *es_snapshot_read_adjacency(hid_t g, uint32_t n, uint64_t E, GError **error);

#endif
