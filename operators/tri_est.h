/* tri_est.h — library calls of the "tri-est" operator (triangle estimation:
 * TRIÈST-IMPR, WRS, GPS; see tri_est.c and docs/tri-est.md) beyond the operator contract: the estimates
 * themselves, and the operator's whole state as plain arrays, which is what
 * its snapshot writes and reads (layout in tri_est.c). */
#ifndef ES_OP_TRI_EST_H
#define ES_OP_TRI_EST_H

#include "graph/edgetable.h"
#include "operators/operator.h"
#include "operators/edge_reservoir.h"

extern const es_operator_class es_tri_est_class;

/* The estimators (option method=): TRIEST-IMPR, waiting-room sampling,
 * graph priority sampling with in-stream estimation (insertions only);
 * ThinkD-ACC and TRIEST-FD (fully dynamic: appearances and disappearances
 * of edges, random pairing). */
typedef enum {
    ES_TRI_EST_IMPR = 0, ES_TRI_EST_WRS = 1, ES_TRI_EST_GPS = 2, ES_TRI_EST_THINKD = 3, ES_TRI_EST_FD = 4
} es_tri_est_method;

/* Global triangle estimate, and the standard-deviation bound reported as
 * "stddev" (0 while exact). */
double es_tri_est_global(es_operator *op);
double es_tri_est_stddev(es_operator *op);
/* Estimate of the triangles at dense vertex v (0 for a vertex not seen yet);
 * NaN when the operator runs with local=0. */
double es_tri_est_local(es_operator *op, uint32_t v);

/* Bytes the operator holds: sample, per-vertex arrays, edge set, scratch
 * (depends on the history of the run, so it is not in the report). */
size_t es_tri_est_memory(es_operator *op);
/* Bytes of the sample alone: its graph (slots, per-vertex heads, neighbour
 * sets), the per-slot weights, and gps's weights, priorities and heap;
 * without the per-vertex counters and the repeat test's edge set. */
size_t es_tri_est_sample_memory(es_operator *op);

/* Everything the estimates depend on.  The pointers point into the
 * operator and stay valid until it processes another batch. */
typedef struct {
    es_tri_est_method method;
    es_edge_reservoir_state sample;  /* slots, generator, edges accepted (t) */
    double          triangles;       /* the global estimate (triest-fd: the
                                        triangles of the sample graph) */
    double          pairs;           /* impr: estimate of the pairs of triangles sharing a wedge edge;
                                        wrs, gps: the covariance sum of the variance estimate */
    double          var_sum;         /* wrs, gps: sum of S(S-1) over counted triangles */
    uint32_t        room;            /* wrs: waiting-room slots */
    uint64_t        graph_edges;     /* thinkd, triest-fd: edges in the graph now */
    uint64_t        del_sampled;     /* thinkd, triest-fd: uncompensated deletions of
                                        sampled edges (random pairing's c1) */
    uint64_t        del_other;       /* ... and of other edges (c2) */
    double          z;               /* gps: threshold */
    const double   *edge_weight;     /* gps: sample.size weights */
    const double   *priority;        /* gps: sample.size priorities */
    const double   *slot_weight;     /* sample.size entries: see tri_est.c */
    uint32_t        num_vertices;
    const double   *local;           /* num_vertices entries; NULL with local=0
                                        (triest-fd: the sample graph's counts) */
    const uint64_t *ext;             /* num_vertices external ids (UINT64_MAX: unknown); NULL unless top > 0 */
    uint64_t        self_loops, duplicates;
    gboolean        exact;           /* the exact repeat test is on (dedup=1, or
                                        auto in a run with an edge table or after a
                                        repeat) */
    const es_edgetable *seen;        /* with it, the table it reads (every
                                        distinct edge so far), once it has one;
                                        else NULL */
    const es_edgetable *probe;       /* dedup=auto on probation: its own set of
                                        the distinct edges accepted so far; else NULL */
    gboolean        late;            /* dedup=auto: the exact test started after a
                                        repeat came past the probation */
} es_tri_est_state;

void es_tri_est_get_state(es_operator *op, es_tri_est_state *out);
/* Replace op's state by a copy of st, taken from an operator created with
 * the same options (m, local, dedup, top; the seed only matters for a fresh
 * start: the generator state is in st).  The operator then gives bit-identical answers to the one st was
 * taken from on any continuation of the stream.  ES_ERROR_DATA when st does
 * not fit the options or is inconsistent. */
gboolean es_tri_est_set_state(es_operator *op, const es_tri_est_state *st, GError **error);

/* copies=C: C independent copies (seeds seed + c, c < C; op is copy 0)
 * whose mean, summed in copy order, is every answer.  es_tri_est_copies:
 * C (1 without the option).  es_tri_est_own_copies: fold only copies
 * [lo, hi) from now on (an MPI rank's range, mpi/tri_est_mpi.h; the others
 * keep the state last set).  es_tri_est_copy_state: copy c's state, as
 * es_tri_est_get_state (without the table it reads). */
uint32_t es_tri_est_copies(es_operator *op);
void     es_tri_est_own_copies(es_operator *op, uint32_t lo, uint32_t hi);
void     es_tri_est_copy_state(es_operator *op, uint32_t c, es_tri_est_state *out);
/* A report needs of a copy only its figures: es_tri_est_copy_figures
 * puts copy c's estimate, the square of its stddev and its sample size in
 * fig, its vertex count in *nv, and returns its local estimates of
 * vertices [0, *nv) (g_free; NULL without local=1).  es_tri_est_give_copy:
 * on an operator that folds copies [0, own_hi) (an MPI run's rank 0), copy
 * c >= own_hi takes those figures in place of its state, in copy order
 * (c = own_hi starts again), until the next batch or state set; once every
 * copy is given, the answers are those of the states the figures came from,
 * bit for bit, and no copy's sample need be here.  ES_ERROR_DATA when c is
 * not the next copy or nv exceeds the operator's vertices. */
/* A snapshot of an operator whose copies run elsewhere (an MPI run's
 * rank 0): es_tri_est_set_copy_source makes its write ask fn for the state
 * of each copy outside [lo, hi) in turn (out valid until the next call,
 * seen and probe NULL; FALSE and *error fail the snapshot), so that one
 * such copy at a time is here; the write then needs the caller's thread
 * (no writer thread).  es_tri_est_drop_copy: copy c (> 0) lets go of its
 * state (it runs elsewhere; a fresh, empty one stands in). */
typedef gboolean (*es_tri_est_fetch_fn)(void *user, es_operator *op, uint32_t c, es_tri_est_state *out,
                                        GError **error);
void     es_tri_est_set_copy_source(es_operator *op, es_tri_est_fetch_fn fn, void *user);
void     es_tri_est_drop_copy(es_operator *op, uint32_t c);
/* Its restore (snapshot_read) reads only the copies in the range
 * es_tri_est_own_copies set before it; es_tri_est_read_copy: copy c
 * (> 0) from g, the operator's snapshot group, as the restore reads it
 * (op's table read by the copy's exact test: op->edges then). */
gboolean es_tri_est_read_copy(es_operator *op, hid_t g, uint32_t c, GError **error);
double  *es_tri_est_copy_figures(es_operator *op, uint32_t c, double fig[3], uint32_t *nv);
gboolean es_tri_est_give_copy(es_operator *op, uint32_t c, const double fig[3], const double *local, uint32_t nv,
                              GError **error);

#endif
