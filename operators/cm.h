/* cm.h — library calls of the "cm" operator (Count-Min sketch of vertex
 * degrees as lines seen, see cm.c) beyond the operator contract: what a
 * checker needs to hold the estimates against exact degrees. */
#ifndef ES_OP_CM_H
#define ES_OP_CM_H

#include "operators/operator.h"
#include "sketches/countmin.h"

extern const es_operator_class es_cm_class;

/* Estimated degree (lines seen) of a vertex, named as the batches named it:
 * its external id when they carried external ids (as the CLI's do), its
 * dense id otherwise.  Never below the true degree; above it by more than
 * eps * total with probability at most delta.  op must be a "cm" operator. */
uint64_t es_cm_op_query(es_operator *op, uint64_t external_id);

/* The guarantee: eps = e / width and delta = e^-depth (what the dimensions
 * give, never weaker than the options asked for) and total = N, twice the
 * edge lines seen.  Any pointer may be NULL. */
void     es_cm_op_params(es_operator *op, double *eps, double *delta, uint64_t *total);

/* A run across MPI ranks (mpi/merge.h) keeps one sketch per rank over its
 * share and adds the counters up: the sketch itself, and its replacement
 * by cm (which op then owns; same dimensions and seed). */
es_cm   *es_cm_op_sketch(es_operator *op);
void     es_cm_op_replace(es_operator *op, es_cm *cm);

#endif
