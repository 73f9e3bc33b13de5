/* tri_mpi.h — the `tri` operator across MPI ranks: each triangle found
 * once, at the one rank that owns its vertices' colours, and per-vertex
 * triangle and degree partials reduced at rank 0.
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
 * Degrees ride along: the first of an edge's ranks (its degree rank)
 * counts it as new, repeated or a self-loop (self-loops go there alone)
 * and raises its endpoints' degrees, so that `degree` and tri's wedges,
 * transitivity and clustering need no shuffle of their own.
 *
 * What a batch sends: (1) each edge to its ranks (one MPI_Alltoallv): 16
 * bytes per copy to another rank; with N = 2 to 4 (k = 2) an edge goes to
 * at most 2 ranks, with N = 5 to 10 (k = 3) to at most 3; (2) to rank 0
 * (MPI_Gatherv) one (vertex, new edges) entry, 12 bytes, per vertex a
 * rank raised or saw first in the batch, and one (vertex, triangles)
 * entry, 16 bytes, per vertex it credited; (3) 32 bytes of counters per
 * rank.
 *
 * Cost per rank: one edge-set insertion per edge it gets, and
 * O(min(deg u, deg v)) look-ups per new one, over its own graph.  Memory:
 * that graph (a set entry and two list entries per edge).  A triple of
 * three colours draws 6/k^2 of the edges, so the edges per rank fall as
 * N^(-2/3) (copies per edge grow as k ~ (6N)^(1/3)); with k = 2 the four
 * triples' ranks get 1/4 and 3/4 of the edges (bench/SCALING.md).
 * Snapshots (mpi/snapshot_mpi.h): each edge is written once, by its
 * degree rank, which lists its edges in arrival order (8 bytes per edge)
 * and appends those new since the last snapshot to the ranks' key log,
 * sorted by bucket (below); on resume each rank reads the buckets it
 * needs and keeps the edges of its triples (es_mpi_tri_restore).
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

/* One batch's partials, at rank 0 (owned by the es_mpi_tri, valid until
 * the next call); elsewhere every count is 0. */
typedef struct {
    const uint64_t *deg_ext;      /* per entry: a vertex; every vertex first */
    const uint32_t *deg_inc;      /* seen on a rank has one; its new edges */
    size_t          deg_n;
    const uint64_t *tri_ext;      /* per entry: a vertex and its new */
    const uint64_t *tri_inc;      /* triangles (a vertex may come in several) */
    size_t          tri_n;
    uint64_t        counts[3];    /* new edges, self-loops, repeated edges */
    uint64_t        triangles;    /* new triangles */
} es_mpi_tri_partials;

/* The partials of one batch (ids: this rank's n edges, 2n external ids),
 * over every rank, into *out.  *sent grows by the bytes this rank sent.
 * Returns FALSE (error set) when this rank's id map is full; every rank
 * still takes part. */
gboolean es_mpi_tri_batch(es_mpi_tri *t, MPI_Comm comm, const uint64_t *ids, size_t n, es_mpi_tri_partials *out,
                          uint64_t *sent, GError **error);

/* Runs with snapshots (mpi/snapshot_mpi.h), as es_mpi_degree_globals:
 * after each batch every rank learns the run's dense ids of its degree
 * entries' vertices (dense: rank 0's, per gathered degree entry). */
void      es_mpi_tri_globals(es_mpi_tri *t, MPI_Comm comm, const uint32_t *dense, uint64_t *sent);
/* The distinct edges whose degree rank this is (each edge of the run
 * once over the ranks), in the order this rank got them, from the
 * from-th on, as keys of the run's dense ids; *n (g_free).  The list only
 * grows (8 bytes per edge at its degree rank), so a snapshot writes only
 * what came since the last one (mpi/snapshot_mpi.h). */
uint64_t *es_mpi_tri_keys(const es_mpi_tri *t, size_t from, size_t *n, uint8_t **bucket);
size_t    es_mpi_tri_key_count(const es_mpi_tri *t);
/* Snapshots' runs of keys: vertex v's cell is its key group's range among
 * ES_MPI_TRI_CELLS equal ranges (any rank count alike); an edge's bucket
 * is a * CELLS + b for its cells a <= b (es_mpi_tri_keys: per key, in
 * *bucket, g_free, when bucket is not NULL).  Does this rank keep any edge
 * of the bucket (es_mpi_tri_restore), so that a resume must read it? */
#define ES_MPI_TRI_CELLS 8
#define ES_MPI_TRI_BUCKETS (ES_MPI_TRI_CELLS * ES_MPI_TRI_CELLS)
gboolean  es_mpi_tri_wants(const es_mpi_tri *t, guint bucket);
/* On resume, before the first batch: the edges of keys[0 .. nk) (a
 * snapshot's /edges/keys over its nv vertices ext) that this rank gets
 * now.  ES_ERROR_DATA for a key that is not a pair, or twice. */
gboolean  es_mpi_tri_restore(es_mpi_tri *t, const uint64_t *ext, uint32_t nv, const uint64_t *keys, size_t nk,
                             GError **error);

#endif
