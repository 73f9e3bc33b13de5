/* snapshot_mpi.h — snapshots of state partitioned across MPI ranks: the
 * ranks append their new keys to one log file collectively (parallel
 * HDF5 over MPI-IO), and the snapshot, in the single process's layout,
 * references it.
 *
 * What is partitioned: degree's distinct pairs (mpi/degree_mpi.h), each
 * kept by the rank owning its key group, or tri's graph (mpi/tri_mpi.h),
 * each edge at the ranks owning a colour triple with its two colours and
 * written by the first of them (its degree rank).  The id map's lookup
 * is partitioned too (mpi/idmap_mpi.h), but rank 0 keeps its external
 * ids, and writes them.  Everything else (the
 * counters, per-vertex triangles and degrees, the other
 * operators, the position) is at rank 0.  Each rank's keys only grow, in
 * an order it keeps (the edge table's log; tri's list of its edges).
 *
 * A barrier (driver_mpi.c): rank 0 writes its parts through the one
 * commit (snapshot/snapshot.h: es_snapshot_write) into snap-N.h5.tmp;
 * then, through the snapshot's `extra` step, every rank appends the keys
 * it gained since the last committed snapshot (in the run's dense ids,
 * mpi/globals.h) to the ranks' key log, DIR/log-M.edges.keys.ranks.u64.h5
 * (an HDF5 file whose /data has room for its keys, snapshot/logs.h): the
 * increment goes after the committed keys, ranks in order (rank r at the
 * sum of the counts below it: one MPI_Exscan), in one collective H5Dwrite
 * of the log's /data (the file open on every rank through the MPI-IO
 * driver, H5Pset_fapl_mpio; each rank's hyperslab of the keys it
 * appends), flushed to disk with H5Fflush (MPI_File_sync).  The log's
 * header, which its CRC covers, stays as created: the write touches only
 * /data's bytes.  Rank 0 chains the
 * ranks' CRC-32s (crc32_combine), makes tmp's /edges/keys a virtual
 * dataset over the file's first keys and lists the file in the header
 * (es_snapshot_logs_put) like any log: verification, retention and every
 * reader (`inspect`, `compare`, h5py, a resume with or without MPI) treat
 * it as the single process's.  A new file (every rank writes all its
 * keys) when there is none yet (a run's first snapshot, a resume) or the
 * increment outgrows the room, which is twice the keys then: O(1)
 * writes per key over a run, where each snapshot used to rewrite them all.
 *
 * A failed write on any rank (or a failed open or flush) fails
 * the snapshot on all (one MPI_Allreduce names the first failing rank) and
 * leaves only the .tmp, which the commit removes: no file a resume would
 * pick.  Whether a try committed, rank 0 sees at the next barrier (its
 * snapshot file is there) and says; until then every rank keeps its
 * committed count, so the next snapshot writes the failed increment again
 * over the same bytes.  ES_MPI_FAIL_KEYS="RANK N" (tests) fails rank
 * RANK's part of snapshot N.
 *
 * The keys' order is by snapshot, then rank, then each rank's first
 * sight (tri's: its bucket, below, then first sight), not the stream's
 * first sight; a restore of degree or tri (and `inspect`, `compare`, h5py)
 * reads them as a set, so the file reads like a single process's.
 *
 * Degree's runs: each rank's increment is one run of keys of the groups
 * it owns; /ranks/key_runs (u64[4 R]: first key, count, first and end
 * key group of each run; the runs of the log file, which /edges/keys is
 * the head of) says where they lie.  tri's runs: each rank's increment
 * sorted by bucket (the pair of its endpoints' cells, 8 equal ranges of
 * key groups whatever the rank count: mpi/tri_mpi.h), one run per bucket;
 * /ranks/tri_runs (u64[4 R]: first key, count, the cells a <= b).  A few
 * dozen bytes per rank per snapshot (the buckets' counts to rank 0).
 * Readers without MPI ignore both.
 *
 * Resume (any rank count, or without MPI: mpi/grouprun.h restores the file
 * as any other): rank 0 restores its parts; every rank reads /idmap and,
 * for degree, the runs of /edges/keys whose key groups meet the range it
 * owns now (all of them when the snapshot has no /ranks/key_runs: one
 * without MPI or gathered), in pieces of 1 Mi keys, and keeps the pairs
 * whose key group it now owns (es_mpi_degree_restore): at the same rank
 * count O(E/N) read per rank; at another, a rank reads the old ranks'
 * runs its range meets (2 -> 3: E/2, E, E/2).  tri keeps the edges of its
 * colour triples (es_mpi_tri_restore): a rank reads the runs of the
 * buckets whose colour pairs one of its triples holds (es_mpi_tri_wants;
 * every key without /ranks/tri_runs): with 2 colours (2 to 4 ranks) 3/4
 * or 1/4 of E per rank (2 -> 2: 1.5 E in all, was 2 E; 2 -> 4: 2 E, was
 * 4 E), falling as colours grow.  (Rank 0's own restore, before, reads
 * the whole file once: the single process's restore.)
 * Collective: every rank calls each function.
 */
#ifndef ES_MPI_SNAPSHOT_H
#define ES_MPI_SNAPSHOT_H

#include <glib.h>
#include <hdf5.h>
#include <mpi.h>

#include "dataflow/checkpoint.h"
#include "mpi/degree_mpi.h"
#include "mpi/tri_mpi.h"

/* Where the ranks' keys are (rank 0): the log file, its data's start,
 * room, bytes and the CRC-32 of its first start + bytes bytes. */
typedef struct {
    char    *file;
    uint64_t start, cap, bytes;
    uint32_t crc;
} es_mpi_keylog;

typedef struct {
    MPI_Comm       comm;
    es_mpi_degree *degree;  /* the partitioned state: degree's pairs, */
    es_mpi_tri    *tri;     /* or tri's graph (with degree's counts) */
    uint64_t      *sent;    /* bytes sent, grown */
    es_checkpoint *ck;      /* rank 0: the run's snapshots */
    /* The key log (zero at first): */
    size_t         file_n;  /* this rank's keys in it as of the last committed snapshot */
    size_t         last_n;  /* this rank's keys as of the last try */
    es_mpi_keylog  done;    /* rank 0: the log as the last committed snapshot lists it, */
    es_mpi_keylog  tries;   /* as the last try wrote it */
    char          *tried;   /* rank 0: that try's snapshot path, or NULL */
    hid_t          file, data;  /* the log file and its /data, open on every rank, */
    char          *opened;  /* its path (NULL: not open) */
    /* degree, rank 0: the log's runs of keys, 4 u64 each (first key,
     * count, and the key groups [lo, hi) of the rank that wrote them), as
     * the last committed snapshot and the last try list them. */
    GArray        *runs_done, *runs_tries;
    uint64_t       keys_read;  /* this rank's keys read on resume */
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
/* Close the key log (collective) and free what it holds. */
void     es_mpi_snap_clear(es_mpi_snap *s);

#endif
