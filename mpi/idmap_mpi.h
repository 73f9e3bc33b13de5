/* idmap_mpi.h — the run's vertex id map across MPI ranks, partitioned by
 * key group: each rank holds the external -> dense entries of the
 * vertices whose key group it owns; rank 0 numbers new vertices.
 *
 * Partitioning: vertex x belongs to key group g(x) = the high 32 bits of
 * a mix of x scaled to [0, G) (G = --max-parallelism), and group g to
 * rank g * N / G (mpi/chunks.h's rule, Flink's key-group ranges).  The
 * owner keeps an open-addressing table of 12-byte slots (key, dense + 1;
 * linear probing, at most half full; its hash the low bits of another
 * mix, so an owner's keys spread over its whole table).
 *
 * Mapping (es_mpi_idmap_map, collective): rank 0 has a sequence of
 * external ids to number as graph/idmap.h numbers them: a new vertex takes
 * the next dense id at its first appearance.  Per piece of at most 256 Ki
 * ids: (1) rank 0 de-duplicates the piece (a scratch graph/idmap.h map:
 * its distinct ids in order of first appearance) and sends each distinct
 * id to its owner (one MPI_Scatterv, 8 bytes per id); (2) the owner
 * answers with its dense id, or "new" (MPI_Gatherv, 4 bytes per id);
 * (3) rank 0 gives the new ones the next dense ids in order of first
 * appearance; (4) each owner gets the dense ids of its new keys
 * (MPI_Scatterv, 4 bytes per new vertex) and inserts them.  So the dense
 * ids are exactly those one es_idmap at rank 0 gives the same sequence:
 * the run's snapshots (/idmap/external_ids included) and answers are
 * byte for byte those of the run that held the map at rank 0.
 *
 * Memory: per rank 12 bytes per slot at 25-50% load for the vertices of
 * its groups (about V/N), where rank 0 held the whole map (12 bytes per
 * slot for all V plus 8 per vertex).  Rank 0 also keeps dense -> external
 * (8 bytes per vertex, in a log that stays put for the snapshot writer:
 * snapshot/logmem.h) only when asked (snapshots, which store
 * /idmap/external_ids, and tri's partials, which name vertices), and a
 * piece's scratch: about 50 bytes per id of a piece, 13 MiB at most.
 * Cost: 12 bytes per distinct id of a piece sent or received by rank 0
 * (those of other ranks' groups), 4 per new vertex; four collectives per
 * piece; per id at rank 0 a scratch-map lookup, at its owner a probe.
 * The price of not holding the map: a vertex is looked up once per piece
 * that names it, where rank 0's own map answered it locally.
 * Restore (a resume, any rank count): rank 0 sends every owner the
 * (external, dense) pairs of its groups from the snapshot's id map, in
 * pieces of 1 Mi vertices; 12 bytes per vertex held elsewhere.
 */
#ifndef ES_MPI_IDMAP_H
#define ES_MPI_IDMAP_H

#include <glib.h>
#include <mpi.h>
#include <stdint.h>

typedef struct es_mpi_idmap es_mpi_idmap;

/* groups: the run's key groups; externals: rank 0 keeps dense ->
 * external (es_mpi_idmap_externals). */
es_mpi_idmap   *es_mpi_idmap_new(MPI_Comm comm, guint groups, gboolean externals);
void            es_mpi_idmap_free(es_mpi_idmap *m);

/* Collective.  Rank 0: ext[0 .. n) numbered into dense[0 .. n) (see
 * above; ext and dense must not overlap); the other ranks pass n 0 and
 * answer for their groups.  FALSE (rank 0 only, ES_ERROR_DATA) when the
 * run would exceed ES_IDMAP_MAX_VERTICES vertices.  *sent grows by the
 * bytes this rank sent. */
gboolean        es_mpi_idmap_map(es_mpi_idmap *m, const uint64_t *ext, uint32_t *dense, size_t n, uint64_t *sent,
                                 GError **error);
/* Rank 0: the run's vertices so far, and (when kept) their external ids,
 * dense order; the pointer stays valid as the map grows. */
uint32_t        es_mpi_idmap_size(const es_mpi_idmap *m);
const uint64_t *es_mpi_idmap_externals(const es_mpi_idmap *m);
/* The vertices this rank holds; the bytes it sent for the map. */
uint32_t        es_mpi_idmap_held(const es_mpi_idmap *m);
uint64_t        es_mpi_idmap_sent(const es_mpi_idmap *m);
/* Collective, on an empty map: rank 0's ext[0 .. n) (a snapshot's id
 * map, vertex i dense id i) spread to the owners.  FALSE (and
 * ES_ERROR_DATA) on the rank that finds an id listed twice. */
gboolean        es_mpi_idmap_restore(es_mpi_idmap *m, const uint64_t *ext, uint32_t n, uint64_t *sent,
                                     GError **error);

#endif
