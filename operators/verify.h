/* verify.h — one verifier per operator: the exact answers of a stream
 * prefix, computed plainly or with igraph on its simple undirected graph,
 * shared by the unit tests and `edgestream compare` (as GAP pairs each
 * kernel with its verifier, LAGraph its LG_check_* functions).
 *
 * cc, degree and tri: the report the operator must give, metric for
 * metric (compare with es_report_entries_equal).  bipartite: igraph's
 * verdict on a prefix.  spanner: the stretch of every input edge by
 * bounded BFS in the kept graph, and the kept graph inside the input.
 * Estimators (tri-est, cm, topk, hll) are checked against the exact
 * triangle count and line degrees given here, within their stated bounds.
 *
 * Cost: building the graph is igraph_create + simplify, O(m log m); each
 * verifier is igraph's algorithm (components O(n + m), triangles
 * O(m a(G))); the spanner's check is one BFS of depth 2k-1 per tested edge.
 * Meant for tests and checks, not for the stream.
 */
#ifndef ES_VERIFY_H
#define ES_VERIFY_H

#include <glib.h>
#include <igraph.h>
#include <stdint.h>

#include "graph/adjacency.h"
#include "operators/report.h"

typedef struct {
    uint32_t        n;       /* vertices: dense ids 0 .. n-1 */
    size_t          lines;   /* edge lines, self-loops and repeats included */
    size_t          loops;   /* self-loop lines */
    const uint32_t *pairs;   /* 2 * lines dense ids, borrowed */
    igraph_t        g;       /* the simple undirected graph of the lines */
    igraph_vector_int_t deg; /* degrees in g */
} es_verify_graph;

/* The graph of pairs[0 .. 2*lines) (kept by reference), n vertices. */
void es_verify_graph_init(es_verify_graph *x, const uint32_t *pairs, size_t lines, uint32_t n);
void es_verify_graph_free(es_verify_graph *x);

/* The exact report of cc (vertices, components, largest, size_histogram),
 * degree (vertices, edges, self_loops, duplicates, max, mean,
 * distribution) and tri (triangles, wedges, transitivity, avg_clustering),
 * filed under operator name `name`.  es_verify_tri also gives the
 * triangles through each vertex in local[0 .. n) when local != NULL
 * (g_free). */
void es_verify_cc(const es_verify_graph *x, es_report *r, const char *name);
void es_verify_degree(const es_verify_graph *x, es_report *r, const char *name);
uint64_t es_verify_tri(const es_verify_graph *x, es_report *r, const char *name, uint64_t **local);

/* The first metric of operator `name` in `exact` that `streamed` does not
 * report equally (es_report_entries_equal), or NULL when all agree. */
const char *es_verify_first_difference(const es_report *streamed, const es_report *exact, const char *name);

/* igraph_is_bipartite on the first `len` lines of pairs, self-loops and
 * repeats kept (a self-loop is an odd cycle), on n vertices. */
gboolean es_verify_bipartite_prefix(const uint32_t *pairs, size_t len, uint32_t n);

/* Degree counting every line, a self-loop twice (what cm and topk count):
 * n entries, g_free. */
uint64_t *es_verify_line_degrees(const es_verify_graph *x);

/* The spanner's guarantee: every tested non-loop input edge has its
 * endpoints within `stretch` hops in `kept` (every line, or `sample` lines
 * drawn uniformly with `seed` when sample < x->lines), and every kept edge
 * is an input edge. */
typedef struct {
    size_t tested, far;  /* input edges tested, and those beyond stretch */
    size_t fake;         /* kept edges that are not input edges */
    gboolean symmetric;  /* every kept edge is listed at both ends, once */
} es_verify_spanner_result;
es_verify_spanner_result es_verify_spanner(const es_verify_graph *x, const es_adjacency *kept, unsigned stretch,
                                           size_t sample, uint64_t seed);

#endif
