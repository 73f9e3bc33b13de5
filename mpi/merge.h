/* merge.h — the mergeable sketches across MPI ranks: per-rank partial
 * state combined at rank 0.
 *
 * In a run whose operators all allow it (mpi/driver_mpi.h), every rank
 * folds its own share of each batch into its own `cm`, `hll` and `topk`
 * sketch (same dimensions, same seed, so the same hash functions).  Before
 * a snapshot and before the final report, es_mpi_merge combines them:
 *   cm:   counters and totals summed (MPI_Reduce, MPI_SUM over uint64);
 *   hll:  registers maximised (MPI_Reduce, MPI_MAX over uint8);
 *   topk: every rank's monitored items and total gathered (MPI_Gatherv)
 *         and merged into rank 0's summary in rank order (es_ss_merge,
 *         sketches/spacesaving.h: the mergeable summaries of Agarwal et
 *         al., PODS 2012);
 * rank 0's sketch becomes the combination and the other ranks' start again
 * empty.  cm and hll combine exactly (a sum of counters, a maximum of
 * registers do not depend on the order the keys came in), so rank 0 then
 * holds the sketch one process builds from the whole stream, cell for
 * cell: their answers and snapshots equal a run without MPI.  topk's do
 * not: Space-Saving's state depends on the order of its updates, and a
 * merge keeps its guarantees (each count over the degree by at most its
 * error, every error at most N / counters, N the endpoints of the whole
 * stream), not the single process's list; the list is the same for a
 * given rank count and --max-parallelism (shares and merge order are
 * fixed), and equals one process's at -np 1 (never reduced).  A resume on
 * any number of ranks (or none) starts from rank 0's state alone.
 *
 * Cost per merge: 8 * width * depth bytes (cm; 106 KiB at the defaults),
 * 2^p bytes (hll; 16 KiB at p = 14) and 24 bytes per monitored counter
 * (topk; at most 24 KiB at the default 100 counters) sent by each rank
 * but 0, once per snapshot and at the end, instead of 16 bytes per edge
 * every batch.
 * Collective: every rank calls it with the same operator list.
 */
#ifndef ES_MPI_MERGE_H
#define ES_MPI_MERGE_H

#include <glib.h>
#include <mpi.h>
#include <stdint.h>

#include "operators/operator.h"

/* Whether op is one of the sketches es_mpi_merge combines. */
gboolean es_mpi_mergeable(const es_operator *op);
/* Combine every mergeable operator of ops at rank 0 (see above); *sent
 * grows by the bytes this rank sent. */
void     es_mpi_merge(MPI_Comm comm, GPtrArray *ops, uint64_t *sent);

#endif
