/* testutil.h — what the CUnit suites share: a main() helper, random graph
 * generation with igraph, and the location of optional real datasets.
 *
 * Each tests/test_<module>.c is its own executable: it lists its cases in an
 * es_test array and returns es_test_main("module", cases).  Randomised cases
 * use fixed seeds and print the seed when an assertion fails.
 */
#ifndef ES_TESTUTIL_H
#define ES_TESTUTIL_H

#include <CUnit/Basic.h>
#include <igraph.h>
#include <stdint.h>

#include "graph/batch.h"

typedef struct {
    const char *name;
    CU_TestFunc fn;
} es_test;

#define ES_TEST(fn) { #fn, fn }

/* Run the cases (the array ends with {NULL, NULL}); exit status 0 iff all pass. */
int es_test_main(const char *suite, const es_test *tests);

/* Directory of the real SNAP edge lists (../shared/datasets, or
 * $ES_SHARED_DATASETS), or NULL when absent: tests that need it skip then. */
const char *es_test_shared_datasets(void);

/* A random multigraph as an edge-pair array (2*m entries, u and v in
 * [0, n)), with some duplicates, reversed duplicates and self-loops mixed in
 * when `messy`.  Caller frees with g_free. */
uint32_t *es_test_random_edges(uint32_t n, size_t m, uint64_t seed, int messy, size_t *m_out);

/* Build an igraph (undirected, n vertices) from 2*m pairs and simplify it
 * (no multi-edges, no loops): the exact reference for operators. */
void es_test_igraph_from_pairs(igraph_t *g, uint32_t n, const uint32_t *pairs, size_t m);

/* Wrap pairs as one batch (or several of `batch_size`) for operators. */
typedef void (*es_test_batch_fn)(const es_batch *b, void *user);
void es_test_feed_batches(const uint32_t *pairs, size_t m, size_t batch_size, es_test_batch_fn fn, void *user);

#endif
