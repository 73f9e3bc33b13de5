/* forest.h — connected components across ranks: each rank's share of a
 * batch reduced to a spanning forest, the forests merged up a binary tree.
 *
 * Algorithm: rank r builds a union-find over its edges (external ids mapped
 * to local dense ids, graph/unionfind.h) and keeps the edges that joined
 * two sets, plus (v, v) for a vertex seen only in self-loops; then, for
 * s = 1, 2, 4, ..., a rank with r mod 2s = s sends its forest to r - s,
 * which unites the two (its own first) and keeps the new forest's edges.
 * Rank 0 builds no forest of its own: it keeps its share as it is and
 * appends each forest it receives (its caller's union-find, the `cc`
 * operator's, over the run's dense ids, does that merge once, instead of a
 * fresh id map and union-find per share and per round).  After
 * ceil(log2 N) rounds rank 0 holds edges with the same vertices and the
 * same components as the whole batch (the merge that gelly-streaming's
 * ConnectedComponents does on one machine, done as a reduction of log
 * depth).  Feeding them to `cc` in place of the batch gives the same
 * answers, since cc's answers are the partition alone.
 *
 * With parity (for `bipartite`) the unions are those of a union-find with
 * parity (graph/parity_uf.h): an edge within a set whose endpoints are on
 * the same side (a self-loop included) closes an odd cycle and sets the
 * flag, which travels up the tree with the forest.  A share without an odd
 * cycle is 2-coloured by its forest alone (every other edge of it is
 * implied by the forest's sides), so a batch keeps the graph bipartite iff
 * no rank flagged and the merged forest fits the graph's colouring so far
 * (rank 0's raw share is tried the same way: an odd cycle within it does
 * not fit that colouring either).
 * The forest spans the same components either way, so it serves cc too.
 *
 * Cost per batch: O(m/N alpha) union-find work per rank, then per round at
 * most one forest received: < 2 * (vertices of the batch) external ids of
 * 8 bytes; a rank sends once.  Rank 0: its share and at most log2 N
 * forests, fed once to its operators.  Memory: 16 bytes per edge of its
 * share, plus the forests received at rank 0.
 */
#ifndef ES_MPI_FOREST_H
#define ES_MPI_FOREST_H

#include <glib.h>
#include <mpi.h>
#include <stdint.h>

/* ids: this rank's n edges (2n external ids).  On rank 0, *out (g_free)
 * receives rank 0's own edges followed by the forest of every other
 * rank's, *out_n pairs, and *odd whether another rank's share or a merge
 * closed an odd cycle (parity only; rank 0's own share is not looked at);
 * elsewhere *out is NULL.  *sent grows by the bytes this rank sent. */
void es_mpi_forest_reduce(MPI_Comm comm, const uint64_t *ids, size_t n, gboolean parity, uint64_t **out,
                          size_t *out_n, int *odd, uint64_t *sent);

#endif
