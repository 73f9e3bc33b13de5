/* driver_mpi.h — `edgestream run` over MPI ranks (built with make MPI=1).
 *
 * Every rank reads its share of the input (mpi/chunks.h: key groups of
 * lines, contiguous ranges of them per rank), so parsing scales with the
 * ranks; the stream order is (batch, key group, position), the same for
 * any rank count.  Per batch each rank sends to rank 0 what its operators
 * need (below); rank 0 holds the id map, the edge table and the operators'
 * state, feeds them the batch in stream order, reports, and takes the
 * snapshots (dataflow/checkpoint.h; the position is every key group's, so
 * `--resume` under another rank count continues the same stream).  The
 * answers are those of `mpirun -np 1` on the same input, for every rank
 * count, byte for byte; exact operators equal a run without MPI.
 *
 * What a batch sends, per operator (bench/SCALING.md has the measured bytes):
 *   cc alone (no --report-every): each rank's share reduced to a spanning
 *     forest, forests merged up a binary tree (mpi/forest.h): at most
 *     16 bytes per vertex of the batch per rank, log2 N rounds.
 *   every other operator (bipartite, degree, tri, tri-est, cm, topk, hll,
 *     spanner), or cc beside them: the share itself, 16 bytes per edge (24
 *     with timestamps), gathered at rank 0 in rank order; state stays whole
 *     at rank 0.  Per-rank partial state merged by reduction (degree, cm,
 *     hll), edges shuffled to vertex owners (tri) and per-rank reservoirs
 *     (tri-est) are not implemented: see bench/SCALING.md for their model.
 *   spanner: one rank by nature: whether an edge enters depends on the
 *     spanner of every earlier edge (a shortest-path query per edge), so
 *     ranks could only take turns.
 * Plus, every batch, 32 bytes per key group of position and 16 of counts.
 *
 * Collective: every rank calls it with the same arguments; an error on any
 * rank (a bad line, a limit, a snapshot mismatch) ends the run on all with
 * that error (the first rank's, for a bad line: the first in stream order).
 */
#ifndef ES_MPI_DRIVER_H
#define ES_MPI_DRIVER_H

#include <glib.h>

#include "dataflow/driver.h"

#define ES_MPI_DEFAULT_GROUPS 128

/* MPI_Init (threads: funneled; rank 0's snapshot writer thread makes no MPI
 * call) and MPI_Finalize around a command. */
void es_mpi_init(int *argc, char ***argv);
void es_mpi_finalize(void);
int  es_mpi_rank(void);

/* As es_driver_run; groups: key groups of the input (--max-parallelism).
 * Reports (cfg->on_report) are made on rank 0 only; stats are the run's on
 * every rank.  With verbose, rank 0 says on stderr what the ranks sent. */
gboolean es_mpi_driver_run(const es_driver_config *cfg, guint groups, gboolean verbose, GPtrArray *ops,
                           es_driver_stats *stats, GError **error);

#endif
