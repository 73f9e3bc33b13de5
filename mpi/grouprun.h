/* grouprun.h — a run over the input's key groups (mpi/chunks.h) as one
 * process keeps it: the state rank 0 of an MPI run holds, and the loop
 * with which the build without MPI continues an MPI run's snapshots.
 *
 * State (es_group_root): the id map (or, in a reduced MPI run, none:
 * mpi/idmap_mpi.h's external ids), the operators in one flow
 * (dataflow/flow.h, the fold every batch goes through), the checkpoint
 * (dataflow/checkpoint.h) whose snapshots record every key group's
 * position (es_chunks_format) and the run's quota.  mpi/driver_mpi.c
 * feeds it the edges the ranks gathered; es_group_run feeds it the key
 * groups itself, in the same order: batch k is, for every group in group
 * order, its next quota edges.  So the stream, hence every answer, is that
 * of `mpirun -np N` for any N: a snapshot an MPI run took (its source
 * position begins "mpi-chunks ") resumes here without MPI and ends with the
 * uninterrupted run's final answers, and the snapshots taken here resume
 * under MPI in turn.  The key groups and the quota are the snapshot's (a
 * resume continues its stream, whatever --batch says now).
 *
 * Cost: that of the MPI run at one rank (one reader, no thread beside the
 * snapshot writer); no MPI: this file is in every build.
 * Not here: windows and deletions (refused under MPI, so never in such a
 * snapshot), standard input and other sources (one group per input needs
 * files).
 */
#ifndef ES_MPI_GROUPRUN_H
#define ES_MPI_GROUPRUN_H

#include <glib.h>
#include <stdint.h>

#include "dataflow/checkpoint.h"
#include "dataflow/driver.h"
#include "dataflow/flow.h"
#include "graph/idmap.h"
#include "mpi/chunks.h"

typedef struct {
    const es_driver_config *cfg;
    GPtrArray       *ops;
    es_driver_stats *stats;
    es_idmap        *idmap;    /* NULL when no_map */
    /* A reduced MPI run's: the id map is partitioned over the ranks
     * (mpi/idmap_mpi.h), so start makes none, and leaves a snapshot's
     * external ids (restored_n of them, es_h5_free) at restored for the
     * caller to spread; a barrier's externals (the first
     * stats->vertices: the snapshot's id map) are then `externals`. */
    gboolean         no_map;
    uint64_t        *restored;
    uint32_t         restored_n;
    const uint64_t  *externals;
    es_flow          flow;     /* every operator and the run's edge table (a gathered run) */
    es_checkpoint   *ck;       /* NULL without snapshots */
    es_edge_source  *src;      /* the inputs as files: the snapshots' source kind and identity */
    es_report       *report;
    es_edge         *edges;    /* dense ids of the batch at hand */
    uint8_t         *change;
    size_t           cap;
    size_t           quota;    /* edges per key group per batch, recorded in the snapshots */
    /* Called where an interim report falls (whether or not one is made
     * here), before it; FALSE ends the fold (an MPI run: tri-est's copies
     * from the other ranks, mpi/tri_est_mpi.h). */
    gboolean       (*before_report)(void *user, GError **error);
    void            *before_report_user;
} es_group_root;

/* Before the first batch: the checkpoint opened and, on resume, the id map
 * and the operators restored and pos (4 per group) filled from the
 * snapshot; with *quota 0, the snapshot's quota there (a fresh run keeps
 * *quota 0: the caller's).  g: cfg, ops and stats set, the rest zero. */
gboolean es_group_root_start(es_group_root *g, es_chunks *chunks, guint groups, uint64_t *pos, size_t *quota,
                             GError **error);
/* Room for n edges in g->edges and g->change. */
void     es_group_root_grow(es_group_root *g, size_t n);
/* Fold ext[0 .. 2n) (time or NULL) into every operator through g->flow, in
 * pieces cut where an interim report falls (last: the stream's end, whose
 * report the caller makes). */
gboolean es_group_root_feed(es_group_root *g, const uint64_t *ext, const int64_t *time, size_t n, gboolean last,
                            GError **error);
/* After a batch (edges before it: before): is a snapshot due? */
gboolean es_group_root_due(es_group_root *g, uint64_t before);
/* Take the snapshot due at this batch end (pos: every group's), or the
 * final one. */
void     es_group_root_barrier(es_group_root *g, es_chunks *chunks, guint groups, const uint64_t *pos, gboolean final);
/* Free what start made (not the flow: the caller's). */
void     es_group_root_clear(es_group_root *g);

/* The key groups of the newest readable snapshot in dir, when an MPI run
 * (or es_group_run) took it: TRUE and *groups set; FALSE otherwise. */
gboolean es_group_snapshot(const char *dir, guint *groups);

/* As es_driver_run, in the key groups' stream order (above), resuming the
 * snapshots of cfg->checkpoint (which must resume).  Refused
 * (ES_ERROR_USAGE): windows, deletions, another source than files. */
gboolean es_group_run(const es_driver_config *cfg, guint groups, GPtrArray *ops, es_driver_stats *stats,
                      GError **error);

#endif
