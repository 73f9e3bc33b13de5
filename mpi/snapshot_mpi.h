/* snapshot_mpi.h — snapshots of state partitioned across MPI ranks,
 * written collectively with parallel HDF5 (MPI-IO) into the same file, in
 * the single process's layout.
 *
 * What is partitioned: degree's distinct pairs (mpi/degree_mpi.h), each
 * kept by the rank owning its key group, or tri's graph (mpi/tri_mpi.h),
 * each edge at the ranks owning a colour triple with its two colours and
 * written by the first of them (its degree rank).  Everything else (the
 * id map, the counters, per-vertex triangles and degrees, the other
 * operators, the position) is at rank 0.
 *
 * A barrier (driver_mpi.c): rank 0 writes its parts through the one
 * commit (snapshot/snapshot.h: es_snapshot_write) into snap-N.h5.tmp and
 * closes it; then, through the snapshot's `extra` step, every rank opens
 * that file with H5Pset_fapl_mpio and writes its pairs as one slice of
 * /edges/keys (keys in the run's dense ids, slices in rank order, rank r
 * at the sum of the counts of ranks below it: one MPI_Exscan), with
 * H5FD_MPIO_COLLECTIVE transfers; then rank 0 fills the header (length,
 * CRC-32), fsyncs, renames and fsyncs the directory, as for any snapshot.
 * A failed write on any rank fails the snapshot on all (one
 * MPI_Allreduce) and leaves only the .tmp, which the commit removes: no
 * file a resume would pick.  The keys' order is by rank, then by each
 * rank's first sight, not the stream's first sight; a restore of degree
 * (and `inspect`, `compare`, h5py) reads them as a set, so the file reads
 * like a single process's.
 *
 * Resume (any rank count, or without MPI: mpi/grouprun.h restores the file
 * as any other): rank 0 restores its parts; every rank reads /idmap and
 * /edges/keys of the same file in pieces of 1 Mi keys and keeps the pairs
 * whose key group it now owns (es_mpi_degree_restore), or the edges of
 * its colour triples (es_mpi_tri_restore).  Each rank reads
 * every key (the groups are hashed, not stored in ranges): O(E) reading
 * per rank, O(E/N) kept.
 * Collective: every rank calls each function.
 */
#ifndef ES_MPI_SNAPSHOT_H
#define ES_MPI_SNAPSHOT_H

#include <glib.h>
#include <mpi.h>

#include "mpi/degree_mpi.h"
#include "mpi/tri_mpi.h"

typedef struct {
    MPI_Comm       comm;
    es_mpi_degree *degree;  /* the partitioned state: degree's pairs, */
    es_mpi_tri    *tri;     /* or tri's graph (with degree's counts) */
    uint64_t      *sent;    /* bytes sent, grown */
} es_mpi_snap;

/* Rank 0's `extra` step (es_checkpoint_set_extra, user: an es_mpi_snap):
 * the other ranks, waiting in es_mpi_snap_serve, join the write of tmp. */
gboolean es_mpi_snap_extra(const char *tmp, void *user, GError **error);
/* A barrier's other half: on ranks other than 0, join every write rank 0
 * starts until it says it is done; on rank 0, say so (after its
 * es_checkpoint_take or es_checkpoint_finish, whether it wrote or not). */
void     es_mpi_snap_serve(es_mpi_snap *s);
/* Resume: path (rank 0's: the snapshot it restored, or NULL when it
 * starts afresh) read by every rank into its partitioned state.  FALSE
 * (and *error) on a rank whose reading failed. */
gboolean es_mpi_snap_resume(es_mpi_snap *s, const char *path, GError **error);

#endif
