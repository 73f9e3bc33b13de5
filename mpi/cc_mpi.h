/* cc_mpi.h — the `cc` operator across MPI ranks: the union-find
 * partitioned by key group, each batch's merged forest hooked onto it by
 * the owners of its vertices (a root-owner protocol), the component sizes
 * counted at rank 0.
 *
 * Partitioning: vertex d (the run's dense id, mpi/idmap_mpi.h) belongs to
 * key group d mod G (G = --max-parallelism; dense ids are given in order
 * of first appearance, so the groups fill evenly) and group g to the rank
 * whose range [G r / N, G (r+1) / N) holds it (mpi/chunks.h's rule).  The
 * owner keeps parent[d] and, at a root, the component's size: 8 bytes per
 * vertex of its groups, V/N per rank, where rank 0 held all V (cc's
 * union-find, 8 bytes per vertex, and its 8-byte log of joins).  A vertex
 * no batch hooked yet is its own root of size 1, stored implicitly.
 *
 * What a batch sends (rank 0 coordinates, as the id map's numbering does):
 * rank 0 has the batch as a forest (its own share and the others' merged
 * forests, mpi/forest.h) in dense ids.  (1) It reduces that to the joins
 * of a scratch union-find over the batch's vertices (at most V_b - 1).
 * (2) Find: each distinct endpoint of a join goes to its owner, which
 * answers its parent and, at a root, the size; a vertex whose parent is
 * another vertex asks again, for the parent, until every endpoint has its
 * root (one MPI_Scatterv of 4 bytes and one MPI_Gatherv of 8 per query and
 * round; union by size bounds the depth by log2 V, and step (4) flattens
 * every vertex a batch touched, so it is one or two rounds in practice).
 * (3) Hook: rank 0 unites the roots along the joins, in order, by size
 * (the larger root wins, the smaller dense id on a tie), keeping the size
 * histogram, the component count and the largest (what cc reports:
 * es_cc_op_set_outside, operators/cc.h).  (4) Each owner gets, in one
 * MPI_Scatterv of 12 bytes per entry, the new parent of every root hooked
 * and of every vertex found, and the new size of every root grown.
 * The answers are the partition's alone (vertices, components, largest,
 * size histogram), so they equal the single process's, whatever root
 * each component has here.
 *
 * Cost per batch: rank 0 a scratch union-find over the batch's forest
 * (O(F alpha), F its edges) and O(Q) for Q distinct join endpoints; each
 * owner O(1) per query and update.  es_mpi_cc_batch is collective (every
 * rank calls it, for every batch); the other functions are local.
 * Snapshots: not here yet; a run with --snapshot-dir keeps cc whole at
 * rank 0 (mpi/driver_mpi.h).
 */
#ifndef ES_MPI_CC_H
#define ES_MPI_CC_H

#include <glib.h>
#include <mpi.h>
#include <stdint.h>

#include "graph/batch.h"
#include "operators/cc.h"

typedef struct es_mpi_cc es_mpi_cc;

es_mpi_cc *es_mpi_cc_new(MPI_Comm comm, guint groups);
void       es_mpi_cc_free(es_mpi_cc *c);

/* Collective.  Rank 0: the batch's edges e[0 .. n) in the run's dense ids
 * (a forest with the batch's components will do), nv the run's vertices
 * after it (new ones are singletons); the other ranks pass NULL, 0, 0 and
 * answer for their groups.  *sent grows by the bytes this rank sent. */
void       es_mpi_cc_batch(es_mpi_cc *c, const es_edge *e, size_t n, uint32_t nv, uint64_t *sent);
/* Rank 0: the components so far, for cc's report (stays valid). */
const es_cc_outside *es_mpi_cc_figures(const es_mpi_cc *c);
/* The vertices whose entries this rank holds; the bytes it sent for cc
 * (0 for NULL). */
uint64_t   es_mpi_cc_held(const es_mpi_cc *c);
uint64_t   es_mpi_cc_sent(const es_mpi_cc *c);

#endif
