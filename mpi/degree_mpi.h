/* degree_mpi.h — the `degree` operator across MPI ranks: distinct edges
 * de-duplicated where they are owned, per-vertex degree partials reduced
 * at rank 0.
 *
 * Partitioning: an undirected pair {u, v} (external ids) belongs to key
 * group hash(min, max) mod G (G = --max-parallelism), and a rank owns a
 * contiguous range of groups (mpi/chunks.h's rule: group g to rank
 * g * N / G), so every copy of a pair, whichever rank read it, reaches
 * the same owner.  The owner keeps its pairs in an edge table over its
 * own id map (graph/edgetable.h, graph/idmap.h: the single process's
 * distinct-edge stage, run on the share of pairs a rank owns), which says
 * exactly which of them appear for the first time.
 *
 * What a batch sends: (1) each edge to its pair's owner, one
 * MPI_Alltoallv: 16 bytes per edge read on another rank than its owner's,
 * (N-1)/N of them on average; (2) from every owner to rank 0 (MPI_Gatherv)
 * one (vertex, increment) entry, 12 bytes, per vertex whose degree rose
 * in that owner's share of the batch or which the owner saw for the first
 * time (so that a vertex seen only in self-loops still counts); (3) three
 * counters summed (new edges, self-loops, repeats): 24 bytes per rank.
 * A vertex raised by many new edges of a batch costs one entry per owner.
 * Rank 0 maps the vertices through the run's id map (mpi/idmap_mpi.h)
 * and adds the increments
 * (es_degree_op_add): the degrees, their histogram and the counters are
 * the single process's, whatever the order in which the increments came,
 * so every answer equals a run without MPI.
 *
 * Cost per batch per rank: one hash and one table insertion per edge it
 * owns; memory: the edge table and id map of its pairs, about 1/N of the
 * single process's; rank 0 keeps 4 bytes per vertex (the degrees).
 * Snapshots (mpi/snapshot_mpi.h): the pairs stay where they are owned;
 * each rank appends those new since the last snapshot to the ranks' key
 * log, in the run's dense ids, which rank 0 sends back per entry after
 * each batch (es_mpi_degree_globals, mpi/globals.h: 4 bytes per entry);
 * on resume every rank keeps the keys whose pair it now owns.
 * Collective: every rank calls es_mpi_degree_batch with its share.
 */
#ifndef ES_MPI_DEGREE_H
#define ES_MPI_DEGREE_H

#include <glib.h>
#include <mpi.h>
#include <stdint.h>

typedef struct es_mpi_degree es_mpi_degree;

/* groups: the run's key groups (G above); logged: keep the pairs'
 * first-seen log, for snapshots (es_mpi_degree_keys). */
es_mpi_degree *es_mpi_degree_new(guint groups, gboolean logged);
void           es_mpi_degree_free(es_mpi_degree *d);

/* The partials of one batch (ids: this rank's n edges, 2n external ids).
 * On rank 0: *ext and *inc (owned by d, valid until the next call) get
 * *m entries, and counts[3] the batch's new edges, self-loops and
 * repeated edges over every rank; elsewhere *m is 0.  *sent grows by the
 * bytes this rank sent.  Returns FALSE (rank 0 only, error set) when an
 * id map is full. */
gboolean es_mpi_degree_batch(es_mpi_degree *d, MPI_Comm comm, const uint64_t *ids, size_t n, const uint64_t **ext,
                             const uint32_t **inc, size_t *m, uint64_t counts[3], uint64_t *sent, GError **error);

/* A batch's (vertex, increment) entries, degree's and tri's
 * (mpi/tri_mpi.h): the older vertices raised (raised, in its order, then
 * emptied), then every vertex new in the batch, [before, nv), raised or
 * not (a vertex seen only in self-loops counts too); x: the externals of
 * the rank's id map, inc: per local vertex, reset to 0 here.  *ext,
 * *out_inc and (when local is not NULL) *local, of *cap entries, grown to
 * fit.  Returns the number of entries. */
size_t    es_mpi_degree_entries(const uint64_t *x, uint32_t *inc, GArray *raised, uint32_t before, uint32_t nv,
                                uint64_t **ext, uint32_t **out_inc, uint32_t **local, size_t *cap);
/* Runs with snapshots (mpi/snapshot_mpi.h), after each batch: every rank
 * learns the run's dense ids (rank 0's id map) of the vertices of its
 * entries, dense (rank 0: per entry of the batch's gather, in its order;
 * 4 bytes per entry back to its rank, one MPI_Scatterv).  Collective. */
void      es_mpi_degree_globals(es_mpi_degree *d, MPI_Comm comm, const uint32_t *dense, uint64_t *sent);
/* The distinct pairs this rank owns, in its first-seen order (the edge
 * table's log: it only grows), from the from-th on, as keys of the run's
 * dense ids (u << 32 | v, u < v: /edges/keys's form); *n of them
 * (g_free).  A snapshot writes only those since the last one. */
uint64_t *es_mpi_degree_keys(const es_mpi_degree *d, size_t from, size_t *n);
size_t    es_mpi_degree_key_count(const es_mpi_degree *d);
/* The key groups [*lo, *hi) whose pairs rank `rank` of `size` owns. */
void      es_mpi_degree_groups(const es_mpi_degree *d, int rank, int size, uint64_t *lo, uint64_t *hi);
/* On resume, before the first batch: keep the pairs of keys[0 .. nk) (a
 * snapshot's /edges/keys over its nv vertices ext) that this rank owns
 * now, whatever the rank count that wrote them.  ES_ERROR_DATA for a key
 * that is not a pair of the vertices. */
gboolean  es_mpi_degree_restore(es_mpi_degree *d, MPI_Comm comm, const uint64_t *ext, uint32_t nv,
                                const uint64_t *keys, size_t nk, GError **error);

#endif
