/* globals.h — the run's dense vertex ids at the ranks that own state.
 *
 * A rank holding partitioned state (degree's pairs, mpi/degree_mpi.h;
 * tri's graph, mpi/tri_mpi.h) keeps it over its own id map, whose local
 * ids mean nothing outside the rank.  A snapshot stores keys in the run's
 * dense ids: rank 0 numbers vertices (mpi/idmap_mpi.h) as one process
 * would.  Each batch, every rank sends rank 0 one degree entry per vertex
 * it raised or saw first (the entries' order is the rank's), rank 0 maps
 * them into its id map; es_mpi_globals_scatter then hands each rank the
 * dense id of each of its entries, in the same order (one MPI_Gather of
 * the counts and one MPI_Scatterv: 4 bytes per entry and per rank), and
 * the rank records it per local vertex.  A vertex's dense id never
 * changes, so the table only grows, by the vertices new at the rank.
 *
 * Cost: 4 bytes per local vertex; O(entries) per batch.  Only runs with
 * snapshots scatter (the ids serve nothing else).
 */
#ifndef ES_MPI_GLOBALS_H
#define ES_MPI_GLOBALS_H

#include <glib.h>
#include <mpi.h>
#include <stdint.h>

typedef struct {
    uint32_t *id;    /* per local vertex: its dense id */
    size_t    cap;
} es_mpi_globals;

/* Room for the dense ids of local vertices [0, nv). */
void es_mpi_globals_room(es_mpi_globals *g, uint32_t nv);
/* After a batch's gather of n degree entries from every rank: rank 0's
 * dense (per gathered entry, in rank then entry order; NULL elsewhere)
 * back to the entries' ranks, where local[i] is entry i's local vertex
 * (nv: the rank's vertices now).  *sent grows by the bytes this rank
 * sent.  Collective. */
void es_mpi_globals_scatter(es_mpi_globals *g, MPI_Comm comm, const uint32_t *dense, const uint32_t *local, size_t n,
                            uint32_t nv, uint64_t *sent);
/* The pairs local[0 .. n-1] (min << 32 | max of local ids) in dense ids,
 * smaller first, in a new array of n + 1 slots (g_free). */
uint64_t *es_mpi_globals_keys(const es_mpi_globals *g, const uint64_t *local, size_t n);
void es_mpi_globals_clear(es_mpi_globals *g);

#endif
