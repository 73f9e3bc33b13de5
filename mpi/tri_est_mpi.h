/* tri_est_mpi.h — tri-est's copies (copies=C, operators/tri_est.h) spread
 * over MPI ranks, their mean the answer (the idea of Tri-Fly, Shin,
 * Hammoud, Lee, Oh & Faloutsos, PAKDD 2018).
 *
 * Copies are numbered, not tied to ranks: rank r of N runs copies
 * [ceil(C r / N), ceil(C (r+1) / N)), so rank 0 always runs copy 0 (whose
 * counters the report gives).  Every rank receives the whole stream in
 * stream order (the batch is all-gathered, mpi/driver_mpi.h); ranks other
 * than 0 fold it into an operator of their own made from the same spec,
 * over an id map that numbers vertices as rank 0's does (same stream, same
 * order) and a flow with its own edge table (with C > 1 the repeat test is
 * exact, or each copy's own with dedup=0), so copy c decides as it would
 * anywhere.  Rank 0's operator holds every copy: its own range, folded,
 * and the others as the ranks last sent them.
 *
 * Where rank 0 needs every copy at one point of the stream (an interim
 * report, a snapshot barrier, the end), each other rank sends it the whole
 * state of each copy it runs (es_tri_est_copy_state, flat: about 16 bytes
 * per sampled edge, 32 for gps, and 8 per vertex with local=1), one
 * message per copy, which rank 0 sets (es_tri_est_set_copy_state): its
 * reports and snapshots are then those of one process running all C, so
 * the answers are byte for byte -np 1's for any N, and every snapshot holds
 * every copy.  The other ranks split their folds where interim reports
 * fall, as rank 0 does (mpi/grouprun.h), and send at each.
 *
 * Resume (any rank count; rank 0 restored every copy from the snapshot):
 * rank 0 broadcasts the id map's external ids and the run table's keys
 * (the copies' exact repeat test), from which every other rank rebuilds
 * its own, and sends each rank the state of each copy it now runs.
 *
 * Estimator: unbiased, Var = Var_1 / C (docs/tri-est.md).  Cost per rank:
 * its copies' work and memory plus an id map and an edge table; per batch
 * the all-gather, 16 (N-1) bytes per edge in all; per sync point the
 * copies' states; on resume 8 bytes per vertex and per distinct edge to
 * every rank.  Collective: every rank calls each function.
 */
#ifndef ES_MPI_TRI_EST_H
#define ES_MPI_TRI_EST_H

#include <glib.h>
#include <mpi.h>
#include <stdint.h>

typedef struct es_mpi_tri_est es_mpi_tri_est;

/* Does ops hold a tri-est operator with copies=C > 1? */
gboolean        es_mpi_tri_est_wanted(GPtrArray *ops);
/* After rank 0 started (restored) its operators.  On rank 0, ops'
 * tri-est operators with copies run rank 0's range; every other rank makes
 * operators of the same specs that run its own, and, on resume, takes
 * rank 0's id map (ext: its nv external ids; edges: the stream's edges so
 * far), table and copies.  every: --report-every; *sent grows by the
 * bytes this rank sends.  NULL (error set) when a rank fails. */
es_mpi_tri_est *es_mpi_tri_est_new(MPI_Comm comm, GPtrArray *ops, uint64_t every, const uint64_t *ext, uint32_t nv,
                                   uint64_t edges, uint64_t *sent, GError **error);
/* Rank r > 0: fold the batch, every rank's edges in stream order (2n
 * external ids), into its copies, sending their states where an interim
 * report falls (not at the stream's end: last).  Nothing on rank 0 (its
 * flow folds, and es_mpi_tri_est_sync takes the states there). */
gboolean        es_mpi_tri_est_feed(es_mpi_tri_est *t, const uint64_t *ext, size_t n, gboolean last, GError **error);
/* Every copy's state to rank 0 (at a barrier, at the end; and, on rank 0,
 * at an interim report: es_group_root.before_report, user t).  FALSE on
 * rank 0 when a state does not apply (ES_ERROR_DATA). */
gboolean        es_mpi_tri_est_sync(void *t, GError **error);
/* Rank 0, a batch that failed in its fold (from `from` edges of the stream
 * to `to`; last: the stream's end): take the states the other ranks still
 * send for its interim reports (es_mpi_tri_est_mark before the batch), so
 * that none waits. */
void            es_mpi_tri_est_mark(es_mpi_tri_est *t);
void            es_mpi_tri_est_drain(es_mpi_tri_est *t, uint64_t from, uint64_t to, gboolean last);
void            es_mpi_tri_est_free(es_mpi_tri_est *t);

#endif
