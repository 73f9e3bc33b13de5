/* tri_mpi.h — the `tri` operator across MPI ranks: each triangle found
 * once, at the one rank that owns its vertices' colours, and per-vertex
 * triangle partials reduced at rank 0.
 *
 * Partitioning: vertex v gets key group hash(v) mod G (G =
 * --max-parallelism) and colour group * k / G: k colour classes, each a
 * contiguous range of key groups.  The multisets {a <= b <= c} of three
 * colours, T = k(k+1)(k+2)/6 of them (k the least with T >= N ranks, at
 * most G), are handed to ranks in contiguous ranges (triple i to rank
 * i * N / T).  An edge of colours a, b goes to every rank owning a triple
 * {a, b, x}, x any colour: at most k ranks.  A triangle's three edges all
 * reach the rank owning the multiset of its three colours, which alone
 * credits it: the partition algorithm of Suri and Vassilvitskii (Counting
 * triangles and the curse of the last reducer, WWW 2011), run as edges
 * arrive.  Each rank keeps the simple graph of the edges it was sent and,
 * for each new one (u, v), in stream order, credits each common older
 * neighbour w whose triple {c(u), c(v), c(w)} it owns.  Since every rank
 * sees its edges in stream order, a triangle is credited when its
 * youngest edge arrives, whatever the rank count; the answers at a batch
 * end (triangles, and per vertex) are the single process's.
 *
 * What a batch sends: (1) each edge to its ranks (one MPI_Alltoallv): 16
 * bytes per copy to another rank; with N = 2 to 4 (k = 2) an edge goes to
 * at most 2 ranks, with N = 5 to 10 (k = 3) to at most 3; (2) to rank 0
 * (MPI_Gatherv) one (vertex, increment) entry, 16 bytes, per vertex
 * credited on that rank in the batch; (3) the triangles found, 8 bytes
 * per rank.  The degrees (for wedges, transitivity and clustering) come
 * from degree's partials (mpi/degree_mpi.h), which also map every vertex
 * at rank 0.
 *
 * Cost per rank: one edge-set insertion per edge it gets, and
 * O(min(deg u, deg v)) look-ups per new one, over its own graph.  Memory:
 * that graph (a set entry and two list entries per edge).  A triple of
 * three colours draws 3/k^2 of the edges, so the edges per rank fall as
 * N^(-2/3) (copies per edge grow as k ~ (6N)^(1/3)); with k = 2 the four
 * triples' ranks get 1/4 and 3/4 of the edges (bench/SCALING.md).
 * Collective: every rank calls es_mpi_tri_batch with its share.
 */
#ifndef ES_MPI_TRI_H
#define ES_MPI_TRI_H

#include <glib.h>
#include <mpi.h>
#include <stdint.h>

typedef struct es_mpi_tri es_mpi_tri;

/* groups: the run's key groups (G above); comm: the ranks. */
es_mpi_tri *es_mpi_tri_new(MPI_Comm comm, guint groups);
void        es_mpi_tri_free(es_mpi_tri *t);
/* k above, and the most ranks an edge is sent to. */
guint       es_mpi_tri_colours(const es_mpi_tri *t);

/* The triangles one batch closes (ids: this rank's n edges, 2n external
 * ids).  On rank 0: *ext and *inc (owned by t, valid until the next call)
 * get *m (vertex, triangles) entries, a vertex possibly in several, and
 * *triangles the batch's new triangles over every rank; elsewhere *m is 0.
 * *sent grows by the bytes this rank sent.  Returns FALSE (error set) when
 * this rank's id map is full; every rank still takes part. */
gboolean es_mpi_tri_batch(es_mpi_tri *t, MPI_Comm comm, const uint64_t *ids, size_t n, const uint64_t **ext,
                          const uint64_t **inc, size_t *m, uint64_t *triangles, uint64_t *sent, GError **error);

#endif
