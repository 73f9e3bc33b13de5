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
 * anywhere.  Rank 0's operator holds only its own range of copies.
 *
 * Reports (an interim report, the end): each other rank sends rank 0 the
 * figures of each copy it runs (es_tri_est_copy_figures: estimate,
 * variance, sample size, 32 bytes, and with local=1 8 bytes per vertex),
 * one message per copy, in copy order, which rank 0 gives its operator
 * (es_tri_est_give_copy): the mean is summed in copy order as one process
 * sums it, so the answers are byte for byte -np 1's for any N.  The other
 * ranks split their folds where interim reports fall, as rank 0 does
 * (mpi/grouprun.h), and send at each.
 *
 * Snapshots: rank 0 writes in the stream's thread, and its write of group
 * copies/c asks the rank running copy c for its state (a request of 8
 * bytes; the state flat, es_tri_est_copy_state: about 16 bytes per sampled
 * edge, 32 for gps, and 8 per vertex with local=1), writes it and lets it
 * go (es_tri_est_set_copy_source) while the other ranks wait in
 * es_mpi_tri_est_serve: every snapshot holds every copy, those of one
 * process running all C, and rank 0 holds one other copy at a time, so its
 * memory does not grow with C.
 *
 * Resume (any rank count): rank 0's restore reads only the copies it
 * runs now (es_mpi_tri_est_narrow before it); rank 0 broadcasts the id
 * map's external ids and the run table's keys (the copies' exact repeat
 * test), from which every other rank rebuilds its own, and the snapshot's
 * path, from which every other rank reads the copies it runs now
 * (es_tri_est_read_copy: group copies/c, as one process reads it).  So no
 * rank holds more than its own copies on resume either.
 *
 * Estimator: unbiased, Var = Var_1 / C (docs/tri-est.md).  Cost per rank:
 * its copies' work and memory plus an id map and an edge table (rank 0:
 * plus one other copy's state while a snapshot is written); per batch the
 * all-gather, 16 (N-1) bytes per edge in all; per report the figures; per
 * snapshot the other copies' states; on resume 8 bytes per vertex and per
 * distinct edge to every rank (the copies: read from the file by their
 * ranks).  Collective: every rank calls each function.
 */
#ifndef ES_MPI_TRI_EST_H
#define ES_MPI_TRI_EST_H

#include <glib.h>
#include <mpi.h>
#include <stdint.h>

typedef struct es_mpi_tri_est es_mpi_tri_est;

/* Does ops hold a tri-est operator with copies=C > 1? */
gboolean        es_mpi_tri_est_wanted(GPtrArray *ops);
/* Rank 0, before it restores ops from a snapshot: its tri-est operators
 * with copies restore only rank 0's range of copies (not collective). */
void            es_mpi_tri_est_narrow(MPI_Comm comm, GPtrArray *ops);
/* After rank 0 started (restored) its operators.  On rank 0, ops'
 * tri-est operators with copies run rank 0's range; every other rank makes
 * operators of the same specs that run its own, and, on resume, takes
 * rank 0's id map (ext: its nv external ids; edges: the stream's edges so
 * far) and table, and reads its copies from rank 0's snapshot (the path
 * it restored; used when edges > 0).  every: --report-every; *sent grows
 * by the bytes this rank sends.  NULL (error set) when a rank fails. */
es_mpi_tri_est *es_mpi_tri_est_new(MPI_Comm comm, GPtrArray *ops, uint64_t every, const uint64_t *ext, uint32_t nv,
                                   uint64_t edges, const char *snapshot, uint64_t *sent, GError **error);
/* Rank r > 0: fold the batch, every rank's edges in stream order (2n
 * external ids), into its copies, sending their figures where an interim
 * report falls (not at the stream's end: last).  Nothing on rank 0 (its
 * flow folds, and es_mpi_tri_est_report takes the figures there). */
gboolean        es_mpi_tri_est_feed(es_mpi_tri_est *t, const uint64_t *ext, size_t n, gboolean last, GError **error);
/* A snapshot barrier's other half (after rank 0's es_group_root_barrier,
 * whether it wrote or not): ranks other than 0 send the state of each
 * copy rank 0's write asks for until it says it is done; rank 0 says so. */
void            es_mpi_tri_est_serve(es_mpi_tri_est *t);
/* Every copy's figures to rank 0 (es_tri_est_give_copy: at an interim
 * report, es_group_root.before_report with user t; at the end).  FALSE
 * on rank 0 when they do not fit. */
gboolean        es_mpi_tri_est_report(void *t, GError **error);
/* Rank 0, a batch that failed in its fold (from `from` edges of the stream
 * to `to`; last: the stream's end): take the figures the other ranks still
 * send for its interim reports (es_mpi_tri_est_mark before the batch), so
 * that none waits. */
void            es_mpi_tri_est_mark(es_mpi_tri_est *t);
void            es_mpi_tri_est_drain(es_mpi_tri_est *t, uint64_t from, uint64_t to, gboolean last);
void            es_mpi_tri_est_free(es_mpi_tri_est *t);

#endif
