/* tri_est_mpi.h — tri-est's copies (copies=C, operators/tri_est.h) spread
 * over MPI ranks, their mean the answer (the idea of Tri-Fly, Shin,
 * Hammoud, Lee, Oh & Faloutsos, PAKDD 2018).
 *
 * Copies are numbered, not tied to ranks: rank r of N runs copies
 * [ceil(C r / N), ceil(C (r+1) / N)) (rank 0 always copy 0, whose counters
 * the report gives).  Every rank receives the whole stream in stream order
 * (the batch is all-gathered, mpi/driver_mpi.h); ranks other than 0 fold
 * it into an operator of their own made from the same spec, over an id map
 * that numbers vertices as rank 0's does (same stream, same order) and a
 * flow with its own edge table (with C > 1 the repeat test is exact, or
 * each copy's own with dedup=0), so copy c decides as it would anywhere.
 * At the end rank 0 gathers every copy's figures (estimate, stddev²,
 * sample size; local estimates one copy at a time) in copy order and sums
 * them in that order (es_tri_est_set_mean): the bits one process's copies
 * give, for any N.
 *
 * Estimator: unbiased, Var = Var_1 / C (docs/tri-est.md).  Cost per rank:
 * its copies' work and memory plus an id map and an edge table; per batch
 * the all-gather, 16 (N-1) bytes per edge in all; at the end 24 bytes per
 * copy and 8 per vertex per copy with local=1.  Used in runs without
 * snapshots or interim reports; those run every copy at rank 0
 * (driver_mpi.h), with the same answers.
 */
#ifndef ES_MPI_TRI_EST_H
#define ES_MPI_TRI_EST_H

#include <glib.h>
#include <mpi.h>
#include <stdint.h>

typedef struct es_mpi_tri_est es_mpi_tri_est;

/* Does ops hold a tri-est operator with copies=C > 1? */
gboolean        es_mpi_tri_est_wanted(GPtrArray *ops);
/* Collective.  On rank 0, ops' tri-est operators with copies run rank 0's
 * range; on any other rank, operators of the same specs are made that run
 * the rank's.  NULL (error set) when one cannot be made. */
es_mpi_tri_est *es_mpi_tri_est_new(MPI_Comm comm, GPtrArray *ops, GError **error);
/* Rank r > 0: fold the batch, every rank's edges in stream order (2n
 * external ids), into its copies.  Nothing on rank 0 (its flow does). */
gboolean        es_mpi_tri_est_feed(es_mpi_tri_est *t, const uint64_t *ext, size_t n, GError **error);
/* Collective, after the last batch: rank 0's operators answer the mean
 * of every copy. */
void            es_mpi_tri_est_combine(es_mpi_tri_est *t, MPI_Comm comm, uint64_t *sent);
void            es_mpi_tri_est_free(es_mpi_tri_est *t);

#endif
