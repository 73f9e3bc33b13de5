/* testutil.h — what the CUnit suites share: a main() helper, random graph
 * generation with igraph, the location of optional real datasets, and the
 * snapshot suites' round trips, readers and hand-written groups.
 *
 * Each tests/test_<module>.c is its own executable: it lists its cases in an
 * es_test array and returns es_test_main("module", cases).  Randomised cases
 * use fixed seeds and print the seed when an assertion fails.
 */
#ifndef ES_TESTUTIL_H
#define ES_TESTUTIL_H

#include <CUnit/Basic.h>
#include <hdf5.h>
#include <igraph.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "graph/batch.h"
#include "operators/report.h"

typedef struct {
    const char *name;
    CU_TestFunc fn;
} es_test;

#define ES_TEST(fn) { #fn, fn }

/* A CUnit assertion for randomised cases: prints the seed when it fails. */
#define ES_CHECK_SEED(cond, seed)                                                                    \
    do {                                                                                             \
        int ok_ = !!(cond);                                                                          \
        CU_assertImplementation(ok_, __LINE__, #cond, __FILE__, "", CU_FALSE);                      \
        if (!ok_)                                                                                    \
            fprintf(stderr, "\n    (seed %" PRIu64 ")\n", (uint64_t)(seed));                        \
    } while (0)

/* Run the cases (the array ends with {NULL, NULL}); exit status 0 iff all pass. */
int es_test_main(const char *suite, const es_test *tests);
/* Remove a flat temporary directory with every file in it; frees dir. */
void es_test_remove_dir(char *dir);

/* Directory of the real SNAP edge lists (../shared/datasets, or
 * $ES_SHARED_DATASETS), or NULL when absent: tests that need it skip then. */
const char *es_test_shared_datasets(void);

/* A random multigraph as an edge-pair array (2*m entries, u and v in
 * [0, n)), with some duplicates, reversed duplicates and self-loops mixed in
 * when `messy`.  Caller frees with g_free. */
uint32_t *es_test_random_edges(uint32_t n, size_t m, uint64_t seed, int messy, size_t *m_out);

/* es_test_random_edges(n, m, seed, messy) with a hub: vertex 0 starts
 * lines 0, every, 2 every, ... (lists that outgrow small and hashed
 * forms).  Caller frees with g_free. */
uint32_t *es_test_hub_edges(uint32_t n, size_t m, uint64_t seed, size_t every, size_t *m_out);

/* Append `extra` lines to the m lines (2*m ids) of p, which has room for
 * them: each repeats a line drawn by rng from the first `among` (0: from
 * all the lines so far), in turn as it is, reversed, and as a self-loop
 * of its first end.  Returns the new line count. */
size_t es_test_add_repeats(uint32_t *p, size_t m, size_t extra, size_t among, GRand *rng);
/* Shuffle the m lines of p (Fisher-Yates, draws from rng). */
void   es_test_shuffle_lines(uint32_t *p, size_t m, GRand *rng);
/* Reverse each of the m lines of p with probability 1/2 (draws from rng). */
void   es_test_flip_lines(uint32_t *p, size_t m, GRand *rng);

/* Build an igraph (undirected, n vertices) from 2*m pairs and simplify it
 * (no multi-edges, no loops): the exact reference for operators. */
void es_test_igraph_from_pairs(igraph_t *g, uint32_t n, const uint32_t *pairs, size_t m);

/* Wrap pairs as one batch (or several of `batch_size`) for operators. */
typedef void (*es_test_batch_fn)(const es_batch *b, void *user);
void es_test_feed_batches(const uint32_t *pairs, size_t m, size_t batch_size, es_test_batch_fn fn, void *user);
/* Feed edges from .. to-1 of pairs (ext: their external ids, or NULL) to
 * an operator in batches, *maxv tracking the vertex count (fatal on error). */
void es_test_feed_range(void *op, const uint32_t *pairs, const uint64_t *ext, size_t from, size_t to,
                        size_t batch_size, uint32_t *maxv);

/* Snapshot round trip, as every operator's test should do it: feed `pairs`
 * (2*m dense ids, first-appearance order) to an operator created from
 * `spec` up to edge `cut` (in batches of batch_size), write its state into
 * an HDF5 group of a temporary file, read it into a fresh operator of the
 * same spec, and check (CUnit assertions) that both give the same report
 * (tsv text compared byte for byte), then feed the rest to both and check
 * again.  ext: 2*m external ids or NULL. */
void es_test_snapshot_roundtrip(const char *spec, const uint32_t *pairs, const uint64_t *ext,
                                size_t m, size_t cut, size_t batch_size);

/* es_test_snapshot_roundtrip of `spec` on each kind of es_test_make_case
 * (seeds 1 and 2), cut at 0, 1, m/3, m/2 + 3, m - 1 and m, in each of the
 * nb batch sizes; with es_test_hashed_externals for names when `named`.
 * A difference prints the case, cut and batch size. */
void es_test_roundtrip_cases(const char *spec, const size_t *batch_sizes, size_t nb, int named);
/* External ids for 2*m dense ids: distinct, far from the dense ids and not
 * in their order, so a report shows whether they came back (g_free). */
uint64_t *es_test_hashed_externals(const uint32_t *pairs, size_t m);
/* A temporary HDF5 file of the running suite: <tmp>/es-<suite>-<what>-<pid>.h5
 * (g_free). */
char *es_test_temp_path(const char *what);

/* Write an operator's state into group "op" of a new HDF5 file, or read it
 * back from one (the snapshot suites' file round trips). */
gboolean es_test_write_snapshot_file(void *op, const char *path, GError **error);
/* The same for an operator prepared at a barrier (es_operator_snapshot_prepare)
 * and fed since: writes what prepare froze, as the snapshot writer does. */
gboolean es_test_write_prepared_snapshot_file(void *op, const char *path, GError **error);
gboolean es_test_read_snapshot_file(void *op, const char *path, GError **error);
/* The id map's external ids after the first m lines of pairs named by ext
 * (NULL: none; a vertex's first line names it, an unnamed one keeps its
 * dense id), n of them (g_free).  es_test_use_externals: the reads of
 * snapshot files and built groups hand ids to the operator, as
 * es_snapshot_restore hands the id map's (es_operator.externals);
 * borrowed until the next call, NULL: none. */
uint64_t *es_test_externals(const uint32_t *pairs, const uint64_t *ext, size_t m, uint32_t n);
void      es_test_use_externals(const uint64_t *ids, uint32_t n);


/* Dataset `name` of group "op" (an absolute path: of the file) in the HDF5 file at path, as raw bytes
 * (u64 elements, or u32 when !u64; plain or log-backed); an empty GBytes
 * and a failed assertion when unreadable. */
GBytes  *es_test_dataset_bytes(const char *path, const char *name, int u64);
/* 1 iff dataset `name` (as es_test_dataset_bytes) holds the same bytes,
 * and some, in both files; prints the sizes when not. */
int      es_test_same_dataset(const char *path_a, const char *path_b, const char *name, int u64);
/* Attribute `name` of group "op" (UINT64_MAX and a failed assertion when unreadable). */
uint64_t es_test_attr_u64(const char *path, const char *name);

/* An edge key as hand-written snapshots spell it: u in the high half, v in
 * the low one, in the order given (es_edge_key orders them; a malformed
 * snapshot's key may not be). */
#define KEY(u, v) ((uint64_t)(u) << 32 | (v))

/* Write keys[0 .. n-1] as the snapshot's edge table (/edges/keys) into the
 * file of `group` (for hand-written snapshots). */
void es_test_write_edge_keys(hid_t group, const uint64_t *keys, size_t n);

/* Hand-written snapshot groups: `build` fills group "op" of a new file,
 * es_test_read_built reads it into op (the error, if any). */
typedef void (*es_test_build_fn)(hid_t group, const void *arg);
gboolean es_test_read_built(void *op, es_test_build_fn build, const void *arg, GError **error);
/* Read a group built by `build` into a fresh operator of `spec` that has
 * already seen a small stream: refused with ES_ERROR_DATA, naming `culprit`
 * in quotes (and saying `words`, when not NULL), the report unchanged and
 * the operator still working (CUnit assertions; `what` names the case). */
void es_test_expect_refused(const char *spec, es_test_build_fn build, const void *arg, const char *culprit,
                            const char *what, const char *words);

/* One row of a table of malformed groups: s := good, the statements
 * `...` spoil it, and es_test_expect_refused(spec, build, &s, culprit,
 * what, words). */
#define ES_TEST_REFUSED_CASE(s, good, spec, build, culprit, what, words, ...) \
    do { (s) = (good); __VA_ARGS__; es_test_expect_refused(spec, build, &(s), culprit, what, words); } while (0)

/* Report of an operator as tsv text (caller frees). */
char *es_test_report_tsv(void *op);
/* Do two operators report the same, byte for byte in tsv? */
gboolean es_test_same_reports(void *a, void *b);

/* A random stream for operator tests, in dense ids as the id map hands
 * them out. */
typedef struct {
    char      name[80];  /* kind and seed, for failure messages */
    uint32_t *pairs;     /* 2*m ids in first-appearance order; g_free */
    size_t    m;
    uint32_t  n;         /* distinct vertices */
} es_test_case;

#define ES_TEST_CASE_KINDS 6

/* Kinds: 0 sparse Erdos-Renyi (many small components), 1 denser ER, 2
 * Barabasi-Albert tree, 3 BA with 3 edges per vertex, 4 and 5 messy
 * uniform streams (duplicates, reversed duplicates, self-loops).  Each
 * also gets a few vertices that appear only in self-loops, edges in either
 * direction and a shuffled stream order; then ids are relabelled to
 * first-appearance order.  The same (kind, seed) gives the same stream. */
void es_test_make_case(es_test_case *c, int kind, uint64_t seed);

/* Rename the ids of pairs[0 .. 2m-1] (each below id_bound; 0: the largest
 * id + 1) to 0, 1, ... in order of first appearance, as the id map does;
 * returns how many distinct ids there were. */
uint32_t es_test_relabel_first_appearance(uint32_t *pairs, size_t m, uint32_t id_bound);

/* Histogram of a vector's values (key -> count, keys increasing); *max is
 * the largest value, 0 when empty.  Free with g_array_free(bins, TRUE). */
GArray *es_test_hist_of(const igraph_vector_int_t *values, uint64_t *max);

/* 1 iff r lists exactly n entries, all of operator `op`, named names[0 ..
 * n-1] in that order, of kinds kinds[] (NULL: any); prints the first
 * difference when not. */
int es_test_report_layout(const es_report *r, const char *op, const char *const *names, const es_value_kind *kinds,
                          size_t n);

/* 1 iff e is a histogram entry with exactly these bins. */
int es_test_hist_equals(const es_report_entry *e, const es_hist_bin *bins, size_t nbins);

/* Zipf(s) on ranks 0 .. n-1 (P(r) proportional to 1 / (r+1)^s), drawn by
 * inverse transform: a binary search in the cumulative weights. */
typedef struct {
    double  *cdf;        /* cumulative weights, unnormalised */
    uint32_t n;
} es_test_zipf;
es_test_zipf es_test_zipf_new(uint32_t n, double s);
uint32_t     es_test_zipf_draw(const es_test_zipf *z, GRand *rng);
void         es_test_zipf_free(es_test_zipf *z);
/* n ranks drawn from Zipf(s) over [0, universe) with its own GRand of
 * this seed.  Caller frees with g_free. */
uint32_t    *es_test_zipf_ranks(size_t n, uint32_t universe, double s, uint64_t seed);

/* Does processing batch b with a new operator of `spec` abort (a batch that
 * breaks its contract is a programming error)?  Runs in a forked child,
 * its stderr silenced. */
gboolean es_test_process_aborts(const char *spec, const es_batch *b);

/* The batch contract on vertex counts (CUnit assertions): a batch of edge
 * 0-1 and `beyond`, which names a vertex at or past its count of 2, aborts
 * an operator of `spec`; the batch of 0-1 alone does not. */
void es_test_expect_vertex_bound(const char *spec, es_edge beyond);

/* A new operator of `spec`; a refused spec prints its error and fails a
 * fatal assertion. */
struct es_operator;
struct es_operator *es_test_new_operator(const char *spec);

/* An es_test_batch_fn: process the batch with operator `op`; a failure is
 * a failed assertion with its message (success asserts nothing, so a long
 * stream of small batches does not count one assertion per batch). */
void es_test_process(const es_batch *b, void *op);

/* The edges of igraph graph g as 2*m pairs (g_free). */
uint32_t *es_test_pairs_of_igraph(const igraph_t *g, size_t *m);
/* K_n: its n(n-1)/2 edges {u, v}, u < v, in lexicographic order (g_free). */
uint32_t *es_test_complete_graph(uint32_t n, size_t *m);

#endif
