/* tri_est_mpi.h — tri-est across MPI ranks: one independent copy of each
 * tri-est operator per rank, their mean the answer (the idea of Tri-Fly,
 * Shin, Hammoud, Lee, Oh & Faloutsos, PAKDD 2018).
 *
 * Every rank receives the whole stream in stream order (the batch is
 * all-gathered, mpi/driver_mpi.h) and folds it into its copies, over an id
 * map of its own that numbers vertices as rank 0's does (same stream, same
 * order).  Copy r (rank r) is the operator with seed s + r, so copy 0 is
 * the one reservoir of `-np 1` (and of runs with snapshots).  A copy
 * reads an edge table of its own (dedup=1) where rank 0's reads the run's
 * (dedup=auto in a run that keeps one), so that every copy drops the same
 * repeats.  At the end each rank's estimates are summed at rank 0
 * (es_tri_est_set_mean, operators/tri_est.h).
 *
 * Estimator: with X_r copy r's estimate (TRIEST-IMPR, WRS or GPS, each
 * unbiased for the triangles T), the answer is X = (1/N) sum_r X_r, so
 * E[X] = T; the copies draw independent samples of the same stream, so
 * Var X = (1/N^2) sum_r Var X_r = Var_1 / N: the error falls as 1/sqrt(N)
 * at the same m per rank.  "stddev" is sqrt(sum_r s_r^2) / N, s_r copy r's
 * own (docs/tri-est.md); local estimates are the copies' means likewise.
 *
 * Cost per rank: the single process's tri-est (its work and its m edges)
 * plus an id map; per batch the all-gather, 16 (N-1) bytes per edge in
 * all; at the end 3 numbers per copy and 8 bytes per vertex with local=1.
 * Used in runs without snapshots or interim reports (those keep one
 * reservoir at rank 0: driver_mpi.h).
 */
#ifndef ES_MPI_TRI_EST_H
#define ES_MPI_TRI_EST_H

#include <glib.h>
#include <mpi.h>
#include <stdint.h>

typedef struct es_mpi_tri_est es_mpi_tri_est;

/* Does ops hold a tri-est operator (with an insert-only method)? */
gboolean        es_mpi_tri_est_wanted(GPtrArray *ops);
/* Collective.  On rank 0, ops' tri-est operators are copy 0; on any other
 * rank r, copies with seed s + r are made.  NULL (error set) when a copy
 * cannot be made. */
es_mpi_tri_est *es_mpi_tri_est_new(MPI_Comm comm, GPtrArray *ops, GError **error);
/* Rank r > 0: fold the batch, every rank's edges in stream order (2n
 * external ids), into its copies.  Nothing on rank 0. */
gboolean        es_mpi_tri_est_feed(es_mpi_tri_est *t, const uint64_t *ext, size_t n, GError **error);
/* Collective, after the last batch: rank 0's operators answer the mean. */
void            es_mpi_tri_est_combine(es_mpi_tri_est *t, MPI_Comm comm, uint64_t *sent);
void            es_mpi_tri_est_free(es_mpi_tri_est *t);

#endif
