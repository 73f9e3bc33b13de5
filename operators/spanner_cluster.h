/* spanner_cluster.h — the clustering spanner behind "spanner" (the
 * default method): Baswana's single-pass streaming (2k-1)-spanner with
 * O(1) expected work per edge.  Contract, algorithm and cost in
 * spanner_cluster.c; the operator (options, report, the greedy method) in
 * spanner.c, which is the only caller. */
#ifndef ES_OP_SPANNER_CLUSTER_H
#define ES_OP_SPANNER_CLUSTER_H

#include <glib.h>
#include <hdf5.h>
#include <stdint.h>

#include "graph/batch.h"
#include "snapshot/fields.h"

typedef struct es_spanner_cluster es_spanner_cluster;

/* k levels (stretch 2k-1), centres sampled with probability
 * expected_vertices^(-1/k) per level from `seed`. */
es_spanner_cluster *es_spanner_cluster_new(unsigned k, uint64_t seed, uint64_t expected_vertices);
void                es_spanner_cluster_free(es_spanner_cluster *c);

/* Fold edges e[0 .. n-1] in stream order; every id below nv.  Repeats and
 * self-loops change nothing (no distinct-edge stage needed).  change: the
 * run's edge table's answers for the batch (es_batch.change), or NULL;
 * while every batch since the start (or the last restore) came with them,
 * repeats are dropped on their answer and no level-0 record is kept. */
void es_spanner_cluster_add(es_spanner_cluster *c, const es_edge *e, const uint8_t *change, size_t n, uint32_t nv);

/* Kept edges as keys min << 32 | max, in the order kept (never rewritten). */
const uint64_t *es_spanner_cluster_kept(const es_spanner_cluster *c, size_t *n);
uint64_t es_spanner_cluster_offered(const es_spanner_cluster *c);   /* non-loop edges seen */
uint64_t es_spanner_cluster_loops(const es_spanner_cluster *c);
uint32_t es_spanner_cluster_vertices(const es_spanner_cluster *c);
/* The expected-size bound of the method for the vertices seen so far:
 * n((k-1)(1/p + 1) + n p^(k-1)) (spanner_cluster.c). */
double   es_spanner_cluster_size_bound(const es_spanner_cluster *c);
/* Vertices at each level 0 .. k-1 (out: k entries). */
void     es_spanner_cluster_levels(const es_spanner_cluster *c, uint64_t *out);

/* Snapshot (layout in spanner_cluster.c): freeze at the barrier, write what
 * was frozen (possibly in a writer thread), read into c, which is left
 * unchanged on failure. */
void     es_spanner_cluster_prepare(es_spanner_cluster *c);
gboolean es_spanner_cluster_write(es_spanner_cluster *c, es_snapshot_writer *w, GError **error);
gboolean es_spanner_cluster_read(es_spanner_cluster *c, hid_t g, const char *name, GError **error);

#endif
