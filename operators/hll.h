/* hll.h — library call of the "hll" operator (HyperLogLog estimate of
 * distinct vertices, see hll_distinct.c) beyond the operator contract. */
#ifndef ES_OP_HLL_H
#define ES_OP_HLL_H

#include "operators/operator.h"
#include "sketches/hll.h"

extern const es_operator_class es_hll_class;

/* Estimated number of distinct vertices (not rounded, unlike the report's
 * "distinct"); *error_bound (may be NULL) gets the report's error_bound,
 * 3 relative standard errors of it.  op must be an "hll" operator. */
double es_hll_op_estimate(es_operator *op, double *error_bound);

/* A run across MPI ranks (mpi/merge.h) keeps one sketch per rank over its
 * share and takes the registers' maxima: the sketch itself, and its
 * replacement by h (which op then owns; same p and seed). */
es_hll *es_hll_op_sketch(es_operator *op);
void    es_hll_op_replace(es_operator *op, es_hll *h);

#endif
